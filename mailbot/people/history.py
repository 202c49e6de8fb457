"""Correspondence from message headers: who the owner wrote to, who wrote to the owner.

Pure: header bytes (and attachment file names, and a calendar part if the message has
one: people.meetings) in, entries out. Mail from networks,
robots, lists and the owner's own addresses is not correspondence. A received message
that is clearly a job application (a CV attached, or "application for" in the subject)
is marked, because the owner counts applicants as people they know.
"""

from __future__ import annotations

import contextlib
import email
import email.errors
import email.header
import email.message
import email.policy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import getaddresses, parsedate_to_datetime

from mailbot.identity import normalise_email, token_of
from mailbot.mailboxes.base import KEY_HEADER
from mailbot.notifications import linkedin, xing
from mailbot.notifications.fields import is_machine_address
from mailbot.notifications.message import one_line
from mailbot.people.meetings import meetings

SENT, RECEIVED = "sent", "received"

_APPLICATION_SUBJECT = re.compile(
    r"\bapplication\b|\bapplying\b|\bjob\s+application\b|\b(?:cv|r[ée]sum[ée])\b"  # en
    r"|\bcandidature\b|\bpostuler\b"  # fr
    r"|\bbewerbung\b|\blebenslauf\b"  # de
    r"|\bcandidatura\b|\bsolicitud\s+de\s+empleo\b|\bcurr[ií]culum\b",  # es, it, pt
    re.IGNORECASE,
)
_CV_FILE = re.compile(
    r"(?:^|[^a-z])(?:cv|resume|r[ée]sum[ée]|lebenslauf|curriculum|bewerbung|candidature)"
    r"(?:[^a-z]|$)",
    re.IGNORECASE,
)
_BULK = re.compile(r"^\s*(?:bulk|list|junk)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    address: str
    name: str
    direction: str  # SENT (the owner wrote to them), RECEIVED (they wrote to the owner),
    # people.meetings.MEETING (a meeting with the owner) or INVITED (they invited the owner)
    date: str | None  # ISO date (a meeting's: its start)
    subject: str  # a meeting's: its summary
    application: bool


def entries(
    raw_headers: bytes,
    attachments: Iterable[str],
    owner: frozenset[str],
    calendar: str | None = None,
    *,
    ours: frozenset[str] = frozenset(),
) -> list[Entry]:
    """The correspondence one message adds to the index (often none), and the meetings
    its calendar part shows (people.meetings), if it has one. `ours`: the Message-IDs of
    mailbot's drafts: a draft of ours the owner sent, and the answers to it, are
    mailbot's conversation, not evidence that the owner knows someone."""
    msg = email.message_from_bytes(raw_headers, policy=email.policy.compat32)
    senders = _people(msg.get_all("From", []))
    if _is_bulk(msg) or not senders or _is_ours(msg, ours):
        return []
    found = _correspondence(msg, senders, attachments, owner)
    if calendar:  # icalendar is imported only for mail with a calendar part
        found += [
            Entry(addr, name, direction, when, summary, False)
            for addr, name, direction, when, summary in meetings(calendar, owner, _is_person)
        ]
    return found


def _correspondence(
    msg: email.message.Message,
    senders: list[tuple[str, str]],
    attachments: Iterable[str],
    owner: frozenset[str],
) -> list[Entry]:
    subject = _subject(msg.get("Subject", ""))
    date = _date(msg.get("Date"))
    if senders[0][1] in owner:
        recipients = _people(msg.get_all("To", []) + msg.get_all("Cc", []))
        return [
            Entry(addr, name, SENT, date, subject, False)
            for name, addr in recipients
            if _is_person(addr, owner)
        ]
    name, addr = senders[0]
    if not _is_person(addr, owner):
        return []
    application = bool(_APPLICATION_SUBJECT.search(subject)) or any(
        _CV_FILE.search(a) for a in attachments
    )
    return [Entry(addr, name, RECEIVED, date, subject, application)]


def _subject(value: object) -> str:
    """The decoded subject; as it stands when it cannot be decoded (never a lost entry:
    a message dropped from the index turns someone the owner knows into a stranger)."""
    raw = str(value)
    try:
        return one_line(str(email.header.make_header(email.header.decode_header(raw))), 200)
    except (LookupError, UnicodeError, ValueError, email.errors.HeaderParseError):
        return one_line(raw, 200)


def _people(values: list[str]) -> list[tuple[str, str]]:
    decoded = []
    for display, addr in getaddresses([str(v) for v in values]):
        with contextlib.suppress(Exception):  # undecodable: keep the raw display name
            display = str(email.header.make_header(email.header.decode_header(display)))
        if "@" in addr:
            decoded.append((one_line(display, 120), normalise_email(addr)))
    return decoded


def is_person(addr: str, owner: frozenset[str]) -> bool:
    """An address of a person: not the owner, a robot, a list or a network."""
    return _is_person(addr, owner)


def _is_person(addr: str, owner: frozenset[str]) -> bool:
    domain = addr.rpartition("@")[2]
    return not (
        addr in owner
        or is_machine_address(addr)
        or linkedin.is_network_domain(domain)
        or xing.is_network_domain(domain)
    )


_MESSAGE_ID = re.compile(r"<[^<>\s]{1,998}>")


def _is_ours(msg: email.message.Message, ours: frozenset[str]) -> bool:
    """A draft of mailbot's (a Message-ID carrying a draft token, one the state recorded,
    or the key header of earlier releases), or a reply to one."""
    if msg.get(KEY_HEADER) is not None:
        return True
    ids = " ".join(str(msg.get(name, "")) for name in ("Message-ID", "In-Reply-To"))
    return any(found in ours or token_of(found) is not None for found in _MESSAGE_ID.findall(ids))


def _is_bulk(msg: email.message.Message) -> bool:
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    return bool(
        msg.get("List-Id")
        or msg.get("List-Unsubscribe")
        or _BULK.match(str(msg.get("Precedence", "")))
        or (auto and auto != "no")
        or str(msg.get("X-Spam-Flag", "")).strip().upper() == "YES"
    )


def _date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(str(value)).date().isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
