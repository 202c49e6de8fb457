"""Render a reply with Jinja2 and build the draft message with the stdlib `email` package.

Templates live in `templates/<language>/<step>.txt.j2` (en, fr, de bundled); an owner's
folder (MAILBOT_TEMPLATES) with the same layout wins file by file. Requester text (names,
notes, subjects) is only ever template *data*, and every value that reaches a header is
reduced to one line first, so nothing a requester writes can add or change a header or
run template code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import SMTP, compat32
from email.utils import formatdate, make_msgid
from pathlib import Path

from mailbot.config import Owner
from mailbot.errors import TemplateProblem
from mailbot.mailboxes.base import KEY_HEADER
from mailbot.notifications import Requester
from mailbot.notifications.fields import is_machine_address
from mailbot.notifications.message import one_line

MESSAGE_ID_MARK = "mailbot"  # our Message-IDs end ".mailbot@<owner domain>": replies find us


class _HeaderClasses(HeaderRegistry):
    """The stdlib registry builds a new header class on every lookup (a `type()` call,
    ~0.1 ms): kept here, one per header name, as drafts set the same few headers."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        if key not in self._made:
            self._made[key] = super().__getitem__(name)
        return self._made[key]


# RFC 5322 allows 998 characters a line; at 78 a long Message-ID in In-Reply-To would be
# RFC 2047-encoded by the email package, which breaks threading.
DRAFT_POLICY = SMTP.clone(max_line_length=998, header_factory=_HeaderClasses())
NETWORK_NAMES = {"linkedin": "LinkedIn", "xing": "XING"}
NETWORK_TOOLS = {  # what the network offers strangers instead of a connection
    "en": {
        "linkedin": "InMail, groups and job postings",
        "xing": "messages, groups and job postings",
    },
    "fr": {
        "linkedin": "InMail, groupes, offres d'emploi",
        "xing": "messages, groupes, offres d'emploi",
    },
    "de": {
        "linkedin": "InMail, Gruppen, Stellenanzeigen",
        "xing": "Nachrichten, Gruppen, Stellenanzeigen",
    },
}


def bundled_templates() -> Path:
    """The default templates: inside the installed package, or templates/ in a checkout."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


def key_token(key: str) -> str:
    """A short header-safe, search-safe token for a draft's identity."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def digest(raw: bytes) -> str:
    """What the owner would change by editing a draft: recipients, subject and the whole
    body (attachments included), line endings folded. Headers only are parsed."""
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    msg = BytesHeaderParser(policy=compat32).parsebytes(head + b"\n\n")
    heads = [" ".join(str(msg.get(name, "")).split()) for name in ("To", "Cc", "Bcc", "Subject")]
    seen = "\n".join(heads).encode("utf-8", "replace") + b"\n\n" + body.rstrip(b"\n")
    return hashlib.sha256(seen).hexdigest()


@dataclass(frozen=True)
class Parent:
    """The message a draft answers: threading and the subject come from it."""

    message_id: str | None
    subject: str


@dataclass(frozen=True)
class Draft:
    message: EmailMessage
    token: str
    language: str

    def as_bytes(self) -> bytes:
        return self.message.as_bytes(policy=DRAFT_POLICY)

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


class Renderer:
    """Templates from an owner folder first, then the bundled defaults."""

    def __init__(self, override: Path | None = None, default_language: str = "en") -> None:
        import jinja2  # here, not at the top: an idle poll renders nothing

        folders = [str(p) for p in (override, bundled_templates()) if p is not None]
        self.default_language = default_language
        self._languages: dict[tuple[str | None, ...], str] = {}  # (step, *preferred) -> language
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folders),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # noqa: S701 - plain-text mail, never HTML
        )

    def language_for(self, step: str, *preferred: str | None) -> str:
        """The first preferred language that has this step's template, else the default.
        Remembered for the renderer's life (one cycle): a cycle of 1,000 drafts lists the
        template folders once, not 1,000 times."""
        key = (step, *preferred)
        if key not in self._languages:
            self._languages[key] = self._language_for(step, preferred)
        return self._languages[key]

    def _language_for(self, step: str, preferred: tuple[str | None, ...]) -> str:
        available = set(
            self._env.list_templates(filter_func=lambda n: n.endswith(f"/{step}.txt.j2"))
        )
        for language in (*preferred, self.default_language, "en"):
            if language and f"{language}/{step}.txt.j2" in available:
                return language
        raise TemplateProblem(f"no template {step}.txt.j2 in any language folder")

    def render(self, name: str, variables: dict[str, object]) -> str:
        import jinja2

        try:
            return self._env.get_template(name).render(variables).strip() + "\n"
        except jinja2.TemplateNotFound as exc:
            raise TemplateProblem(f"template {exc.name} not found") from None
        except jinja2.TemplateError as exc:
            raise TemplateProblem(f"template {name}: {exc}") from None

    def draft(
        self,
        step: str,
        requester: Requester,
        network: str | None,
        parent: Parent,
        owner: Owner,
        *,
        token: str,
        languages: tuple[str | None, ...] = (),
    ) -> Draft:
        """The `step` reply to `requester`, answering `parent`, in the best language."""
        language = self.language_for(step, *languages)
        variables = _variables(requester, network, owner, language)
        body = self.render(f"{language}/{step}.txt.j2", variables)
        recipient = _recipient(requester, owner)
        if recipient is None:
            body = self.render(f"{language}/paste_hint.txt.j2", variables) + "\n" + body
        message = _message(parent, owner, recipient, body, token)
        return Draft(message=message, token=token, language=language)


def _variables(
    requester: Requester, network: str | None, owner: Owner, language: str
) -> dict[str, object]:
    name = one_line(requester.name, 120)
    first = name.split()[0] if name and not name.startswith("(") else ""
    return {
        "requester": {
            "name": name,
            "first_name": first,
            "headline": one_line(requester.headline or "", 200),
            "profile_url": one_line(requester.profile_url or "", 500),
        },
        "network": NETWORK_NAMES.get(network or "", "LinkedIn"),
        "network_tools": NETWORK_TOOLS.get(language, NETWORK_TOOLS["en"]).get(
            network or "linkedin", ""
        ),
        "owner": {
            "name": owner.name,
            "email": owner.email,
            "phone": owner.phone or "",
            "twitter": owner.twitter or "",
            "coffee": owner.coffee or "",
        },
    }


def _recipient(requester: Requester, owner: Owner) -> Address | None:
    """The requester's own address, when known and a person's; never a robot or the owner."""
    email = requester.email
    if not email or is_machine_address(email) or email.casefold() in owner.addresses:
        return None
    local, _, domain = email.rpartition("@")
    try:
        return Address(display_name=one_line(requester.name, 120), username=local, domain=domain)
    except (ValueError, IndexError):
        return None


def _message(
    parent: Parent, owner: Owner, to: Address | None, body: str, token: str
) -> EmailMessage:
    msg = EmailMessage(policy=DRAFT_POLICY)
    msg["From"] = Address(display_name=one_line(owner.name, 120), addr_spec=owner.email)
    if to is not None:
        msg["To"] = to
    subject = one_line(parent.subject, 200) or "your invitation to connect"
    msg["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(idstring=MESSAGE_ID_MARK, domain=owner.email.rpartition("@")[2])
    if thread := _message_id(parent.message_id):
        msg["In-Reply-To"] = thread
        msg["References"] = thread
    msg[KEY_HEADER] = token
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    return msg


def _message_id(value: str | None) -> str | None:
    """A Message-ID fit for threading headers: one <...> token, else nothing."""
    value = one_line(value or "", 998)
    if value.startswith("<") and value.endswith(">") and " " not in value and value.count("<") == 1:
        return value
    return None
