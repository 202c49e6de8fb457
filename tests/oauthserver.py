"""A small OAuth2 authorisation server for the tests, on free loopback ports.

oidc-provider-mock (the version on PyPI here, 0.3.4) does only the authorization-code
and refresh grants with OpenID scopes: no device code, no introspection, no tenant
paths. This one plays, over HTTPS with a self-signed certificate for `localhost`:
- Microsoft: msal's tenant discovery (/TENANT/v2.0/.well-known/openid-configuration),
  the device-code flow (/TENANT/oauth2/v2.0/devicecode, a /devicelogin page the test
  posts the code to, as the owner's browser would) and the token endpoint;
- Google: /o/oauth2/v2/auth (signs the browser in and redirects with a code) and /token
  (authorization code with PKCE and client secret; refresh);
and, over plain HTTP on a second port, RFC 7662 introspection for Dovecot's oauth2 passdb.
Tokens expire (server side, at will) and can be revoked, to test what mailbot does then.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import shutil
import ssl
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
from dovecot import _self_signed_certificate

from mailbot import oauth
from mailbot.config import ImapSettings

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
MICROSOFT_SCOPE = "https://outlook.office.com/IMAP.AccessAsUser.All"
GOOGLE_SCOPE = "https://mail.google.com/"


@dataclass
class _Grant:
    user: str
    client_id: str
    scope: str
    revoked: bool = False


@dataclass
class _Access:
    user: str
    expires_at: float


@dataclass
class _State:
    device: dict[str, dict[str, Any]] = field(default_factory=dict)  # device_code -> flow
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)  # authorization codes
    refresh: dict[str, _Grant] = field(default_factory=dict)
    access: dict[str, _Access] = field(default_factory=dict)


class OAuthServer:
    """Accepts one client: `client_id` (and `client_secret` for the Google endpoints)."""

    def __init__(self, client_id: str, client_secret: str | None = None) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.lifetime = 3600  # seconds an access token is said to live (expires_in)
        self.grants: list[str] = []  # the grant_type of every token request, in order
        self.scopes: list[str] = []  # the scope asked for in each sign-in
        self.introspected: list[bool] = []  # each introspection's answer (active or not)
        self.public_client_flows = True  # False: an app registration with it switched off
        self._state = _State()
        self._lock = threading.Lock()
        self.dir = Path(tempfile.mkdtemp(prefix="mailbot-oauth-"))
        self.cert, key = _self_signed_certificate(self.dir)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self._https = _Server(("127.0.0.1", 0), _Handler, self)
        self._https.socket = context.wrap_socket(self._https.socket, server_side=True)
        self._http = _Server(("127.0.0.1", 0), _Handler, self)
        self.url = f"https://localhost:{self._https.server_address[1]}"
        self.introspection_url = f"http://127.0.0.1:{self._http.server_address[1]}/introspect"
        self._threads = [
            threading.Thread(target=s.serve_forever, args=(0.05,), daemon=True)
            for s in (self._https, self._http)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def down(self) -> None:
        """Stop answering: the provider is unreachable."""
        for server in (self._https, self._http):
            server.shutdown()
            server.server_close()

    def stop(self) -> None:
        self.down()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- what the test does to the server's tokens

    def expire(self, user: str) -> None:
        """Every access token of `user` expires now (the client still believes it good)."""
        with self._lock:
            for access in self._state.access.values():
                if access.user == user:
                    access.expires_at = 0

    def revoke(self, user: str) -> None:
        """The owner revoked mailbot's access: refresh and access tokens stop working."""
        self.expire(user)
        with self._lock:
            for grant in self._state.refresh.values():
                if grant.user == user:
                    grant.revoked = True

    def user_of(self, token: str) -> str | None:
        """Whose valid access token this is (None: unknown, expired or revoked)."""
        with self._lock:
            access = self._state.access.get(token)
            return access.user if access and access.expires_at > time.time() else None

    # -- the endpoints' logic

    def device_code(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("client_id") != self.client_id:
            return 400, {"error": "unauthorized_client", "error_description": "unknown client"}
        if not self.public_client_flows:
            return 401, {
                "error": "invalid_client",
                "error_description": "AADSTS7000218: The request body must contain the "
                "following parameter: 'client_assertion' or 'client_secret'. Trace ID: 0",
            }
        device, user_code = secrets.token_urlsafe(16), secrets.token_hex(4).upper()
        with self._lock:
            self._state.device[device] = {"user_code": user_code, "user": None, **form}
        self.scopes.append(form.get("scope", ""))
        page = f"{self.url}/devicelogin"
        return 200, {
            "device_code": device,
            "user_code": user_code,
            "verification_uri": page,
            "expires_in": 900,
            "interval": 1,
            "message": f"To sign in, use a web browser to open the page {page} and enter "
            f"the code {user_code} to authenticate.",
        }

    def device_login(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """The owner's browser: the code typed on the page, signed in as `login`."""
        with self._lock:
            for flow in self._state.device.values():
                if flow["user_code"] == form.get("user_code"):
                    flow["user"] = form["login"]
                    return 200, {"signed_in": form["login"]}
        return 400, {"error": "no such code"}

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """Google's consent page: the browser is signed in as login_hint and sent back."""
        redirect = query.get("redirect_uri", "")
        loopback = urllib.parse.urlsplit(redirect)
        if (
            query.get("client_id") != self.client_id
            or loopback.scheme != "http"
            or loopback.hostname != "127.0.0.1"
            or query.get("response_type") != "code"
            or query.get("code_challenge_method") != "S256"
            or not query.get("code_challenge")
            or not query.get("state")
        ):
            return 400, "bad authorisation request"
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._state.codes[code] = {**query, "user": query.get("login_hint", "")}
        self.scopes.append(query.get("scope", ""))
        back = {"code": code, "state": query["state"], "scope": query.get("scope", "")}
        return 302, f"{redirect}?{urllib.parse.urlencode(back)}"

    def token(
        self, form: dict[str, str], *, google: bool, issuer: str = ""
    ) -> tuple[int, dict[str, Any]]:
        grant = form.get("grant_type", "")
        self.grants.append(grant)
        if form.get("client_id") != self.client_id or (
            google and form.get("client_secret") != self.client_secret
        ):
            return 401, {"error": "invalid_client", "error_description": "unknown client"}
        with self._lock:
            if grant == DEVICE_GRANT:
                flow = self._state.device.get(form.get("device_code", ""))
                if flow is None:
                    return 400, {"error": "expired_token"}
                if flow["user"] is None:
                    return 400, {"error": "authorization_pending"}
                del self._state.device[form["device_code"]]
                answer = self._issue(flow["user"], flow.get("scope", ""), rotate=True)
                return 200, answer | {"id_token": self._id_token(flow["user"], issuer)}
            if grant == "authorization_code":
                code = self._state.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "").encode()
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest())
                if (
                    code is None
                    or form.get("redirect_uri") != code["redirect_uri"]
                    or challenge.rstrip(b"=").decode() != code["code_challenge"]
                ):
                    return 400, {"error": "invalid_grant", "error_description": "bad code"}
                return 200, self._issue(code["user"], code.get("scope", ""), rotate=True)
            if grant == "refresh_token":
                old = self._state.refresh.get(form.get("refresh_token", ""))
                if old is None or old.revoked or old.client_id != self.client_id:
                    return 400, {
                        "error": "invalid_grant",
                        "error_description": "AADSTS70000: The refresh token was revoked. "
                        "Trace ID: 0000 Correlation ID: 1111",
                    }
                return 200, self._issue(old.user, old.scope, rotate=not google)
        return 400, {"error": "unsupported_grant_type"}

    def _id_token(self, user: str, issuer: str) -> str:
        """Microsoft's ID token: who signed in (msal reads it; unsigned will do here)."""
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": self.client_id,
            "sub": user,
            "iat": now,
            "exp": now + 3600,
            "preferred_username": user,
        }
        parts = [{"alg": "none", "typ": "JWT"}, claims]
        encoded = [base64.urlsafe_b64encode(json.dumps(p).encode()).rstrip(b"=") for p in parts]
        return b".".join([*encoded, b""]).decode()

    def _issue(self, user: str, scope: str, *, rotate: bool) -> dict[str, Any]:
        """Tokens for `user` (the lock held). Microsoft rotates the refresh token on each
        use; Google hands out none on refresh."""
        access = "at-" + secrets.token_urlsafe(24)
        self._state.access[access] = _Access(user, time.time() + self.lifetime)
        answer: dict[str, Any] = {
            "token_type": "Bearer",
            "access_token": access,
            "expires_in": self.lifetime,
            "scope": scope,
        }
        if rotate:
            refresh = "rt-" + secrets.token_urlsafe(24)
            self._state.refresh[refresh] = _Grant(user, self.client_id, scope)
            answer["refresh_token"] = refresh
        return answer

    def introspect(self, form: dict[str, str]) -> dict[str, Any]:
        user = self.user_of(form.get("token", ""))
        self.introspected.append(user is not None)
        return {"active": True, "username": user} if user else {"active": False}

    def discovery(self, tenant: str) -> dict[str, Any]:
        base = f"{self.url}/{tenant}"
        return {
            "issuer": f"{base}/v2.0",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        }


class Owner:
    """The person at the terminal: reads what mailbot prints and does it in a browser
    (an HTTP client of the authorisation server), signed in as `login`."""

    def __init__(self, server: OAuthServer, login: str) -> None:
        self.server = server
        self.login = login
        self.lines: list[str] = []
        self.pages: list[requests.Response] = []
        self._threads: list[threading.Thread] = []

    def read(self, line: str) -> None:
        """Microsoft: the device-code page and the code, typed in there."""
        self.lines.append(line)
        if found := re.search(r"open the page (\S+) and enter the code (\w+)", line):
            page = requests.post(
                found.group(1), data={"user_code": found.group(2), "login": self.login}, timeout=10
            )
            page.raise_for_status()

    def browse(self, url: str) -> None:
        """Google: the browser opens the sign-in address and follows it back to mailbot
        (in its own thread, as a browser is its own process)."""
        thread = threading.Thread(target=lambda: self.pages.append(requests.get(url, timeout=30)))
        thread.start()
        self._threads.append(thread)

    def done(self) -> None:
        for thread in self._threads:
            thread.join(30)

    def sign_in(self, imap: ImapSettings) -> None:
        """mailbot's login, with this owner at the terminal and in the browser."""
        try:
            oauth.login(imap, out=self.read, open_url=self.browse)
        finally:
            self.done()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type, owner: OAuthServer) -> None:
        super().__init__(address, handler)
        self.owner = owner


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        owner = self.server.owner
        segments = parts.path.strip("/").split("/")
        if parts.path.endswith("/v2.0/.well-known/openid-configuration"):
            self._json(200, owner.discovery(segments[0]))
        elif parts.path == "/o/oauth2/v2/auth":
            status, where = owner.authorize(query)
            self.send_response(status)
            if status == 302:
                self.send_header("Location", where)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        owner = self.server.owner
        path = urllib.parse.urlsplit(self.path).path
        if path.endswith("/oauth2/v2.0/devicecode"):
            self._json(*owner.device_code(form))
        elif path == "/devicelogin":
            self._json(*owner.device_login(form))
        elif path.endswith("/oauth2/v2.0/token"):
            tenant = path.strip("/").split("/")[0]
            self._json(*owner.token(form, google=False, issuer=owner.discovery(tenant)["issuer"]))
        elif path == "/token":
            self._json(*owner.token(form, google=True))
        elif path == "/introspect":
            self._json(200, owner.introspect(form))
        else:
            self._json(404, {"error": "not_found"})

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read the server's state, not its log."""
