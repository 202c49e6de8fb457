"""Judging the labelled set (tests/data/judgement.jsonl) through the real planner.

Shared by tests/test_judgement.py (safety properties on the whole set) and
bench/judgement.py (precision and recall per split). Each note is read as the personal
note of an invitation from a stranger; each answer as an email reply to our "have we
met?" draft, with the subject it came with.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mailbot.notifications.message import reply_text
from mailbot.notifications.model import Notification, Requester
from mailbot.plan import Options, Plan, plan
from mailbot.records import Conversation, DraftRecord, Verdict
from mailbot.rules import Context

DATA = Path(__file__).parent / "data" / "judgement.jsonl"
HOLDOUT2 = Path(__file__).parent / "data" / "judgement-holdout2.jsonl"  # tuned on since
# Written by someone who never saw the rules or the other data, never tuned on:
HOLDOUT3 = Path(__file__).parent / "data" / "judgement-holdout3.jsonl"
FILES = {"holdout2": HOLDOUT2, "holdout3": HOLDOUT3}  # splits kept in files of their own
OUR_DRAFT = "<ask-1.x7@owner.example>"


@dataclass(frozen=True)
class Item:
    kind: str  # note | answer
    lang: str
    label: str  # notes: tie | none | unclear; answers: no | yes | unclear | rude | auto
    text: str
    split: str  # tune | holdout
    subject: str = ""


def items(split: str | None = None, data: Path | None = None) -> Iterator[Item]:
    source = data or DATA
    if not source.exists():
        return
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            item = Item(
                raw["kind"],
                raw["lang"],
                raw["label"],
                raw["text"],
                raw["split"],
                raw.get("subject", ""),
            )
            if split is None or item.split == split:
                yield item


class _Stranger:
    def assess(self, requester: Requester) -> Verdict:
        return Verdict()


_ASKED = Conversation(
    person="linkedin:sam-stranger",
    name_key="sam stranger",
    name="Sam Stranger",
    network="linkedin",
    profile_url="https://www.linkedin.com/in/sam-stranger",
    email=None,
    language="en",
    status="asked",
    reason="",
    link=None,
)
_DRAFT = DraftRecord("t-ask", _ASKED.person, "ask", OUR_DRAFT, "Drafts", "d")


class _View:
    def conversation(self, person: str) -> Conversation | None:
        return _ASKED if person == _ASKED.person else None

    def conversation_by_invitation(self, invitation: str) -> Conversation | None:
        return None

    def conversations_by_name(self, name_key: str, network: str | None) -> list[Conversation]:
        return []

    def handled(self, message_id: str | None) -> bool:
        return False

    def draft_answered_by(self, message_ids: tuple[str, ...]) -> DraftRecord | None:
        return _DRAFT if OUR_DRAFT in message_ids else None

    def stored_drafts(self, person: str) -> list[DraftRecord]:
        return [_DRAFT]


_CONTEXT = Context(_Stranger(), frozenset({"robin@owner.example"}))


def judge(item: Item) -> Plan:
    """The plan mailbot makes for this note or answer."""
    if item.kind == "note":
        n = Notification(
            kind="invitation",
            network="linkedin",
            requester=Requester(name="Alex Newcomer"),
            note=item.text,
            key="linkedin:invitation:99",
            message_id="<inv@linkedin.com>",
            subject="I want to connect",
        )
        return plan(n, _View(), _CONTEXT, Options())
    answer = Notification(
        kind="other",
        message_id="<answer@mail.example>",
        subject=item.subject or "Re: I want to connect",
        sender="sam@mail.example",
        references=(OUR_DRAFT,),
        text=reply_text(item.text),  # as the parser reads a reply: quotes and signature cut
    )
    return plan(answer, _View(), _CONTEXT, Options())
