"""What mailbot remembers, as plain data: the store reads and writes these, the planner
reads them. No behaviour and no storage code here."""

from __future__ import annotations

from dataclasses import dataclass

# What became of a draft we stored.
STORED = "stored"  # in Drafts as we wrote it (as far as we know)
WITHDRAWN = "withdrawn"  # stale and unedited: we removed it
KEPT = "kept"  # stale, but the owner edited it: theirs now, never touched
STALE = "stale"  # stale and unedited, but the server cannot remove one message (no UIDPLUS)
GONE = "gone"  # no longer in Drafts, and mailbot cannot tell why (pasted into the network?)
SENT = "sent"  # no longer in Drafts, and a copy is in the Sent folder
MISSING = "missing"  # not in Drafts nor Sent at the last look: maybe open in a mail client
DISCARDED = "discarded"  # an email draft deleted from Drafts without being sent
DRAFT_STATES = (STORED, WITHDRAWN, KEPT, STALE, GONE, SENT, MISSING, DISCARDED)


@dataclass(frozen=True)
class FolderState:
    """What a server says of a folder: its UIDVALIDITY and the UID its next message gets."""

    uidvalidity: int
    uidnext: int


@dataclass(frozen=True)
class Cursor:
    uidvalidity: int
    last_uid: int


@dataclass(frozen=True)
class Conversation:
    person: str  # identity.person_key: profile, else invitation id, else network:name
    name_key: str  # normalised name, to match message notifications
    name: str
    network: str | None
    profile_url: str | None
    email: str | None
    language: str | None
    status: str  # asked | explained | review | known
    reason: str
    link: str | None  # profile URL or the invitation, for the owner
    updated: str = ""
    invitation: str | None = None  # the invitation's id: every reminder carries it
    headline: str | None = None
    common: str | None = None  # "12 connections in common", as the notification said
    details: str = ""  # evidence and near matches, one per line, for the owner
    parent_id: str | None = None  # the latest message from them: a draft made on the
    parent_subject: str = ""  # owner's word (`mailbot decide`) answers it
    parent_refs: str = ""  # its References chain, space-separated (for threading)
    decided: str | None = None  # the owner's own verdict (`mailbot decide`), if any


@dataclass(frozen=True)
class DraftRecord:
    token: str  # in the draft's Message-ID (identity.draft_message_id)
    person: str
    step: str  # ask | explain | welcome | thanks
    message_id: str  # our Message-ID: answers thread to it
    folder: str
    digest: str  # of what we appended: an edited draft differs
    state: str = STORED
    recipient: str = ""  # its To address; "" for a draft to paste into the network
    missing_since: str = ""  # when it was first found neither in Drafts nor in Sent
    replying_to: str = ""  # the Message-ID of the message it answers (its In-Reply-To)


@dataclass(frozen=True)
class Skipped:
    """A message mailbot could not understand: listed by `mailbot status`, never silent."""

    message_id: str | None
    who: str
    reason: str
    at: str


@dataclass(frozen=True)
class Parent:
    """The message a draft answers: threading and the subject come from it."""

    message_id: str | None
    subject: str
    references: tuple[str, ...] = ()  # its own References (else In-Reply-To), in order


@dataclass(frozen=True)
class Verdict:
    """What the owner's records say about a requester."""

    known: str | None = None  # the reason, when the person is known
    near: tuple[str, ...] = ()  # candidates the owner should look at
    evidence: tuple[str, ...] = ()  # weaker facts (e.g. mail received from them only)
    doubt: tuple[str, ...] = ()  # facts that a stranger could not have, yet not "known":
    # they invited the owner to a meeting the owner never accepted (the owner looks)
