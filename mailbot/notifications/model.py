"""What a notification is, once read: plain data, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("invitation", "message", "suspicious", "other")
OWNER = "owner"  # not a message: the owner's own word (`mailbot decide`), for the planner


@dataclass(frozen=True)
class Requester:
    name: str
    headline: str | None = None
    profile_url: str | None = None
    email: str | None = None  # only a real personal address, never the network's
    common: str | None = None  # "12 connections in common", when the notification says


@dataclass(frozen=True)
class Notification:
    kind: str  # one of KINDS
    network: str | None = None  # "linkedin", "xing" or None
    requester: Requester | None = None
    note: str | None = None  # None when absent or the network's default text
    language: str | None = None
    key: str | None = None  # stable across reminders of the same invitation
    message_id: str | None = None
    subject: str = ""
    reasons: tuple[str, ...] = field(default_factory=tuple)
    topic: str | None = None  # "accepted" for a network's acceptance notice
    sender: str | None = None  # the From address (for replies from people)
    references: tuple[str, ...] = ()  # Message-IDs in In-Reply-To and References
    thread: tuple[str, ...] = ()  # its References chain in order (else its In-Reply-To)
    text: str | None = None  # a reply's own words, quotes removed (for replies)
    spam: bool = False  # X-Spam-Flag: YES
    auto_reply: bool = False  # Auto-Submitted (not "no"), or an empty Return-Path
    error: str | None = None  # the parser failed on it: it goes to the owner, never ignored
    # A machine's report about a message (reports.py), never an answer: "delivery" (a
    # bounce), "delay" (delayed or relayed, no failure), "feedback" (an abuse report),
    # "receipt" (a read receipt), "report" (any other multipart/report); else None.
    report: str | None = None
    failed: tuple[str, ...] = ()  # the recipients a bounce names (lower-cased), if any

    @property
    def is_invitation(self) -> bool:
        return self.kind == "invitation"
