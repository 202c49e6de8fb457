"""Render a reply with Jinja2 and build the draft message with the stdlib `email` package.

Requester text (names, notes, subjects) is only ever template *data*, and every value
that reaches a header is reduced to one line first, so nothing a requester writes can
add or change a header or run template code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from pathlib import Path

import jinja2

from mailbot.config import Owner
from mailbot.errors import TemplateProblem
from mailbot.notifications import Notification
from mailbot.notifications.fields import is_machine_address
from mailbot.notifications.message import one_line

KEY_HEADER = "X-Mailbot-Key"
# RFC 5322 allows 998 characters a line; at 78 a long Message-ID in In-Reply-To would be
# RFC 2047-encoded by the email package, which breaks threading.
DRAFT_POLICY = SMTP.clone(max_line_length=998)
NETWORK_NAMES = {"linkedin": "LinkedIn", "xing": "XING"}


def bundled_templates() -> Path:
    """The default templates: inside the installed package, or templates/ in a checkout."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


def key_token(key: str) -> str:
    """A short header-safe, search-safe token for an invitation key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Draft:
    message: EmailMessage
    token: str

    def as_bytes(self) -> bytes:
        return self.message.as_bytes(policy=DRAFT_POLICY)


class Renderer:
    """Templates from an owner folder first, then the bundled defaults."""

    def __init__(self, override: Path | None = None) -> None:
        folders = [str(p) for p in (override, bundled_templates()) if p is not None]
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folders),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # noqa: S701 - plain-text mail, never HTML
            keep_trailing_newline=False,
        )

    def render(self, name: str, variables: dict[str, object]) -> str:
        try:
            return self._env.get_template(name).render(variables).strip() + "\n"
        except jinja2.TemplateNotFound:
            raise TemplateProblem(f"template {name} not found") from None
        except jinja2.TemplateError as exc:
            raise TemplateProblem(f"template {name}: {exc}") from None

    def draft(self, notification: Notification, action: str, owner: Owner) -> Draft:
        """The draft answering `notification` with the `<action>.txt.j2` template."""
        variables = _variables(notification, owner)
        body = self.render(f"{action}.txt.j2", variables)
        recipient = _recipient(notification, owner)
        if recipient is None:
            body = self.render("paste_hint.txt.j2", variables) + "\n" + body
        assert notification.key is not None
        token = key_token(notification.key)
        return Draft(message=_message(notification, owner, recipient, body, token), token=token)


def _variables(n: Notification, owner: Owner) -> dict[str, object]:
    assert n.requester is not None
    name = one_line(n.requester.name, 120)
    first = name.split()[0] if name and not name.startswith("(") else "there"
    return {
        "requester": {
            "name": name,
            "first_name": first,
            "headline": one_line(n.requester.headline or "", 200),
            "profile_url": one_line(n.requester.profile_url or "", 500),
        },
        "note": n.note or "",
        "network": NETWORK_NAMES.get(n.network or "", "the network"),
        "owner": {
            "name": owner.name,
            "email": owner.email,
            "phone": owner.phone or "",
            "twitter": owner.twitter or "",
        },
    }


def _recipient(n: Notification, owner: Owner) -> Address | None:
    """The requester's own address, when known and a person's; never a robot or the owner."""
    email = n.requester.email if n.requester else None
    if not email or is_machine_address(email) or email.casefold() == owner.email.casefold():
        return None
    local, _, domain = email.rpartition("@")
    try:
        return Address(
            display_name=one_line(n.requester.name, 120) if n.requester else "",
            username=local,
            domain=domain,
        )
    except (ValueError, IndexError):
        return None


def _message(
    n: Notification, owner: Owner, to: Address | None, body: str, token: str
) -> EmailMessage:
    msg = EmailMessage(policy=DRAFT_POLICY)
    msg["From"] = Address(display_name=one_line(owner.name, 120), addr_spec=owner.email)
    if to is not None:
        msg["To"] = to
    subject = one_line(n.subject, 200) or "your invitation to connect"
    msg["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=owner.email.rpartition("@")[2] or None)
    if parent := _message_id(n.message_id):
        msg["In-Reply-To"] = parent
        msg["References"] = parent
    msg[KEY_HEADER] = token
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    return msg


def _message_id(value: str | None) -> str | None:
    """A Message-ID fit for threading headers: one <...> token, else nothing."""
    value = one_line(value or "", 998)
    if value.startswith("<") and value.endswith(">") and " " not in value and value.count("<") == 1:
        return value
    return None
