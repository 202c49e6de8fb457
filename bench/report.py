"""The results table (Markdown, printed and written to RESULTS.md) and the machine."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

import imapclient

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Row:
    """One line of the table: medians of mailbot and the floor, and the issue's target."""

    name: str
    mailbox: str
    mailbot: float | None
    floor: float | None
    unit: str  # "ms", "s", "MB", "msg/s" or "x" (a growth factor)
    target: str
    meets: bool | None  # None: no target, or not measured

    @property
    def ratio(self) -> float | None:
        if self.mailbot is None or not self.floor:
            return None
        return self.mailbot / self.floor


def row(
    name: str,
    mailbox: str,
    mailbot: list[float],
    floor: list[float] | None,
    unit: str,
    target: str,
    max_ratio: float | None = None,
) -> Row:
    """A row of medians; `max_ratio` is the target mailbot/floor, if there is one."""
    m = median(mailbot)
    f = median(floor) if floor else None
    meets = None if max_ratio is None or f is None else m / f <= max_ratio
    return Row(name, mailbox, m, f, unit, target, meets)


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "x":
        return f"×{value:.2f}"
    digits = 0 if value >= 100 else 1 if value >= 10 else 2
    return f"{value:,.{digits}f} {unit}"


def table(rows: list[Row]) -> str:
    lines = [
        "| measurement | mailbox | mailbot | floor | ratio | target | meets |",
        "| --- | --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "-"
        meets = {True: "yes", False: "**no**", None: "-"}[r.meets]
        lines.append(
            f"| {r.name} | {r.mailbox} | {_value(r.mailbot, r.unit)} | "
            f"{_value(r.floor, r.unit)} | {ratio} | {r.target} | {meets} |"
        )
    return "\n".join(lines)


def machine() -> list[tuple[str, str]]:
    cpu = re.search(r"^model name\s*:\s*(.+)$", _read("/proc/cpuinfo"), re.MULTILINE)
    dovecot = shutil.which("dovecot") or "/usr/sbin/dovecot"
    return [
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", cpu.group(1).strip() if cpu else platform.processor() or "unknown"),
        ("cores", str(_cores())),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("Dovecot", _output([dovecot, "--version"])),
        ("imapclient", imapclient.__version__),
        ("mailbot", _commit()),
    ]


def _cores() -> int:
    return len(os.sched_getaffinity(0))


def _commit() -> str:
    head = _output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    changes = _output(["git", "-C", str(ROOT), "--no-optional-locks", "status", "--porcelain"])
    return f"{head} (working tree has uncommitted changes)" if changes else head


def _output(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "unknown"
    return done.stdout.strip()


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def results_markdown(rows: list[Row], command: str, notes: list[str]) -> str:
    facts = "\n".join(f"| {k} | {v} |" for k, v in machine())
    note_lines = "\n".join(f"- {n}" for n in notes)
    return (
        "# Benchmark results\n\n"
        "Written by `bench/run.py` (see bench/README.md for what each row measures). "
        "Medians; the floor is bare imapclient doing the least protocol work, measured "
        "in the same run.\n\n"
        f"Command: `{command}`\n\n"
        f"{table(rows)}\n\n"
        f"{note_lines}\n\n"
        "## Machine\n\n| | |\n| --- | --- |\n"
        f"{facts}\n"
    )
