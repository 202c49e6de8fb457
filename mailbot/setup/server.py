"""Step 1 of `mailbot setup`: the IMAP server for the address, and where it came from.

Discovery (discover.find_server) proposes; the owner picks one (Enter: the first), or
names a server when nothing was found. A server is kept only with a way to log in that
mailbot can do: a password, or OAuth2 with Microsoft or Google (mailbot/oauth.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mailbot.errors import UsageError
from mailbot.setup.discover import Candidate, _provider
from mailbot.setup.ispdb import Security, is_hostname
from mailbot.setup.prompts import Prompter
from mailbot.terminal import shown

Find = Callable[[str, Callable[[str], object]], list[Candidate]]  # (address, report) -> found
_PROVIDER_NAMES = {"microsoft": "Microsoft", "google": "Google"}
_SECURITY = {"ssl": "TLS", "starttls": "STARTTLS"}
_FORMS = {"address": "your address", "localpart": "the part of your address before the @"}


@dataclass(frozen=True)
class ServerAnswers:
    host: str | None = None  # --imap-host: no discovery, this server
    port: int | None = None  # --imap-port


def logins(candidate: Candidate) -> tuple[str, ...]:
    """The ways mailbot can log in there, the provider's preferred first: "oauth2" only
    with Microsoft's or Google's sign-in (mailbot's own), "password"."""
    ways = []
    for way in candidate.auth:
        if way == "oauth2" and candidate.provider is None:
            continue  # another provider's OAuth2: only through a token command
        ways.append(way)
    return tuple(ways)


def describe(candidate: Candidate) -> str:
    """One line: host, port, security, how to log in, the login name, and the source."""
    ways = " or ".join(
        f"OAuth2 ({_PROVIDER_NAMES[candidate.provider]})"
        if way == "oauth2" and candidate.provider
        else "a password"
        for way in logins(candidate)
    )
    name = _FORMS.get(candidate.username_form, shown(candidate.username))
    return (
        f"{shown(candidate.host)}:{candidate.port} ({_SECURITY[candidate.security]}), "
        f"log in with {ways or 'nothing mailbot can do'} as {name}; from {shown(candidate.source)}"
    )


def pick_server(address: str, prompter: Prompter, find: Find, answers: ServerAnswers) -> Candidate:
    if answers.host:
        return _named(address, answers.host, answers.port, "--imap-host")
    prompter.say(f"Looking for the IMAP server of {shown(address)} ...")
    found = find(address, lambda line: prompter.say(f"  - {shown(line)}"))
    usable = [c for c in found if logins(c)]
    for candidate in found:
        if not logins(candidate):
            prompter.say(
                f"  {shown(candidate.host)} takes only its own OAuth2, which mailbot can do for "
                "Microsoft and Google only (MAILBOT_IMAP_OAUTH2_TOKEN_CMD can, by hand)"
            )
    if not usable:
        return _ask_for_one(address, prompter)
    prompter.say("Found:")
    choice = prompter.choose("Which server? (number)", [describe(c) for c in usable])
    return usable[choice]


def _ask_for_one(address: str, prompter: Prompter) -> Candidate:
    """Nothing found: the owner names the server (their provider's help pages do)."""
    if not prompter.interactive:
        raise UsageError(
            f"no IMAP server found for {address}: pass --imap-host (and --imap-port) "
            "as your provider's help pages name them"
        )
    prompter.say("No IMAP server found. Your provider's help pages name it.")
    host = prompter.text(
        "IMAP server (host name):", flag="--imap-host", required=True, check=_host_problem
    )
    port = prompter.text("Port:", flag="--imap-port", default="993", check=_port_problem)
    assert host is not None
    return _named(address, host, int(port or 993), "--imap-host")


def _named(address: str, host: str, port: int | None, flag: str) -> Candidate:
    host = host.strip().rstrip(".").lower()
    if problem := _host_problem(host):
        raise UsageError(f"{flag}: {problem}")
    port = port or 993
    provider = _provider(host)
    auth = ("oauth2", "password") if provider else ("password",)
    security: Security = "ssl" if port == 993 else "starttls"
    return Candidate(host, port, security, auth, provider, "address", address, "named by you")


def _host_problem(answer: str) -> str | None:
    return None if is_hostname(answer.strip().rstrip(".").lower()) else "not a host name"


def _port_problem(answer: str) -> str | None:
    ok = answer.isdigit() and 1 <= int(answer) <= 65535
    return None if ok else "a port number (993 for TLS, 143 for STARTTLS)"
