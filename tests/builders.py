"""Real-shaped messages made to order: invitations in today's template, ordinary mail."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

_ids = itertools.count(7400000000000000001)


def invitation(
    name: str,
    *,
    note: str | None = None,
    headline: str = "Engineer at Example Co",
    invitation_id: int | None = None,
    greeting: bool = True,
    profile: bool = True,
    vanity: str | None = None,
) -> bytes:
    """Today's LinkedIn invitation (email_m2m_invite_single_01), text part only; without
    `profile`, no "View profile" link (as some reminders and guest layouts)."""
    inv = invitation_id or next(_ids)
    vanity = vanity or name.lower().replace(" ", "-")
    trk = "trk=eml-email_m2m_invite_single_01-null-0-null&trkEmail=eml-email_m2m_invite_single_01"
    msg = EmailMessage()
    msg["From"] = Address(display_name=name, addr_spec="invitations@linkedin.com")
    msg["To"] = "Robin Owner <robin@owner.example>"
    msg["Subject"] = "I want to connect"
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain="lva1-app1.prod.linkedin.com")
    msg.set_content(
        f"{name.split()[0]}, {headline}  is waiting for your response\n\n"
        f"{'Hi Robin, ' if greeting else ''}{note or 'I’d like to join your professional network'}\n\n"
        f"{name}\n{headline}\nGermany\n\n"
        f"Accept:https://www.linkedin.com/comm/mynetwork/invite-accept/invitationId/{inv}/"
        f"sharedKey/Ab12/?inviterVanityName={vanity}&{trk}\n\n"
        + (f"View profile:https://www.linkedin.com/comm/in/{vanity}?{trk}\n\n" if profile else "")
        + "-----------------------------------------\n"
        "This email was intended for Robin Owner (Head of Talent at Owner Ltd)\n"
        "You are receiving LinkedIn invitations emails.\n"
    )
    return msg.as_bytes()


def mail(
    sender: str,
    to: str,
    subject: str,
    *,
    attachment: str | None = None,
    date: datetime | None = None,
) -> bytes:
    """An ordinary message between people, optionally with a (PDF) attachment."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = format_datetime(date or datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain="mail.example")
    msg.set_content("Hello,\n\nsee below.\n")
    if attachment:
        msg.add_attachment(
            b"%PDF-1.4 ...", maintype="application", subtype="pdf", filename=attachment
        )
    return msg.as_bytes()


def network_message(name: str, text: str, *, vanity: str | None = None) -> bytes:
    """A LinkedIn message notification (email_member_message_v2) from `name`; with
    `vanity`, the name is a link to that profile."""
    trk = "trk=eml-email_member_message_v2-conversation_message-0-view_message~cta"
    msg = EmailMessage()
    msg["From"] = f'"{name} (via LinkedIn)" <messages-noreply@linkedin.com>'
    msg["To"] = "Robin Owner <robin@owner.example>"
    msg["Subject"] = f"{name.split()[0]} just messaged you"
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain="lva1-app2.prod.linkedin.com")
    msg.set_content(
        f"1 new message awaits your response from {name.split()[0]} on LinkedIn.\n\n"
        f"{name}\nEngineer at Example Co\n{text}\n\n"
        + (f"View profile:https://www.linkedin.com/comm/in/{vanity}?{trk}\n\n" if vanity else "")
        + f"View message:https://www.linkedin.com/comm/messaging/thread/2-abc==?{trk}\n\n"
        "-----------------------------------------\n"
        "This email was intended for Robin Owner (Head of Talent at Owner Ltd)\n"
    )
    return msg.as_bytes()


def reply(
    sender: str, to_message_id: str, text: str, subject: str = "Re: I want to connect"
) -> bytes:
    """A person's email answer to a message of ours, quoting it below."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "Robin Owner <robin@owner.example>", subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain="mail.example")
    msg["In-Reply-To"] = to_message_id
    msg["References"] = to_message_id
    msg.set_content(f"{text}\n\nOn Mon, 2 Nov 2026, Robin Owner wrote:\n> Hi, have we met?\n")
    return msg.as_bytes()


def on_behalf(name: str, address: str, message_id: str, invitation_id: int) -> bytes:
    """The 2013 invitation LinkedIn sent on the inviter's own behalf (fixture
    li-2013-on-behalf.eml) for another person: their address is known, so mailbot's draft
    is an email with a recipient. A reminder is the same with another Message-ID."""
    raw = (Path(__file__).parent / "fixtures" / "li-2013-on-behalf.eml").read_bytes()
    raw = raw.replace(b"Marta Nowak", name.encode()).replace(
        b"marta.nowak@post.example", address.encode()
    )
    raw = raw.replace(
        b"<1794125671.9023141.1368522721544.JavaMail.app@ela4-app0133.prod>", message_id.encode()
    )
    return raw.replace(b"invitationID=5742011987", f"invitationID={invitation_id}".encode())


def marta_invitation(message_id: str) -> bytes:
    """Marta Nowak's on-behalf invitation (an email draft), under this Message-ID: the
    first one, or a reminder of it."""
    return on_behalf("Marta Nowak", "marta.nowak@post.example", message_id, 5742011987)
