"""Recognise and parse network notifications: bytes in, a Notification out, never an exception."""

from __future__ import annotations

from mailbot.notifications import linkedin, xing
from mailbot.notifications.message import Content, one_line, read
from mailbot.notifications.model import KINDS, Notification, Requester

NETWORKS = (linkedin, xing)
SENDER_HINTS = tuple(network.SENDER_HINT for network in NETWORKS)

__all__ = ["KINDS", "SENDER_HINTS", "Notification", "Requester", "parse", "parse_content"]


def parse(raw: bytes) -> Notification:
    """What this message is. Any input at all yields a Notification."""
    try:
        return parse_content(read(raw))
    except Exception as exc:
        return Notification(kind="other", reasons=(f"could not be read ({type(exc).__name__})",))


def parse_content(content: Content) -> Notification:
    for network in NETWORKS:
        result: Notification | None = network.classify(content)
        if result is not None:
            return result
    return Notification(
        kind="other",
        subject=one_line(content.header("subject")),
        message_id=one_line(content.header("message-id")) or None,
        reasons=("not from a known professional network",),
    )
