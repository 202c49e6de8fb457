"""A small private internet on loopback for server-discovery tests.

- `Zone`: a real DNS server (dnslib) on a free loopback UDP port, answering from a zone
  text; `resolver()` is a dnspython Resolver that asks it and nothing else.
- `HttpsSite`: a real HTTPS server (http.server + ssl) on a free loopback port with a
  certificate from a test CA (trustme), serving pages by Host header and path, and
  keeping each request it got.
- `Network`: how the code under test opens TCP connections: a host name is resolved by
  the test DNS, then its (host, port) is routed to the loopback port of the server
  playing it (a free port stands for 443, 993 or 143).
- `tls_dovecot`: the test Dovecot (tests/dovecot.py) with a certificate from the test CA
  for the names it plays.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import http.server
import re
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import dns.exception
import dns.resolver
import trustme
from dnslib.server import DNSLogger, DNSServer
from dnslib.zoneresolver import ZoneResolver
from dovecot import Dovecot


class Zone:
    """A DNS server answering from `text` (zone file lines); NXDOMAIN for anything else."""

    def __init__(self, text: str) -> None:
        quiet = DNSLogger(log="-request,-reply,-truncated,-error", logf=lambda _: None)
        self._server = DNSServer(ZoneResolver(text), address="127.0.0.1", port=0, logger=quiet)
        self.port = int(self._server.server.server_address[1])

    def __enter__(self) -> Zone:
        self._server.start_thread()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()
        self._server.server.server_close()

    def resolver(self) -> dns.resolver.Resolver:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = self.port
        resolver.lifetime = 5.0
        return resolver


@dataclass
class Page:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    announce_length: bool = True  # False: no Content-Length, the body ends at the close


class HttpsSite:
    """An HTTPS server for the names its certificate holds, on a free loopback port."""

    def __init__(self, ca: trustme.CA, *names: str) -> None:
        self.pages: dict[tuple[str, str], Page] = {}  # (host, path without query) -> page
        self.requests: list[tuple[str, str]] = []  # (host, path with query), in order
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(*names).configure_cert(context)
        # The handshake happens in the request's thread, so a client that refuses the
        # certificate cannot hold up the server.
        self._httpd.socket = context.wrap_socket(
            self._httpd.socket, server_side=True, do_handshake_on_connect=False
        )
        self._httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self.port = int(self._httpd.server_address[1])

    def __enter__(self) -> HttpsSite:
        serve = functools.partial(self._httpd.serve_forever, poll_interval=0.05)
        threading.Thread(target=serve, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler(site: HttpsSite) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            host = self.headers.get("Host", "").rsplit(":", 1)[0].lower()
            site.requests.append((host, self.path))
            page = site.pages.get((host, self.path.split("?", 1)[0]), Page(b"", 404))
            self.send_response(page.status)
            for name, value in page.headers.items():
                self.send_header(name, value)
            if page.announce_length:
                self.send_header("Content-Length", str(len(page.body)))
            self.end_headers()
            self.wfile.write(page.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@dataclass
class Network:
    """Name resolution by the test DNS, connections routed to the loopback servers."""

    resolver: dns.resolver.Resolver
    routes: dict[tuple[str, int], int] = field(default_factory=dict)

    def route(self, host: str, port: int, to: int) -> None:
        self.routes[(host, port)] = to

    def dial(self, host: str, port: int, timeout: float) -> socket.socket:
        try:
            address = self.resolver.resolve(host, "A")[0].to_text()
        except dns.exception.DNSException:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        loopback_port = self.routes.get((host, port))
        if loopback_port is None:
            raise ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
        return socket.create_connection((address, loopback_port), timeout)


def client_context(ca: trustme.CA) -> ssl.SSLContext:
    """A verifying client context that trusts the test CA only."""
    return ssl.create_default_context(cadata=ca.cert_pem.bytes().decode())


@contextlib.contextmanager
def tls_dovecot(ca: trustme.CA, *names: str) -> Iterator[Dovecot]:
    """A started Dovecot (implicit TLS on tls_port, STARTTLS on port) whose certificate
    comes from the test CA for `names`."""
    server = Dovecot(tls=True)
    leaf = ca.issue_cert(*names)
    config = server.config.read_text()
    for setting, pem in (("ssl_cert", leaf.cert_chain_pems[0]), ("ssl_key", leaf.private_key_pem)):
        path = re.search(rf"^{setting} = <(.+)$", config, re.MULTILINE)
        assert path, f"{setting} not in the Dovecot config"
        pem.write_to_path(path.group(1))
    server.start()
    try:
        yield server
    finally:
        server.stop()
