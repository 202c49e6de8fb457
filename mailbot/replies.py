"""Render a reply with Jinja2 and build the draft message with the stdlib `email` package.

Templates live in `templates/<language>/<step>.txt.j2` (languages.BUNDLED); an owner's
folder (MAILBOT_TEMPLATES) with the same layout wins file by file. Requester text (names,
notes, subjects) is only ever template *data*, and every value that reaches a header is
reduced to one line first, so nothing a requester writes can add or change a header or
run template code.
"""

from __future__ import annotations

import contextlib
import email
import email.errors
import email.header
import email.message
import email.policy
import email.utils
import hashlib
import quopri
import re
import time
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import formataddr, formatdate
from pathlib import Path

from mailbot.config import Owner, Settings, plain_address
from mailbot.errors import TemplateProblem
from mailbot.identity import draft_message_id, greeting_names
from mailbot.languages import bundled_templates, is_formal
from mailbot.notifications import Requester
from mailbot.notifications.fields import is_machine_address
from mailbot.notifications.message import one_line
from mailbot.records import Parent

OLD_MESSAGE_ID_MARK = ".mailbot@"  # in the Message-IDs of earlier releases' drafts


STEPS = ("ask", "explain", "welcome", "thanks")  # the replies; the subjects are templates too
NETWORK_NAMES = {"linkedin": "LinkedIn", "xing": "XING"}
# What the network offers strangers instead of a connection: kept for owners' templates
# written before 0.9 (the bundled ones no longer name it).
NETWORK_TOOLS = {
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


def digest(raw: bytes) -> str:
    """What the owner would change by editing a draft: its recipients, subject and the text
    of every part as a reader sees them (encoded words, transfer encodings and charsets
    decoded, addresses parsed, line endings and trailing newlines folded; other parts by
    type, name and content). A client that stores the draft again unchanged writes it in
    its own way (neomutt: the subject re-encoded, quoted-printable UTF-8 as 7bit us-ascii):
    the same digest, so an unedited draft stays ours to withdraw."""
    msg = email.message_from_bytes(raw, policy=compat32)
    seen = [_addresses(msg, name) for name in ("To", "Cc", "Bcc")]
    seen.append(_decoded(str(msg.get("Subject", ""))))
    for part in msg.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        kind = part.get_content_type()
        if part.get_content_maintype() == "text":
            text = _decoded_text(data, part.get_content_charset() or "us-ascii")
            seen.append(kind + "\n" + text.replace("\r\n", "\n").rstrip("\n"))
        else:
            name = _decoded(str(part.get_filename("")))
            seen.append(f"{kind}\n{name}\n{hashlib.sha256(data).hexdigest()}")
    return hashlib.sha256("\n\n".join(seen).encode("utf-8", "replace")).hexdigest()


def unchanged(raw: bytes, baseline: str) -> bool:
    """Whether this draft is the one whose digest mailbot stored (`baseline`): the owner has
    not edited it. Digests of earlier releases (of the encoded message) count too."""
    return baseline in (digest(raw), _encoded_digest(raw))


def _encoded_digest(raw: bytes) -> str:
    """The digest earlier releases stored: recipients, subject and body as encoded."""
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    msg = BytesHeaderParser(policy=compat32).parsebytes(head + b"\n\n")
    heads = [" ".join(str(msg.get(name, "")).split()) for name in ("To", "Cc", "Bcc", "Subject")]
    seen = "\n".join(heads).encode("utf-8", "replace") + b"\n\n" + body.rstrip(b"\n")
    return hashlib.sha256(seen).hexdigest()


def _decoded(value: str) -> str:
    """A header's text, encoded words decoded, whitespace folded (as it stands when it
    cannot be decoded)."""
    with contextlib.suppress(LookupError, UnicodeError, ValueError, email.errors.HeaderParseError):
        value = str(email.header.make_header(email.header.decode_header(value)))
    return " ".join(value.split())


def _addresses(msg: email.message.Message, name: str) -> str:
    values = [_decoded(str(v)) for v in msg.get_all(name, [])]
    return ", ".join(f"{n} <{a}>" for n, a in email.utils.getaddresses(values))


def _decoded_text(data: bytes, charset: str) -> str:
    try:
        return data.decode(charset, "replace")
    except LookupError:  # a charset Python does not know
        return data.decode("utf-8", "replace")


@dataclass(frozen=True)
class Draft:
    raw: bytes  # the RFC 5322 message, CRLF line endings, 7-bit
    message_id: str
    token: str
    language: str
    recipient: str = ""  # the To address; "" for a draft to paste into the network
    replying_to: str = ""  # its In-Reply-To: the Message-ID of the message it answers

    def as_bytes(self) -> bytes:
        return self.raw

    @property
    def message(self) -> EmailMessage:
        """The draft parsed back (for showing it; what is stored is `raw`)."""
        msg = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


class Renderer:
    """Templates from an owner folder first, then the bundled defaults."""

    def __init__(
        self,
        override: Path | None = None,
        default_language: str = "en",
        formality: str | None = None,
    ) -> None:
        import jinja2  # here, not at the top: an idle poll renders nothing

        folders = [str(p) for p in (override, bundled_templates()) if p is not None]
        self.default_language = default_language
        self.formality = formality  # "formal", "informal", or None: the language's default
        self._languages: dict[tuple[str | None, ...], str] = {}  # (step, *preferred) -> language
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folders),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # noqa: S701 - plain-text mail, never HTML
        )

    @classmethod
    def for_settings(cls, settings: Settings) -> Renderer:
        return cls(settings.templates, settings.language, settings.formality)

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

    def rehearse(self, owner: Owner, languages: tuple[str, ...]) -> None:
        """Render every reply in every language once, as an email and as a paste, with a
        sample requester: a broken template of the owner's is found by `mailbot check`,
        not by the first stranger (raises TemplateProblem naming it)."""
        sample = Requester(name="Jonas Weber", email="jonas@example.org")
        for language in languages:
            for step in (*STEPS, "paste_subject", "subject"):
                chosen = self.language_for(step, language)
                for email_reply in (True, False):
                    variables = self.variables(
                        sample, "linkedin", owner, chosen, step=step, email_reply=email_reply,
                        wrote=email_reply,
                    )  # fmt: skip
                    self.render(f"{chosen}/{step}.txt.j2", variables)

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
        wrote: bool = False,
    ) -> Draft:
        """The `step` reply to `requester`, answering `parent`, in the best language."""
        language = self.language_for(step, *languages)
        recipient = _recipient(requester, owner)
        variables = self.variables(
            requester, network, owner, language, step=step, email_reply=bool(recipient), wrote=wrote
        )
        body = self.render(f"{language}/{step}.txt.j2", variables)
        if recipient is None:  # a note to the owner, where no recipient sees it: their language
            hint = self.language_for("paste_subject", self.default_language)
            note = self.variables(requester, network, owner, hint, step=step, wrote=wrote)
            subject = one_line(self.render(f"{hint}/paste_subject.txt.j2", note), 200)
        elif not (subject := _reply_subject(parent.subject)):  # theirs had none: say what
            hint = self.language_for("subject", language)  # it answers, in the reply's language
            subject = one_line(self.render(f"{hint}/subject.txt.j2", variables), 200)
        message_id = draft_message_id(token, owner.email, time.strftime("%Y%m%d%H%M%S"))
        raw = _message(parent, owner, recipient, subject, body, message_id)
        return Draft(
            raw,
            message_id,
            token,
            language,
            recipient[1] if recipient else "",
            _message_id(parent.message_id) or "",
        )

    def variables(
        self,
        requester: Requester,
        network: str | None,
        owner: Owner,
        language: str,
        *,
        step: str = "",
        email_reply: bool = False,
        wrote: bool = False,
    ) -> dict[str, object]:
        """What a template in `language` is given (templates/README.md lists it), the same
        for a draft and for `mailbot check`'s rehearsal. The hello to someone the owner
        knows (welcome) is informal unless MAILBOT_FORMALITY says otherwise."""
        formal = is_formal(language, self.formality)
        if step == "welcome" and self.formality is None:
            formal = False
        name = one_line(requester.name, 120)
        first, full = greeting_names(name)
        return {
            "requester": {
                "name": name,
                "first_name": first,
                "full_name": full,
                "headline": one_line(requester.headline or "", 200),
                "profile_url": one_line(requester.profile_url or "", 500),
            },
            "network": NETWORK_NAMES.get(network or "", "LinkedIn"),
            "network_tools": NETWORK_TOOLS.get(language, {}).get(network or "linkedin", ""),
            "formal": formal,
            "language": language,
            "email_reply": email_reply,
            "wrote": wrote,
            "owner": {
                "name": one_line(owner.name, 120),
                "email": owner.email,
                "phone": one_line(owner.phone or "", 60),
                "x": one_line(owner.twitter or "", 60),
                "twitter": one_line(owner.twitter or "", 60),
                "coffee": one_line(owner.coffee_for(language), 120),
            },
        }


def _recipient(requester: Requester, owner: Owner) -> tuple[str, str] | None:
    """(display name, address) of the requester, when known and a person's; never a robot,
    the owner, or an address a plain (non-SMTPUTF8) header cannot carry."""
    email_address = requester.email or ""  # exactly as received, or not at all
    if (
        not plain_address(email_address)
        or is_machine_address(email_address)
        or email_address.casefold() in owner.addresses
    ):
        return None
    return one_line(requester.name, 120), email_address


def _reply_subject(parent_subject: str) -> str:
    """ "Re: <their subject>" ("" when theirs had none): nothing added, the recipient
    reads it (drafts in a folder listing are told apart by their To)."""
    subject = one_line(parent_subject, 200)
    if not subject or re.match(r"(?i)re\s*:", subject):
        return subject
    return f"Re: {subject}"


def _message(
    parent: Parent,
    owner: Owner,
    to: tuple[str, str] | None,
    subject: str,
    body: str,
    message_id: str,
) -> bytes:
    """The draft, written out directly: every value is one line already (one_line), names
    and subjects are RFC 2047-encoded when not ASCII, the body is format=flowed (RFC 3676)
    quoted-printable UTF-8. Nothing in it names mailbot: it is found again by the token in
    its Message-ID. (The email package's header objects cost ~0.6 ms a draft, a third of
    a draft's CPU.)"""
    fields = [
        ("From", _address(one_line(owner.name, 120), owner.email)),
        *([("To", _address(*to))] if to is not None else []),
        ("Subject", _text("Subject", subject)),
        ("Date", formatdate(localtime=True)),
        ("Message-ID", message_id),
    ]
    if thread := _message_id(parent.message_id):
        fields += [("In-Reply-To", thread), ("References", _references(parent, thread))]
    fields += [
        ("MIME-Version", "1.0"),
        ("Content-Type", 'text/plain; charset="utf-8"; format=flowed; delsp=no'),
        ("Content-Transfer-Encoding", "quoted-printable"),
    ]
    head = "".join(f"{name}: {value}\r\n" for name, value in fields).encode("ascii")
    flowed = _flowed(re.sub(r"\r\n?", "\n", body))  # no bare CR
    text = quopri.encodestring(flowed.encode("utf-8"))
    return head + b"\r\n" + text.replace(b"\n", b"\r\n")


MAX_REFERENCES = 10


def _references(parent: Parent, parent_id: str) -> str:
    """The parent's References plus its Message-ID (RFC 5322, 3.6.4), one per folded
    line; a long chain keeps its first and its latest ids (as RFC 5322 suggests)."""
    chain = [i for i in (_message_id(r) for r in parent.references) if i and i != parent_id]
    chain.append(parent_id)
    if len(chain) > MAX_REFERENCES:
        chain = chain[:1] + chain[-(MAX_REFERENCES - 1) :]
    return "\r\n ".join(chain)


FLOW_WIDTH = 72


def _flowed(text: str) -> str:
    """RFC 3676 format=flowed: a paragraph (one line in the templates) is wrapped at
    spaces, each line of it but the last ending in a space, so a client that knows
    flowed text re-joins and re-wraps it (and a paste keeps the paragraph); lines starting
    with a space, ">" or "From " are space-stuffed; the "-- " signature line is kept."""
    out: list[str] = []
    for line in text.split("\n"):
        if line == "-- ":
            out.append(line)
            continue
        pieces: list[str] = []
        for piece in _wrap(line.rstrip(" ")):
            if pieces and pieces[-1] == "-- ":  # a cut after " -- " would make a signature
                pieces[-1] += piece  # line in mid-text (RFC 3676, 4.3): keep them together
            else:
                pieces.append(piece)
        out.extend(" " + p if p.startswith((" ", ">", "From ")) else p for p in pieces)
    return "\n".join(out)


def _wrap(line: str) -> list[str]:
    """`line` cut at spaces into pieces of at most FLOW_WIDTH characters (a longer word,
    e.g. a link, stays whole), every piece but the last keeping its trailing space."""
    if len(line) <= FLOW_WIDTH:
        return [line]
    pieces: list[str] = []
    current = ""
    for word in line.split(" "):
        candidate = f"{current}{word} "
        if current and len(candidate) - 1 > FLOW_WIDTH:
            pieces.append(current)
            current = f"{word} "
        else:
            current = candidate
    pieces.append(current[:-1])
    return pieces


def _address(name: str, addr: str) -> str:
    """`Name <addr>`: the name quoted when it has specials, RFC 2047 when not ASCII."""
    if name and (not name.isascii() or "=?" in name):
        return f"{_text('From', name)} <{addr}>"
    return formataddr((name, addr))


def _text(field: str, value: str) -> str:
    """An unstructured header value: folded at 78 columns, RFC 2047 when not ASCII. A
    value that was decoded once already but still holds "=?" (an encoded-word inside the
    decoded text) is encoded too, so a mail client shows those characters and does not
    decode them a second time."""
    charset = "us-ascii" if value.isascii() and "=?" not in value else "utf-8"
    return Header(value, charset, header_name=field).encode(linesep="\r\n")


def _message_id(value: str | None) -> str | None:
    """A Message-ID fit for threading headers: one <...> token of printable ASCII that
    fits a header line (RFC 5322: 998 characters), else nothing."""
    value = one_line(value or "", 998)
    if (
        value.startswith("<")
        and value.endswith(">")
        and value.count("<") == 1
        and len(value) <= 900
        and value.isascii()
        and value.isprintable()
        and " " not in value
    ):
        return value
    return None
