"""MIME helpers: any bytes in, decoded headers, text and links out, never an exception.

Real notification mail carries traps (see tests/fixtures/README.md): body parts with a
Content-ID that some tools file as attachments, quoted-printable links split by soft
breaks, HTML-only messages, wrong or unknown charsets, truncated MIME. Everything here
degrades to "less text", never to a crash.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import email
import email.errors
import email.header
import email.parser
import email.policy
import functools
import quopri
import re
import unicodedata
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import Any

MAX_TEXT = 512 * 1024  # characters of body text worth reading; keeps every regex linear

_URL = re.compile(r"""https?://[^\s<>"'\]\[)(]+""", re.IGNORECASE)
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff"
    r"\ud800-\udfff]"  # lone surrogates: undecodable 8-bit header bytes
)
MAX_HEADER = 4096  # characters of one header worth decoding (decode_header is quadratic)
MAX_HTML = 512 * 1024
# A "<" whose next angle bracket is another "<" never closes a tag: escape it, so that
# html.parser (quadratic on unclosed tags before CPython 3.11.13) stays linear.
_UNCLOSED_TAG = re.compile(r"<(?=[^<>]*<)")


@dataclass(frozen=True)
class Link:
    url: str
    label: str  # anchor text (HTML) or the text before the URL on its line (plain)


@dataclass
class Content:
    """What a message says, read once: headers as text, the text body, every link."""

    headers: dict[str, list[str]]  # decoded (RFC 2047), for reading
    text: str
    html_text: str
    links: list[Link] = field(default_factory=list)
    raw_headers: dict[str, list[str]] = field(default_factory=dict)  # as sent, for addresses
    # The MIME structure, for telling a machine's report from a person's mail (reports.py).
    # Parts of a message returned inside it (message/rfc822) are not the message's own:
    # their types and fields are left out, only their Message-ID is kept.
    parts: tuple[str, ...] = ()  # the content type of every part, the message's own first
    report_type: str = ""  # the report-type of a multipart/report part ("" if none)
    report_fields: tuple[tuple[str, dict[str, str]], ...] = ()  # (part type, one block of
    # its fields, names lower-cased) of every message/delivery-status, feedback-report or
    # disposition-notification part
    returned_ids: tuple[str, ...] = ()  # Message-IDs of the messages returned inside it

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower())
        return values[0] if values else ""

    def all_headers(self, name: str) -> list[str]:
        return self.headers.get(name.lower(), [])

    @property
    def body(self) -> str:
        """The plain text part if there is one, else the text of the HTML part."""
        return self.text or self.html_text


def read(raw: bytes) -> Content:
    """Parse any bytes into Content; unreadable pieces are left out, never raised."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception:
        return Content(headers={}, text="", html_text="")
    headers, raw_headers = _headers(msg)
    plain: list[str] = []
    html: list[str] = []
    for part in _leaves(msg):
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html") or _is_real_attachment(part):
            continue
        (plain if ctype == "text/plain" else html).append(_decode_part(part))
    text = "\n".join(plain)[:MAX_TEXT]
    html_src = _UNCLOSED_TAG.sub("&lt;", "\n".join(html)[:MAX_HTML])
    html_text, html_links = html_to_text(html_src) if html_src else ("", [])
    links = text_links(text) + html_links
    if not plain and not html:
        links = []
    structure = _structure(msg)
    return Content(
        headers=headers,
        text=clean_text(text),
        html_text=html_text,
        links=links,
        raw_headers=raw_headers,
        parts=structure.parts,
        report_type=structure.report_type,
        report_fields=structure.report_fields,
        returned_ids=structure.returned_ids,
    )


REPORT_PARTS = frozenset(
    {  # RFC 3464 and 6533, RFC 5965, RFC 8098 and 6533
        "message/delivery-status",
        "message/global-delivery-status",
        "message/feedback-report",
        "message/disposition-notification",
        "message/global-disposition-notification",
    }
)
_RETURNED = frozenset(
    {
        "message/rfc822",
        "message/global",
        "text/rfc822-headers",
        "message/rfc822-headers",  # not registered, but sent
        "message/global-headers",
    }
)
MAX_PARTS = 200  # parts of one message worth looking at (a bomb of nested parts stops here)


@dataclass(frozen=True)
class _Structure:
    parts: tuple[str, ...] = ()
    report_type: str = ""
    report_fields: tuple[tuple[str, dict[str, str]], ...] = ()
    returned_ids: tuple[str, ...] = ()


def _structure(msg: Message) -> _Structure:
    """The message's own parts (not those of a message returned inside it), the fields of
    its report parts and the Message-IDs of returned messages. Never raises: a broken
    structure yields what was read before it broke."""
    parts: list[str] = []
    report_type = ""
    fields: list[tuple[str, dict[str, str]]] = []
    returned: list[str] = []
    queue: list[Message] = [msg]
    with contextlib.suppress(Exception):
        while queue and len(parts) < MAX_PARTS:
            part = queue.pop(0)
            ctype = part.get_content_type()
            parts.append(ctype)
            if ctype == "multipart/report" and not report_type:
                report_type = str(part.get_param("report-type") or "").strip().lower()[:60]
            if ctype in REPORT_PARTS:
                fields.extend((ctype, block) for block in _field_blocks(part))
            elif ctype in _RETURNED:
                returned.extend(_returned_ids(part))
            elif part.is_multipart():
                payload = part.get_payload()
                queue.extend(p for p in payload if isinstance(p, Message))
    return _Structure(tuple(parts), report_type, tuple(fields[:50]), tuple(returned[:10]))


def _field_blocks(part: Message) -> list[dict[str, str]]:
    """The blocks of fields of a report part (the email package parses each block as a
    message of headers only; a part it left as text is split into blocks here)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        subparts = [b for b in payload[:50] if isinstance(b, Message)]
        parsed = [{k.lower(): _decode_header(v) for k, v in b.raw_items()} for b in subparts]
        if any(parsed):
            return [b for b in parsed if b]
        # Encoded (base64, quoted-printable): the email package reads no fields in it.
        encoded = "\n".join(str(b.get_payload()) for b in subparts).encode("ascii", "replace")
        text = _decode_bytes(
            _transfer_decoded(encoded, str(part.get("content-transfer-encoding", ""))), "utf-8"
        )
    else:
        raw = part.get_payload(decode=True)
        text = _decode_bytes(raw, "utf-8") if isinstance(raw, bytes) else str(payload)
    blocks: list[dict[str, str]] = []
    parser = email.parser.HeaderParser(policy=email.policy.compat32)
    for chunk in re.split(r"\r?\n[ \t]*\r?\n", text[:65536])[:50]:
        fields = parser.parsestr(chunk.strip("\r\n") + "\n")
        block = {k.lower(): _decode_header(v) for k, v in fields.raw_items()}
        if block:
            blocks.append(block)
    return blocks


def _transfer_decoded(data: bytes, encoding: str) -> bytes:
    encoding = encoding.strip().lower()
    try:
        if encoding == "base64":
            return base64.b64decode(data, validate=False)
        if encoding == "quoted-printable":
            return quopri.decodestring(data)
    except (ValueError, binascii.Error):
        return b""
    return data


def _returned_ids(part: Message) -> list[str]:
    """The Message-ID of a message (or its headers) returned inside a report."""
    payload = part.get_payload()
    if isinstance(payload, list):
        heads = next((p for p in payload if isinstance(p, Message)), None)
    else:
        raw = part.get_payload(decode=True)
        text = _decode_bytes(raw, "utf-8") if isinstance(raw, bytes) else str(payload)
        parser = email.parser.HeaderParser(policy=email.policy.compat32)
        heads = parser.parsestr(text[:65536])
    if heads is None:
        return []
    return _MSGID.findall(_decode_header(heads.get("message-id", "")))[:1]


def clean_text(text: str) -> str:
    """Normalise line ends, drop invisible/bidi control characters, keep the words."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", unicodedata.normalize("NFC", text))


def one_line(value: str, limit: int = 300) -> str:
    """A value safe to show on one line or put in a header: no controls, no CR/LF."""
    value = _CONTROL.sub("", value.replace("\r", " ").replace("\n", " ").replace("\t", " "))
    return " ".join(value.split())[:limit]


def address(content: Content, name: str) -> tuple[str, str]:
    """(decoded display name, lower-cased address) of the one address in a header, or
    ("", "") when there is not exactly one plain, parseable address (see `ambiguity`).

    The address is parsed from the header as sent and only the display name is decoded:
    an encoded-word that decodes to "<invitations@linkedin.com>" stays a display name,
    and an encoded "José García, MBA" is one name, not two addresses."""
    values = content.raw_headers.get(name.lower(), [])
    if len(values) != 1:
        return "", ""
    found = single_address(values[0])
    return found if found else ("", "")


def ambiguity(content: Content, name: str) -> str | None:
    """Why the header does not name one sender plainly (None when it does, or is absent)."""
    values = content.raw_headers.get(name.lower(), [])
    if not values:
        return None
    if len(values) > 1:
        return f"{len(values)} {name.title()} headers"
    if single_address(values[0]) is None:
        return (
            f"{name.title()} is not one plain address ({one_line(_decode_header(values[0]), 120)})"
        )
    return None


_SIMPLE_FROM = re.compile(
    r"[A-Za-z0-9 .'_-]{0,200}<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9.-]{1,253}>"
)


@functools.lru_cache(maxsize=1024)
def single_address(raw: str) -> tuple[str, str] | None:
    """(decoded display name, lower-cased address) when `raw` (a header value as sent)
    holds exactly one plain address that two parsers read alike; else None. A plain
    `Name <addr>` (no encoded-word, quote, comma or comment) needs only the first."""
    raw = " ".join(raw.split())[:MAX_HEADER]
    if _SIMPLE_FROM.fullmatch(raw):
        display, _, rest = raw.rpartition("<")
        addr = rest[:-1]
        if _PLAIN_ADDRESS.match(addr):
            return one_line(display.strip(), 300), addr.lower()
    pairs = getaddresses([raw])
    if len(pairs) != 1 or not _PLAIN_ADDRESS.match(pairs[0][1]):
        return None
    display, addr = pairs[0]
    try:  # the stricter RFC 5322 parser must agree on the address, with no defect
        header = email.policy.default.header_factory("from", raw)
    except Exception:
        return None
    parsed: tuple[Any, ...] = tuple(getattr(header, "addresses", ()))
    if (
        len(parsed) != 1
        or str(parsed[0].addr_spec).lower() != addr.lower()
        or any(not isinstance(d, _HARMLESS) for d in header.defects)
    ):
        return None
    return one_line(_decode_header(display), 300), addr.lower()


_PLAIN_ADDRESS = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9.-]{1,253}$")
_HARMLESS = (  # defects of an encoded display name that leave the address itself sure
    email.errors.InvalidBase64CharactersDefect,
    email.errors.InvalidBase64PaddingDefect,
    email.errors.CharsetError,
    email.errors.UndecodableBytesDefect,
)


_AUTH_FAIL = re.compile(r"\b(?:dkim|dmarc|spf)=(?:fail|softfail|permerror)\b", re.IGNORECASE)


def auth_failure(content: Content, domain: str) -> str | None:
    """A failed SPF/DKIM/DMARC verdict for `domain` in the receiving server's
    Authentication-Results, if any ("dkim=fail ... header.d=xing.com")."""
    for header in content.all_headers("authentication-results"):
        for verdict in re.split(r";", header):
            if domain in verdict.lower() and (match := _AUTH_FAIL.search(verdict)):
                return match.group(0)
    return None


def addresses(content: Content, name: str) -> list[tuple[str, str]]:
    return [(one_line(d), a.strip().lower()) for d, a in getaddresses(content.all_headers(name))]


def domain_of(addr: str) -> str:
    return addr.rpartition("@")[2].strip().strip(">").lower()


_MSGID = re.compile(r"<[^<>\s]{3,250}>")
_QUOTE_START = re.compile(
    r"^(?:>|On .{0,200} wrote:$|Le .{0,200} a écrit\s?:$|Am .{0,200} schrieb .{0,100}:$"
    r"|-{2,}\s?(?:Original Message|Ursprüngliche Nachricht|Message d'origine)\s?-{2,}"
    r"|From: |De : |Von: |-- $)",
    re.IGNORECASE,
)


def message_ids(content: Content) -> tuple[str, ...]:
    """The Message-IDs a message answers (In-Reply-To first, then References)."""
    text = " ".join([content.header("in-reply-to"), content.header("references")])
    return tuple(dict.fromkeys(_MSGID.findall(text)))


def thread_of(content: Content) -> tuple[str, ...]:
    """The message's References chain in order (else its In-Reply-To): a reply to it
    carries this plus its Message-ID (RFC 5322, 3.6.4)."""
    chain = (
        _MSGID.findall(content.header("references"))
        or _MSGID.findall(content.header("in-reply-to"))[:1]
    )
    return tuple(dict.fromkeys(chain))


def reply_text(body: str, limit: int = 2000) -> str:
    """A reply's own words: everything above the quoted message or the signature."""
    kept: list[str] = []
    for line in body.splitlines():
        if _QUOTE_START.match(line.strip()) or line.startswith(">"):
            break
        kept.append(line)
    return " ".join(" ".join(kept).split())[:limit]


def text_links(text: str) -> list[Link]:
    """Links in plain text, each with the words before it on its line as the label."""
    links: list[Link] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        for match in _URL.finditer(line):
            label = line[: match.start()].strip()
            if not label and i > 0:  # "Accept invitation from X" on the line above
                label = lines[i - 1].strip()
            links.append(Link(url=match.group(0).rstrip(".,;:"), label=label))
    return links


def html_to_text(html: str) -> tuple[str, list[Link]]:
    """Block-aware text of an HTML body plus its links (with anchor text)."""
    parser = _TextExtractor()
    with contextlib.suppress(Exception):  # HTMLParser is lenient; keep what was read
        parser.feed(html)
        parser.close()
    return parser.text(), parser.links


def _headers(msg: Message) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(decoded, as sent) values of every header."""
    decoded: dict[str, list[str]] = {}
    raw: dict[str, list[str]] = {}
    for key, value in msg.raw_items():
        decoded.setdefault(key.lower(), []).append(_decode_header(value))
        raw.setdefault(key.lower(), []).append(_raw_header(value))
    return decoded, raw


def _raw_header(value: object) -> str:
    try:
        text = str(value)[:MAX_HEADER]
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except Exception:
        return ""


def _decode_header(value: object) -> str:
    """RFC 2047 decoding that tolerates unknown charsets, broken encoded words and raw
    8-bit (RFC 6532) bytes."""
    try:
        raw = str(value)[:MAX_HEADER]
        raw = raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except Exception:
        return ""
    try:
        fragments = email.header.decode_header(raw)
    except Exception:
        return clean_text(raw)
    out: list[str] = []
    for fragment, charset in fragments:
        if isinstance(fragment, bytes):
            out.append(_decode_bytes(fragment, charset))
        else:
            out.append(fragment)
    joined = "".join(out)
    return " ".join(clean_text(joined).split("\n"))


def _leaves(msg: Message) -> list[Message]:
    leaves: list[Message] = []
    with contextlib.suppress(Exception):  # deeply broken structure: keep what was found
        leaves.extend(part for part in msg.walk() if not part.is_multipart())
    return leaves


def _is_real_attachment(part: Message) -> bool:
    """LinkedIn's body parts carry a Content-ID; only a disposition makes an attachment."""
    disposition = str(part.get("Content-Disposition", "")).lower()
    return disposition.startswith("attachment")


def _decode_part(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        return ""
    if not isinstance(payload, bytes):
        return ""
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return _decode_bytes(payload, charset)


def _decode_bytes(data: bytes, charset: str | None) -> str:
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return data.decode("cp1252", errors="replace")


_BLOCK = {
    "p",
    "div",
    "br",
    "tr",
    "td",
    "th",
    "li",
    "ul",
    "ol",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "center",
    "section",
    "article",
    "header",
    "footer",
    "hr",
    "blockquote",
}
_SKIP = {"script", "style", "head", "title"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._chunks: list[str] = []
        self._skip = 0
        self._href: str | None = None
        self._anchor: list[str] = []
        self.links: list[Link] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCK:
            self._chunks.append("\n")
        elif tag == "a":
            href = dict(attrs).get("href")
            self._href = href.strip() if href else None
            self._anchor = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self._chunks.append("\n")
        elif tag == "a" and self._href is not None:
            if self._href.lower().startswith(("http://", "https://")):
                label = " ".join("".join(self._anchor).split())
                self.links.append(Link(url=self._href, label=label))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self._chunks.append(data)
        if self._href is not None:
            self._anchor.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self._chunks).splitlines())
        return clean_text("\n".join(line for line in lines if line))
