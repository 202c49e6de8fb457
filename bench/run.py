"""Measure mailbot against the floor (issue 9): a private Dovecot, generated mailboxes,
mailbot's own code beside bare imapclient doing the least protocol work.

    .venv/bin/python bench/run.py [--sizes 1000,10000] [--repeat 5]

Prints a table of medians and writes it, with the machine, to bench/RESULTS.md.
See bench/README.md for what each row measures and why.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from statistics import median
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import floor
import mailgen
from dovecot import Account, Dovecot
from harness import (
    Mailbot,
    environment,
    floor_login_command,
    mailbot_command,
    run_child,
    run_once,
)
from imapclient import IMAPClient
from imapclient.imapclient import DELETED
from report import Row, results_markdown, row, table

from mailbot.people.index import CorrespondenceIndex
from mailbot.store import Store

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
PENDING = 1000  # new invitations in the pending-notifications case
NEW_MAIL = 100  # new messages for the incremental index refresh
POLLS = 50  # idle polls per timed run: one is about a millisecond
COLD_PAIRS = 5  # cold starts of each side per repetition, alternating
CONNECT_POLLS = 10  # polls per timed run when each poll connects and logs in
LATENCY_SAMPLES = 20  # the issue: IDLE latency is the median of 20
SETTLE = 2.5  # s: Dovecot rescans a maildir whose folders changed within the last seconds
FLAT = 1.25  # "flat with size": mailbot's idle poll grows at most this much more than the floor's


class BenchError(RuntimeError):
    """mailbot (or the bench) did not do what the measurement assumes."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise BenchError(message)


@dataclass
class Box:
    """One generated mailbox (a Dovecot user), mailbot on one held connection, and two bare
    clients: `floor` for the floor's side, `seeder` to add mail and clean up."""

    size: int
    account: Account
    home: Path
    env: dict[str, str]
    bot: Mailbot
    floor: IMAPClient
    seeder: IMAPClient
    notes: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.bot.close()
        self.floor.logout()
        self.seeder.logout()


def build_box(server: Dovecot, size: int, work: Path, pool: ProcessPoolExecutor) -> Box:
    account = server.add_account()
    started = time.perf_counter()
    inbox, sent = mailgen.history(size, pool)
    built = time.perf_counter()
    seeder = account.client()
    mailgen.append_all(seeder, "INBOX", inbox)
    mailgen.append_all(seeder, "Sent", sent)
    seeded = time.perf_counter()
    for folder in ("INBOX", "Sent"):  # as the owner's mail client would: new/ -> cur/
        seeder.select_folder(folder)
        seeder.unselect_folder()
    time.sleep(SETTLE)
    settled = time.perf_counter()
    home = work / f"box-{size}"
    env = environment(account, home)
    bot = Mailbot(env)
    report = bot.cycle()  # the first run: builds the index, drafts to the inbox's invitations
    first = time.perf_counter() - settled
    drafts = sum(p.draft for p in report.processed)
    expect(not report.errors, f"first cycle errors: {report.errors[:3]}")
    expect(drafts == size // 100, f"first cycle wrote {drafts} drafts, not {size // 100}")
    note = (
        f"{size:,}-message inbox + {len(sent):,} sent: built in {built - started:.1f} s, "
        f"MULTIAPPENDed in {seeded - built:.1f} s; mailbot's first cycle on it "
        f"(index build + {drafts} drafts, connection held) took {first:.1f} s."
    )
    _progress(note)
    return Box(size, account, home, env, bot, account.client(), seeder, [note])


def timed(action: Callable[[], object], times: int = 1) -> float:
    """Seconds per call."""
    started = time.perf_counter()
    for _ in range(times):
        action()
    return (time.perf_counter() - started) / times


Pair = tuple[list[float], list[float]]


def idle_poll(box: Box, repeat: int) -> tuple[list[float], list[float], list[float]]:
    """A cycle with nothing new on the daemon's Session (logged in already, renewed after
    the build's first cycle wrote its drafts) vs SELECT + UID SEARCH, and vs STATUS alone,
    on a connection that has only read. ms per poll."""
    uidnext = int(box.floor.select_folder("INBOX", readonly=True)[b"UIDNEXT"])

    def bot() -> None:
        report = box.bot.cycle()
        expect(not report.processed and not report.errors, "an idle poll found work")

    def bare() -> None:
        floor.idle_poll(box.floor, "INBOX", uidnext - 1)

    def status() -> None:
        floor.status_poll(box.floor, "INBOX", uidnext)

    for warm in (bot, bare, status):
        warm()
    runs = [(timed(bot, POLLS), timed(bare, POLLS), timed(status, POLLS)) for _ in range(repeat)]
    return (
        [m * 1e3 for m, _, _ in runs],
        [f * 1e3 for _, f, _ in runs],
        [s * 1e3 for _, _, s in runs],
    )


def connect_poll(box: Box, repeat: int) -> Pair:
    """run_once (open State, connect, log in, cycle, log out) vs connect + poll + logout."""
    a = box.account

    def bot() -> None:
        expect(not run_once(box.bot.settings).processed, "an idle poll found work")

    def bare() -> None:
        floor.connect_poll(a.host, a.port, a.user, a.password, "INBOX")

    bot()  # warm
    bare()
    runs = [(timed(bot, CONNECT_POLLS), timed(bare, CONNECT_POLLS)) for _ in range(repeat)]
    return [m * 1e3 for m, _ in runs], [f * 1e3 for _, f in runs]


def index_build(box: Box, repeat: int) -> Pair:
    """CorrespondenceIndex.refresh into an empty index vs FETCH ENVELOPE of the same folders.
    The first of repeat + 1 runs warms Dovecot's caches and is not counted."""
    folders = box.bot.history_folders()
    mailbot: list[float] = []
    bare: list[float] = []
    for run in range(repeat + 1):
        path = box.home / f"index-{run}.sqlite3"
        with Store(path) as state:
            index = CorrespondenceIndex(state)
            started = time.perf_counter()
            read = index.refresh(box.bot.mailbox, folders, box.bot.settings.owner.addresses, _quiet)
            seconds = time.perf_counter() - started
        for leftover in box.home.glob(f"{path.name}*"):
            leftover.unlink()
        started = time.perf_counter()
        fetched = floor.envelopes(box.floor, folders)
        floor_seconds = time.perf_counter() - started
        expect(read == fetched, f"index read {read} messages, the floor {fetched}")
        if run:
            mailbot.append(seconds)
            bare.append(floor_seconds)
    return mailbot, bare


def index_refresh(box: Box, repeat: int) -> Pair:
    """An index that is up to date, then NEW_MAIL new messages in INBOX: mailbot's refresh
    (every history folder looked at, the new mail read and written) vs SELECT + FETCH
    ENVELOPE of just the new messages. Each side reads mail of its own, appended and left
    to settle (SETTLE) just before, so each pays Dovecot's first look at new mail; the
    index then catches up on the floor's mail, untimed."""
    folders = box.bot.history_folders()
    owner = box.bot.settings.owner.addresses
    mailbot: list[float] = []
    bare: list[float] = []
    path = box.home / "index-incremental.sqlite3"
    with Store(path) as state:
        index = CorrespondenceIndex(state)
        index.refresh(box.bot.mailbox, folders, owner, _quiet)  # the first build: not timed
        for run in range(repeat):
            _new_mail(box, 2 * run)
            started = time.perf_counter()
            read = index.refresh(box.bot.mailbox, folders, owner, _quiet)
            mailbot.append(time.perf_counter() - started)
            first = _new_mail(box, 2 * run + 1)
            started = time.perf_counter()
            fetched = floor.envelopes_of(box.floor, "INBOX", range(first, first + NEW_MAIL))
            bare.append(time.perf_counter() - started)
            expect(read == fetched == NEW_MAIL, f"refresh read {read}, the floor {fetched}")
            index.refresh(box.bot.mailbox, folders, owner, _quiet)  # the floor's mail
    for leftover in box.home.glob(f"{path.name}*"):
        leftover.unlink()
    return [s * 1e3 for s in mailbot], [s * 1e3 for s in bare]


def _new_mail(box: Box, batch: int) -> int:
    """NEW_MAIL ordinary messages appended to INBOX, then SETTLE; returns the first UID."""
    first = _uidnext(box.seeder, "INBOX")
    pool = mailgen.correspondents(box.size)
    mailgen.append_all(
        box.seeder, "INBOX", mailgen.ordinary(NEW_MAIL, box.size + batch * NEW_MAIL, pool)
    )
    time.sleep(SETTLE)
    return first


def _quiet(folder: str, done: int, total: int) -> None:
    """No progress line: the bench measures the work, not the terminal."""


def cold_start(box: Box, repeat: int) -> tuple[list[float], list[float], list[float]]:
    """`python -m mailbot --run-once` (nothing new) vs a child that imports imapclient,
    logs in and out, in COLD_PAIRS alternating pairs per repetition (one process start
    varies by ±20 % on a shared machine). Returns mailbot's and the floor's ms, and the
    floor's peak RSS."""
    mailbot: list[float] = []
    bare: list[float] = []
    rss: list[float] = []
    for run in range(repeat * COLD_PAIRS + 1):
        child = run_child(mailbot_command("--run-once"), box.env, box.home)
        expect(child.returncode == 0, f"mailbot --run-once: {child.stderr[-500:]}")
        baseline = run_child(floor_login_command(), box.env, box.home)
        expect(baseline.returncode == 0, f"floor login: {baseline.stderr[-500:]}")
        if run:  # the first pair warms the page cache
            mailbot.append(child.seconds * 1e3)
            bare.append(baseline.seconds * 1e3)
            rss.append(baseline.max_rss_mb)
    return mailbot, bare, rss


def first_run(box: Box, repeat: int) -> tuple[list[float], list[float]]:
    """Peak RSS (MB) and wall time (s) of a first `mailbot --run-once` on this mailbox:
    a fresh state file and an empty drafts folder, so it indexes and drafts everything."""
    rss: list[float] = []
    seconds: list[float] = []
    for run in range(repeat):
        home = box.home / f"first-{run}"
        with box.account.client() as client:  # a folder the owner names must exist
            client.create_folder(f"FirstRun{run}")
        env = environment(box.account, home, MAILBOT_DRAFTS=f"FirstRun{run}")
        child = run_child(mailbot_command("--run-once", "--json"), env, home)
        expect(child.returncode == 0, f"first run: {child.stderr[-500:]}")
        drafts = sum(p["draft"] for p in json.loads(child.stdout)["processed"])
        expect(drafts == box.size // 100, f"first run wrote {drafts} drafts")
        rss.append(child.max_rss_mb)
        seconds.append(child.seconds)
    return rss, seconds


def pending(box: Box, repeat: int) -> tuple[list[float], list[float], list[float], bytes]:
    """1,000 new invitations: mailbot's cycle vs FETCH of them + APPEND of as many drafts
    of the same bytes, and vs the same with MULTIAPPEND (for information). Drafts are
    removed after each side, so every run starts alike. Returns seconds for the three and
    one of mailbot's drafts."""
    mailbot: list[float] = []
    bare: list[float] = []
    batched: list[float] = []
    sample = b""
    for _ in range(repeat):
        first = _uidnext(box.seeder, "INBOX")
        mailgen.append_all(box.seeder, "INBOX", mailgen.invitations(PENDING))
        drafts_from = _uidnext(box.seeder, "Drafts")
        started = time.perf_counter()
        report = box.bot.cycle()
        mailbot.append(time.perf_counter() - started)
        drafted = sum(p.draft for p in report.processed)
        expect(not report.errors, f"pending cycle errors: {report.errors[:3]}")
        expect(drafted == PENDING, f"pending cycle wrote {drafted} drafts, not {PENDING}")
        drafts = _take_new(box.seeder, "Drafts", drafts_from)
        expect(len(drafts) == PENDING, f"{len(drafts)} drafts in Drafts, not {PENDING}")
        sample = drafts[0]
        drafts_from = _uidnext(box.seeder, "Drafts")
        started = time.perf_counter()
        floor.pending(box.floor, "INBOX", range(first, first + PENDING), drafts)
        bare.append(time.perf_counter() - started)
        _take_new(box.seeder, "Drafts", drafts_from)
        drafts_from = _uidnext(box.seeder, "Drafts")
        started = time.perf_counter()
        floor.pending_batched(box.floor, "INBOX", range(first, first + PENDING), drafts)
        batched.append(time.perf_counter() - started)
        expect(len(_take_new(box.seeder, "Drafts", drafts_from)) == PENDING, "MULTIAPPEND")
    return mailbot, bare, batched, sample


def _uidnext(client: IMAPClient, folder: str) -> int:
    return int(client.folder_status(folder, ["UIDNEXT"])[b"UIDNEXT"])


def _take_new(client: IMAPClient, folder: str, first_uid: int) -> list[bytes]:
    """The messages of `folder` from `first_uid` on, which are then deleted."""
    client.select_folder(folder)
    uids = [u for u in client.search(["UID", f"{first_uid}:*"]) if u >= first_uid]
    raw = [data[b"BODY[]"] for data in client.fetch(uids, ["BODY.PEEK[]"]).values()]
    if uids:
        client.add_flags(uids, [DELETED])
        client.uid_expunge(uids)
    client.unselect_folder()
    return raw


def idle_latency(box: Box, draft: bytes) -> Pair:
    """New invitation APPENDed -> a draft in Drafts, LATENCY_SAMPLES times: the real
    daemon (`python -m mailbot`) vs a bare IDLE + FETCH + APPEND."""
    log = box.home / "daemon.log"
    with log.open("wb") as stderr:
        daemon = _start_daemon(box, stderr)
        try:
            time.sleep(2)  # its first cycle (nothing new) and its IDLE connection
            mailbot = _latencies(box)
        finally:
            daemon.terminate()
            daemon.wait(30)
    expect("Traceback" not in log.read_text(), f"daemon: {log.read_text()[-800:]}")
    responder = floor.IdleResponder(box.account.client(), "INBOX", draft)
    responder.start()
    responder.ready.wait(10)
    try:
        bare = _latencies(box)
    finally:
        responder.stop.set()
        responder.join(10)
    return mailbot, bare


def _start_daemon(box: Box, stderr: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        mailbot_command(), env=box.env, cwd=box.home, stdout=subprocess.DEVNULL, stderr=stderr
    )


def _latencies(box: Box) -> list[float]:
    """ms from the end of an APPEND to INBOX until Drafts has one more message (STATUS
    polled every 2 ms: no IDLE notification delay on the observer's side); one
    uncounted warm-up."""
    observer = box.account.client()
    found: list[float] = []
    for run in range(LATENCY_SAMPLES + 1):
        before = _uidnext(observer, "Drafts")
        mailgen.append_all(box.seeder, "INBOX", mailgen.invitations(1))
        appended = time.monotonic()
        while _uidnext(observer, "Drafts") == before:
            expect(time.monotonic() - appended < 30, "no draft within 30 s of an invitation")
            time.sleep(0.002)
        if run:
            found.append((time.monotonic() - appended) * 1e3)
        time.sleep(0.3)
    observer.logout()
    return found


@dataclass
class Results:
    idle: dict[int, Pair] = field(default_factory=dict)
    status: dict[int, list[float]] = field(default_factory=dict)
    connect: dict[int, Pair] = field(default_factory=dict)
    index: dict[int, Pair] = field(default_factory=dict)
    refresh: dict[int, Pair] = field(default_factory=dict)
    cold: dict[int, Pair] = field(default_factory=dict)
    floor_rss: list[float] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def measure_size(box: Box, repeat: int, results: Results) -> None:
    size = box.size
    _progress(f"{size:,}: idle poll")
    mailbot, bare, status = idle_poll(box, repeat)
    results.idle[size] = (mailbot, bare)
    results.status[size] = status
    _progress(f"{size:,}: idle poll with connect and login")
    results.connect[size] = connect_poll(box, repeat)
    _progress(f"{size:,}: index build")
    results.index[size] = index_build(box, repeat)
    _progress(f"{size:,}: index refresh with {NEW_MAIL} new messages")
    results.refresh[size] = index_refresh(box, repeat)
    _progress(f"{size:,}: cold start")
    mailbot, bare, rss = cold_start(box, repeat)
    results.cold[size] = (mailbot, bare)
    results.floor_rss = rss


def measure_largest(box: Box, repeat: int, results: Results) -> None:
    name = f"{box.size:,}"
    _progress(f"{name}: first run (peak RSS)")
    rss, seconds = first_run(box, repeat)
    _progress(f"{name}: {PENDING:,} pending invitations")
    mailbot, bare, batched, draft = pending(box, repeat)
    results.rows += [
        row(f"pending: {PENDING:,} new invitations", name, mailbot, bare, "s", "≤ 2× floor", 2.0),
        _absolute(
            _rate("pending: throughput", name, mailbot, bare, "≥ 1,000 msg/s"),
            1000.0,
            at_least=True,
        ),
        _rate("pending: throughput vs a MULTIAPPEND floor", name, mailbot, batched, "(for info)"),
        _absolute(
            row("peak RSS, first `--run-once`", name, rss, results.floor_rss, "MB", "≤ 100 MB"),
            100.0,
        ),
    ]
    results.notes.append(
        f"First `mailbot --run-once` on the {name} mailbox (a child process: whole history "
        f"indexed, {box.size // 100} drafts): {median(seconds):.1f} s wall (median)."
    )
    _progress(f"{name}: IDLE latency ({LATENCY_SAMPLES} invitations each side)")
    mailbot, bare = idle_latency(box, draft)
    latency = row("IDLE latency: new invitation → draft", name, mailbot, bare, "ms", "≤ 2 s")
    results.rows.append(_absolute(latency, 2000.0))


def _rate(label: str, name: str, mailbot: list[float], floor: list[float], target: str) -> Row:
    """A row of messages a second, from seconds for PENDING messages."""
    return row(
        label, name, [PENDING / s for s in mailbot], [PENDING / s for s in floor], "msg/s", target
    )


def _absolute(r: Row, limit: float, *, at_least: bool = False) -> Row:
    assert r.mailbot is not None
    meets = r.mailbot >= limit if at_least else r.mailbot <= limit
    return Row(r.name, r.mailbox, r.mailbot, r.floor, r.unit, r.target, meets)


def size_rows(results: Results) -> list[Row]:
    rows: list[Row] = []
    sizes = sorted(results.idle)
    for size in sizes:
        m, f = results.idle[size]
        rows.append(row("idle poll (logged in)", f"{size:,}", m, f, "ms", "≤ 1.5× floor", 1.5))
    if len(sizes) > 1:
        rows.append(_growth(results.idle[sizes[0]], results.idle[sizes[-1]], sizes))
    for size in sizes:
        m, s = results.idle[size][0], results.status[size]
        rows.append(row("idle poll vs a STATUS-only floor", f"{size:,}", m, s, "ms", "(for info)"))
    for size in sizes:
        m, f = results.connect[size]
        rows.append(
            row("idle poll incl. connect + login", f"{size:,}", m, f, "ms", "≤ 1.5× floor", 1.5)
        )
    for size in sizes:
        m, f = results.index[size]
        rows.append(row("first index build", f"{size:,}", m, f, "s", "≤ 1.5× floor", 1.5))
    for size in sizes:
        m, f = results.refresh[size]
        name = f"index refresh, {NEW_MAIL} new messages"
        rows.append(row(name, f"{size:,}", m, f, "ms", "(for info)"))
    if len(sizes) > 1:  # the issue: "incremental refresh proportional to new mail only"
        growth = _growth(results.refresh[sizes[0]], results.refresh[sizes[-1]], sizes)
        rows.append(replace(growth, name="index refresh growth with size"))
    for size in sizes:
        m, f = results.cold[size]
        rows.append(row("cold start `--run-once`", f"{size:,}", m, f, "ms", "≤ 1.5× floor", 1.5))
    return rows


def _growth(small: Pair, large: Pair, sizes: list[int]) -> Row:
    bot = median(large[0]) / median(small[0])
    bare = median(large[1]) / median(small[1])
    return Row(
        "idle poll growth with size",
        f"{sizes[0]:,} → {sizes[-1]:,}",
        bot,
        bare,
        "x",
        f"flat: ≤ {FLAT}× the floor's growth",
        bot / bare <= FLAT,
    )


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        help="inbox sizes, comma-separated (default 1000,10000; 100000 takes many minutes)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per median (default 5)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="Markdown file to write")
    args = parser.parse_args(argv)
    args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not args.sizes or min(args.sizes) < 100 or args.repeat < 1:
        parser.error("sizes must be at least 100 (1% are invitations) and --repeat at least 1")
    return args


def _compile_bytecode() -> None:
    """Bytecode for mailbot's modules, as `pip install` writes it: a checkout run with
    PYTHONDONTWRITEBYTECODE=1 would otherwise compile every edited module at each cold
    start (the floor's imapclient is installed, hence compiled)."""
    import compileall

    import mailbot

    compileall.compile_dir(Path(mailbot.__file__).parent, quiet=1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = ".venv/bin/python bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv)
    load = os.getloadavg()[0]
    _compile_bytecode()
    work = Path(tempfile.mkdtemp(prefix="mailbot-bench-"))
    work.chmod(0o755)
    os.chdir(work)  # load_settings(None, ...) and `python -m mailbot` read ./.env: have none
    server = Dovecot()
    server.start()
    results = Results()
    try:
        with ProcessPoolExecutor() as pool:
            for size in args.sizes:
                box = build_box(server, size, work, pool)
                results.notes += box.notes
                measure_size(box, args.repeat, results)
                if size != args.sizes[-1]:
                    box.close()
        measure_largest(box, args.repeat, results)
        box.close()
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    rows = size_rows(results) + results.rows
    results.notes.append(
        f"Load average (1 min) {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end: "
        "anything else running shares the cores with Dovecot and both clients."
    )
    print(table(rows))
    kept = _kept_history(args.results)
    args.results.write_text(results_markdown(rows, command.strip(), results.notes) + kept)
    print(f"\nwritten to {args.results}", file=sys.stderr)
    return 0


HISTORY = "\n## Before and after"


def _kept_history(path: Path) -> str:
    """The hand-written before/after section of the previous RESULTS.md, kept as it was."""
    old = path.read_text() if path.exists() else ""
    return old[old.index(HISTORY) :] if HISTORY in old else ""


if __name__ == "__main__":
    sys.exit(main())
