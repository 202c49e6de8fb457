"""LinkedIn: recognise invitations by structure (sender, link shapes, template names), not words.

Template names travel in `X-LinkedIn-Template` and in tracking parameters
(`ek=`, `trk=eml-<template>-<slot>`); accept links have a handful of shapes across eras.
Words are used only to *extract* fields once the structure says "invitation".
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from mailbot.identity import canonical_profile, normalise_name
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

NETWORK = "linkedin"
SENDER_HINT = "linkedin"  # substring for a server-side FROM search
BODY_HINT = "linkedin"  # and for a BODY search: look-alikes name the network they copy

_INVITE_TEMPLATE = re.compile(
    r"^(?:m2m_invitation|email_m2m_invite\w*|invite_member\w*|invite_guest\w*|sms_invite_guest\w*"
    r"|\w*guest_reminder\w*|comm_invm\w*|\w*invite_reminder\w*)$"
)
_ACCEPTED_TEMPLATE = re.compile(r"accept_invite|accepted_invite")
_DIGEST_TEMPLATE = re.compile(r"invite_digest|invitation_digest")
_MESSAGE_TEMPLATE = re.compile(r"^(?:email_member_message\w*|\w*inmail\w*|email_messaging\w*)$")
_TEMPLATE_PARAM = re.compile(r"[?&](?:ek|trk|trkEmail)=(?:eml-)?([A-Za-z][A-Za-z0-9_]+)")
_INVITE_LINK = re.compile(
    r"/people/invite-accept|/mynetwork/invite-accept/|/start/accept-invitation"
    r"|[?&]a=preRegInvite|/EML_comm_afe/|[?&](?:msgID|mboxid)=I\d+_",
    re.IGNORECASE,
)
_MESSAGE_LINK = re.compile(r"/messaging/thread/", re.IGNORECASE)
_INVITATION_ID = re.compile(r"invitation[Ii][Dd](?:=|/)(\d{5,})")
_MAILBOX_ID = re.compile(r"[?&](?:msgID|mboxid)=I(\d{5,})_")
_VIA = re.compile(r"\s*\(?\s*via\s+linkedin\s*\)?\s*$", re.IGNORECASE)
_GENERIC_NAMES = {"", "linkedin", "linkedin invitations", "linkedin connections"}

_BODY_NAME = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(?P<n>.+?) requested to add you as a connection",
        r"^(?P<n>.+?) would like to connect on LinkedIn",
        r"^(?P<n>.+?) wants to connect with you",
        r"^Accept invitation from (?P<n>.+?)$",
        r"^View (?P<n>.+?)['’]s profile",
        r"^(?P<n>.+?)さんから",
        r"^(?P<n>.+?)さんのプロフィール",
        r"^Confirm that you know (?P<n>.+?):",
        r"^Harap konfirmasi bahwa Anda mengenal (?P<n>.+?):",
    )
]
_SUBJECT_NAME = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^Reminder about your invitation from (?P<n>.+)$",
        r"^(?P<n>.+?)['’]s invitation is awaiting your response",
        r"^Reminder: (?P<n>.+?) invited you to connect",
    )
]


def is_network_domain(domain: str) -> bool:
    return domain == "linkedin.com" or domain.endswith(".linkedin.com")


def classify(content: Content) -> Notification | None:
    """A LinkedIn invitation, message, look-alike or other LinkedIn mail; None if not LinkedIn."""
    display, sender = address(content, "from")
    templates = template_names(content)
    invite = _invite_evidence(content, templates)
    subject = one_line(content.header("subject"))
    message_id = one_line(content.header("message-id")) or None

    def verdict(kind: str, reason: str) -> Notification:
        return Notification(
            kind=kind, network=NETWORK, subject=subject, message_id=message_id, reasons=(reason,)
        )

    if doubt := ambiguity(content, "from") or fields.spoofing_display(display, sender):
        if invite or _mentions_linkedin(content, display):
            return verdict("suspicious", f"says it is LinkedIn mail but {doubt}")
        return None
    if not is_network_domain(domain_of(sender)):
        if _is_reply(content, invite):
            return None  # a person's reply quoting an invitation: ordinary mail
        if invite and (relay := _relayed_by_linkedin(content)):
            # 2011-2015: LinkedIn sent invitations from the inviter's own address.
            if failed := _auth_failure(content):
                return verdict(
                    "suspicious", f"relayed as LinkedIn but authentication failed: {failed}"
                )
            if not _auth_pass(content):  # a Sender: header alone proves nothing
                return verdict(
                    "suspicious",
                    "relayed as LinkedIn but your server did not verify it as LinkedIn's "
                    "(no DKIM or SPF pass for linkedin.com)",
                )
            if foreign := _foreign_action_link(content):
                return verdict(
                    "suspicious", f"says it is from LinkedIn but its links go to {foreign}"
                )
            return _invitation(content, display, subject, message_id, [*invite, relay], sender)
        if invite and _mentions_linkedin(content, display):
            origin = domain_of(sender) or "no sender"
            return verdict(
                "suspicious",
                f"imitates a LinkedIn invitation ({invite[0]}) "
                f"but comes from {origin}, not linkedin.com",
            )
        return None

    if failed := _auth_failure(content):
        return verdict("suspicious", f"claims to be LinkedIn but authentication failed: {failed}")
    if any(_ACCEPTED_TEMPLATE.search(t) for t in templates):
        name = _VIA.sub("", display).strip()
        return Notification(
            kind="other",
            network=NETWORK,
            subject=subject,
            message_id=message_id,
            reasons=("LinkedIn acceptance, not a request",),
            topic="accepted",
            requester=Requester(name=name) if name.lower() not in _GENERIC_NAMES else None,
        )
    if any(_DIGEST_TEMPLATE.search(t) for t in templates):
        return verdict("other", "a LinkedIn digest of pending invitations (each has its own mail)")
    if any(_MESSAGE_TEMPLATE.match(t) for t in templates):
        return _message(content, display, subject, message_id)
    if invite:
        if foreign := _foreign_action_link(content):
            return verdict("suspicious", f"says it is from LinkedIn but its links go to {foreign}")
        return _invitation(content, display, subject, message_id, invite)
    if any(_MESSAGE_LINK.search(link.url) for link in content.links):
        return _message(content, display, subject, message_id)
    what = f"template {templates[0]}" if templates else "no invitation structure"
    return verdict("other", f"LinkedIn mail that is not a request ({what})")


def template_names(content: Content) -> list[str]:
    """Template names from the X-LinkedIn-Template header and tracking parameters."""
    names = [one_line(v).lower() for v in content.all_headers("x-linkedin-template")]
    for link in content.links:
        names.extend(m.group(1).lower() for m in _TEMPLATE_PARAM.finditer(link.url))
    return list(dict.fromkeys(n for n in names if n))


def _invite_evidence(content: Content, templates: list[str]) -> list[str]:
    evidence = [f"template {t}" for t in templates if _INVITE_TEMPLATE.match(t)]
    klass = content.header("x-linkedin-class").upper()
    if klass.startswith("INVITE"):
        evidence.append(f"class {klass}")
    if any(_ACCEPTED_TEMPLATE.search(t) for t in templates):
        return []
    for link in content.links:
        if match := _INVITE_LINK.search(link.url):
            evidence.append(f"accept link {match.group(0).strip('?&/')}")
            break
    return evidence


def _mentions_linkedin(content: Content, display: str) -> bool:
    if "linkedin" in display.lower() or content.header("x-linkedin-template"):
        return True
    return "linkedin" in content.body.lower() or any(
        "linkedin" in link.url.lower() for link in content.links
    )


def _auth_failure(content: Content) -> str | None:
    return auth_failure(content, "linkedin")


_AUTH_PASS = re.compile(
    r"\b(?:dkim=pass\b[^;]*\bheader\.(?:d|i)=@?(?:[\w-]+\.)*linkedin\.com"
    r"|spf=pass\b[^;]*\bsmtp\.mailfrom=(?:[^;\s]*[@.])?linkedin\.com)(?=[\s;)]|$)",
    re.IGNORECASE,
)


def _auth_pass(content: Content) -> bool:
    """The receiving server verified LinkedIn as the sender (DKIM or SPF pass for
    linkedin.com itself, not linkedin.com.evil.example), in the topmost
    Authentication-Results: the one the owner's own server added last; any below it
    may have come with the mail."""
    results = content.all_headers("authentication-results")
    return bool(results) and _AUTH_PASS.search(results[0]) is not None


def _foreign_action_link(content: Content) -> str | None:
    """The host of an accept/profile link that is not LinkedIn's, if any."""
    for link in content.links:
        if _INVITE_LINK.search(link.url) or fields.is_chrome_label(link.label):
            host = (urlsplit(link.url).hostname or "").lower()
            if host and not is_network_domain(host) and host != "linkedin.com":
                return host
    return None


def _invitation(
    content: Content,
    display: str,
    subject: str,
    message_id: str | None,
    evidence: list[str],
    own_address: str | None = None,
) -> Notification:
    lines = fields.lines(content.body)
    name = _requester_name(display, lines, subject)
    greeting_lang, note = fields.note(lines, name)
    if note is None and content.text and content.html_text:  # the note only in the HTML
        greeting_lang, note = fields.note(fields.lines(content.html_text), name)
    note, default_lang = fields.without_default(note)
    profile = _profile_url(content.links, name)
    personal = own_address if own_address and not fields.is_machine_address(own_address) else None
    requester = Requester(
        name=name or "(name not shown)",
        headline=fields.headline(lines, name),
        profile_url=profile,
        email=personal or fields.personal_reply_to(content, is_network_domain),
        common=fields.common_connections(lines)
        or fields.common_connections(fields.lines(content.html_text)),
    )
    reasons = [f"LinkedIn invitation: {evidence[0]}"]
    reasons.append(
        "personal note present" if note else "no personal note (absent or LinkedIn's default text)"
    )
    return Notification(
        kind="invitation",
        network=NETWORK,
        requester=requester,
        note=note,
        language=default_lang or greeting_lang or fields.body_language(content.body),
        key=_key(content.links, profile, message_id)
        or f"linkedin:name:{normalise_name(name or '')}",
        message_id=message_id,
        subject=subject,
        reasons=tuple(reasons),
    )


def _message(content: Content, display: str, subject: str, message_id: str | None) -> Notification:
    lines = fields.lines(content.body)
    name = _VIA.sub("", display).strip()
    if name.lower() in _GENERIC_NAMES:  # the digest: "LinkedIn", the person in the body
        name = _digest_sender(lines, subject) or ""
    text = fields.message_text(lines, name) if name else None
    return Notification(
        kind="message",
        network=NETWORK,
        requester=Requester(
            name=name or "(name not shown)", profile_url=_profile_url(content.links, name)
        ),
        note=text,
        message_id=message_id,
        subject=subject,
        reasons=("LinkedIn message notification",),
    )


_DIGEST_FIRST = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^\d+ new messages? awaits? your response from (?P<n>.+?) on LinkedIn\.?$",
        r"^(?P<n>.+?) just messaged you$",
        r"^(?P<n>.+?) (?:hat Ihnen (?:gerade )?eine Nachricht gesendet|vous a envoyé un message)",
        r"^(?P<n>.+?) acabou de enviar uma mensagem",
    )
]


def _digest_sender(lines: list[str], subject: str) -> str | None:
    """The person behind a messaging digest: the first name its sentence gives, then the
    full name on a line of its own that starts with it (never the network itself)."""
    first = None
    for pattern in _DIGEST_FIRST:
        for text in (*lines[:12], subject):
            if match := pattern.match(text):
                first = one_line(match.group("n"), 120)
                break
        if first:
            break
    if not first or first.lower() in _GENERIC_NAMES:
        return None
    folded = first.casefold()
    for line in lines:
        words = line.split()
        if (
            2 <= len(words) <= 6
            and line.casefold().startswith(folded + " ")
            and not _MESSAGE_LINK.search(line)
        ) and not any(pattern.match(line) for pattern in _DIGEST_FIRST):
            return one_line(line, 120)
    return first


def _is_reply(content: Content, invite: list[str]) -> bool:
    """A person's reply or forward that quotes an invitation: it answers another message,
    or every invitation link in it stands on a quoted line."""
    if content.header("in-reply-to") or content.header("references"):
        return True
    subject = content.header("subject").strip().lower()
    return bool(invite) and subject.startswith(("re:", "aw:", "fwd:", "fw:", "wg:", "tr:"))


def _relayed_by_linkedin(content: Content) -> str | None:
    """LinkedIn as the relay of mail written in the inviter's name: its Sender or its
    bounce address (Return-Path) is LinkedIn's."""
    for header in ("sender", "return-path"):
        _, addr = address(content, header)
        if addr and is_network_domain(domain_of(addr)):
            return f"sent on the inviter's behalf by LinkedIn ({header.title()}: {addr})"
    return None


def _requester_name(display: str, lines: list[str], subject: str) -> str | None:
    name = _VIA.sub("", display).strip()
    if name.lower() not in _GENERIC_NAMES:
        return name
    for pattern in _BODY_NAME:
        for line in lines:
            if match := pattern.search(line):
                return one_line(match.group("n"), 120)
    for pattern in _SUBJECT_NAME:
        if match := pattern.search(subject):
            return one_line(match.group("n"), 120)
    return fields.signature_name(lines)


def _profile_url(links: list[Link], name: str | None) -> str | None:
    """The requester's own profile: a link labelled as a profile, or anchored on their name."""
    folded = name.casefold() if name else None
    for link in links:
        labelled = fields.is_profile_label(link.label)  # "View profile:", not a note's words
        if labelled or (folded and link.label.casefold() == folded):
            if _INVITE_LINK.search(link.url):
                return None  # some reminders point "View profile" at the accept link
            if (url := canonical_profile(link.url)) and "linkedin.com/" in url:
                return url
    return None


def _key(links: list[Link], profile: str | None, message_id: str | None) -> str | None:
    """Stable across reminders: the invitation id where the links carry one (the chrome's
    Accept link first, so a link pasted into the note cannot stand in for it)."""
    chrome = [link for link in links if fields.is_chrome_label(link.label)]
    urls = " ".join(link.url for link in chrome + links)
    if match := _INVITATION_ID.search(urls):
        return f"linkedin:invitation:{match.group(1)}"
    if match := _MAILBOX_ID.search(urls):
        return f"linkedin:invitation:{match.group(1)}"
    if profile:
        return f"linkedin:profile:{profile}"
    return f"linkedin:message:{message_id}" if message_id else None
