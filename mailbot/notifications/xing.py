"""XING contact requests: recognised by the network's sender and link shapes.

Only XING's sender addresses are documented publicly; the wording lists below are
open for additions as real samples turn up.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from mailbot.identity import canonical_profile
from mailbot.notifications import fields
from mailbot.notifications.message import (
    Content,
    Link,
    address,
    ambiguity,
    auth_failure,
    domain_of,
    one_line,
)
from mailbot.notifications.model import Notification, Requester

NETWORK = "xing"
SENDER_HINT = "xing"
BODY_HINT = "xing.com"

_REQUEST_ID = re.compile(
    r"/contact[-_]?requests?/(?:accept/|decline/)?([A-Za-z0-9_.-]{4,})", re.IGNORECASE
)
_NOTE_LABELS = ("persönliche nachricht", "nachricht", "personal message", "message")
_SUBJECT_NAME = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(?P<n>.+?) möchte sich mit Ihnen vernetzen",
        r"^(?P<n>.+?) möchte sich mit dir vernetzen",
        r"^(?P<n>.+?) would like to (?:connect|add you)",
        r"^Kontaktanfrage von (?P<n>.+)$",
        r"^Contact request from (?P<n>.+)$",
    )
]


def is_network_domain(domain: str) -> bool:
    return domain == "xing.com" or domain.endswith(".xing.com")


def classify(content: Content) -> Notification | None:
    """A XING contact request or other XING mail; None if the sender is not XING."""
    subject = one_line(content.header("subject"))
    message_id = one_line(content.header("message-id")) or None
    request_links = [link for link in content.links if _REQUEST_ID.search(link.url)]

    def suspicious(reason: str) -> Notification:
        return Notification(
            kind="suspicious",
            network=NETWORK,
            subject=subject,
            message_id=message_id,
            reasons=(reason,),
        )

    display, sender = address(content, "from")
    if doubt := ambiguity(content, "from") or fields.spoofing_display(display, sender):
        if request_links and _mentions_xing(content):
            return suspicious(f"says it is a XING contact request but {doubt}")
        return None
    if not is_network_domain(domain_of(sender)):
        if request_links and _mentions_xing(content) and not _is_reply(content):
            origin = domain_of(sender) or "no sender"
            return suspicious(
                f"imitates a XING contact request but comes from {origin}, not xing.com"
            )
        return None
    if failed := auth_failure(content, "xing.com"):
        return suspicious(f"claims to be XING but authentication failed: {failed}")
    if request_links and (foreign := _foreign_host(request_links)):
        return suspicious(f"says it is from XING but its links go to {foreign}")
    if not request_links:
        return Notification(
            kind="other",
            network=NETWORK,
            subject=subject,
            message_id=message_id,
            reasons=("XING mail that is not a contact request",),
        )
    body_lines = fields.lines(content.body)
    name = _name(subject)
    language, _ = fields.note(body_lines, name)
    text, default_lang = fields.without_default(fields.labelled_text(body_lines, _NOTE_LABELS))
    profile = _profile(content.links)
    match = _REQUEST_ID.search(" ".join(link.url for link in request_links))
    key = f"xing:request:{match.group(1)}" if match else f"xing:profile:{profile or message_id}"
    return Notification(
        kind="invitation",
        network=NETWORK,
        requester=Requester(
            name=name or "(name not shown)",
            headline=fields.headline(body_lines, name),
            profile_url=profile,
            common=fields.common_connections(body_lines),
        ),
        note=text,
        language=default_lang or language or fields.body_language(content.body),
        key=key,
        message_id=message_id,
        subject=subject,
        reasons=("XING contact request", "personal note present" if text else "no personal note"),
    )


def _mentions_xing(content: Content) -> bool:
    return "xing" in content.body.lower() or "xing" in content.header("subject").lower()


def _is_reply(content: Content) -> bool:
    return bool(content.header("in-reply-to") or content.header("references"))


def _foreign_host(links: list[Link]) -> str | None:
    """The host of a contact-request link that is not XING's, if any."""
    for link in links:
        host = (urlsplit(link.url).hostname or "").lower()
        if host and not is_network_domain(host):
            return host
    return None


def _name(subject: str) -> str | None:
    for pattern in _SUBJECT_NAME:
        if match := pattern.search(subject):
            return one_line(match.group("n"), 120)
    return None


def _profile(links: list[Link]) -> str | None:
    for link in links:  # only the link the network labels as the requester's profile
        if fields.is_profile_label(link.label) and (url := canonical_profile(link.url)):
            return url if "xing.com/" in url else None
    return None
