"""mailbot's side: settings through the public path, its parts on one held connection,
and the real command line as a child process (wall time and peak RSS of that child)."""

from __future__ import annotations

import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from dovecot import Account
from support import write_env

from mailbot.config import Settings, load_settings
from mailbot.mailboxes.imap import open_imap
from mailbot.pipeline import history_folders
from mailbot.report import CycleReport
from mailbot.runner import Session, run_once

__all__ = ["Child", "Mailbot", "environment", "run_child", "run_once", "settings"]


def environment(account: Account, home: Path, **extra: str) -> dict[str, str]:
    """The tests' MAILBOT_* environment (tests/support.py), for the whole generated history."""
    home.mkdir(parents=True, exist_ok=True)
    return write_env(
        home,
        account,
        **{
            "MAILBOT_LOOKBACK_DAYS": "36500",  # the whole generated history
            "MAILBOT_POLL_INTERVAL": "3600",  # the daemon wakes on IDLE only, while measured
            **extra,
        },
    )


def settings(env: dict[str, str]) -> Settings:
    return load_settings(None, env)


class Mailbot:
    """The daemon's own Session (state, whom the owner knows, one kept logged-in
    connection, renewed after a cycle that wrote), so that a cycle can be timed without
    process start, State opening, connecting or logging in; and a second, read-only
    connection for what the bench asks of the mailbox itself (history folders, index
    builds)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.settings = settings(env)
        if self.settings.imap is None:
            raise ValueError("the bench measures IMAP: MAILBOT_IMAP_HOST must be set")
        self.session = Session(self.settings)
        self._stack = ExitStack()
        self.mailbox = self._stack.enter_context(open_imap(self.settings.imap))

    def cycle(self) -> CycleReport:
        return self.session.cycle()

    def history_folders(self) -> list[str]:
        return history_folders(self.mailbox, self.settings)

    def close(self) -> None:
        self.session.close()
        self._stack.close()


@dataclass(frozen=True)
class Child:
    seconds: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_child(command: list[str], env: dict[str, str], cwd: Path) -> Child:
    """Run a command to its end, through a small Python wrapper that spawns it and reports
    its wall time and peak RSS (os.wait4). Why a wrapper: Linux carries a process's peak
    RSS over fork and exec, so any child of the bench itself (~40 MB) reports at least
    the bench's RSS, in RUSAGE_CHILDREN as in wait4. The wrapper is ~10 MB."""
    out, err, usage = cwd / "child.out", cwd / "child.err", cwd / "child.usage"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        done = subprocess.run(
            [sys.executable, "-c", _SPAWN, str(usage), *command],
            env=env,
            cwd=cwd,
            stdout=stdout,
            stderr=stderr,
            check=False,
        )
    seconds, max_rss_kb = usage.read_text().split()
    return Child(
        float(seconds), int(max_rss_kb) / 1024, done.returncode, out.read_text(), err.read_text()
    )


_SPAWN = """\
import os, sys, time
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    out.write(f"{seconds} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def mailbot_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mailbot", *args]


FLOOR_LOGIN = (
    "import os, imapclient\n"
    "c = imapclient.IMAPClient(os.environ['MAILBOT_IMAP_HOST'],"
    " port=int(os.environ['MAILBOT_IMAP_PORT']), ssl=False)\n"
    "c.login(os.environ['MAILBOT_IMAP_USER'], os.environ['MAILBOT_IMAP_PASSWORD'])\n"
    "c.logout()\n"
)


def floor_login_command() -> list[str]:
    return [sys.executable, "-c", FLOOR_LOGIN]
