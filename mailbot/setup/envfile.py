"""Writing the `.env` that `mailbot setup` composed: every value single-quoted so that
python-dotenv reads it back exactly, a comment over each group saying where its values
came from, the file user-only (0600) from its first byte, and put in place in one step
(a temporary file beside it, then a rename), so an interrupted setup leaves nothing
half-written.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mailbot.errors import UsageError

_KEY_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")
# A value must stay on one line and hold nothing a terminal or a shell could trip on.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Group:
    """Keys written together under one comment (where their values came from)."""

    comment: str
    values: tuple[tuple[str, str], ...]


def quoted(value: str) -> str:
    """`value` as a python-dotenv single-quoted value: a backslash and a quote escaped,
    nothing expanded. Refuses a control character (a line break would end the value)."""
    if _CONTROL.search(value):
        raise UsageError("a value holds a line break or another control character")
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def render(header: Iterable[str], groups: Iterable[Group]) -> str:
    lines = [f"# {line}" if line else "#" for line in header]
    for group in groups:
        if not group.values:
            continue
        lines.append("")
        lines += [f"# {line}" for line in group.comment.splitlines()]
        lines += [f"{key}={quoted(value)}" for key, value in group.values]
    return "\n".join(lines) + "\n"


def write(path: Path, text: str, *, replace: bool) -> None:
    """Put `text` at `path`, mode 0600, all at once. Without `replace`, an existing file
    is never touched (UsageError), even one created a moment ago by someone else."""
    with _temporary(path, text) as temp:
        if replace:
            temp.replace(path)
            return
        try:
            os.link(temp, path)  # fails if `path` exists: no check-then-write race
        except FileExistsError:
            raise UsageError(f"{path} exists: pass --force to replace it") from None
        except OSError:  # a file system without hard links: the same, less strictly
            if path.exists():
                raise UsageError(f"{path} exists: pass --force to replace it") from None
            temp.replace(path)


def set_value(path: Path, key: str, value: str) -> None:
    """Replace `key`'s line in the .env at `path` (appending it when there is none),
    keeping every other line as it is; the file stays 0600."""
    lines = path.read_text("utf-8").splitlines()
    line = f"{key}={quoted(value)}"
    for i, old in enumerate(lines):
        match = _KEY_LINE.match(old)
        if match and match.group(1) == key:
            lines[i] = line
            break
    else:
        lines.append(line)
    write(path, "\n".join(lines) + "\n", replace=True)


@contextlib.contextmanager
def _temporary(path: Path, text: str) -> Iterator[Path]:
    """A user-only file beside `path` holding `text`, removed on the way out."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    temp = path.with_name(f".{path.name}.{os.getpid()}.setup-tmp")
    try:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.fchmod(fd, 0o600)  # whatever the umask
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        yield temp
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
