"""Applicants are people the owner knows: a note saying "I applied / you interviewed me"
is checked against the whole mailbox, every folder (recruiters file applications away),
before the invitation is decided.

Only for notes that claim an application (a handful a month), so the cost — one
server-side SEARCH per folder — is paid rarely. A message is evidence only when its
sender is the requester: the same normalised full name, or the same address.
"""

from __future__ import annotations

import email
import email.policy
import logging

from mailbot.errors import MailboxError
from mailbot.identity import normalise_email, normalise_name
from mailbot.mailboxes.base import Mailbox, Wanted, shown
from mailbot.notifications.message import one_line, single_address
from mailbot.notifications.model import Requester
from mailbot.people.history import entries as history_entries
from mailbot.people.history import is_person
from mailbot.records import Verdict

log = logging.getLogger(__name__)
_SKIPPED = ("drafts", "trash", "junk", "spam", "deleted", "papierkorb", "corbeille", "entwürfe")
MAX_FOLDERS = 200


def find_applicant(mailbox: Mailbox, requester: Requester) -> str | None:
    """Where the mailbox shows mail from this person, as evidence; None if nowhere."""
    key = normalise_name(requester.name)
    address = normalise_email(requester.email) if requester.email else None
    if len(key.split()) < 2 and not address:
        return None  # a first name alone is no evidence of anyone
    probe = _ascii_probe(requester.name) if len(key.split()) >= 2 else (requester.email or "")
    if not probe:
        return None
    folders = sorted(f for f in mailbox.folder_names() if not f.lower().endswith(_SKIPPED))
    for folder in folders[:MAX_FOLDERS]:
        try:  # one odd folder or message must not hide the others, nor stop the cycle
            state = mailbox.select(folder)
            uids = mailbox.search(1, state.uidnext - 1, None, Wanted(senders=(probe,)))
            for head in mailbox.headers(uids[-20:]):
                if found := _from_them(head.header, head.attachments, key, address):
                    return f"{requester.name} applied, it seems: {found} in {shown(folder)}"
        except MailboxError as exc:
            log.info("cannot look for %s in %s: %s", requester.name, shown(folder), exc)
        except (ValueError, LookupError, UnicodeError) as exc:
            log.info("a message in %s could not be read: %s", shown(folder), exc)
    return None


def _ascii_probe(name: str) -> str:
    """What the server is asked to find in From: the name if it is ASCII (IMAP SEARCH
    here is ASCII), else its longest ASCII word; the match itself is made here, on the
    normalised full name."""
    if name.isascii():
        return name
    words = [w for w in name.split() if w.isascii() and len(w) >= 3]
    return max(words, key=len) if words else ""


def _from_them(
    head: bytes, attachments: tuple[str, ...], key: str, address: str | None
) -> str | None:
    """Evidence when this message is an application from the requester: from them (same
    full name or address) and marked as an application (a CV attached, or an application
    subject). Their own invitation, or a namesake's pitch, is no evidence."""
    entries = history_entries(head, attachments, frozenset())
    if not any(e.application for e in entries):
        return None
    msg = email.message_from_bytes(head, policy=email.policy.compat32)  # never raises
    found = single_address(_header_text(msg.get("From", "")))
    for display, addr in [found] if found else []:
        if not is_person(normalise_email(addr), frozenset()):
            continue  # the invitation itself, a robot, a network: not the person
        if (address and normalise_email(addr) == address) or (
            key and normalise_name(display) == key
        ):
            subject = one_line(_header_text(msg.get("Subject", "")), 80)
            return f"a message from {addr or display}" + (f" ('{subject}')" if subject else "")
    return None


def _header_text(value: object) -> str:
    return str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class WithApplicants:
    """Whom the owner knows, plus applicants found in the mailbox this cycle."""

    def __init__(self, people: object, found: dict[str, str]) -> None:
        self._people = people
        self._found = found

    def assess(self, requester: Requester) -> Verdict:
        if evidence := self._found.get(normalise_name(requester.name)):
            return Verdict(known=evidence)
        return self._people.assess(requester)  # type: ignore[attr-defined, no-any-return]
