"""Configuration: a `.env` file plus the environment, loaded once into frozen settings.

The key names are a public contract; `config.example.env` documents every one.
Nothing here runs at import time: call :func:`load_settings`.
"""

from __future__ import annotations

import difflib
import ipaddress
import logging
import os
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from mailbot.errors import ConfigError
from mailbot.languages import FORMALITIES, template_languages

log = logging.getLogger(__name__)

SECURITY_MODES = ("ssl", "starttls", "plain")
OAUTH2_PROVIDERS = ("microsoft", "google")
KEYS = (  # every setting; config.example.env documents each one (a test keeps them equal)
    "MAILBOT_AUTHSERV_ID", "MAILBOT_CONTACTS", "MAILBOT_DRAFTS", "MAILBOT_FORMALITY",
    "MAILBOT_HISTORY_FOLDERS", "MAILBOT_IDLE",
    "MAILBOT_IMAP_ALLOW_PLAINTEXT", "MAILBOT_IMAP_AUTH", "MAILBOT_IMAP_CA_FILE",
    "MAILBOT_IMAP_HOST", "MAILBOT_IMAP_OAUTH2_TOKEN_CMD", "MAILBOT_IMAP_PASSWORD",
    "MAILBOT_IMAP_PASSWORD_CMD", "MAILBOT_IMAP_PORT", "MAILBOT_IMAP_SECURITY",
    "MAILBOT_IMAP_TIMEOUT", "MAILBOT_IMAP_USER", "MAILBOT_INBOX", "MAILBOT_KNOWN",
    "MAILBOT_KNOWN_DOMAINS", "MAILBOT_KNOWN_MIN_SENT", "MAILBOT_LANGUAGE",
    "MAILBOT_LOG_FORMAT", "MAILBOT_LOG_LEVEL", "MAILBOT_LOOKBACK_DAYS", "MAILBOT_MAILDIR",
    "MAILBOT_OAUTH2_AUTHORITY", "MAILBOT_OAUTH2_CLIENT_ID", "MAILBOT_OAUTH2_CLIENT_SECRET",
    "MAILBOT_OAUTH2_PROVIDER", "MAILBOT_OAUTH2_TENANT", "MAILBOT_OWNER_ALIASES",
    "MAILBOT_OWNER_COFFEE", "MAILBOT_OWNER_EMAIL",
    "MAILBOT_OWNER_NAME", "MAILBOT_OWNER_PHONE", "MAILBOT_OWNER_TWITTER",
    "MAILBOT_POLL_INTERVAL", "MAILBOT_SENT", "MAILBOT_STATE", "MAILBOT_TEMPLATES",
    "MAILBOT_THANKS_DRAFTS", "MAILBOT_WELCOME_KNOWN",
)  # fmt: skip
# Keys with a language code after them (MAILBOT_OWNER_COFFEE_FR): one per template language.
PER_LANGUAGE = re.compile(r"(MAILBOT_OWNER_COFFEE)_([A-Z]{2,3})")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class OAuth2Settings:
    """mailbot's own OAuth2 sign-in (MAILBOT_OAUTH2_*), used instead of a token command."""

    provider: str  # "microsoft" or "google"
    client_id: str  # of the app the owner (or their administrator) registered
    token_file: Path  # where tokens are kept when the OS has no keyring: beside the state
    client_secret: str | None = None  # Google issues one to desktop clients; Microsoft none
    tenant: str = "common"  # Microsoft: common, organizations, consumers, or a tenant
    authority: str | None = None  # https base URL instead of the provider's (tests)

    def __repr__(self) -> str:  # never show the client secret
        return (
            f"OAuth2Settings(provider={self.provider!r}, client_id={self.client_id!r}, "
            f"tenant={self.tenant!r}, client_secret=<hidden>)"
        )


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    password: str | None
    security: str
    ca_file: Path | None
    auth: str = "login"  # "login" (password) or "oauth2" (XOAUTH2)
    password_cmd: str | None = None
    oauth2_token_cmd: str | None = None  # oauth2: the owner's token command, or else
    oauth2: OAuth2Settings | None = None  # mailbot's own sign-in
    timeout: int = 30  # seconds for connecting and for every answer from the server

    def __repr__(self) -> str:  # never show the password, even in a traceback
        return (
            f"ImapSettings(host={self.host!r}, port={self.port}, user={self.user!r}, "
            f"security={self.security!r}, password=<hidden>)"
        )


@dataclass(frozen=True)
class Owner:
    name: str
    email: str
    phone: str | None
    twitter: str | None
    aliases: tuple[str, ...] = ()  # other addresses of the owner
    coffee: str | None = None  # where the owner would meet for a coffee: a place, "central Leeds"
    coffee_in: tuple[tuple[str, str], ...] = ()  # (language, the place as written in it)

    def coffee_for(self, language: str) -> str:
        """The coffee place for a reply in `language`: the owner's own words in it
        (MAILBOT_OWNER_COFFEE_FR), else MAILBOT_OWNER_COFFEE, which the templates write as
        a place after a label ("over a coffee: central Leeds") in every language; a
        leading English "in " (as in "in central Leeds") is left out of the other
        languages. Other words are the owner's, kept ("near the station" says something a
        place alone would not: give it in each language with MAILBOT_OWNER_COFFEE_FR)."""
        for code, place in self.coffee_in:
            if code == language:
                return place
        place = self.coffee or ""
        if language != "en":
            place = re.sub(r"^in\s+(?=\S)", "", place, flags=re.I)
        return place

    @property
    def addresses(self) -> frozenset[str]:
        return frozenset(a.casefold() for a in (self.email, *self.aliases))


@dataclass(frozen=True)
class Settings:
    imap: ImapSettings | None  # None when MAILBOT_MAILDIR is used instead
    owner: Owner
    inbox: str
    drafts: str | None
    state_path: Path
    contacts: tuple[Path, ...]
    templates: Path | None
    poll_interval: int
    lookback_days: int
    sent: str | None = None
    history_folders: tuple[str, ...] = ()  # empty: the Sent folder and the inbox
    authserv: tuple[str, ...] = ()  # the owner's server's authserv-ids (lower case)
    known: tuple[str, ...] = ()
    known_domains: tuple[str, ...] = ()
    known_min_sent: int = 1
    language: str = "en"
    formality: str | None = None  # "formal", "informal", or None: each language's default
    welcome_known: bool = False
    thanks_drafts: bool = False
    idle: bool = True
    log_level: str = "INFO"
    log_format: str = "text"
    maildir: Path | None = None


def default_state_path(environ: Mapping[str, str]) -> Path:
    """Per-user state file, following the XDG base directory convention."""
    home = environ.get("HOME") or str(Path.home())
    base = environ.get("XDG_STATE_HOME") or str(Path(home) / ".local" / "state")
    return Path(base) / "mailbot" / "state.sqlite3"


def read_env(env_file: Path | None, environ: Mapping[str, str]) -> dict[str, str]:
    """The `.env` values (given file, else ./.env if present), overridden by the environment.

    Values are read as written: no `${VAR}` interpolation (a password with a `$` stays
    itself). As in any .env file, an unquoted value ends at " #": quote a value that
    holds one (config.example.env says so)."""
    values: dict[str, str] = {}
    if env_file is not None:
        if env_file.is_dir():
            raise ConfigError("--env-file", f"{env_file} is a folder, not a .env file")
        if not env_file.is_file():
            raise ConfigError("--env-file", f"no such file: {env_file}")
        source: Path | None = env_file
    else:
        source = Path(".env") if Path(".env").is_file() else None
    if source is not None:
        try:
            read = dotenv_values(source, interpolate=False)
            values.update({k: v for k, v in read.items() if v is not None})
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(str(source), f"cannot be read as a UTF-8 .env file ({exc})") from None
    values.update({k: v for k, v in environ.items() if k.startswith("MAILBOT_")})
    values[_SOURCE] = str(source.resolve()) if source is not None else ""
    return values


_SOURCE = "\0source"  # where the values came from, for error messages


def unknown_keys(values: Mapping[str, str]) -> list[str]:
    """A line for each MAILBOT_* key mailbot does not know, with the nearest known key."""
    lines = []
    unknown = (k for k in values if k.startswith("MAILBOT_") and k not in KEYS)
    for key in sorted(k for k in unknown if not PER_LANGUAGE.fullmatch(k)):
        near = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.6)
        hint = f" (did you mean {near[0]}?)" if near else ""
        lines.append(f"unknown setting {key} is ignored{hint}")
    return lines


def load_settings(
    env_file: Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read and validate every setting; raise ConfigError naming the first bad key."""
    env = os.environ if environ is None else environ
    values = read_env(env_file, env)
    for line in unknown_keys(values):
        log.warning("%s", line)
    reader = _Reader(values)
    maildir = reader.existing_dir("MAILBOT_MAILDIR")
    state_path = _state_path(reader, env)
    imap = None if maildir is not None else _imap(reader, state_path.parent)
    owner = Owner(
        name=reader.required("MAILBOT_OWNER_NAME"),
        email=reader.email("MAILBOT_OWNER_EMAIL"),
        phone=reader.optional("MAILBOT_OWNER_PHONE"),
        twitter=reader.optional("MAILBOT_OWNER_TWITTER"),
        aliases=tuple(reader.email_list("MAILBOT_OWNER_ALIASES")),
        coffee=reader.optional("MAILBOT_OWNER_COFFEE"),
        coffee_in=reader.per_language("MAILBOT_OWNER_COFFEE"),
    )
    templates = reader.existing_dir("MAILBOT_TEMPLATES")
    languages = template_languages(templates)
    for code, _ in owner.coffee_in:  # MAILBOT_OWNER_COFFEE_SE for Swedish is a silent typo
        if code not in languages:
            raise ConfigError(
                f"MAILBOT_OWNER_COFFEE_{code.upper()}",
                f"names no reply language: use one of {', '.join(languages)} "
                "(MAILBOT_OWNER_COFFEE_SV for Swedish)",
            )
    contacts = tuple(
        reader.contacts_entry("MAILBOT_CONTACTS", Path(p).expanduser())
        for p in reader.items("MAILBOT_CONTACTS")
    )
    inbox = reader.optional("MAILBOT_INBOX") or "INBOX"
    drafts = reader.optional("MAILBOT_DRAFTS")
    if drafts and drafts.casefold() == inbox.casefold():
        raise ConfigError("MAILBOT_DRAFTS", "must not be the watched folder MAILBOT_INBOX")
    return Settings(
        imap=imap,
        owner=owner,
        inbox=inbox,
        drafts=drafts,
        state_path=state_path,
        contacts=contacts,
        templates=templates,
        poll_interval=reader.integer("MAILBOT_POLL_INTERVAL", 300, 5, 86400),
        lookback_days=reader.integer("MAILBOT_LOOKBACK_DAYS", 14, 0, 36500),
        sent=reader.optional("MAILBOT_SENT"),
        history_folders=tuple(reader.items("MAILBOT_HISTORY_FOLDERS")),
        authserv=tuple(i.lower() for i in reader.items("MAILBOT_AUTHSERV_ID")),
        known=tuple(reader.items("MAILBOT_KNOWN")),
        known_domains=tuple(reader.items("MAILBOT_KNOWN_DOMAINS")),
        known_min_sent=reader.integer("MAILBOT_KNOWN_MIN_SENT", 1, 1, 1000),
        language=reader.language("MAILBOT_LANGUAGE", "en", languages),
        formality=reader.optional_choice("MAILBOT_FORMALITY", FORMALITIES),
        welcome_known=reader.boolean("MAILBOT_WELCOME_KNOWN", False),
        thanks_drafts=reader.boolean("MAILBOT_THANKS_DRAFTS", False),
        idle=reader.boolean("MAILBOT_IDLE", True),
        log_level=reader.choice(
            "MAILBOT_LOG_LEVEL", ("debug", "info", "warning", "error"), "info"
        ).upper(),
        log_format=reader.choice("MAILBOT_LOG_FORMAT", ("text", "json"), "text"),
        maildir=maildir,
    )


def _state_path(reader: _Reader, environ: Mapping[str, str]) -> Path:
    state = reader.optional("MAILBOT_STATE")
    if state and Path(state).expanduser().is_dir():
        raise ConfigError("MAILBOT_STATE", f"{state} is a folder; name a file inside it")
    return Path(state).expanduser() if state else default_state_path(environ)


def _imap(reader: _Reader, state_dir: Path) -> ImapSettings:
    security = reader.choice("MAILBOT_IMAP_SECURITY", SECURITY_MODES, "ssl")
    host = reader.required("MAILBOT_IMAP_HOST")
    plain_allowed = reader.boolean("MAILBOT_IMAP_ALLOW_PLAINTEXT", False)
    if security == "plain" and not _is_loopback(host) and not plain_allowed:
        raise ConfigError(
            "MAILBOT_IMAP_SECURITY",
            f"'plain' sends the password unencrypted to {host}; use ssl or starttls, "
            "or set MAILBOT_IMAP_ALLOW_PLAINTEXT=true if you really mean it",
        )
    auth, password, password_cmd, token_cmd = _credentials(reader)
    oauth2 = _oauth2(reader, state_dir) if auth == "oauth2" and not token_cmd else None
    imap = ImapSettings(
        host=host,
        port=reader.integer("MAILBOT_IMAP_PORT", 993 if security == "ssl" else 143, 1, 65535),
        user=reader.required("MAILBOT_IMAP_USER"),
        security=security,
        ca_file=reader.ca_file("MAILBOT_IMAP_CA_FILE"),
        auth=auth,
        password=password,
        password_cmd=password_cmd,
        oauth2_token_cmd=token_cmd,
        oauth2=oauth2,
        timeout=reader.integer("MAILBOT_IMAP_TIMEOUT", 30, 1, 600),
    )
    return imap


def _credentials(reader: _Reader) -> tuple[str, str | None, str | None, str | None]:
    """Exactly one way to log in: (auth, password, password command, token command)."""
    auth = reader.choice("MAILBOT_IMAP_AUTH", ("login", "oauth2"), "login")
    provider = reader.optional("MAILBOT_OAUTH2_PROVIDER")
    if auth == "oauth2":
        token_cmd = reader.optional("MAILBOT_IMAP_OAUTH2_TOKEN_CMD")
        if token_cmd and provider:
            raise ConfigError(
                "MAILBOT_OAUTH2_PROVIDER",
                "set it or MAILBOT_IMAP_OAUTH2_TOKEN_CMD, not both",
            )
        if not token_cmd and not provider:
            raise ConfigError(
                "MAILBOT_OAUTH2_PROVIDER",
                "is required with MAILBOT_IMAP_AUTH=oauth2: microsoft or google "
                "(or set MAILBOT_IMAP_OAUTH2_TOKEN_CMD)",
            )
        return auth, None, None, token_cmd
    if provider:
        raise ConfigError("MAILBOT_OAUTH2_PROVIDER", "needs MAILBOT_IMAP_AUTH=oauth2")
    command = reader.optional("MAILBOT_IMAP_PASSWORD_CMD")
    password = reader.optional("MAILBOT_IMAP_PASSWORD")
    if command and password:
        raise ConfigError("MAILBOT_IMAP_PASSWORD_CMD", "set it or MAILBOT_IMAP_PASSWORD, not both")
    if not command and not password:
        raise ConfigError(
            "MAILBOT_IMAP_PASSWORD",
            "is required (or MAILBOT_IMAP_PASSWORD_CMD, or MAILBOT_IMAP_AUTH=oauth2)",
        )
    return auth, password, command, None


_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_TENANT = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
_GOOGLE_CLIENT = ".apps.googleusercontent.com"


def _oauth2(reader: _Reader, state_dir: Path) -> OAuth2Settings:
    """mailbot's own sign-in: the provider, the owner's registered client, and where the
    tokens go when there is no keyring (beside the state file)."""
    provider = reader.choice("MAILBOT_OAUTH2_PROVIDER", OAUTH2_PROVIDERS, "")
    client_id = reader.required("MAILBOT_OAUTH2_CLIENT_ID")
    secret = reader.optional("MAILBOT_OAUTH2_CLIENT_SECRET")
    tenant = reader.optional("MAILBOT_OAUTH2_TENANT")
    if provider == "microsoft":
        if not _GUID.fullmatch(client_id):
            raise ConfigError(
                "MAILBOT_OAUTH2_CLIENT_ID",
                "must be the Application (client) ID of your app registration, like "
                "0a1b2c3d-0000-4000-8000-123456789abc",
            )
        if secret:
            raise ConfigError(
                "MAILBOT_OAUTH2_CLIENT_SECRET",
                "is for google only: Microsoft's device-code sign-in uses no secret",
            )
        if tenant and not _TENANT.fullmatch(tenant):
            raise ConfigError(
                "MAILBOT_OAUTH2_TENANT",
                f"must be common, organizations, consumers, a tenant ID or a domain, not {tenant!r}",
            )
    else:
        if not client_id.endswith(_GOOGLE_CLIENT):
            raise ConfigError(
                "MAILBOT_OAUTH2_CLIENT_ID",
                f"must be the client ID of your Google OAuth client (it ends in {_GOOGLE_CLIENT})",
            )
        if not secret:
            raise ConfigError(
                "MAILBOT_OAUTH2_CLIENT_SECRET",
                "is required with MAILBOT_OAUTH2_PROVIDER=google (the client secret of your "
                "desktop OAuth client)",
            )
        if tenant:
            raise ConfigError("MAILBOT_OAUTH2_TENANT", "is for microsoft only")
    return OAuth2Settings(
        provider=provider,
        client_id=client_id,
        token_file=state_dir / "oauth2-tokens.json",
        client_secret=secret,
        tenant=tenant or "common",
        authority=_authority(reader, "MAILBOT_OAUTH2_AUTHORITY"),
    )


def _authority(reader: _Reader, key: str) -> str | None:
    """An https base URL (scheme, host, optional port and path), without a trailing /."""
    raw = reader.optional(key)
    if raw is None:
        return None
    try:
        parts = urlsplit(raw)
        valid = parts.scheme == "https" and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a port that is not a number, or past 65535
        valid = False
    if not valid or parts.query or parts.fragment or parts.username:
        raise ConfigError(
            key, f"must be an https:// address like https://localhost:8443, not {raw!r}"
        )
    return raw.rstrip("/")


_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")


def plain_address(value: str) -> bool:
    """An address a plain (7-bit, non-SMTPUTF8) header can carry exactly as it is: a
    dot-atom, a domain with a dot, at most 254 characters; no comments, no quotes."""
    return len(value) <= 254 and _PLAIN_ADDRESS.fullmatch(value) is not None


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Reader:
    """Typed access to raw string values; every failure names its key."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values

    def optional(self, key: str, default: str | None = None) -> str | None:
        value = self._values.get(key, "").strip()
        return value or default

    def required(self, key: str) -> str:
        value = self.optional(key)
        if value is None:
            source = self._values.get(_SOURCE)
            where = (
                f"in {source} or the environment"
                if source
                else f"in the environment, and there is no .env file in {Path.cwd()} "
                "(or pass --env-file PATH)"
            )
            raise ConfigError(key, f"is required but not set {where} (see config.example.env)")
        return value

    def language(self, key: str, default: str, known: tuple[str, ...]) -> str:
        """A language code with reply templates (bundled or the owner's)."""
        value = (self.optional(key) or default).lower()
        if value not in known:
            raise ConfigError(
                key,
                f"has no reply templates for {value!r}: use one of {', '.join(known)}, or "
                "add a folder of that name to MAILBOT_TEMPLATES (see templates/README.md)",
            )
        return value

    def per_language(self, key: str) -> tuple[tuple[str, str], ...]:
        """The values of `key`_FR, `key`_DE, ... as (language, value), by language."""
        found = []
        for name in sorted(self._values):
            match = PER_LANGUAGE.fullmatch(name)
            if match and match.group(1) == key and (value := self.optional(name)):
                found.append((match.group(2).lower(), value))
        return tuple(found)

    def optional_choice(self, key: str, choices: tuple[str, ...]) -> str | None:
        """One of `choices` (any case), or None when not set."""
        return self.choice(key, choices, "") if self.optional(key) else None

    def items(self, key: str) -> list[str]:
        """A comma-separated list, blanks dropped."""
        return [item.strip() for item in (self.optional(key) or "").split(",") if item.strip()]

    def email_list(self, key: str) -> list[str]:
        addresses = self.items(key)
        for addr in addresses:
            if "@" not in addr or " " in addr or "<" in addr:
                raise ConfigError(key, f"must be plain addresses separated by commas, not {addr!r}")
        return addresses

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        raw = self.optional(key)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(key, f"must be a whole number, not {raw!r}") from None
        if not low <= value <= high:
            raise ConfigError(key, f"must be between {low} and {high}, not {value}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        raw = self.optional(key)
        if raw is None:
            return default
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise ConfigError(key, f"must be true or false, not {raw!r}")

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = (self.optional(key) or default).lower()
        if value not in choices:
            raise ConfigError(key, f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    def email(self, key: str) -> str:
        raw = self.required(key)
        addr = raw.strip()
        if not plain_address(addr):  # a draft's From header carries it as it is
            raise ConfigError(key, f"must be a plain address like you@example.com, not {raw!r}")
        return addr

    def check_file(self, key: str, path: Path) -> Path:
        if path.is_dir():
            raise ConfigError(key, f"{path} is a folder; name a file")
        if not path.is_file():
            raise ConfigError(key, f"no such file: {path}")
        return path

    def contacts_entry(self, key: str, path: Path) -> Path:
        """A contacts file, or a folder holding an unpacked LinkedIn export."""
        if path.is_dir():
            from mailbot.people.contacts import export_files

            if not export_files(path):
                raise ConfigError(
                    key,
                    f"{path} is a folder with no LinkedIn export in it (Connections.csv, "
                    "messages.csv, Invitations.csv); name a file",
                )
            return path
        return self.check_file(key, path)

    def existing_file(self, key: str) -> Path | None:
        raw = self.optional(key)
        return self.check_file(key, Path(raw).expanduser()) if raw else None

    def ca_file(self, key: str) -> Path | None:
        path = self.existing_file(key)
        if path is not None:
            try:
                ssl.create_default_context(cafile=str(path))
            except (ssl.SSLError, ValueError) as exc:
                raise ConfigError(key, f"{path} is not a PEM certificate bundle ({exc})") from None
        return path

    def existing_dir(self, key: str) -> Path | None:
        raw = self.optional(key)
        if raw is None:
            return None
        path = Path(raw).expanduser()
        if not path.is_dir():
            raise ConfigError(key, f"no such folder: {path}")
        return path
