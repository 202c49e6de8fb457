"""What the one-shot commands print: `mailbot parse`, `mailbot demo`, a cycle's summary."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from mailbot.config import Owner, Settings
from mailbot.logs import counted
from mailbot.report import CycleReport, Processed
from mailbot.terminal import JSON_ESCAPES, shown

if TYPE_CHECKING:
    from mailbot.notifications import Notification
    from mailbot.records import Conversation, DraftRecord
    from mailbot.store import Store

SAMPLES = Path(__file__).parent / "samples"
DEMO_OWNER = Owner(
    name="Robin Owner",
    email="robin@owner.example",
    phone="+44 20 7946 0000",
    twitter="@robin_owner",
)


def print_json(value: object) -> None:
    """One JSON document on stdout (json imported here: a cycle's summary is text). The
    controls JSON may carry raw (C1, DEL, the bidi overrides, as in names from mail) are
    written as \\u escapes: still the same JSON, harmless on a terminal."""
    import json

    print(json.dumps(value, ensure_ascii=False).translate(JSON_ESCAPES))


def notification_json(n: Notification, source: str) -> dict[str, object]:
    return {
        "file": source,
        "kind": n.kind,
        "network": n.network,
        "requester": asdict(n.requester) if n.requester else None,
        "note": n.note,
        "language": n.language,  # the notification's: the owner's LinkedIn language
        "note_language": detected(n.note) if n.note else None,  # theirs: the reply's
        "key": n.key,
        "message_id": n.message_id,
        "reasons": list(n.reasons),
    }


def _bundled_languages() -> tuple[str, ...]:
    from mailbot.languages import template_languages

    return template_languages()


def detected(text: str) -> str | None:
    from mailbot.languages import detected as language_of  # here: eldc loads at first use

    return language_of(text)


def parse_files(files: Sequence[str], *, as_json: bool) -> int:
    """Print what each file parses to; unreadable files are reported, the rest still parsed."""
    from mailbot.notifications import parse  # here: a cycle's summary needs no parser

    status = 0
    for name in files:
        try:
            raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            print(f"mailbot: cannot read {shown(name)}: {exc.strerror}", file=sys.stderr)
            status = 2
            continue
        n = parse(raw)
        if as_json:
            print_json(notification_json(n, name))
        else:
            print(_describe(n, name))
    return status


def _describe(n: Notification, source: str) -> str:
    lines = [f"{shown(source)}: {n.kind}" + (f" ({n.network})" if n.network else "")]
    if n.requester:
        r = n.requester
        lines.append(f"  {'from:':10}{shown(r.name)}" + (f" <{shown(r.email)}>" if r.email else ""))
        for label, value in (("headline", r.headline), ("profile", r.profile_url)):
            if value:
                lines.append(f"  {label + ':':10}{shown(value)}")
    if n.kind == "invitation":
        lines.append(f"  note:     {n.note!r}" if n.note else "  note:     (none)")
        theirs = detected(n.note) if n.note else None
        said = f"{theirs} (their note's)" if theirs else "MAILBOT_LANGUAGE (their note says none)"
        if theirs and theirs not in _bundled_languages():
            said = f"MAILBOT_LANGUAGE (their note is in {theirs}: no bundled templates for it)"
        lines.append(f"  reply in: {shown(said if n.note else 'MAILBOT_LANGUAGE (no note)')}")
        lines.append(
            f"  language: {shown(n.language or '?')} (the notification's)   key: {shown(n.key)}"
        )
    if n.report:
        failed = f" (failed: {shown(', '.join(n.failed))})" if n.failed else ""
        lines.append(f"  report:   {shown(n.report)}{failed}")
    lines.extend(f"  - {shown(reason)}" for reason in n.reasons)
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
    print(f"{shown(name)}: {decision.action}")
    for reason in decision.reasons:
        print(f"  {shown(reason)}")
    for line in verdict.evidence:
        print(f"  evidence: {shown(line)}")
    return 0


DRAFT_FATES = {  # what became of our latest draft, as `status` says it
    "stored": "waiting in Drafts",
    "sent": "sent",
    "discarded": "deleted without being sent",
    "gone": "gone from Drafts (pasted into the network, or deleted)",
    "withdrawn": "withdrawn by mailbot (not edited)",
    "kept": "edited by you, kept",
    "stale": "stale, left in Drafts (the server cannot remove one message)",
}


STATUS_GROUPS = (  # what `status` lists, in this order; a group with nobody in it is left out
    ("review", "Waiting for you (settle with `mailbot review` or `mailbot decide`)"),
    ("open", "Open conversations"),
    ("declined", "Closed: answered rudely, no reply drafted"),
    ("ignored", "Closed: left unanswered"),
)


def status(settings: Settings, *, as_json: bool) -> int:
    """`mailbot status`: what waits for the owner (review), conversations still open, and
    those closed without a reply."""
    from mailbot.conversation import DECLINED, IGNORED, OPEN
    from mailbot.rules import REVIEW
    from mailbot.store import Store

    with Store(settings.state_path, scratch=True) as state:
        groups = {
            "review": state.conversations(REVIEW),
            "open": state.conversations(*OPEN),
            "declined": state.conversations(DECLINED),
            "ignored": state.conversations(IGNORED),
        }
        drafts = {c.person: state.latest_draft(c.person) for cs in groups.values() for c in cs}
        bounces = {c.person: state.bounces(c.person) for cs in groups.values() for c in cs}
        if as_json:
            listed: dict[str, list[dict[str, object]]] = {
                group: [
                    _listed(state, c, drafts[c.person], bounces[c.person]) for c in conversations
                ]
                for group, conversations in groups.items()
            }
            listed["skipped"] = [
                {"message_id": s.message_id, "who": s.who, "reason": s.reason, "at": s.at}
                for s in state.skipped()
            ]
            print_json(listed)
            return 0
        skipped = state.skipped()
    replies_in = _reply_languages(settings)
    if not skipped and not any(groups.values()):
        print("Nothing waits for you, and there are no conversations yet.")
    for group, title in STATUS_GROUPS:
        if not groups[group]:
            continue  # an empty group is no news
        print(f"{title} ({len(groups[group])}):")
        for c in groups[group]:
            print(_described(c, drafts[c.person], bounces[c.person], replies_in))
    if skipped:
        print(f"Messages mailbot could not handle ({len(skipped)}), please look at them:")
        for item in skipped:
            print(f"  {item.at} {shown(item.who)} {shown(item.message_id)}: {shown(item.reason)}")
    return 0


def _reply_languages(settings: Settings) -> tuple[tuple[str, ...], str]:
    """(the languages replies can be written in, the one used for any other)."""
    from mailbot.languages import template_languages

    return template_languages(settings.templates), settings.language


def _described(
    c: Conversation,
    draft: DraftRecord | None,
    bounces: Sequence[tuple[str, str]] = (),
    replies_in: tuple[tuple[str, ...], str] = ((), "en"),
) -> str:
    lines = [f"  {shown(c.name)} [{c.status}] {shown(openable_link(c))}".rstrip()]
    languages, fallback = replies_in
    if c.language and languages and c.language not in languages:
        lines.append(
            f"      they write in {shown(c.language)}, which has no templates: "
            f"replies in {fallback} (add templates/{shown(c.language)}/, see templates/README.md)"
        )
    lines.extend(f"      {shown(text)}" for text in (c.headline, c.common) if text)
    lines.append(f"      {shown(c.reason)}")
    lines.extend(f"      - {shown(line)}" for line in c.details.splitlines() if line.strip())
    if draft is not None:
        fate = DRAFT_FATES.get(draft.state, draft.state)
        lines.append(f"      our {shown(draft.step)} draft: {shown(fate)}")
    lines.extend(_bounced(bounces))
    return "\n".join(lines)


def openable_link(c: Conversation) -> str:
    """The link the owner can open for a conversation (the profile), or "": never an
    internal key such as `linkedin:invitation:<id>` or `linkedin:message:<Message-ID>`."""
    for link in (c.profile_url, c.link):
        if link and link.startswith(("https://", "http://")):
            return link
    return ""


def _bounced(bounces: Sequence[tuple[str, str]]) -> list[str]:
    """One line per address our drafts to them bounced from (the conversation itself
    stays as it was): when, and how often if more than once."""
    seen: dict[str, list[str]] = {}
    for at, address in bounces:
        seen.setdefault(address, []).append(at)
    lines = []
    for address, times in seen.items():
        when = times[-1][:10]
        often = f"{len(times)} times, last {when}" if len(times) > 1 else when
        lines.append(f"      their address {shown(address or '(not named)')} bounced ({often})")
    return lines


def _listed(
    state: Store,
    c: Conversation,
    draft: DraftRecord | None,
    bounces: Sequence[tuple[str, str]] = (),
) -> dict[str, object]:
    return {
        "name": c.name,
        "network": c.network,
        "status": c.status,
        "reason": c.reason,
        "link": c.link,
        "profile": c.profile_url,
        "email": c.email,
        "headline": c.headline,
        "common": c.common,
        "evidence": [line for line in c.details.splitlines() if line.strip()],
        "decided": c.decided,
        "language": c.language,
        "draft": {"step": draft.step, "state": draft.state} if draft else None,
        "bounced": [{"address": address, "at": at} for at, address in bounces],
        "updated": c.updated,
        "history": [
            {"at": at, "what": what, "detail": detail}
            for at, what, detail in state.events(c.person)
        ],
    }


def _what(p: Processed) -> str:
    """A message with no requester, said by what it is ("not a connection request"), not
    by a raw Message-ID."""
    reason = p.reasons[0] if p.reasons else "a message"
    return f"({shown(reason.split(':', 1)[0].strip()[:60])})"


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
        print(f"{p.decision:7} {shown(p.requester) or _what(p)}{draft}")
        for reason in p.reasons:
            print(f"        {shown(reason)}")
        for step in p.withdrawn:
            print(f"        withdrew our earlier {step} draft (you had not edited it)")
    for error in report.errors:
        print(f"error:  {shown(error)}", file=sys.stderr)
    drafts = sum(1 for p in report.processed if p.draft)
    found = sum(1 for p in report.processed if p.found)
    print(
        f"{counted(len(report.processed), 'notification')}, {counted(drafts, 'draft')} stored"
        + (f", {found} already in Drafts" if found else "")
        + (", dry run: nothing written" if dry_run else "")
    )
