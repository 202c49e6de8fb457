"""mailbot's own OAuth2 sign-in (mailbot/oauth.py) against a real local authorisation
server (tests/oauthserver.py): first login, where tokens are kept, refresh, revocation."""

from __future__ import annotations

import json
import logging
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from oauthserver import DEVICE_GRANT, GOOGLE_SCOPE, MICROSOFT_SCOPE, OAuthServer, Owner

from mailbot import oauth
from mailbot import secrets as mailbot_secrets
from mailbot.config import ImapSettings, load_settings
from mailbot.errors import ConfigError, ConnectError

MICROSOFT_ID = "0a1b2c3d-0000-4000-8000-123456789abc"
GOOGLE_ID = "1234-abc.apps.googleusercontent.com"
GOOGLE_SECRET = "GOCSPX-test-client-secret"
USER = "robin@owner.example"  # the IMAP user, and who signs in (Owner's default)


class MemoryKeyring(KeyringBackend):
    """An OS keyring, in memory."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


class LockedKeyring(MemoryKeyring):
    """A keyring that is there but refuses to store (a locked collection)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the collection is locked")


@pytest.fixture
def store() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(before)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def start_server(monkeypatch: pytest.MonkeyPatch, secret: str | None) -> Iterator[OAuthServer]:
    server = OAuthServer(GOOGLE_ID if secret else MICROSOFT_ID, secret)
    server.start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.cert))  # its self-signed certificate
    yield server
    server.stop()


@pytest.fixture
def microsoft(monkeypatch: pytest.MonkeyPatch) -> Iterator[OAuthServer]:
    yield from start_server(monkeypatch, None)


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> Iterator[OAuthServer]:
    yield from start_server(monkeypatch, GOOGLE_SECRET)


def env_for(tmp_path: Path, provider: str, **extra: str) -> dict[str, str]:
    env = {
        "HOME": str(tmp_path),
        "MAILBOT_IMAP_HOST": "imap.owner.example",
        "MAILBOT_IMAP_USER": USER,
        "MAILBOT_IMAP_AUTH": "oauth2",
        "MAILBOT_OAUTH2_PROVIDER": provider,
        "MAILBOT_STATE": str(tmp_path / "state" / "state.sqlite3"),
        "MAILBOT_OWNER_NAME": "Robin Owner",
        "MAILBOT_OWNER_EMAIL": USER,
    }
    if provider == "microsoft":
        env["MAILBOT_OAUTH2_CLIENT_ID"] = MICROSOFT_ID
    else:
        env |= {
            "MAILBOT_OAUTH2_CLIENT_ID": GOOGLE_ID,
            "MAILBOT_OAUTH2_CLIENT_SECRET": GOOGLE_SECRET,
        }
    return env | extra


def imap_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: OAuthServer, provider: str
) -> ImapSettings:
    monkeypatch.chdir(tmp_path)  # no stray ./.env
    settings = load_settings(None, env_for(tmp_path, provider, MAILBOT_OAUTH2_AUTHORITY=server.url))
    assert settings.imap is not None
    return settings.imap


def stored(memory: MemoryKeyring) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(memory.items[("mailbot", USER)])
    return record


# ---------------------------------------------------------------- configuration


def test_built_in_oauth2_settings_and_their_defaults(tmp_path: Path) -> None:
    """A provider with no token command is the built-in sign-in; Microsoft's tenant is
    common by default; the token file lies beside the state."""
    imap = load_settings(None, env_for(tmp_path, "microsoft")).imap
    assert imap is not None and imap.oauth2 is not None and imap.oauth2_token_cmd is None
    assert (imap.oauth2.provider, imap.oauth2.tenant) == ("microsoft", "common")
    assert imap.oauth2.token_file == tmp_path / "state" / "oauth2-tokens.json"
    google = load_settings(None, env_for(tmp_path, "google")).imap
    assert google is not None and google.oauth2 is not None
    assert google.oauth2.client_secret == GOOGLE_SECRET
    assert GOOGLE_SECRET not in repr(google) + repr(google.oauth2)
    command = env_for(tmp_path, "microsoft", MAILBOT_IMAP_OAUTH2_TOKEN_CMD="echo t")
    del command["MAILBOT_OAUTH2_PROVIDER"]
    kept = load_settings(None, command).imap
    assert kept is not None and kept.oauth2 is None and kept.oauth2_token_cmd == "echo t"


@pytest.mark.parametrize(
    ("provider", "change", "key", "says"),
    [
        ("microsoft", {"MAILBOT_IMAP_OAUTH2_TOKEN_CMD": "echo t"}, "MAILBOT_OAUTH2_PROVIDER", "not both"),
        ("microsoft", {"MAILBOT_OAUTH2_PROVIDER": ""}, "MAILBOT_OAUTH2_PROVIDER", "microsoft or google"),
        ("microsoft", {"MAILBOT_OAUTH2_PROVIDER": "yahoo"}, "MAILBOT_OAUTH2_PROVIDER", "one of"),
        ("microsoft", {"MAILBOT_IMAP_AUTH": "login", "MAILBOT_IMAP_PASSWORD": "pw"}, "MAILBOT_OAUTH2_PROVIDER", "needs MAILBOT_IMAP_AUTH=oauth2"),
        ("microsoft", {"MAILBOT_OAUTH2_CLIENT_ID": ""}, "MAILBOT_OAUTH2_CLIENT_ID", "required"),
        ("microsoft", {"MAILBOT_OAUTH2_CLIENT_ID": "my-secret-value"}, "MAILBOT_OAUTH2_CLIENT_ID", "Application (client) ID"),
        ("microsoft", {"MAILBOT_OAUTH2_CLIENT_SECRET": "s"}, "MAILBOT_OAUTH2_CLIENT_SECRET", "google only"),
        ("microsoft", {"MAILBOT_OAUTH2_TENANT": "not a/tenant"}, "MAILBOT_OAUTH2_TENANT", "tenant ID"),
        ("microsoft", {"MAILBOT_OAUTH2_AUTHORITY": "http://localhost:1"}, "MAILBOT_OAUTH2_AUTHORITY", "https://"),
        ("microsoft", {"MAILBOT_OAUTH2_AUTHORITY": "https://localhost:99999"}, "MAILBOT_OAUTH2_AUTHORITY", "https://"),
        ("google", {"MAILBOT_OAUTH2_CLIENT_SECRET": ""}, "MAILBOT_OAUTH2_CLIENT_SECRET", "required"),
        ("google", {"MAILBOT_OAUTH2_CLIENT_ID": MICROSOFT_ID}, "MAILBOT_OAUTH2_CLIENT_ID", "apps.googleusercontent.com"),
        ("google", {"MAILBOT_OAUTH2_TENANT": "common"}, "MAILBOT_OAUTH2_TENANT", "microsoft only"),
    ],
)  # fmt: skip
def test_a_wrong_oauth2_setting_is_one_line_naming_its_key(
    tmp_path: Path, provider: str, change: dict[str, str], key: str, says: str
) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(None, env_for(tmp_path, provider, **change))
    assert error.value.key == key and says in str(error.value)


# ---------------------------------------------------------------- first login


def test_microsoft_device_code_login_stores_the_tokens_in_the_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, microsoft: OAuthServer, store: MemoryKeyring
) -> None:
    """The owner is shown a page and a code; once it is entered there, the tokens are
    in the keyring under service "mailbot" and the IMAP user, and used as they are."""
    imap = imap_settings(tmp_path, monkeypatch, microsoft, "microsoft")
    owner = Owner(microsoft, USER)
    owner.sign_in(imap)
    assert "enter the code" in owner.lines[0] and "the keyring" in owner.lines[-1]
    assert not any(line.startswith("Note:") for line in owner.lines)  # the right account
    asked = microsoft.scopes[0].split()
    assert MICROSOFT_SCOPE in asked and "offline_access" in asked
    record = stored(store)
    assert record["provider"] == "microsoft" and record["client_id"] == MICROSOFT_ID
    assert microsoft.user_of(record["access_token"]) == USER
    assert record["refresh_token"].startswith("rt-")
    assert not (tmp_path / "state" / "oauth2-tokens.json").exists()
    grants = list(microsoft.grants)
    assert mailbot_secrets.oauth2_token(imap) == record["access_token"]
    assert microsoft.grants == grants == [DEVICE_GRANT]  # a valid token is used as it is


def test_signing_in_as_another_account_than_the_imap_user_is_pointed_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, microsoft: OAuthServer, store: MemoryKeyring
) -> None:
    imap = imap_settings(tmp_path, monkeypatch, microsoft, "microsoft")
    owner = Owner(microsoft, "someone.else@owner.example")
    owner.sign_in(imap)
    assert any(
        line.startswith(
            f"Note: you signed in as someone.else@owner.example, but MAILBOT_IMAP_USER is {USER}"
        )
        for line in owner.lines
    )
    assert microsoft.user_of(stored(store)["access_token"]) == "someone.else@owner.example"


def test_google_loopback_login_with_pkce_stores_the_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, google: OAuthServer, store: MemoryKeyring
) -> None:
    """The browser is sent to Google's page and back to a loopback port; the code is
    exchanged with the PKCE verifier (the server checks it against the challenge)."""
    imap = imap_settings(tmp_path, monkeypatch, google, "google")
    owner = Owner(google, USER)
    owner.sign_in(imap)
    assert [page.status_code for page in owner.pages] == [200]
    assert "signed in" in owner.pages[0].text
    assert any(line.startswith(f"{google.url}/o/oauth2/v2/auth?") for line in owner.lines)
    assert google.scopes == [GOOGLE_SCOPE] and google.grants == ["authorization_code"]
    record = stored(store)
    assert record["provider"] == "google" and google.user_of(record["access_token"]) == USER


def test_a_browser_coming_back_with_another_state_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, google: OAuthServer, store: MemoryKeyring
) -> None:
    """A redirect whose state is not the one mailbot sent (a forged request) is not
    exchanged: nothing is stored."""
    imap = imap_settings(tmp_path, monkeypatch, google, "google")
    owner = Owner(google, USER)

    def forged(url: str) -> None:
        owner.browse(re.sub(r"state=[^&]+", "state=forged", url))

    with pytest.raises(ConnectError, match="without the state mailbot sent"):
        oauth.login(imap, out=owner.lines.append, open_url=forged)
    owner.done()
    assert google.grants == [] and store.items == {}


def test_without_a_keyring_the_tokens_go_to_a_0600_file_beside_the_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, microsoft: OAuthServer, no_keyring: None
) -> None:
    imap = imap_settings(tmp_path, monkeypatch, microsoft, "microsoft")
    owner = Owner(microsoft, USER)
    owner.sign_in(imap)
    file = tmp_path / "state" / "oauth2-tokens.json"
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    record = json.loads(file.read_text())[USER]
    assert str(file) in owner.lines[-1] and oauth.where_stored(imap) == str(file)
    assert oauth.access_token(imap) == record["access_token"]
    file.write_text("{damaged")  # as good as none; the next login writes it anew
    with pytest.raises(oauth.LoginExpired, match="no OAuth2 sign-in is stored"):
        oauth.access_token(imap)
    Owner(microsoft, USER).sign_in(imap)
    assert oauth.access_token(imap) == json.loads(file.read_text())[USER]["access_token"]


def test_a_keyring_refusing_to_store_falls_back_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, microsoft: OAuthServer
) -> None:
    before = keyring.get_keyring()
    keyring.set_keyring(LockedKeyring())
    try:
        imap = imap_settings(tmp_path, monkeypatch, microsoft, "microsoft")
        Owner(microsoft, USER).sign_in(imap)
        assert oauth.access_token(imap) in (tmp_path / "state" / "oauth2-tokens.json").read_text()
    finally:
        keyring.set_keyring(before)


# ---------------------------------------------------------------- refresh


def test_an_access_token_about_to_expire_is_refreshed_before_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, microsoft: OAuthServer, store: MemoryKeyring
) -> None:
    """A token with less than REFRESH_AHEAD left is refreshed first; Microsoft's new
    refresh token replaces the old one in the keyring."""
    microsoft.lifetime = oauth.REFRESH_AHEAD // 2
    imap = imap_settings(tmp_path, monkeypatch, microsoft, "microsoft")
    Owner(microsoft, USER).sign_in(imap)
    first = stored(store)
    microsoft.lifetime = 3600
    token = oauth.access_token(imap)
    assert microsoft.grants == [DEVICE_GRANT, "refresh_token"]
    second = stored(store)
    assert token == second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert oauth.access_token(imap) == token and len(microsoft.grants) == 2


def test_fresh_refreshes_now_and_google_keeps_its_refresh_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, google: OAuthServer, store: MemoryKeyring
) -> None:
    """After the server refused a token (fresh=True) a new one is fetched even though it
    looked valid; Google sends no new refresh token, so the old one is kept."""
    imap = imap_settings(tmp_path, monkeypatch, google, "google")
    owner = Owner(google, USER)
    owner.sign_in(imap)
    first = stored(store)
    token = mailbot_secrets.oauth2_token(imap, fresh=True)
    assert google.grants == ["authorization_code", "refresh_token"]
    assert token != first["access_token"] and google.user_of(token) == USER
    assert stored(store)["refresh_token"] == first["refresh_token"]


def test_a_revoked_sign_in_is_one_line_asking_to_log_in_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, microsoft: OAuthServer, store: MemoryKeyring
) -> None:
    imap = imap_settings(tmp_path, monkeypatch, microsoft, "microsoft")
    Owner(microsoft, USER).sign_in(imap)
    microsoft.revoke(USER)
    with pytest.raises(oauth.LoginExpired) as error:
        oauth.access_token(imap, fresh=True)
    message = str(error.value)
    assert "\n" not in message and message.endswith("log in again with `mailbot setup --login`")
    assert "invalid_grant" in message and "Trace ID" not in message
    assert stored(store)["refresh_token"] not in message
    assert isinstance(error.value, ConnectError)  # exit 3, like any refused login


def test_no_stored_sign_in_or_one_for_another_client_asks_to_log_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, microsoft: OAuthServer, store: MemoryKeyring
) -> None:
    imap = imap_settings(tmp_path, monkeypatch, microsoft, "microsoft")
    with pytest.raises(oauth.LoginExpired, match=r"no OAuth2 sign-in is stored for .*--login"):
        oauth.access_token(imap)
    Owner(microsoft, USER).sign_in(imap)
    record = stored(store)
    store.items[("mailbot", USER)] = json.dumps(record | {"client_id": "another"})
    with pytest.raises(oauth.LoginExpired, match="another provider or client ID"):
        oauth.access_token(imap)
    store.items[("mailbot", USER)] = "{not json"
    with pytest.raises(oauth.LoginExpired, match="damaged"):
        oauth.access_token(imap)
    assert microsoft.grants == [DEVICE_GRANT]


def test_a_registration_without_public_client_flows_says_what_to_switch_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, microsoft: OAuthServer, store: MemoryKeyring
) -> None:
    """Microsoft's most common set-up mistake, named in the error with its fix."""
    microsoft.public_client_flows = False
    imap = imap_settings(tmp_path, monkeypatch, microsoft, "microsoft")
    with pytest.raises(ConnectError, match="turn on 'Allow public client flows'") as error:
        Owner(microsoft, USER).sign_in(imap)
    assert "AADSTS7000218" in str(error.value) and store.items == {}


def test_an_unknown_client_is_reported_with_its_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, google: OAuthServer, store: MemoryKeyring
) -> None:
    imap = imap_settings(tmp_path, monkeypatch, google, "google")
    owner = Owner(google, USER)
    owner.sign_in(imap)
    google.client_secret = "GOCSPX-reset-by-the-owner"
    with pytest.raises(ConnectError, match="MAILBOT_OAUTH2_CLIENT_SECRET") as error:
        oauth.access_token(imap, fresh=True)
    assert not isinstance(error.value, oauth.LoginExpired)


def test_an_unreachable_sign_in_server_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, google: OAuthServer, store: MemoryKeyring
) -> None:
    imap = imap_settings(tmp_path, monkeypatch, google, "google")
    owner = Owner(google, USER)
    owner.sign_in(imap)
    google.down()
    with pytest.raises(ConnectError, match="cannot reach the sign-in server") as error:
        oauth.access_token(imap, fresh=True)
    assert "\n" not in str(error.value)


def test_tokens_never_reach_a_log(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    microsoft: OAuthServer,
    store: MemoryKeyring,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Every token mailbot holds is registered: a log line carrying one shows ***."""
    imap = imap_settings(tmp_path, monkeypatch, microsoft, "microsoft")
    Owner(microsoft, USER).sign_in(imap)
    token = oauth.access_token(imap, fresh=True)
    refresh = stored(store)["refresh_token"]
    logger = logging.getLogger("mailbot.test")
    logger.addFilter(mailbot_secrets.RedactSecrets())
    with caplog.at_level(logging.INFO, logger="mailbot.test"):
        logger.info("token %s refresh %s", token, refresh)
    assert caplog.messages == ["token *** refresh ***"]
