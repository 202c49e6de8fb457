"""mailbot's own OAuth2 sign-in for IMAP (XOAUTH2), so that no token command is needed.

Microsoft 365 and Outlook.com: the device-code flow with msal (the owner opens a page on
any device and types a code). Google: the installed-app flow, the browser sent back to a
free loopback port with PKCE (Google gives no device codes for Gmail's scope). Both with
the client ID of an app the owner, or their administrator, registered.

Tokens are kept in the OS keyring (service "mailbot", keyed by the IMAP user) or, where
there is none (a headless server), in a 0600 JSON file beside the state. An access token
is refreshed shortly before it expires, and again when the server refuses it; a refresh
token the provider no longer takes is one line: log in again.

msal, keyring and requests are imported here only, when a token is needed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.server
import json
import logging
import os
import secrets
import sys
import threading
import time
import urllib.parse
import webbrowser
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mailbot.config import ImapSettings, OAuth2Settings
from mailbot.errors import ConfigError, ConnectError, LoginRefused
from mailbot.secrets import register_secret

log = logging.getLogger(__name__)

SERVICE = "mailbot"  # the keyring's service name; the IMAP user is the key
REFRESH_AHEAD = 300  # seconds: an access token expiring sooner is refreshed before use
HTTP_TIMEOUT = 30  # seconds for each request to the sign-in server
BROWSER_TIMEOUT = 600  # seconds to wait for the owner's browser to come back (Google)
LOGIN_AGAIN = "log in again with `mailbot setup --login`"
MICROSOFT = "https://login.microsoftonline.com"
MICROSOFT_SCOPE = "https://outlook.office.com/IMAP.AccessAsUser.All"  # msal adds offline_access
GOOGLE_AUTH = "https://accounts.google.com/o/oauth2/v2/auth"
GOOGLE_TOKEN = "https://oauth2.googleapis.com/token"  # noqa: S105 - an address
GOOGLE_SCOPE = "https://mail.google.com/"
# Answers meaning the refresh token is no good any more (revoked, expired, password
# changed, new consent or MFA required): only a new sign-in by the owner helps.
_SIGN_IN_AGAIN = {"invalid_grant", "interaction_required", "login_required", "consent_required"}

Answer = dict[str, Any]  # a token endpoint's JSON answer (or msal's result)
Out = Callable[[str], object]


class LoginExpired(LoginRefused):
    """No stored sign-in, or the provider no longer accepts it: the owner must log in."""


@dataclass(frozen=True)
class Tokens:
    """What is stored for one IMAP user."""

    provider: str
    client_id: str
    access_token: str
    refresh_token: str
    expires_at: float  # seconds since the epoch


def login(imap: ImapSettings, *, out: Out = print, open_url: Out | None = None) -> None:
    """Sign the owner in interactively and store the tokens. Microsoft: prints a page and
    a code to enter there. Google: opens the browser (where there is a desktop; the
    address is printed too) and waits for it on a loopback port. `open_url` replaces
    the browser (tests)."""
    oauth2 = _settings(imap)
    provider = _provider(oauth2)
    answer = provider.sign_in(imap.user, out, open_url or _desktop_browser)
    tokens = _tokens(_checked(answer, provider.name, imap.user, signing_in=True), oauth2, None)
    signed_in = str(answer.get("id_token_claims", {}).get("preferred_username") or "")
    if signed_in and signed_in.casefold() != imap.user.casefold():
        out(
            f"Note: you signed in as {signed_in}, but MAILBOT_IMAP_USER is {imap.user}: the "
            "server refuses the login unless that account may open this mailbox."
        )
    where = _save(oauth2, imap.user, tokens)
    out(f"Signed in to {provider.name} as {imap.user}; the tokens are kept in {where}.")


def access_token(imap: ImapSettings, *, fresh: bool = False) -> str:
    """A valid access token for XOAUTH2: the stored one, refreshed first when it expires
    within REFRESH_AHEAD seconds or when `fresh` (the server refused the last one)."""
    oauth2 = _settings(imap)
    with _REFRESHING:  # the daemon's cycle and IDLE threads log in on their own
        tokens = _stored(oauth2, imap.user)
        if fresh or tokens.expires_at - time.time() < REFRESH_AHEAD:
            provider = _provider(oauth2)
            answer = _checked(provider.refresh(tokens.refresh_token), provider.name, imap.user)
            tokens = _tokens(answer, oauth2, tokens.refresh_token)
            _save(oauth2, imap.user, tokens)
            log.info("refreshed the %s access token of %s", provider.name, imap.user)
    return tokens.access_token


_REFRESHING = threading.Lock()


def _settings(imap: ImapSettings) -> OAuth2Settings:
    if imap.oauth2 is None:
        raise ConfigError(
            "MAILBOT_OAUTH2_PROVIDER",
            "is not set: mailbot's own sign-in needs MAILBOT_IMAP_AUTH=oauth2 and a provider",
        )
    return imap.oauth2


def _stored(oauth2: OAuth2Settings, user: str) -> Tokens:
    tokens = _load(oauth2, user)
    if tokens is None:
        raise LoginExpired(f"no OAuth2 sign-in is stored for {user}: {LOGIN_AGAIN}")
    if (tokens.provider, tokens.client_id) != (oauth2.provider, oauth2.client_id):
        raise LoginExpired(
            f"the stored sign-in of {user} was made with another provider or client ID "
            f"than MAILBOT_OAUTH2_PROVIDER/MAILBOT_OAUTH2_CLIENT_ID: {LOGIN_AGAIN}"
        )
    return tokens


def _checked(answer: Answer, provider: str, user: str, *, signing_in: bool = False) -> Answer:
    """The answer if it carries an access token; else the refusal, in one line: a
    refresh token no longer accepted is LoginExpired (unless this is the sign-in)."""
    if isinstance(answer.get("access_token"), str) and answer["access_token"]:
        return answer
    error = str(answer.get("error") or "no access token in the answer")
    said = " ".join(str(answer.get("error_description") or "").split())
    said = said.split(" Trace ID:")[0][:200]  # Microsoft appends trace and correlation IDs
    why = f"{error}: {said}" if said else error
    if error in _SIGN_IN_AGAIN and not signing_in:
        raise LoginExpired(
            f"{provider} no longer accepts the sign-in of {user} ({why}); {LOGIN_AGAIN}"
        )
    hint = next((f"; {h}" for code, h in _HINTS.items() if code in said), "")
    if error in ("invalid_client", "unauthorized_client") and not hint:
        secret = " and MAILBOT_OAUTH2_CLIENT_SECRET" if provider == "Google" else ""
        hint = f"; check MAILBOT_OAUTH2_CLIENT_ID{secret}"
    raise ConnectError(f"{provider} refused the sign-in of {user} ({why}){hint}")


# What Microsoft says (its AADSTS codes) when the app registration is not set up for
# mailbot, and what to do about it.
_HINTS = {
    "AADSTS7000218": "turn on 'Allow public client flows' in the app registration (Authentication)",
    "AADSTS50194": "the app is registered for one organisation only: set "
    "MAILBOT_OAUTH2_TENANT to its tenant ID",
    "AADSTS700016": "check MAILBOT_OAUTH2_CLIENT_ID and MAILBOT_OAUTH2_TENANT",
    "AADSTS65001": "an administrator must first grant consent to the app's IMAP permission",
}


def _tokens(answer: Answer, oauth2: OAuth2Settings, previous: str | None) -> Tokens:
    """Tokens from a checked answer; a refresh that brings no new refresh token keeps
    the old one (Google never rotates it)."""
    refresh = answer.get("refresh_token") or previous
    if not isinstance(refresh, str) or not refresh:
        raise ConnectError(
            "the sign-in gave no refresh token, so mailbot could not renew it: "
            f"{LOGIN_AGAIN} (and allow offline access)"
        )
    try:
        lifetime = int(answer.get("expires_in") or 3600)
    except (TypeError, ValueError):
        lifetime = 3600
    tokens = Tokens(
        provider=oauth2.provider,
        client_id=oauth2.client_id,
        access_token=answer["access_token"],
        refresh_token=refresh,
        expires_at=time.time() + lifetime,
    )
    register_secret(tokens.access_token)
    register_secret(tokens.refresh_token)
    return tokens


# ---------------------------------------------------------------- providers


class _Microsoft:
    """Device-code sign-in and refresh with msal, against ADDRESS/TENANT."""

    name = "Microsoft"
    _apps: dict[tuple[str, str], Any] = {}  # noqa: RUF012 - msal apps, kept for the process

    def __init__(self, oauth2: OAuth2Settings) -> None:
        self._oauth2 = oauth2
        self._authority = f"{oauth2.authority or MICROSOFT}/{oauth2.tenant}"

    def sign_in(self, user: str, out: Out, open_url: Out) -> Answer:
        """The device-code flow: the owner opens a page anywhere and types the code
        (no browser is opened: the page may be on another device)."""
        app = self._app()
        with _reaching(self._authority):
            flow: Answer = app.initiate_device_flow(scopes=[MICROSOFT_SCOPE])
            if "user_code" not in flow:
                return flow  # the refusal, reported by _checked
            out(
                str(flow.get("message") or "")
                or f"To sign in, open {flow.get('verification_uri')} and enter the code "
                f"{flow['user_code']}."
            )
            answer: Answer = app.acquire_token_by_device_flow(flow)
        return answer

    def refresh(self, refresh_token: str) -> Answer:
        app = self._app()
        with _reaching(self._authority):
            answer: Answer = app.acquire_token_by_refresh_token(
                refresh_token, scopes=[MICROSOFT_SCOPE]
            )
        return answer

    def _app(self) -> Any:
        """msal's PublicClientApplication (it reads the tenant's endpoints once)."""
        key = (self._authority, self._oauth2.client_id)
        if key not in self._apps:
            import msal  # type: ignore[import-untyped]

            with _reaching(self._authority):
                try:
                    self._apps[key] = msal.PublicClientApplication(
                        self._oauth2.client_id,
                        authority=self._authority,
                        # msal asks Microsoft whether a host is an authority: not for
                        # an address of the owner's choosing (MAILBOT_OAUTH2_AUTHORITY)
                        instance_discovery=False if self._oauth2.authority else None,
                        timeout=HTTP_TIMEOUT,
                    )
                except ValueError as exc:  # msal: the tenant's configuration not found
                    raise ConnectError(
                        f"{self._authority} gave no sign-in configuration: check "
                        f"MAILBOT_OAUTH2_TENANT ({str(exc).splitlines()[0][:200]})"
                    ) from None
        return self._apps[key]


class _Google:
    """The installed-app flow: authorization code with PKCE to a loopback redirect."""

    name = "Google"

    def __init__(self, oauth2: OAuth2Settings) -> None:
        self._oauth2 = oauth2
        base = oauth2.authority
        self._auth_url = f"{base}/o/oauth2/v2/auth" if base else GOOGLE_AUTH
        self._token_url = f"{base}/token" if base else GOOGLE_TOKEN
        if oauth2.client_secret:
            register_secret(oauth2.client_secret)

    def sign_in(self, user: str, out: Out, open_url: Out) -> Answer:
        verifier = secrets.token_urlsafe(64)  # 86 characters (RFC 7636: 43 to 128)
        challenge = _base64url(hashlib.sha256(verifier.encode("ascii")).digest())
        state = secrets.token_urlsafe(32)
        with _Redirect() as redirect:
            query = {
                "client_id": self._oauth2.client_id,
                "redirect_uri": redirect.uri,
                "response_type": "code",
                "scope": GOOGLE_SCOPE,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "state": state,
                "access_type": "offline",  # a refresh token
                "prompt": "consent",  # a refresh token again on a second login
                "login_hint": user,
            }
            url = f"{self._auth_url}?{urllib.parse.urlencode(query)}"
            out(f"Sign in to Google as {user} in your browser; if none opens, open this address:")
            out(url)
            out(
                f"(On a server without a browser, first forward the port from your computer: "
                f"ssh -N -L {redirect.port}:127.0.0.1:{redirect.port} THIS-SERVER)"
            )
            open_url(url)
            came_back = redirect.wait(BROWSER_TIMEOUT)
        if not secrets.compare_digest(came_back.get("state", "").encode(), state.encode()):
            raise ConnectError(
                "the browser came back without the state mailbot sent (another page's "
                "answer?): start the login again"
            )
        if "code" not in came_back:
            return {"error": came_back.get("error", "no code"), **came_back}
        return self._post(
            {
                "grant_type": "authorization_code",
                "code": came_back["code"],
                "redirect_uri": redirect.uri,
                "code_verifier": verifier,
            }
        )

    def refresh(self, refresh_token: str) -> Answer:
        return self._post({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _post(self, form: dict[str, str]) -> Answer:
        import requests

        form = {
            **form,
            "client_id": self._oauth2.client_id,
            "client_secret": self._oauth2.client_secret or "",
        }
        with _reaching(self._token_url):
            response = requests.post(self._token_url, data=form, timeout=HTTP_TIMEOUT)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            return {"error": f"HTTP {response.status_code} with no JSON answer"}
        return answer


def _provider(oauth2: OAuth2Settings) -> _Microsoft | _Google:
    return _Microsoft(oauth2) if oauth2.provider == "microsoft" else _Google(oauth2)


@contextlib.contextmanager
def _reaching(url: str) -> Iterator[None]:
    """A network failure talking to the sign-in server, as one line (ConnectError)."""
    import requests

    try:
        yield
    except requests.RequestException as exc:  # the details hold the whole address
        what = type(exc).__name__
        raise ConnectError(f"cannot reach the sign-in server {url}: {what}") from None
    except OSError as exc:  # e.g. REQUESTS_CA_BUNDLE names no file
        raise ConnectError(f"cannot reach the sign-in server {url}: {exc}") from None


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _desktop_browser(url: str) -> None:
    """Open `url` where there is a desktop. On a server Python would start a text-mode
    browser (lynx, w3m) in the terminal, hiding the instructions printed above."""
    if (
        sys.platform in ("darwin", "win32")
        or os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
    ):
        webbrowser.open(url)


class _Redirect:
    """A one-shot HTTP server on a free loopback port, for the browser's redirect."""

    def __enter__(self) -> _Redirect:
        self._server = http.server.HTTPServer(("127.0.0.1", 0), _RedirectHandler)
        self._server.came_back = None  # type: ignore[attr-defined]
        self.port = int(self._server.server_address[1])
        self.uri = f"http://127.0.0.1:{self.port}/"
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.server_close()

    def wait(self, seconds: float) -> dict[str, str]:
        """The query of the first request to / carrying a code or an error."""
        deadline = time.monotonic() + seconds
        self._server.timeout = 1
        while self._server.came_back is None:  # type: ignore[attr-defined]
            if time.monotonic() > deadline:
                raise ConnectError(
                    f"the browser did not come back within {seconds / 60:.0f} minutes: "
                    "start the login again"
                )
            self._server.handle_request()
        came_back: dict[str, str] = self._server.came_back  # type: ignore[attr-defined]
        return came_back


class _RedirectHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(parts.query).items()}
        if parts.path != "/" or not ("code" in query or "error" in query):
            self.send_error(404)
            return
        self.server.came_back = query  # type: ignore[attr-defined]
        done = "error" not in query
        page = (
            "<!doctype html><title>mailbot</title><p>"
            + (
                "mailbot is signed in. You can close this tab."
                if done
                else "The sign-in did not complete; see the terminal."
            )
        ).encode()
        self.send_response(200 if done else 400)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request line carries the authorisation code."""


# ---------------------------------------------------------------- storage


def where_stored(imap: ImapSettings) -> str:
    """Where this user's tokens go: the keyring (by name) or the file."""
    oauth2 = _settings(imap)
    backend = _keyring()
    return _keyring_name(backend) if backend is not None else str(oauth2.token_file)


def _load(oauth2: OAuth2Settings, user: str) -> Tokens | None:
    """The keyring's record, else the file's (kept when there was no keyring)."""
    problem = None
    backend = _keyring()
    if backend is not None:
        try:
            text = backend.get_password(SERVICE, user)
        except Exception as exc:  # a backend's own errors too (D-Bus, a locked keyring)
            problem = f"{type(exc).__name__}: {exc}"
        else:
            if text:
                return _parse(text, _keyring_name(backend))
    record = _File(oauth2.token_file).read().get(user)
    if record is not None:
        return _parse(json.dumps(record), str(oauth2.token_file))
    if problem:
        raise ConnectError(f"cannot read the OAuth2 tokens from the keyring ({problem[:200]})")
    return None


def _save(oauth2: OAuth2Settings, user: str, tokens: Tokens) -> str:
    """Store in the keyring if there is one (and drop an older copy in the file), else
    in the file. Returns where."""
    file = _File(oauth2.token_file)
    backend = _keyring()
    if backend is not None:
        try:
            backend.set_password(SERVICE, user, json.dumps(asdict(tokens)))
        except Exception as exc:  # a backend's own errors too (D-Bus, a locked keyring)
            log.warning(
                "cannot store the OAuth2 tokens in the keyring (%s); keeping them in %s",
                type(exc).__name__,
                file.path,
            )
        else:
            file.drop(user)
            return _keyring_name(backend)
    file.write(user, asdict(tokens))
    return str(file.path)


def _parse(text: str, where: str) -> Tokens:
    try:
        data = json.loads(text)
        tokens = Tokens(
            provider=str(data["provider"]),
            client_id=str(data["client_id"]),
            access_token=str(data["access_token"]),
            refresh_token=str(data["refresh_token"]),
            expires_at=float(data["expires_at"]),
        )
    except (ValueError, TypeError, KeyError):
        raise LoginExpired(f"the OAuth2 tokens in {where} are damaged: {LOGIN_AGAIN}") from None
    register_secret(tokens.access_token)
    register_secret(tokens.refresh_token)
    return tokens


def _keyring() -> Any | None:
    """The OS keyring, or None where there is none (keyring's fail or null backend:
    a headless server, or PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring)."""
    import keyring
    from keyring.backends import fail, null

    backend = keyring.get_keyring()
    return None if isinstance(backend, (fail.Keyring, null.Keyring)) else backend


def _keyring_name(backend: Any) -> str:
    return f'the keyring ({type(backend).__module__}, service "{SERVICE}")'


class _File:
    """{user: tokens} in a JSON file, user-only (0600), replaced whole on each write."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise ConnectError(f"cannot read the OAuth2 tokens in {self.path}: {exc}") from None
        except ValueError:  # damaged: as good as none, and the next login replaces it
            log.warning("%s is not JSON: ignored", self.path)
            return {}
        return data if isinstance(data, dict) else {}

    def write(self, user: str, record: dict[str, Any]) -> None:
        data = self.read()
        data[user] = record
        self._replace(data)

    def drop(self, user: str) -> None:
        if self.path.exists():
            data = self.read()
            if data.pop(user, None) is None:
                return
            if data:
                self._replace(data)
            else:
                self.path.unlink()

    def _replace(self, data: dict[str, Any]) -> None:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            temp.replace(self.path)
        except OSError as exc:
            raise ConnectError(f"cannot write the OAuth2 tokens to {self.path}: {exc}") from None
