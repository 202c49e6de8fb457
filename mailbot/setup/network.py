"""What server discovery asks of the network: an HTTPS GET, an MX lookup, an IMAP probe.

Each is a plain function with its dependencies as keyword arguments (how to open a TCP
connection, which certificates to trust, which resolver), so tests run the real code
against local servers. Every failure is an OSError whose text says what went wrong.
Certificates are always verified; nothing is sent in plaintext but an IMAP CAPABILITY
and STARTTLS; no login is ever attempted.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import urljoin, urlsplit

from mailbot.setup.ispdb import MAX_CONFIG_BYTES, Security

if TYPE_CHECKING:
    import dns.resolver

Dial = Callable[[str, int, float], socket.socket]  # (host, port, timeout) -> a connected socket

HTTP_TIMEOUT = 8.0  # seconds for each connect and read; a whole fetch is cut at twice that
PROBE_TIMEOUT = 6.0
DNS_LIFETIME = 5.0
MAX_REDIRECTS = 3
MAX_LINE = 8192  # bytes in one IMAP response line
MAX_LINES = 50  # untagged lines before a tagged answer
_HEADERS = {"Accept": "application/xml, text/xml", "User-Agent": "mailbot (server discovery)"}


class Refused(OSError):
    """The other side answered, but not with what discovery can use."""


def dial_tcp(host: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((host, port), timeout=timeout)


# --- HTTPS -------------------------------------------------------------------------------


class _Connection(http.client.HTTPSConnection):
    """An HTTPS connection that opens its TCP connection through `dial`."""

    def __init__(self, host: str, port: int, tls: ssl.SSLContext, dial: Dial) -> None:
        super().__init__(host, port, timeout=HTTP_TIMEOUT, context=tls)
        self._tls, self._dial = tls, dial

    def connect(self) -> None:
        raw = self._dial(self.host, self.port, HTTP_TIMEOUT)
        try:
            self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


def https_get(
    url: str,
    *,
    context: ssl.SSLContext | None = None,
    dial: Dial = dial_tcp,
    limit: int = MAX_CONFIG_BYTES,
) -> bytes:
    """The body of a 200 answer to GET `url`, over verified HTTPS only, at most `limit`
    bytes; redirects are followed (three at most) only to https URLs."""
    tls = context or ssl.create_default_context()
    for _ in range(MAX_REDIRECTS + 1):
        status, location, body = _get_once(url, tls, dial, limit)
        if location is None:
            if status != 200:
                raise Refused(f"HTTP {status}")
            return body
        url = urljoin(url, location)
        if urlsplit(url).scheme != "https":
            raise Refused(f"redirected to {url[:100]}, not https")
    raise Refused(f"more than {MAX_REDIRECTS} redirects")


def _get_once(
    url: str, tls: ssl.SSLContext, dial: Dial, limit: int
) -> tuple[int, str | None, bytes]:
    """(status, the redirect's Location or None, the body)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise Refused(f"not an https URL: {url[:100]}")
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = _Connection(parts.hostname, parts.port or 443, tls, dial)
    try:
        connection.request("GET", target or "/", headers=_HEADERS)
        response = connection.getresponse()
        if response.status in (301, 302, 303, 307, 308):
            return response.status, response.getheader("Location", ""), b""
        return response.status, None, _read_capped(response, limit)
    except http.client.HTTPException as exc:
        raise Refused(f"not HTTP ({type(exc).__name__})") from None
    finally:
        connection.close()


def _read_capped(response: http.client.HTTPResponse, limit: int) -> bytes:
    """The body, refused (unread past the limit) when it is larger than `limit` bytes or
    trickles in slower than the time allowed."""
    declared = response.getheader("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Refused(f"larger than {limit // 1024} KiB ({declared} bytes announced)")
    deadline = time.monotonic() + 2 * HTTP_TIMEOUT
    body = bytearray()
    while chunk := response.read1(65536):
        body += chunk
        if len(body) > limit:
            raise Refused(f"larger than {limit // 1024} KiB")
        if time.monotonic() > deadline:
            raise Refused(f"still sending after {2 * HTTP_TIMEOUT:.0f} s")
    return bytes(body)


# --- DNS ---------------------------------------------------------------------------------


def mx_host(domain: str, resolver: dns.resolver.Resolver | None = None) -> str | None:
    """The most preferred MX host of `domain`, or None when it has none (or a null MX).
    `resolver`: the system's (/etc/resolv.conf) when None. Raises OSError when DNS does
    not answer."""
    import dns.exception
    import dns.resolver

    try:
        answer = (resolver or dns.resolver.Resolver()).resolve(domain, "MX", lifetime=DNS_LIFETIME)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return None
    except dns.exception.DNSException as exc:
        raise OSError(f"DNS: {exc}") from None
    records = sorted(answer, key=lambda mx: mx.preference)  # stable: ties keep DNS order
    host = str(records[0].exchange).rstrip(".").lower() if records else ""
    return host or None


# --- IMAP --------------------------------------------------------------------------------


def probe_imap(
    host: str,
    port: int,
    security: Security,
    *,
    context: ssl.SSLContext | None = None,
    dial: Dial = dial_tcp,
) -> frozenset[str]:
    """What an IMAP server offers over verified TLS: its CAPABILITY words, upper case.
    Goes as far as a mail client does before logging in, and no further: the greeting,
    CAPABILITY (for STARTTLS: CAPABILITY, STARTTLS, the handshake, CAPABILITY again),
    LOGOUT. Raises OSError (ssl.SSLError for a certificate) when that fails."""
    tls = context or ssl.create_default_context()
    with contextlib.ExitStack() as stack:
        sock = stack.enter_context(dial(host, port, PROBE_TIMEOUT))
        if security == "ssl":
            sock = stack.enter_context(tls.wrap_socket(sock, server_hostname=host))
        session = _Session(stack, sock)
        session.greeting()
        if security == "starttls":
            if "STARTTLS" not in session.capabilities():
                raise Refused("offers no STARTTLS")
            session.command("STARTTLS")
            sock = stack.enter_context(tls.wrap_socket(sock, server_hostname=host))
            session = _Session(stack, sock)  # nothing read before the handshake is kept
        capabilities = session.capabilities()
        if not capabilities & {"IMAP4REV1", "IMAP4REV2"}:
            raise Refused("not an IMAP4rev1 server")
        with contextlib.suppress(OSError):
            session.command("LOGOUT")
        return capabilities


class _Session:
    """Line-by-line IMAP over one socket: just enough for a greeting and two commands."""

    def __init__(self, stack: contextlib.ExitStack, sock: socket.socket) -> None:
        self._sock = sock
        self._lines: BinaryIO = stack.enter_context(sock.makefile("rb"))
        self._tag = 0

    def greeting(self) -> None:
        line = self._line()
        if not line.startswith((b"* OK", b"* PREAUTH")):
            raise Refused(f"no IMAP greeting: {_show(line)}")

    def capabilities(self) -> frozenset[str]:
        words: set[str] = set()
        for line in self.command("CAPABILITY"):
            if line.upper().startswith(b"* CAPABILITY "):
                words.update(line[13:].decode("ascii", "replace").upper().split())
        return frozenset(words)

    def command(self, name: str) -> list[bytes]:
        """Send `name`; its untagged lines once the server answers OK."""
        self._tag += 1
        tag = f"p{self._tag}".encode()
        self._sock.sendall(tag + b" " + name.encode() + b"\r\n")
        untagged: list[bytes] = []
        for _ in range(MAX_LINES):
            line = self._line()
            if line.startswith(tag + b" "):
                if line[len(tag) + 1 :].upper().startswith(b"OK"):
                    return untagged
                raise Refused(f"{name} refused: {_show(line)}")
            untagged.append(line)
        raise Refused(f"no answer to {name} within {MAX_LINES} lines")

    def _line(self) -> bytes:
        line = self._lines.readline(MAX_LINE)
        if not line:
            raise Refused("closed the connection")
        if not line.endswith(b"\n"):
            raise Refused(f"a line longer than {MAX_LINE} bytes")
        return line.rstrip(b"\r\n")


def _show(line: bytes) -> str:
    return line[:80].decode("ascii", "replace")
