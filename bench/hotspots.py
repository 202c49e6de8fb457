"""Where mailbot's time goes: cProfile of a first index build, of the idle poll (held
connection and run_once) and of 1,000 pending invitations, plus `-X importtime` of a cold
start. Reports, fixes nothing.

    .venv/bin/python bench/hotspots.py [--size 10000] [--top 15]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import mailgen
from dovecot import Dovecot
from harness import mailbot_command, run_child, run_once
from run import PENDING, build_box

from mailbot.people.index import CorrespondenceIndex
from mailbot.store import Store

ROOT = Path(__file__).resolve().parents[1]
IDLE_POLLS = 500
CONNECT_POLLS = 30


def top(profile: cProfile.Profile, title: str, count: int, only: str = "") -> None:
    """The functions with the largest cumulative time, as a share of the whole; `only`:
    just those whose file path contains it (e.g. "/mailbot/")."""
    stats = pstats.Stats(profile)
    entries = stats.stats  # type: ignore[attr-defined]
    total = max(ct for _, _, _, ct, _ in entries.values())
    ranked = sorted(entries.items(), key=lambda item: item[1][3], reverse=True)
    ranked = [item for item in ranked if only in item[0][0]]
    print(f"\n## {title}: {total:.2f} s profiled{f' ({only} only)' if only else ''}\n")
    print("| cumulative | own | calls | function | where |")
    print("| ---: | ---: | ---: | --- | --- |")
    for (path, line, name), (_, calls, own, cumulative, _) in ranked[:count]:
        print(
            f"| {cumulative / total:.0%} | {own / total:.0%} | {calls} | `{name}` | "
            f"{_short(path)}:{line} |"
        )


def _short(path: str) -> str:
    for marker in (str(ROOT) + "/", "site-packages/", "lib/python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def profiled(action: object, *args: object) -> cProfile.Profile:
    profile = cProfile.Profile()
    profile.runcall(action, *args)  # type: ignore[arg-type]
    return profile


def import_times(env: dict[str, str], cwd: Path, count: int) -> None:
    """The slowest packages imported by `python -m mailbot --run-once` (nothing new),
    cumulative: a package imported by another counts in both."""
    child = run_child(
        [*mailbot_command()[:1], "-X", "importtime", *mailbot_command()[1:], "--run-once"], env, cwd
    )
    found = []
    for line in child.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)", line)
        if match and "." not in match.group(4):
            found.append((int(match.group(2)), match.group(4)))
    print(f"\n## cold start: {child.seconds * 1e3:.0f} ms wall\n")
    print("| cumulative import | module |")
    print("| ---: | --- |")
    for us, module in sorted(found, reverse=True)[:count]:
        print(f"| {us / 1e3:.1f} ms | {module} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000, help="inbox size (default 10000)")
    parser.add_argument("--top", type=int, default=15, help="rows per profile (default 15)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mailbot-hotspots-"))
    work.chmod(0o755)
    os.chdir(work)
    server = Dovecot()
    server.start()
    try:
        with ProcessPoolExecutor() as pool:
            box = build_box(server, args.size, work, pool)

        def idle() -> None:
            for _ in range(IDLE_POLLS):
                box.bot.cycle()

        def connect() -> None:
            for _ in range(CONNECT_POLLS):
                run_once(box.bot.settings)

        def build() -> None:
            with Store(work / "index.sqlite3") as state:
                CorrespondenceIndex(state).refresh(
                    box.bot.mailbox, box.bot.history_folders(), box.bot.settings.owner.addresses
                )

        build_profile = profiled(build)
        top(build_profile, "first index build (Sent + INBOX)", args.top)
        print("\n## first index build, by own time\n")
        pstats.Stats(build_profile).sort_stats("tottime").print_stats(args.top)
        top(profiled(idle), f"idle poll, connection held ({IDLE_POLLS} polls)", args.top)
        top(profiled(connect), f"idle poll via run_once ({CONNECT_POLLS} polls)", args.top)
        mailgen.append_all(box.seeder, "INBOX", mailgen.invitations(PENDING))
        pending = profiled(box.bot.cycle)
        title = f"pending: {PENDING} new invitations, one cycle"
        top(pending, title, args.top, only="/mailbot/")
        top(pending, title, args.top, only="imapclient.py")
        print("\n## pending, by own time\n")
        pstats.Stats(pending).sort_stats("tottime").print_stats(args.top)
        import_times(box.env, box.home, args.top)
        box.close()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
