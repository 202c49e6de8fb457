"""What the one-shot commands print: `mailbot parse`, `mailbot demo`, a cycle's summary."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from mailbot.config import Owner, Settings
from mailbot.report import CycleReport, Processed

if TYPE_CHECKING:
    from mailbot.notifications import Notification

SAMPLES = Path(__file__).parent / "samples"
DEMO_OWNER = Owner(
    name="Robin Owner",
    email="robin@owner.example",
    phone="+44 20 7946 0000",
    twitter="@robin_owner",
)


def print_json(value: object) -> None:
    """One JSON document on stdout (json imported here: a cycle's summary is text)."""
    import json

    print(json.dumps(value, ensure_ascii=False))


def notification_json(n: Notification, source: str) -> dict[str, object]:
    return {
        "file": source,
        "kind": n.kind,
        "network": n.network,
        "requester": asdict(n.requester) if n.requester else None,
        "note": n.note,
        "language": n.language,
        "key": n.key,
        "message_id": n.message_id,
        "reasons": list(n.reasons),
    }


def parse_files(files: Sequence[str], *, as_json: bool) -> int:
    """Print what each file parses to; unreadable files are reported, the rest still parsed."""
    from mailbot.notifications import parse  # here: a cycle's summary needs no parser

    status = 0
    for name in files:
        try:
            raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            print(f"mailbot: cannot read {name}: {exc.strerror}", file=sys.stderr)
            status = 2
            continue
        n = parse(raw)
        if as_json:
            print_json(notification_json(n, name))
        else:
            print(_describe(n, name))
    return status


def _describe(n: Notification, source: str) -> str:
    lines = [f"{source}: {n.kind}" + (f" ({n.network})" if n.network else "")]
    if n.requester:
        r = n.requester
        lines.append(f"  {'from:':10}{r.name}" + (f" <{r.email}>" if r.email else ""))
        for label, value in (("headline", r.headline), ("profile", r.profile_url)):
            if value:
                lines.append(f"  {label + ':':10}{value}")
    if n.kind == "invitation":
        lines.append(f"  note:     {n.note!r}" if n.note else "  note:     (none)")
        lines.append(f"  language: {n.language or '?'}   key: {n.key}")
    lines.extend(f"  - {reason}" for reason in n.reasons)
    return "\n".join(lines)


def who(settings: Settings, name: str, *, as_json: bool, refresh: bool) -> int:
    """`mailbot who NAME`: the evidence for and against knowing NAME, and the decision."""
    from mailbot.runner import assess_name

    verdict, decision = assess_name(settings, name, refresh=refresh)
    if as_json:
        print_json(
            {
                "name": name,
                "decision": decision.action,
                "reasons": list(decision.reasons),
                "known": verdict.known,
                "near": list(verdict.near),
                "evidence": list(verdict.evidence),
            }
        )
        return 0
    print(f"{name}: {decision.action}")
    for reason in decision.reasons:
        print(f"  {reason}")
    for line in verdict.evidence:
        print(f"  evidence: {line}")
    return 0


def status(settings: Settings, *, as_json: bool) -> int:
    """`mailbot status`: what waits for the owner (review) and conversations still open."""
    from mailbot.conversation import DECLINED, OPEN
    from mailbot.rules import REVIEW
    from mailbot.store import Store

    with Store(settings.state_path, scratch=True) as state:
        groups = {
            "review": state.conversations(REVIEW),
            "open": state.conversations(*OPEN),
            "declined": state.conversations(DECLINED),
        }
        listed = {
            group: [
                {
                    "name": c.name,
                    "network": c.network,
                    "status": c.status,
                    "reason": c.reason,
                    "link": c.link,
                    "updated": c.updated,
                    "history": [
                        {"at": at, "what": what, "detail": detail}
                        for at, what, detail in state.events(c.person)
                    ],
                }
                for c in conversations
            ]
            for group, conversations in groups.items()
        }
        listed["skipped"] = [
            {"message_id": s.message_id, "who": s.who, "reason": s.reason, "at": s.at}
            for s in state.skipped()
        ]
    if as_json:
        print_json(listed)
        return 0
    for group, title in (
        ("review", "Waiting for you"),
        ("open", "Open conversations"),
        ("declined", "Closed: answered rudely, no reply drafted"),
    ):
        print(f"{title} ({len(listed[group])}):")
        for c in listed[group]:
            print(f"  {c['name']} [{c['status']}] {c['link'] or ''}")
            print(f"      {c['reason']}")
    if listed["skipped"]:
        print(f"Messages mailbot could not handle ({len(listed['skipped'])}), please look at them:")
        for item in listed["skipped"]:
            print(f"  {item['at']} {item['who']} {item['message_id'] or ''}: {item['reason']}")
    return 0


def _what(p: Processed) -> str:
    """A message with no requester, said by what it is ("not a connection request"), not
    by a raw Message-ID."""
    reason = p.reasons[0] if p.reasons else "a message"
    return f"({reason.split(':', 1)[0].strip()[:60]})"


def print_report(report: CycleReport, *, dry_run: bool) -> None:
    if not report.processed and not report.errors:
        print("Nothing new.")
    for p in report.processed:
        draft = (
            " -> draft stored"
            if p.draft
            else " -> draft already in Drafts"
            if p.found
            else (" (dry run: no draft)" if dry_run else "")
        )
        print(f"{p.decision:7} {p.requester or _what(p)}{draft}")
        for reason in p.reasons:
            print(f"        {reason}")
        for step in p.withdrawn:
            print(f"        withdrew our earlier {step} draft (you had not edited it)")
    for error in report.errors:
        print(f"error:  {error}", file=sys.stderr)
    drafts = sum(1 for p in report.processed if p.draft)
    found = sum(1 for p in report.processed if p.found)
    print(
        f"{len(report.processed)} notifications, {drafts} draft{'' if drafts == 1 else 's'} stored"
        + (f", {found} already in Drafts" if found else "")
        + (", dry run: nothing written" if dry_run else "")
    )
