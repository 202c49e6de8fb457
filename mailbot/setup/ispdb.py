"""IMAP settings in Thunderbird's config-v1.1 format, and the bundled ISP database.

One reader serves both: an autoconfig file fetched from a domain (untrusted: parsed with
defusedxml, no DTD, size-capped, every field checked) and the XML files of Mozilla's ISP
database, which contrib/refresh_ispdb.py converts into mailbot/data/ispdb.tsv. Only IMAP
servers with TLS (implicit or STARTTLS) and a login mailbot can do are kept.
Format: https://github.com/thunderbird/autoconfig/wiki
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

Security = Literal["ssl", "starttls"]

MAX_CONFIG_BYTES = 256 * 1024  # the largest ISPDB file is 9 KB; more is refused unread
MAX_SERVERS = 10  # IMAP servers taken from one file
_SOCKET_TYPES: dict[str, Security] = {"SSL": "ssl", "STARTTLS": "starttls"}  # "plain": never
_AUTH = {  # config-v1.1 <authentication> -> how mailbot can log in; others are skipped
    "password-cleartext": "password",  # inside TLS, as every client sends it
    "plain": "password",  # the old spelling
    "password-encrypted": "password",  # CRAM-MD5 offered; servers take LOGIN inside TLS too
    "secure": "password",  # the old spelling of password-encrypted
    "OAuth2": "oauth2",
}
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_PLACEHOLDER = re.compile(r"%[A-Z]+%")
_PLACEHOLDERS = {"%EMAILADDRESS%", "%EMAILLOCALPART%", "%EMAILDOMAIN%"}


class ConfigRejected(ValueError):
    """A config file that is not used at all: too large, not XML, a DTD, the wrong root."""


@dataclass(frozen=True)
class ServerEntry:
    """One IMAP server as a config file gives it, placeholders (%EMAILDOMAIN%…) still in."""

    host: str
    port: int
    security: Security
    auth: tuple[str, ...]  # "oauth2", "password", in the file's order
    username: str  # a template: "%EMAILADDRESS%", "%EMAILLOCALPART%", …


def is_hostname(name: str) -> bool:
    """A DNS host name (ASCII, lower case): labels of letters, digits and inner hyphens,
    at least two, the last not all digits (so no IP address)."""
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or labels[-1].isdigit():
        return False
    return all(_LABEL.fullmatch(label) for label in labels)


def parse_config(data: bytes) -> list[ServerEntry]:
    """The usable IMAP servers of a config-v1.1 document, in its order (may be empty)."""
    root = _parse_xml(data)
    servers = (_server(el) for el in root.iterfind("emailProvider/incomingServer"))
    return [s for s in servers if s is not None][:MAX_SERVERS]


def provider_domains(data: bytes) -> list[str]:
    """The <domain> entries of an ISPDB file, lower case, valid host names only."""
    names = (_text(el).lower() for el in _parse_xml(data).iterfind("emailProvider/domain"))
    return [n for n in names if is_hostname(n)]


def _parse_xml(data: bytes) -> Element:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigRejected(f"larger than {MAX_CONFIG_BYTES // 1024} KiB")
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ConfigRejected(f"refused: {type(exc).__name__} (a DTD or entities)") from None
    except ParseError as exc:
        raise ConfigRejected(f"not well-formed XML ({exc})") from None
    if root.tag != "clientConfig":
        raise ConfigRejected(f"not a clientConfig document (<{root.tag[:40]}>)")
    return root


def _server(el: Element) -> ServerEntry | None:
    """One <incomingServer>, or None when it is not IMAP, lacks TLS or holds nonsense."""
    if el.get("type") != "imap":
        return None
    host = _text(el.find("hostname"))
    port = _text(el.find("port"))
    security = _SOCKET_TYPES.get(_text(el.find("socketType")))
    auth = _auth_methods(_text(a) for a in el.iterfind("authentication"))
    username = _text(el.find("username")) or "%EMAILADDRESS%"
    if not (_host_template_ok(host) and _port_ok(port) and security and auth):
        return None
    if not _username_ok(username):
        return None
    return ServerEntry(host, int(port), security, auth, username)


def _text(el: Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def _auth_methods(names: Iterable[str]) -> tuple[str, ...]:
    given = list(names) or ["password-cleartext"]  # the format's default
    return tuple(dict.fromkeys(_AUTH[n] for n in given if n in _AUTH))


def _host_template_ok(host: str) -> bool:
    return is_hostname(host.replace("%EMAILDOMAIN%", "example.com").lower())


def _port_ok(port: str) -> bool:
    return port.isascii() and port.isdigit() and 0 < int(port) < 65536


def _username_ok(username: str) -> bool:
    return (
        len(username) <= 255
        and username.isprintable()
        and set(_PLACEHOLDER.findall(username)) <= _PLACEHOLDERS
    )


# --- the bundled table -------------------------------------------------------------------
# mailbot/data/ispdb.tsv: '#' lines (source, commit, licence), then one line per IMAP
# server: host, port, security, auth methods (comma-separated), username template, and the
# domains it serves (comma-separated), tab-separated.


def format_table(rows: Iterable[tuple[ServerEntry, list[str]]]) -> Iterator[str]:
    """The table's lines (no header) for (server, its domains) pairs."""
    for entry, domains in rows:
        fields = (entry.host, str(entry.port), entry.security, ",".join(entry.auth))
        yield "\t".join((*fields, entry.username, ",".join(domains)))


def read_table(text: str) -> dict[str, tuple[ServerEntry, ...]]:
    """Domain -> its IMAP servers, in the order the table lists them."""
    table: dict[str, list[ServerEntry]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            host, port, security, auth, username, domains = line.split("\t")
            sec = _SOCKET_TYPES[security.upper()]
            entry = ServerEntry(host, int(port), sec, tuple(auth.split(",")), username)
            for domain in domains.split(","):
                table.setdefault(domain, []).append(entry)
    return {domain: tuple(entries) for domain, entries in table.items()}


@functools.cache
def _bundled() -> dict[str, tuple[ServerEntry, ...]]:
    from importlib import resources

    text = resources.files("mailbot").joinpath("data/ispdb.tsv").read_text(encoding="utf-8")
    return read_table(text)


def lookup(domain: str) -> tuple[ServerEntry, ...]:
    """The bundled ISP database's IMAP servers for a domain (empty when it has none)."""
    return _bundled().get(domain.lower(), ())
