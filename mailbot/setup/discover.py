"""Finding a user's IMAP server from their email address, the way Thunderbird does.

Each step runs only when the ones before it found nothing; the first that finds a usable
IMAP server (TLS, a login mailbot can do) gives the answer:

| step | where it looks | a candidate's `source` |
| --- | --- | --- |
| 1 | https://autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=<address>, then https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml | autoconfig.example.com |
| 2 | the bundled copy of Mozilla's ISP database (ispdb.py) | Mozilla ISP database (gmail.com) |
| 3 | the domain's MX host: its parent domain, then its registrable domain, in that database, then at https://autoconfig.<that domain> | MX aspmx.l.google.com → google.com in the ISP database |
| 4 | imap.<domain>, mail.<domain>, each on 993 (TLS) then 143 (STARTTLS), confirmed by connecting | guessed imap.example.com, confirmed by connecting |

Nothing is found: an empty list, and each step said why through `report`. Nothing here
logs in or sends a password. Network access comes through `fetch`, `resolver` and
`probe`, which tests point at local servers.
"""

from __future__ import annotations

import functools
import logging
import ssl
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlencode

from mailbot.errors import UsageError
from mailbot.setup import ispdb
from mailbot.setup.ispdb import ConfigRejected, Security, ServerEntry, is_hostname
from mailbot.setup.network import https_get, mx_host, probe_imap

if TYPE_CHECKING:
    import dns.resolver
    from publicsuffixlist import PublicSuffixList

log = logging.getLogger(__name__)

Provider = Literal["microsoft", "google"]
Fetch = Callable[[str], bytes]  # a URL -> its body; OSError when it cannot be had
Probe = Callable[[str, int, Security], Set[str]]  # -> CAPABILITY words; OSError when not
Report = Callable[[str], object]  # one line per place looked at and found wanting

GUESSES: tuple[tuple[str, int, Security], ...] = (
    ("imap", 993, "ssl"),
    ("imap", 143, "starttls"),
    ("mail", 993, "ssl"),
    ("mail", 143, "starttls"),
)
# Hosts whose login is the provider's OAuth2 (mailbot/oauth.py), by the host or a parent.
_PROVIDERS: dict[str, Provider] = {
    "office365.com": "microsoft",  # Microsoft 365 and Outlook.com: outlook.office365.com
    "outlook.com": "microsoft",  # imap-mail.outlook.com, the older name
    "gmail.com": "google",  # Gmail and Google Workspace: imap.gmail.com
    "googlemail.com": "google",
}
_FORMS = {"%EMAILADDRESS%": "address", "%EMAILLOCALPART%": "localpart"}


@dataclass(frozen=True)
class Candidate:
    """An IMAP server for the address, and how to log in to it."""

    host: str
    port: int
    security: Security  # "ssl" (TLS from the start) or "starttls"
    auth: tuple[str, ...]  # "oauth2" and/or "password", the one to use first first
    provider: Provider | None  # whose OAuth2: a MAILBOT_OAUTH2_PROVIDER value
    username_form: str  # "address", "localpart", or the config's template as written
    username: str  # the login name this address has there
    source: str  # where this came from, for the owner to read


@dataclass(frozen=True)
class _Email:
    address: str
    local: str
    domain: str  # ASCII (IDNA), lower case


@dataclass(frozen=True)
class _Tools:
    fetch: Fetch
    resolver: dns.resolver.Resolver | None
    probe: Probe
    report: Report


def find_server(
    address: str,
    *,
    fetch: Fetch = https_get,
    resolver: dns.resolver.Resolver | None = None,
    probe: Probe = probe_imap,
    report: Report = log.debug,
) -> list[Candidate]:
    """The IMAP servers found for `address`, the best first (empty when none was found).
    Raises UsageError when `address` is not an email address."""
    email = _parse_address(address)
    tools = _Tools(fetch, resolver, probe, report)
    for step in _STEPS:
        found = step(email, tools)
        if found:
            return found
    return []


def _parse_address(address: str) -> _Email:
    local, at, domain = address.strip().rpartition("@")
    try:
        ascii_domain = domain.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        ascii_domain = ""
    if not (at and local and is_hostname(ascii_domain)):
        raise UsageError(f"not an email address: {address!r}")
    return _Email(address.strip(), local, ascii_domain)


# --- the steps ---------------------------------------------------------------------------


def _from_autoconfig(email: _Email, tools: _Tools) -> list[Candidate]:
    """Step 1: the domain's own autoconfig file, first on autoconfig.<domain>."""
    found = _autoconfig(email.domain, email, tools, f"autoconfig.{email.domain}")
    if found:
        return found
    url = f"https://{email.domain}/.well-known/autoconfig/mail/config-v1.1.xml"
    return _config_at(url, email, tools, f"{email.domain}/.well-known/autoconfig")


def _from_ispdb(email: _Email, tools: _Tools) -> list[Candidate]:
    """Step 2: the bundled ISP database, by the address's domain."""
    entries = ispdb.lookup(email.domain)
    if not entries:
        tools.report(f"Mozilla ISP database: nothing for {email.domain}")
    return _candidates(entries, email, f"Mozilla ISP database ({email.domain})")


def _from_mx(email: _Email, tools: _Tools) -> list[Candidate]:
    """Step 3: the domain that receives the mail (MX), in the database, then its own
    autoconfig file: a custom domain on Google Workspace or Microsoft 365 ends here."""
    try:
        mx = mx_host(email.domain, tools.resolver)
    except OSError as exc:
        tools.report(f"MX of {email.domain}: {_why(exc)}")
        return []
    domains = _mx_domains(mx, email.domain) if mx else []
    if not domains:
        tools.report(f"MX of {email.domain}: {mx or 'none'}, nothing new to look up")
        return []
    for domain in domains:
        entries = ispdb.lookup(domain)
        if entries:
            return _candidates(entries, email, f"MX {mx} → {domain} in the ISP database")
    tools.report(f"Mozilla ISP database: nothing for {' or '.join(domains)} (MX {mx})")
    for domain in domains:
        found = _autoconfig(domain, email, tools, f"MX {mx} → autoconfig.{domain}")
        if found:
            return found
    return []


def _from_guesses(email: _Email, tools: _Tools) -> list[Candidate]:
    """Step 4: the usual host names on the usual ports, each confirmed by connecting
    (all at once: one unanswered guess costs its timeout, not four)."""
    from concurrent.futures import ThreadPoolExecutor

    tries = [(f"{prefix}.{email.domain}", port, sec) for prefix, port, sec in GUESSES]
    with ThreadPoolExecutor(max_workers=len(tries)) as pool:
        outcomes = list(pool.map(lambda t: _attempt(tools.probe, *t), tries))
    found = []
    for (host, port, security), outcome in zip(tries, outcomes, strict=True):
        where = f"{host}:{port} ({security})"
        if isinstance(outcome, OSError):
            tools.report(f"{where}: {_why(outcome)}")
        elif not (auth := _auth_offered(outcome)):
            tools.report(f"{where}: offers no login mailbot can do")
        else:
            source = f"guessed {host}, confirmed by connecting"
            found.append(_candidate(host, port, security, auth, "%EMAILADDRESS%", email, source))
    return found


# Thunderbird's order; each step runs only when those before it found nothing.
_STEPS: tuple[Callable[[_Email, _Tools], list[Candidate]], ...] = (
    _from_autoconfig,
    _from_ispdb,
    _from_mx,
    _from_guesses,
)


# --- helpers -----------------------------------------------------------------------------


def _autoconfig(domain: str, email: _Email, tools: _Tools, source: str) -> list[Candidate]:
    query = urlencode({"emailaddress": email.address})
    url = f"https://autoconfig.{domain}/mail/config-v1.1.xml?{query}"
    return _config_at(url, email, tools, source)


def _config_at(url: str, email: _Email, tools: _Tools, source: str) -> list[Candidate]:
    """The candidates of the autoconfig file at `url`; none when it cannot be had, is
    refused, or holds no usable IMAP server."""
    try:
        entries = ispdb.parse_config(tools.fetch(url))
    except (OSError, ConfigRejected) as exc:
        tools.report(f"{url}: {_why(exc)}")
        return []
    found = _candidates(entries, email, source)
    if not found:
        tools.report(f"{url}: no IMAP server with TLS and a usable login in it")
    return found


def _candidates(entries: Iterable[ServerEntry], email: _Email, source: str) -> list[Candidate]:
    found = []
    for entry in entries:
        host = _fill(entry.host, email).lower()
        if is_hostname(host):
            c = _candidate(
                host, entry.port, entry.security, entry.auth, entry.username, email, source
            )
            found.append(c)
    return found


def _candidate(
    host: str,
    port: int,
    security: Security,
    auth: tuple[str, ...],
    username: str,
    email: _Email,
    source: str,
) -> Candidate:
    """A candidate; a Microsoft or Google host always offers its OAuth2, first."""
    provider = _provider(host)
    if provider:
        auth = ("oauth2", *(a for a in auth if a != "oauth2"))
    form = _FORMS.get(username, username)
    return Candidate(host, port, security, auth, provider, form, _fill(username, email), source)


def _provider(host: str) -> Provider | None:
    labels = host.split(".")
    for i in range(len(labels) - 1):
        provider = _PROVIDERS.get(".".join(labels[i:]))
        if provider:
            return provider
    return None


def _fill(template: str, email: _Email) -> str:
    """A config's %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN% for this address."""
    return (
        template.replace("%EMAILADDRESS%", email.address)
        .replace("%EMAILLOCALPART%", email.local)
        .replace("%EMAILDOMAIN%", email.domain)
    )


def _mx_domains(mx: str, domain: str) -> list[str]:
    """Where an MX host is looked up (Thunderbird's order): its parent domain, then its
    registrable domain; nothing when the MX is in the address's own domain."""
    base = _registrable_domain(mx)
    if base is None or base == domain:
        return []
    parent = mx.partition(".")[2]
    return [parent, base] if parent.endswith(f".{base}") else [base]


def _registrable_domain(host: str) -> str | None:
    """google.com for aspmx.l.google.com, example.co.uk for mx.example.co.uk."""
    suffix: str | None = _public_suffixes().privatesuffix(host)
    return suffix


@functools.cache
def _public_suffixes() -> PublicSuffixList:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def _attempt(probe: Probe, host: str, port: int, security: Security) -> Set[str] | OSError:
    try:
        return probe(host, port, security)
    except OSError as exc:
        return exc


def _auth_offered(capabilities: Set[str]) -> tuple[str, ...]:
    password = () if "LOGINDISABLED" in capabilities else ("password",)
    oauth2 = ("oauth2",) if capabilities & {"AUTH=XOAUTH2", "AUTH=OAUTHBEARER"} else ()
    return password + oauth2


def _why(exc: Exception) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate refused: {exc.verify_message}"
    strerror = exc.strerror if isinstance(exc, OSError) else None
    return strerror or str(exc) or type(exc).__name__
