"""Recognise and parse network notifications: bytes in, a Notification out, never an exception."""

from __future__ import annotations

import re
from dataclasses import replace

from mailbot.notifications import linkedin, reports, xing
from mailbot.notifications.message import (
    Content,
    address,
    message_ids,
    one_line,
    read,
    reply_text,
    thread_of,
)
from mailbot.notifications.model import KINDS, Notification, Requester

NETWORKS = (linkedin, xing)
SENDER_HINTS = tuple(network.SENDER_HINT for network in NETWORKS)
BODY_HINTS = tuple(network.BODY_HINT for network in NETWORKS)

__all__ = [
    "BODY_HINTS",
    "KINDS",
    "SENDER_HINTS",
    "Notification",
    "Requester",
    "parse",
    "parse_content",
]


def parse(raw: bytes) -> Notification:
    """What this message is. Any input at all yields a Notification."""
    try:
        content = read(raw)
    except Exception as exc:  # read() promises never to raise: a bug, shown to the owner
        return _unreadable(raw, exc)
    try:
        return parse_content(content)
    except Exception as exc:  # a parser bug must not become a silent "ignore"
        return _unreadable(raw, exc, content)


def _unreadable(raw: bytes, exc: Exception, content: Content | None = None) -> Notification:
    message_id = one_line(content.header("message-id")) if content is not None else ""
    if not message_id:
        head = raw[:65536].replace(b"\r\n", b"\n").partition(b"\n\n")[0]
        found = re.search(rb"^message-id:[ \t]*(<[^>\r\n]{1,900}>)", head, re.I | re.M)
        message_id = found.group(1).decode("ascii", "replace") if found else ""
    return Notification(
        kind="other",
        message_id=message_id or None,
        subject=one_line(content.header("subject")) if content is not None else "",
        reasons=(f"could not be read ({type(exc).__name__})",),
        error=f"{type(exc).__name__}: {one_line(str(exc), 200)}",
    )


_AUTO_PRECEDENCE = ("auto_reply", "bulk", "junk")


def is_automatic(content: Content) -> bool:
    """Headers of an automatic reply: RFC 3834 Auto-Submitted, an empty return path,
    X-Autoreply / X-Autorespond, (X-)Precedence auto_reply|bulk|junk. Not Exchange's
    X-Auto-Response-Suppress: it asks others not to auto-reply and is on ordinary mail
    too. Exchange's out-of-office is told by its subject ("Automatic reply:", in every
    language mailbot knows: phrases.automatic)."""
    precedence = (content.header("precedence") or content.header("x-precedence")).strip().lower()
    return (
        content.header("auto-submitted").strip().lower() not in ("", "no")
        or content.header("return-path").strip() == "<>"
        or bool(content.header("x-autoreply") or content.header("x-autorespond"))
        or precedence in _AUTO_PRECEDENCE
    )


def parse_content(content: Content) -> Notification:
    spam = content.header("x-spam-flag").strip().upper() == "YES"
    auto_reply = is_automatic(content)
    report = reports.report_of(content)
    if report is not None:  # a bounce or receipt quoting an invitation is still a report
        return _reported(content, report, spam=spam, auto_reply=auto_reply)
    for network in NETWORKS:
        result: Notification | None = network.classify(content)
        if result is not None:
            return replace(result, spam=spam, auto_reply=auto_reply, thread=thread_of(content))
    _, sender = address(content, "from")
    return Notification(
        kind="other",
        subject=one_line(content.header("subject")),
        message_id=one_line(content.header("message-id")) or None,
        reasons=("not from a known professional network",),
        sender=sender or None,
        references=message_ids(content),
        thread=thread_of(content),
        text=reply_text(content.body) if content.header("in-reply-to") else None,
        spam=spam,
        auto_reply=auto_reply,
    )


def _reported(
    content: Content, report: reports.Report, *, spam: bool, auto_reply: bool
) -> Notification:
    """A machine's report: never an answer, so no text of its own. It belongs to the
    conversation of the message it reports on (In-Reply-To, References, else the
    Message-ID of the message it returns or names)."""
    _, sender = address(content, "from")
    what = reports.DESCRIBED.get(report.kind, "an automatic report")
    return Notification(
        kind="other",
        subject=one_line(content.header("subject")),
        message_id=one_line(content.header("message-id")) or None,
        reasons=(f"{what}: {report.how}",),
        sender=sender or None,
        references=tuple(dict.fromkeys((*message_ids(content), *report.returned))),
        thread=thread_of(content),
        text=None,
        spam=spam,
        auto_reply=auto_reply,
        report=report.kind,
        failed=report.failed,
    )
