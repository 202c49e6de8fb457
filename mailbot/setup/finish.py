"""Step 4 of `mailbot setup`, once the .env is written: `mailbot check`'s lines, then a
dry run over the last DRY_RUN_DAYS days (that run only: MAILBOT_LOOKBACK_DAYS in the
.env stays as it is), showing what mailbot would draft. Nothing is written to the
mailbox; the dry run works on a scratch copy of the state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from mailbot.logs import counted
from mailbot.report import CycleReport
from mailbot.terminal import shown

DRY_RUN_DAYS = 30
DRAFTING = ("ask", "explain")  # the decisions that store a reply draft


def check_and_dry_run(
    env_file: Path, environ: Mapping[str, str], say: Callable[[str], object]
) -> int:
    """0 when every check is OK and the dry run had no errors, else 1."""
    from mailbot.check import load_config, run_checks

    say("")
    say("mailbot check:")
    lines = run_checks(load_config(env_file, environ))
    for line in lines:
        say(f"  {line}")
    if not all(line.ok for line in lines):
        say(f"Fix the ERR lines ({env_file} is written), then run `mailbot check` again.")
        return 1
    report = _dry_run(env_file, environ)
    say("")
    say(f"A dry run over the last {DRY_RUN_DAYS} days (nothing written):")
    for said in describe(report):
        say(f"  {said}")
    say("")
    say("Next: `mailbot --run-once` stores these drafts in your Drafts folder (never sends);")
    say("`mailbot` keeps running and answers new requests as they come.")
    return 1 if report.errors else 0


def _dry_run(env_file: Path, environ: Mapping[str, str]) -> CycleReport:
    from mailbot.config import load_settings
    from mailbot.lock import InstanceLock
    from mailbot.runner import run_once

    settings = replace(load_settings(env_file, environ), lookback_days=DRY_RUN_DAYS)
    with InstanceLock(settings.state_path):
        return run_once(settings, dry_run=True)


def describe(report: CycleReport) -> list[str]:
    """What the dry run would do, the drafts first."""
    drafts = [p for p in report.processed if p.decision in DRAFTING]
    others = [p for p in report.processed if p.decision not in DRAFTING]
    lines = [
        f"would draft: {p.decision:7} {shown(p.requester) or 'someone'} ({shown(p.reasons[0]) if p.reasons else ''})"
        for p in drafts
    ]
    lines += [
        f"no draft:    {p.decision:7} {shown(p.requester) or 'a message'} ({shown(p.reasons[0]) if p.reasons else ''})"
        for p in others
    ]
    lines += [f"error:       {shown(e)}" for e in report.errors]
    lines.append(
        f"{counted(len(report.processed), 'notification')} in {DRY_RUN_DAYS} days, "
        f"{counted(len(drafts), 'draft')} to write"
    )
    return lines
