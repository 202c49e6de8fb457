"""One mailbot per state database: an OS file lock beside it (released by the OS on exit,
even after kill -9). A second lock, held only while a cycle runs, lets the owner's
commands (`mailbot decide`, `mailbot review`) write beside a running daemon, never in the
middle of one of its cycles."""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path
from types import TracebackType

from mailbot.errors import ConfigError, MailbotError


class AlreadyRunning(MailbotError):
    """Another mailbot holds the lock on this state database."""


class InstanceLock:
    SUFFIX = ".lock"

    def __init__(self, state_path: Path, *, wait: bool = False) -> None:
        self.path = state_path.with_name(state_path.name + self.SUFFIX)
        self.wait = wait
        self._fd: int | None = None

    def __enter__(self) -> InstanceLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            if os.fstat(fd).st_mode & 0o077:
                os.fchmod(fd, 0o600)  # a lock file left readable by others is tightened
        except OSError as exc:
            raise ConfigError(
                "MAILBOT_STATE", f"cannot use {self.path.parent} ({exc.strerror or exc})"
            ) from None
        try:
            self._take(fd)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise AlreadyRunning(
                f"another mailbot (pid {holder}) is using {self.path.with_suffix('')}; "
                "stop it, or pass --wait to wait for it"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def _take(self, fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class CycleLock(InstanceLock):
    """Held while a cycle or one decision of the owner's is carried out; always waits,
    saying so first on stderr when given a `notice` (a command the owner typed)."""

    SUFFIX = ".cycle.lock"

    def __init__(self, state_path: Path, *, notice: str | None = None) -> None:
        super().__init__(state_path, wait=True)
        self.notice = notice

    def _take(self, fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if self.notice:
                print(self.notice, file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
