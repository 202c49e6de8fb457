"""The mailbox interface the pipeline talks to; it never knows which server is behind it."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple, Protocol

from mailbot.errors import ConfigError, MailboxError
from mailbot.identity import token_of
from mailbot.records import FolderState as FolderState  # also part of this interface
from mailbot.terminal import shown as shown  # folder names: escaped like all outside text

KEY_HEADER = "X-Mailbot-Key"  # on drafts of earlier releases (now: the Message-ID's token)
HISTORY_FIELDS = (
    "From",
    "To",
    "Cc",
    "Date",
    "Subject",
    "List-Id",
    "List-Unsubscribe",
    "Precedence",
    "Auto-Submitted",
    "X-Spam-Flag",
    "Message-ID",  # these two and the key: our own drafts, sent, and the answers to
    "In-Reply-To",  # them are the conversation, not correspondence (people/history.py)
    KEY_HEADER,
    "Authentication-Results",  # the owner's mail outside Sent counts only when it passes
)  # what `headers` returns
_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(<[^<>\n]{1,998}>)", re.IGNORECASE | re.MULTILINE)
MAX_CALENDAR_BYTES = 256 * 1024  # a calendar invitation is ~5-20 kB; a bigger part is not read
CALENDAR_TYPES = (("text", "calendar"), ("application", "ics"))  # in order of preference
_TOKEN = re.compile(
    rb"^" + KEY_HEADER.encode() + rb":[ \t]*([0-9a-f]+)", re.IGNORECASE | re.MULTILINE
)


def pick_folder(
    key: str,
    configured: str | None,
    existing: set[str],
    candidates: tuple[str | None, ...],
    avoid: str,
) -> str | None:
    """The folder the owner named under `key` (it must exist: a typo must not quietly
    change what mailbot does), else the first candidate that exists and is not `avoid`
    (the watched folder: a server that marks INBOX \\Drafts gets no drafts in INBOX)."""
    if configured:
        if configured in existing:
            return configured
        if configured.upper() == "INBOX" and any(e.upper() == "INBOX" for e in existing):
            return configured  # INBOX is case-insensitive (RFC 3501)
        listing = ", ".join(sorted(shown(n) for n in existing)[:12])
        raise ConfigError(key, f"there is no folder {shown(configured)!r} (folders: {listing})")
    for candidate in candidates:
        if candidate and candidate in existing and candidate.casefold() != avoid.casefold():
            return candidate
    return None


def watched_status(mailbox: Mailbox, folder: str) -> FolderState:
    """STATUS of the watched folder; a folder that does not exist is a ConfigError naming
    MAILBOT_INBOX, not the server's raw refusal."""
    try:
        return mailbox.status(folder)
    except MailboxError:
        pick_folder("MAILBOT_INBOX", folder, mailbox.folder_names(), (), "")
        raise


def message_id_in(raw: bytes) -> str | None:
    """The Message-ID in a message's header (unfolded), if any."""
    head = raw.replace(b"\r\n", b"\n").partition(b"\n\n")[0]
    found = _MESSAGE_ID.search(re.sub(rb"\n[ \t]+", b" ", head))
    return found.group(1).decode("ascii", "replace") if found else None


def token_in(raw: bytes) -> str | None:
    """The token of one of our drafts: in its Message-ID (identity.draft_message_id), or
    in the X-Mailbot-Key header drafts of earlier releases carry; None for other mail."""
    head = raw.replace(b"\r\n", b"\n").partition(b"\n\n")[0]
    head = re.sub(rb"\n[ \t]+", b" ", head)  # unfolded
    if match := _TOKEN.search(head):
        return match.group(1).decode()
    if found := _MESSAGE_ID.search(head):
        return token_of(found.group(1).decode("ascii", "replace"))
    return None


class Head(NamedTuple):
    """What the correspondence index reads of one message: never its body."""

    uid: int
    header: bytes  # the HISTORY_FIELDS (and Content-Type)
    attachments: tuple[str, ...]  # file names of its attachments
    calendar: str | None = None  # its text/calendar part, decoded (only when asked for)


def decode_calendar(payload: bytes, charset: str | None) -> str | None:
    """A calendar part's bytes (transfer encoding already undone) as text; None if it is
    too large to be an invitation."""
    if len(payload) > MAX_CALENDAR_BYTES:
        return None
    try:
        return payload.decode(charset or "utf-8", "replace")
    except LookupError:  # an unknown charset: RFC 5545 says UTF-8
        return payload.decode("utf-8", "replace")


@dataclass(frozen=True)
class Wanted:
    """Which new messages are worth fetching, decided by the server (IMAP SEARCH)."""

    senders: tuple[str, ...] = ()  # the From header contains one of these
    bodies: tuple[str, ...] = ()  # the text contains one (look-alikes copying a template)
    reply_marks: tuple[str, ...] = ()  # In-Reply-To/References contain one (answers to us)

    @property
    def everything(self) -> bool:
        return not (self.senders or self.bodies or self.reply_marks)


class Mailbox(Protocol):
    def status(self, folder: str) -> FolderState:
        """UIDVALIDITY and UIDNEXT of `folder`, as cheaply as the server allows."""

    def select(self, folder: str) -> FolderState:
        """Open `folder` read-only and report its UIDVALIDITY and UIDNEXT."""

    def search(
        self, first_uid: int, last_uid: int, since: date | None, wanted: Wanted
    ) -> list[int]:
        """UIDs in [first_uid, last_uid] of the selected folder that are `wanted`."""

    def fetch(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        """(uid, raw bytes) of each message, without marking anything read."""

    def headers(self, uids: list[int], *, calendars: bool = False) -> Iterator[Head]:
        """The correspondence header fields and attachment file names of each message;
        with `calendars`, also its calendar part (text/calendar, else application/ics) if
        it has one of at most MAX_CALENDAR_BYTES: that part alone is read, never the
        rest of the body."""

    def folder_names(self) -> set[str]:
        """Every folder there is."""

    def sent_folder(self, configured: str | None, *, inbox: str = "INBOX") -> str | None:
        """The folder of mail the owner sent, if there is one (MAILBOT_SENT must exist)."""

    def existing_drafts_folder(self, configured: str | None, *, inbox: str = "INBOX") -> str | None:
        """The drafts folder if it exists (nothing is created; MAILBOT_DRAFTS must exist)."""

    def drafts_folder(self, configured: str | None, *, inbox: str = "INBOX") -> str:
        """The folder drafts go to (found, or "Drafts" created when none exists); never
        the watched folder."""

    def append_draft(self, folder: str, message: bytes) -> list[tuple[int, bytes]]:
        """Store a draft, flagged \\Draft and \\Seen. If it turns out that a draft with the
        same token was stored first (by another process, since `find_drafts` looked), ours
        is taken back and that one is returned; else []."""

    def supports_idle(self) -> bool:
        """Whether `watch` can push new mail (IMAP IDLE)."""

    def watch(
        self, folder: str, stop: threading.Event, on_change: Callable[[], None], renew: float
    ) -> None:
        """Block until `stop`, calling `on_change` whenever new mail arrives in `folder`."""

    def find_drafts(
        self, folder: str, token: str, *, before_append: bool = False
    ) -> list[tuple[int, bytes]]:
        """(uid, raw) of every message in `folder` carrying this draft token (base.token_in).
        `before_append`: the caller appends next if none is found, and `append_draft`
        checks afterwards, so a backend may skip a check it would otherwise make here."""

    def draft_identities(self, folder: str) -> set[str]:
        """The draft tokens (base.token_in) and the Message-IDs of every message in
        `folder` now: a draft a mail client saved again is found by either."""

    def delete_draft(self, folder: str, uid: int) -> bool:
        """Remove one of our drafts (that message only); False if the server cannot."""

    def renew(self) -> None:
        """After a cycle: start a fresh server session if this one has written (IMAP: log
        in again, keeping what is known of the drafts folders); nothing for a Maildir."""
