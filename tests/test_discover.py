"""Finding the IMAP server from an address (mailbot/setup/discover.py), against a private
internet on loopback (tests/netfakes.py): a real DNS server, real HTTPS servers with a
test CA, and the test Dovecot with TLS for the guesses."""

from __future__ import annotations

import functools
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme
from conftest import require_dovecot
from dovecot import Dovecot
from netfakes import HttpsSite, Network, Page, Zone, client_context, tls_dovecot
from support import wait_for

from mailbot.errors import UsageError
from mailbot.setup import ispdb
from mailbot.setup.discover import Candidate, find_server
from mailbot.setup.network import https_get, probe_imap

ROOT = Path(__file__).resolve().parents[1]
CONFIG_PATH = "/mail/config-v1.1.xml"
WELL_KNOWN_PATH = "/.well-known/autoconfig/mail/config-v1.1.xml"

# Every name the tests use; anything else is NXDOMAIN, as on the internet.
ZONE = """
autoconfig.found.test.          60 IN A  127.0.0.1
wellknown.test.                 60 IN A  127.0.0.1
autoconfig.hostile.test.        60 IN A  127.0.0.1
hostile.test.                   60 IN A  127.0.0.1
autoconfig.badcert.test.        60 IN A  127.0.0.1
badcert.test.                   60 IN A  127.0.0.1
autoconfig.xn--bcher-kva.test.  60 IN A  127.0.0.1
workspace.test.                 60 IN MX 20 alt1.aspmx.l.google.com.
workspace.test.                 60 IN MX 5 aspmx.l.google.com.
m365.test.                      60 IN MX 0 m365-test.mail.protection.outlook.com.
customer.test.                  60 IN MX 10 mx1.hoster.test.
autoconfig.hoster.test.         60 IN A  127.0.0.1
nothing.test.                   60 IN MX 10 mx.nowhere.test.
imap.guess.test.                60 IN A  127.0.0.1
mail.guess.test.                60 IN A  127.0.0.1
"""
SITE_NAMES = (
    "autoconfig.found.test",
    "wellknown.test",
    "autoconfig.hostile.test",
    "hostile.test",
    "autoconfig.xn--bcher-kva.test",
    "autoconfig.hoster.test",
)


def imap_server(
    host: str = "imap.found.test",
    port: str = "993",
    socket_type: str = "SSL",
    auth: tuple[str, ...] = ("password-cleartext",),
    username: str = "%EMAILADDRESS%",
    kind: str = "imap",
) -> str:
    methods = "".join(f"<authentication>{a}</authentication>" for a in auth)
    return (
        f'<incomingServer type="{kind}"><hostname>{host}</hostname><port>{port}</port>'
        f"<socketType>{socket_type}</socketType><username>{username}</username>{methods}"
        "</incomingServer>"
    )


def config(*servers: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<clientConfig version="1.1">'
        f'<emailProvider id="example"><domain>example.test</domain>{"".join(servers)}'
        "</emailProvider></clientConfig>"
    ).encode()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def zone() -> Iterator[Zone]:
    with Zone(ZONE) as served:
        yield served


@pytest.fixture(scope="module")
def sites(ca: trustme.CA) -> Iterator[dict[str, HttpsSite]]:
    """The good site; one whose certificate comes from a CA nobody trusts; one with a
    trusted certificate for another name."""
    with (
        HttpsSite(ca, *SITE_NAMES) as good,
        HttpsSite(trustme.CA(), "autoconfig.badcert.test") as untrusted,
        HttpsSite(ca, "other.test") as mismatched,
    ):
        yield {"good": good, "untrusted": untrusted, "mismatched": mismatched}


@pytest.fixture
def web(sites: dict[str, HttpsSite]) -> HttpsSite:
    """The good site, with no pages and no requests yet."""
    for site in sites.values():
        site.pages.clear()
        site.requests.clear()
    return sites["good"]


@pytest.fixture
def network(zone: Zone, sites: dict[str, HttpsSite]) -> Network:
    net = Network(zone.resolver())
    for name in SITE_NAMES:
        net.route(name, 443, sites["good"].port)
    net.route("autoconfig.badcert.test", 443, sites["untrusted"].port)
    net.route("badcert.test", 443, sites["mismatched"].port)
    return net


Find = Callable[[str], tuple[list[Candidate], list[str]]]


@pytest.fixture
def find(ca: trustme.CA, network: Network) -> Find:
    """find_server with the real HTTPS client and IMAP probe, the test CA trusted, the
    test DNS asked; returns the candidates and the lines reported."""

    def run(address: str) -> tuple[list[Candidate], list[str]]:
        reports: list[str] = []
        found = find_server(
            address,
            fetch=functools.partial(https_get, context=client_context(ca), dial=network.dial),
            resolver=network.resolver,
            probe=functools.partial(probe_imap, context=client_context(ca), dial=network.dial),
            report=reports.append,
        )
        return found, reports

    return run


def test_autoconfig_host_gives_the_servers_in_its_order(web: HttpsSite, find: Find) -> None:
    """autoconfig.<domain> is asked with the address; its IMAP servers come in its order,
    the username as its template says; POP3 and plaintext servers are left out."""
    web.pages[("autoconfig.found.test", CONFIG_PATH)] = Page(
        config(
            imap_server(kind="pop3", host="pop.found.test", port="995"),
            imap_server(host="mail.%EMAILDOMAIN%", username="%EMAILLOCALPART%"),
            imap_server(port="143", socket_type="plain"),
            imap_server(port="143", socket_type="STARTTLS", auth=("OAuth2", "password-encrypted")),
        )
    )
    found, _ = find("jane@found.test")
    assert found == [
        Candidate(
            "mail.found.test", 993, "ssl", ("password",), None, "localpart", "jane",
            "autoconfig.found.test",
        ),
        Candidate(
            "imap.found.test", 143, "starttls", ("oauth2", "password"), None, "address",
            "jane@found.test", "autoconfig.found.test",
        ),
    ]  # fmt: skip
    assert web.requests == [
        ("autoconfig.found.test", f"{CONFIG_PATH}?emailaddress=jane%40found.test")
    ]


def test_well_known_file_is_used_when_there_is_no_autoconfig_host(
    web: HttpsSite, find: Find
) -> None:
    """No autoconfig.<domain> in DNS: https://<domain>/.well-known/autoconfig/… is next."""
    web.pages[("wellknown.test", WELL_KNOWN_PATH)] = Page(config(imap_server("imap.wk.test")))
    found, reports = find("joe@wellknown.test")
    assert [(c.host, c.source) for c in found] == [
        ("imap.wk.test", "wellknown.test/.well-known/autoconfig")
    ]
    assert "autoconfig.wellknown.test" in reports[0]
    assert "Name or service not known" in reports[0]


def test_international_domain_is_asked_in_ascii(web: HttpsSite, find: Find) -> None:
    """bücher.test is autoconfig.xn--bcher-kva.test on the wire; the login keeps the
    address as written."""
    web.pages[("autoconfig.xn--bcher-kva.test", CONFIG_PATH)] = Page(config(imap_server()))
    found, _ = find("jörg@bücher.test")
    assert [(c.host, c.username) for c in found] == [("imap.found.test", "jörg@bücher.test")]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        pytest.param(
            "someone@gmail.com",
            Candidate(
                "imap.gmail.com", 993, "ssl", ("oauth2", "password"), "google", "address",
                "someone@gmail.com", "Mozilla ISP database (gmail.com)",
            ),
            id="gmail",
        ),
        pytest.param(
            "someone@hotmail.de",
            Candidate(
                "outlook.office365.com", 993, "ssl", ("oauth2",), "microsoft", "address",
                "someone@hotmail.de", "Mozilla ISP database (hotmail.de)",
            ),
            id="outlook.com",
        ),
        pytest.param(
            "ana@bol.com.br",
            Candidate(
                "imap.bol.com.br", 993, "ssl", ("password",), None, "localpart", "ana",
                "Mozilla ISP database (bol.com.br)",
            ),
            id="local part as username",
        ),
        pytest.param(
            "ana@inbox.lt",
            Candidate(
                "mail.inbox.lt", 993, "ssl", ("password",), None, "address", "ana@inbox.lt",
                "Mozilla ISP database (inbox.lt)",
            ),
            id="%EMAILDOMAIN% in the host",
        ),
    ],
)  # fmt: skip
def test_isp_database_hit(find: Find, address: str, expected: Candidate) -> None:
    """A domain without autoconfig of its own is found in the bundled ISP database."""
    found, _ = find(address)
    assert found[0] == expected


def test_mx_on_google_workspace_gives_gmail_with_oauth2(find: Find) -> None:
    """A custom domain whose most preferred MX is aspmx.l.google.com: Gmail's entry,
    OAuth2 first, the whole address as login."""
    found, reports = find("ceo@workspace.test")
    assert found == [
        Candidate(
            "imap.gmail.com", 993, "ssl", ("oauth2", "password"), "google", "address",
            "ceo@workspace.test", "MX aspmx.l.google.com → google.com in the ISP database",
        )
    ]  # fmt: skip
    assert "Mozilla ISP database: nothing for workspace.test" in reports


def test_mx_on_microsoft_365_gives_office365_with_oauth2_only(find: Find) -> None:
    """MX <tenant>.mail.protection.outlook.com: the Microsoft 365 entry (its parent domain
    is looked up before outlook.com), OAuth2 only."""
    found, _ = find("cfo@m365.test")
    assert found == [
        Candidate(
            "outlook.office365.com", 993, "ssl", ("oauth2",), "microsoft", "address",
            "cfo@m365.test",
            "MX m365-test.mail.protection.outlook.com → mail.protection.outlook.com in the ISP database",
        )
    ]  # fmt: skip


def test_mx_hoster_not_in_the_database_is_asked_for_its_autoconfig(
    web: HttpsSite, find: Find
) -> None:
    """MX mx1.hoster.test, not in the database: https://autoconfig.hoster.test is asked."""
    web.pages[("autoconfig.hoster.test", CONFIG_PATH)] = Page(
        config(imap_server("imap.hoster.test"))
    )
    found, _ = find("bob@customer.test")
    assert [(c.host, c.source) for c in found] == [
        ("imap.hoster.test", "MX mx1.hoster.test → autoconfig.hoster.test")
    ]


def test_known_provider_host_always_offers_its_oauth2(web: HttpsSite, find: Find) -> None:
    """An autoconfig naming outlook.office365.com with a password only still says
    provider microsoft and OAuth2 first."""
    web.pages[("autoconfig.found.test", CONFIG_PATH)] = Page(
        config(imap_server("outlook.office365.com"))
    )
    found, _ = find("jane@found.test")
    assert [(c.provider, c.auth) for c in found] == [("microsoft", ("oauth2", "password"))]


@pytest.fixture(scope="module")
def guess_server(ca: trustme.CA) -> Iterator[Dovecot]:
    """The test Dovecot with a certificate for imap.guess.test only."""
    require_dovecot()
    with tls_dovecot(ca, "imap.guess.test") as server:
        yield server


@pytest.mark.dovecot
def test_guesses_are_confirmed_by_connecting_without_logging_in(
    guess_server: Dovecot, network: Network, find: Find
) -> None:
    """imap.<domain> and mail.<domain> on 993 then 143: the ones that greet as IMAP over
    verified TLS are kept, in that order; a certificate for another name is refused; the
    server saw no login attempt at all."""
    assert guess_server.tls_port is not None
    for host in ("imap.guess.test", "mail.guess.test"):
        network.route(host, 993, guess_server.tls_port)
        network.route(host, 143, guess_server.port)
    found, reports = find("amy@guess.test")
    source = "guessed imap.guess.test, confirmed by connecting"
    assert found == [
        Candidate("imap.guess.test", 993, "ssl", ("password", "oauth2"), None, "address", "amy@guess.test", source),
        Candidate("imap.guess.test", 143, "starttls", ("password", "oauth2"), None, "address", "amy@guess.test", source),
    ]  # fmt: skip
    refused = [line for line in reports if line.startswith("mail.guess.test")]
    assert len(refused) == 2
    assert all("certificate refused" in line for line in refused)
    log = guess_server.dir / "dovecot.log"
    logged_out = "Aborted login by logging out (no auth attempts"  # our probes' LOGOUT
    wait_for(lambda: log.read_text().count(logged_out) == 2, seconds=10)
    assert "Login:" not in log.read_text() and "auth failed" not in log.read_text()


def test_nothing_found_is_an_empty_list_with_a_reason_per_place(find: Find) -> None:
    """No autoconfig, no database entry for the domain or its MX, no guess answering:
    an empty list, and each place looked at is named."""
    found, reports = find("x@nothing.test")
    assert found == []
    expected = [
        "https://autoconfig.nothing.test/",
        "https://nothing.test/.well-known/",
        "Mozilla ISP database: nothing for nothing.test",
        "Mozilla ISP database: nothing for nowhere.test (MX mx.nowhere.test)",
        "https://autoconfig.nowhere.test/",
        "imap.nothing.test:993 (ssl)",
        "imap.nothing.test:143 (starttls)",
        "mail.nothing.test:993 (ssl)",
        "mail.nothing.test:143 (starttls)",
    ]
    assert [line[: len(start)] for line, start in zip(reports, expected, strict=True)] == expected


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>
<clientConfig><emailProvider><incomingServer type="imap"><hostname>&f;</hostname>
</incomingServer></emailProvider></clientConfig>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE c [<!ENTITY host SYSTEM "file:///etc/hostname">]>
<clientConfig><emailProvider><incomingServer type="imap"><hostname>&host;</hostname>
<port>993</port><socketType>SSL</socketType></incomingServer></emailProvider></clientConfig>"""
HUGE = config(imap_server("imap.huge.test")) + b"<!--" + b"x" * 2_000_000 + b"-->"


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        pytest.param(Page(BOMB), "DTDForbidden", id="entity expansion bomb"),
        pytest.param(Page(EXTERNAL_ENTITY), "DTDForbidden", id="external entity"),
        pytest.param(Page(HUGE), "larger than 256 KiB (2", id="huge, announced"),
        pytest.param(Page(HUGE, announce_length=False), "larger than 256 KiB", id="huge, streamed"),
        pytest.param(Page(b"<html><body>hi</body></html>"), "not a clientConfig", id="HTML"),
        pytest.param(Page(b"\x00\xff garbage"), "not well-formed XML", id="binary"),
        pytest.param(
            Page(b"", 302, {"Location": "http://hostile.test/config.xml"}),
            "not https",
            id="redirect to http",
        ),
        pytest.param(
            Page(
                config(
                    imap_server(kind="pop3"),
                    imap_server(port="99999"),
                    imap_server(port="abc"),
                    imap_server(socket_type="plain"),
                    imap_server(host="evil host;rm -rf"),
                    imap_server(host="10.0.0.1"),
                    imap_server(auth=("NTLM", "GSSAPI")),
                    imap_server(username="%REALNAME%"),
                )
            ),
            "no IMAP server with TLS and a usable login",
            id="wrong types and values",
        ),
    ],
)
def test_hostile_autoconfig_is_refused_and_the_next_place_used(
    web: HttpsSite, find: Find, page: Page, reason: str
) -> None:
    """A bomb, an external entity, a huge file, not a config, a downgrade, nonsense
    values: refused with the reason named, and the .well-known file is used instead."""
    web.pages[("autoconfig.hostile.test", CONFIG_PATH)] = page
    web.pages[("hostile.test", WELL_KNOWN_PATH)] = Page(config(imap_server("imap.safe.test")))
    found, reports = find("eve@hostile.test")
    assert [(c.host, c.source) for c in found] == [
        ("imap.safe.test", "hostile.test/.well-known/autoconfig")
    ]
    assert reports[0].startswith("https://autoconfig.hostile.test/")
    assert reason in reports[0]


def test_bad_certificates_are_refused_before_any_request(
    sites: dict[str, HttpsSite], web: HttpsSite, find: Find
) -> None:
    """A certificate from an unknown CA (autoconfig.<domain>) and one for another name
    (the .well-known URL) are both refused: no request is sent, nothing found there."""
    page = Page(config(imap_server("imap.attacker.test")))
    sites["untrusted"].pages[("autoconfig.badcert.test", CONFIG_PATH)] = page
    sites["mismatched"].pages[("badcert.test", WELL_KNOWN_PATH)] = page
    found, reports = find("x@badcert.test")
    assert found == []
    assert "certificate refused: unable to get local issuer certificate" in reports[0]
    assert "certificate refused: Hostname mismatch" in reports[1]
    assert sites["untrusted"].requests == [] and sites["mismatched"].requests == []


def test_not_an_address_is_a_usage_error() -> None:
    """Something that is not an address is refused before anything is asked."""
    for address in ("no-at-sign", "@example.com", "jane@", "jane@exa mple.com", "jane@com"):
        with pytest.raises(UsageError, match="not an email address"):
            find_server(address)


@pytest.mark.parametrize(
    ("server", "kept"),
    [
        (imap_server(), True),
        (imap_server(socket_type="STARTTLS", port="143"), True),
        (imap_server(auth=("OAuth2",)), True),
        (imap_server(auth=()), True),  # the format's default: password-cleartext
        (imap_server(kind="pop3"), False),
        (imap_server(socket_type="plain"), False),
        (imap_server(port="0"), False),
        (imap_server(port="99999"), False),
        (imap_server(port="９９３"), False),  # full-width digits
        (imap_server(host="-bad-.test"), False),
        (imap_server(host="imap"), False),
        (imap_server(host="x" * 300 + ".test"), False),
        (imap_server(auth=("client-IP-address",)), False),
        (imap_server(username="%EMAILLOCALPART%&#10;x"), False),  # a line break
    ],
)
def test_parse_config_keeps_only_servers_mailbot_can_use(server: str, kept: bool) -> None:
    """An IMAP server is kept only with TLS, a sane host and port, and a usable login."""
    assert len(ispdb.parse_config(config(server))) == int(kept)


def test_bundled_table_credits_its_source_and_covers_the_big_providers() -> None:
    """The bundled table says where it comes from and under which licence, and holds the
    providers' domains and the MX domains Thunderbird relies on."""
    text = (ROOT / "mailbot" / "data" / "ispdb.tsv").read_text()
    header = "".join(line for line in text.splitlines() if line.startswith("#"))
    assert "https://github.com/thunderbird/autoconfig" in header
    assert "Mozilla Public License, v. 2.0" in header
    table = ispdb.read_table(text)
    assert len(table) > 800
    for domain in ("gmail.com", "google.com", "outlook.com", "mail.protection.outlook.com"):
        assert table[domain], domain


def test_refresh_script_converts_a_checkout(tmp_path: Path) -> None:
    """contrib/refresh_ispdb.py keeps the IMAP servers of each file for its domains (the
    first file keeps a domain two files list), skips POP3-only files, and writes the
    same table twice."""
    (tmp_path / "ispdb").mkdir()
    (tmp_path / "ispdb" / "a.test.xml").write_bytes(
        config(imap_server("imap.a.test"), imap_server("imap.a.test", "143", "STARTTLS"))
        .replace(b"<domain>example.test</domain>", b"<domain>a.test</domain><domain>A2.test</domain>")
    )  # fmt: skip
    (tmp_path / "ispdb" / "b.test.xml").write_bytes(
        config(imap_server("imap.b.test")).replace(b"example.test", b"a2.test")
    )
    (tmp_path / "ispdb" / "c.test.xml").write_bytes(config(imap_server(kind="pop3")))
    out = tmp_path / "ispdb.tsv"
    command = [sys.executable, str(ROOT / "contrib" / "refresh_ispdb.py"), str(tmp_path)]
    command += ["--out", str(out), "--commit", "abc123"]
    run = subprocess.run(command, capture_output=True, text=True, check=True)
    first = out.read_bytes()
    subprocess.run(command, capture_output=True, check=True)
    assert out.read_bytes() == first
    table = ispdb.read_table(first.decode())
    assert [(e.host, e.port) for e in table["a2.test"]] == [
        ("imap.a.test", 993),
        ("imap.a.test", 143),
    ]
    assert set(table) == {"a.test", "a2.test"}
    assert "commit abc123" in first.decode()
    assert "2 domains, 1 providers, 2 IMAP servers" in run.stdout
    assert "b.test.xml: a2.test already from a.test.xml" in run.stderr
    assert "c.test.xml: no IMAP server" in run.stderr
