"""Step 2 of `mailbot setup`: logging in, verified by a real IMAP login before anything is
written.

- A password: the provider's app-password page named where one is needed; sent only to
  the server shown (the environment cannot redirect it: see `preview`); kept, at the
  end, in the OS keyring (MAILBOT_IMAP_PASSWORD_CMD reads it back) or in the .env.
- OAuth2 with Microsoft or Google: the client ID (and Google's client secret) of the
  owner's own app, mailbot's sign-in (mailbot/oauth.py), then an XOAUTH2 login.
"""

from __future__ import annotations

import contextlib
import shlex
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mailbot.config import ImapSettings, Settings, load_settings
from mailbot.errors import ConfigError, ConnectError, UsageError
from mailbot.secrets import register_secret, run_secret_command
from mailbot.setup.discover import Candidate
from mailbot.setup.folders import Folders, look
from mailbot.setup.prompts import Prompter
from mailbot.setup.server import logins
from mailbot.setup.tools import Tools
from mailbot.terminal import shown

KEYRING_SERVICE = "mailbot"  # as mailbot/oauth.py keeps its tokens: keyed by the IMAP user
PLACEHOLDER_NAME = "Owner"  # MAILBOT_OWNER_NAME until it is asked (only to load settings)
# Where a provider wants an app password instead of the account's own (by the IMAP
# host or a parent domain of it): the provider and where to make one.
APP_PASSWORDS: tuple[tuple[str, str, str], ...] = (
    (
        "mail.me.com",
        "iCloud",
        "https://account.apple.com: Sign-In and Security, App-Specific Passwords",
    ),
    ("mail.yahoo.com", "Yahoo", "https://login.yahoo.com/account/security: Generate app password"),
    ("aol.com", "AOL", "https://login.aol.com/account/security: Generate app password"),
    (
        "gmail.com",
        "Google",
        "https://myaccount.google.com/apppasswords (2-Step Verification must be on)",
    ),
)
README_STEPS = {
    "microsoft": "README, 'Microsoft 365 and Outlook.com: register an app in Entra ID' (five steps)",
    "google": "README, 'Gmail and Google Workspace: create an OAuth client'",
}
_PROVIDER_NAMES = {"microsoft": "Microsoft 365", "google": "Google"}


@dataclass(frozen=True)
class LoginAnswers:
    password: str | None = None  # --password-stdin
    keyring: bool | None = None  # --no-keyring: False
    client_id: str | None = None  # --oauth2-client-id
    client_secret: str | None = None  # --oauth2-client-secret
    tenant: str | None = None  # --oauth2-tenant


@dataclass(frozen=True)
class Login:
    """A login that worked: what to write, and what the session saw."""

    values: dict[str, str]  # the MAILBOT_IMAP_* / MAILBOT_OAUTH2_* keys (no password)
    comment: str  # where they came from
    folders: Folders
    password: str | None = None  # to keep in the keyring or the .env, at the end
    keyring: Any | None = None  # the backend chosen for it, or None: the .env


def app_password_page(host: str) -> tuple[str, str] | None:
    """(provider, where to make an app password) for a host that wants one."""
    for suffix, provider, page in APP_PASSWORDS:
        if host == suffix or host.endswith(f".{suffix}"):
            return provider, page
    return None


def log_in(
    address: str, server: Candidate, answers: LoginAnswers, prompter: Prompter, tools: Tools
) -> Login:
    values = {
        "MAILBOT_IMAP_HOST": server.host,
        "MAILBOT_IMAP_PORT": str(server.port),
        "MAILBOT_IMAP_SECURITY": server.security,
        "MAILBOT_IMAP_USER": server.username,
        "MAILBOT_OWNER_EMAIL": address,
    }
    if _method(server, answers, prompter) == "oauth2":
        return _oauth2(server, values, answers, prompter, tools)
    return _password(server, values, answers, prompter, tools)


def _method(server: Candidate, answers: LoginAnswers, prompter: Prompter) -> str:
    ways = logins(server)
    if answers.client_id is not None:
        if "oauth2" not in ways:
            raise UsageError(f"--oauth2-client-id: {server.host} takes no OAuth2 mailbot can do")
        return "oauth2"
    if answers.password is not None:
        if "password" not in ways:
            raise UsageError(
                f"--password-stdin: {server.host} takes OAuth2 only (--oauth2-client-id)"
            )
        return "password"
    if len(ways) == 1:
        return ways[0]
    if not prompter.interactive:
        raise UsageError(
            f"{server.host} takes OAuth2 or a password: pass --oauth2-client-id (and "
            "--oauth2-client-secret for Google) or --password-stdin"
        )
    assert server.provider is not None
    page = app_password_page(server.host)
    options = [
        f"OAuth2 with your own {_PROVIDER_NAMES[server.provider]} app ({README_STEPS[server.provider]})",
        "a password" + (f" (an app password: {page[1]})" if page else ""),
    ]
    prompter.say("How should mailbot log in?")
    return ways[prompter.choose("Which? (number)", options)]


# --- a password ------------------------------------------------------------------------


def _password(
    server: Candidate,
    values: dict[str, str],
    answers: LoginAnswers,
    prompter: Prompter,
    tools: Tools,
) -> Login:
    page = app_password_page(server.host)
    if page:
        prompter.say(
            f"{page[0]} wants an app password for mail programs, not your usual one: {page[1]}"
        )
    # Checked before the password is typed; the stand-in password is never sent.
    settings = preview({**values, "MAILBOT_IMAP_PASSWORD": "-"}, tools.environ, server)
    assert settings.imap is not None
    password, folders = ask_and_verify(settings.imap, settings.inbox, answers, prompter, tools)
    prompter.say(f"Logged in to {shown(server.host)} as {shown(server.username)}.")
    backend = _keyring_choice(answers, prompter, tools)
    comment = f"IMAP server: from {server.source}; login checked by logging in"
    return Login(values, comment, folders, password, backend)


def ask_and_verify(
    imap: ImapSettings, inbox: str, answers: LoginAnswers, prompter: Prompter, tools: Tools
) -> tuple[str, Folders]:
    """The password, once the server took it (asked again when refused, at a terminal),
    and the folders seen in that session."""
    page = app_password_page(imap.host)
    asked = answers.password is None and prompter.interactive
    for attempt in range(1, prompter.tries + 1):
        password = prompter.secret(
            f"Password for {shown(imap.user)} at {shown(imap.host)}:",
            flag="--password-stdin",
            given=answers.password,
        )
        register_secret(password)
        try:
            return password, verify(
                replace(imap, password=password, password_cmd=None), inbox, tools
            )
        except ConnectError as exc:
            refused = "refused the login" in str(exc)
            if refused and asked and attempt < prompter.tries:
                prompter.say("  The server refused that password; try again.")
                continue
            hint = f"; {page[0]} wants an app password: {page[1]}" if refused and page else ""
            raise ConnectError(f"{exc}{hint}") from None
    raise AssertionError("unreachable: the last try returns or raises")


def _keyring_choice(answers: LoginAnswers, prompter: Prompter, tools: Tools) -> Any | None:
    if answers.keyring is False:
        return None
    backend = tools.keyring()
    if backend is None:
        prompter.say("No OS keyring here: the password goes into the .env (readable by you only).")
        return None
    name = type(backend).__module__
    if prompter.confirm(
        f"Keep the password in the OS keyring ({name}) rather than the .env?", default=True
    ):
        return backend
    return None


def keyring_command(user: str) -> str:
    """The MAILBOT_IMAP_PASSWORD_CMD that reads the password back from the keyring."""
    return shlex.join([sys.executable, "-m", "keyring", "get", KEYRING_SERVICE, user])


def keep_password(login: Login, user: str) -> tuple[dict[str, str], str, str | None]:
    """Store the password where the owner chose: the keyring (checked by running the
    command that reads it back) or the .env. Returns (values, comment, a note when the
    keyring could not be used)."""
    assert login.password is not None
    if login.keyring is not None:
        command = keyring_command(user)
        try:
            login.keyring.set_password(KEYRING_SERVICE, user, login.password)
            if run_secret_command("MAILBOT_IMAP_PASSWORD_CMD", command) == login.password:
                where = f'in the OS keyring (service "{KEYRING_SERVICE}", user {user}), read at each login'
                return {"MAILBOT_IMAP_PASSWORD_CMD": command}, f"Password: {where}", None
            problem = "it gave back another password"
        except ConnectError as exc:  # the command's own one line (never the password)
            problem = str(exc)
        except Exception as exc:  # a backend's own errors too (D-Bus, a locked keyring)
            problem = type(exc).__name__
        forget_password(login, user)
        note = f"the keyring could not keep the password ({problem}): it goes into the .env"
        return _in_env(login.password), "Password: here (this file is readable by you only)", note
    return _in_env(login.password), "Password: here (this file is readable by you only)", None


def forget_password(login: Login, user: str) -> None:
    """Take the password out of the keyring again (the .env could not be written)."""
    if login.keyring is not None:
        # nothing there, or the backend refuses: nothing more to undo
        with contextlib.suppress(Exception):
            login.keyring.delete_password(KEYRING_SERVICE, user)


def _in_env(password: str) -> dict[str, str]:
    return {"MAILBOT_IMAP_PASSWORD": password}


# --- OAuth2 ----------------------------------------------------------------------------


def _oauth2(
    server: Candidate,
    values: dict[str, str],
    answers: LoginAnswers,
    prompter: Prompter,
    tools: Tools,
) -> Login:
    provider = server.provider
    assert provider is not None
    values = {**values, "MAILBOT_IMAP_AUTH": "oauth2", "MAILBOT_OAUTH2_PROVIDER": provider}
    if answers.tenant:
        values["MAILBOT_OAUTH2_TENANT"] = answers.tenant
    if answers.client_id is None and prompter.interactive:
        prompter.say(
            f"{_PROVIDER_NAMES[provider]} signs mailbot in with an app that you (or your "
            f"administrator) registered: {README_STEPS[provider]}."
        )

    def client_id_problem(client_id: str) -> str | None:
        try:
            preview({**values, "MAILBOT_OAUTH2_CLIENT_ID": client_id}, tools.environ, server)
        except ConfigError as exc:
            if exc.key == "MAILBOT_OAUTH2_CLIENT_ID":
                return str(exc)
        return None

    label = "Application (client) ID:" if provider == "microsoft" else "OAuth client ID:"
    client_id = prompter.text(
        label,
        flag="--oauth2-client-id",
        given=answers.client_id,
        required=True,
        check=client_id_problem,
    )
    assert client_id is not None
    values["MAILBOT_OAUTH2_CLIENT_ID"] = client_id
    if provider == "google":
        secret = prompter.secret(
            "Client secret:", flag="--oauth2-client-secret", given=answers.client_secret
        )
        register_secret(secret)
        values["MAILBOT_OAUTH2_CLIENT_SECRET"] = secret
    settings = preview(values, tools.environ, server)
    imap = settings.imap
    assert imap is not None
    try:
        tools.sign_in(imap, out=prompter.say, open_url=tools.open_url)
    except ConnectError as exc:
        if "MAILBOT_OAUTH2_TENANT" in str(exc):  # an app for one organisation only
            raise ConnectError(f"{exc} (here: pass --oauth2-tenant)") from None
        raise
    folders = verify(imap, settings.inbox, tools)
    prompter.say(f"Logged in to {shown(server.host)} as {shown(server.username)} with XOAUTH2.")
    comment = (
        f"IMAP server: from {server.source}; OAuth2 with your own app, signed in with "
        "`mailbot setup --login` (the tokens are not in this file)"
    )
    return Login(values, comment, folders)


# --- both --------------------------------------------------------------------------------


def verify(imap: ImapSettings, inbox: str, tools: Tools) -> Folders:
    """A real login, and the folders seen in that session."""
    with tools.connect(imap) as mailbox:
        return look(mailbox, inbox)


def preview(
    values: Mapping[str, str], environ: Mapping[str, str], server: Candidate | None
) -> Settings:
    """The settings mailbot would load from these values, the environment's MAILBOT_*
    keys winning as they do at every run. Refused (ConfigError) when the environment
    would send the login to another server or user than the one shown."""
    merged = {"MAILBOT_OWNER_NAME": PLACEHOLDER_NAME, **values, **environ}
    with tempfile.TemporaryDirectory(prefix="mailbot-setup-") as folder:
        empty = Path(folder) / "empty.env"  # so that no ./.env is read instead
        empty.touch()
        settings = load_settings(empty, merged)
    imap = settings.imap
    if server is not None:
        _same_server(imap, server)
    return settings


def _same_server(imap: ImapSettings | None, server: Candidate) -> None:
    if imap is None:
        raise ConfigError(
            "MAILBOT_MAILDIR", "is set in the environment: unset it to set up an IMAP server"
        )
    for key, seen, meant in (
        ("MAILBOT_IMAP_HOST", imap.host, server.host),
        ("MAILBOT_IMAP_PORT", str(imap.port), str(server.port)),
        ("MAILBOT_IMAP_SECURITY", imap.security, server.security),
        ("MAILBOT_IMAP_USER", imap.user, server.username),
    ):
        if seen != meant:
            raise ConfigError(
                key,
                f"is set in the environment to {seen!r}, which would override the "
                f"{meant!r} shown: unset it and run `mailbot setup` again",
            )
