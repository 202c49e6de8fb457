"""mailbot's own OAuth2 sign-in, end to end: a local authorisation server
(tests/oauthserver.py) and a Dovecot whose oauth2 passdb asks it about every XOAUTH2
token (RFC 7662 introspection), so each login below is a real token check."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from builders import invitation
from conftest import require_dovecot
from dovecot import Account, Dovecot
from imapclient import IMAPClient
from imapclient.exceptions import LoginError
from keyring.backends import fail
from oauthserver import OAuthServer, Owner
from support import drafts, mailbot, seed_raw, write_env

from mailbot import oauth
from mailbot.config import ImapSettings, load_settings
from mailbot.mailboxes.imap import open_imap

pytestmark = pytest.mark.dovecot

CLIENTS = {
    "microsoft": ("0a1b2c3d-0000-4000-8000-123456789abc", None),
    "google": ("1234-abc.apps.googleusercontent.com", "GOCSPX-test-client-secret"),
}


@pytest.fixture(scope="module", params=sorted(CLIENTS))
def provider(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def server(provider: str) -> Iterator[OAuthServer]:
    client_id, secret = CLIENTS[provider]
    oauth_server = OAuthServer(client_id, secret)
    oauth_server.start()
    yield oauth_server
    oauth_server.stop()


@pytest.fixture(scope="module")
def dovecot(server: OAuthServer) -> Iterator[Dovecot]:
    """A Dovecot checking XOAUTH2 tokens with `server` (LOGIN still takes the password,
    for the tests' own seeding and reading)."""
    require_dovecot()
    imap_server = Dovecot(oauth2_introspection=server.introspection_url)
    imap_server.start()
    yield imap_server
    imap_server.stop()


@pytest.fixture
def env(
    provider: str,
    server: OAuthServer,
    account: Account,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[dict[str, str]]:
    """Settings for the built-in sign-in; tokens in the file beside the state (no
    keyring here, nor in the `mailbot` processes the tests start)."""
    client_id, secret = CLIENTS[provider]
    values = write_env(
        tmp_path,
        account,
        MAILBOT_IMAP_AUTH="oauth2",
        MAILBOT_OAUTH2_PROVIDER=provider,
        MAILBOT_OAUTH2_CLIENT_ID=client_id,
        MAILBOT_OAUTH2_AUTHORITY=server.url,
        REQUESTS_CA_BUNDLE=str(server.cert),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    del values["MAILBOT_IMAP_PASSWORD"]
    if secret:
        values["MAILBOT_OAUTH2_CLIENT_SECRET"] = secret
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.cert))
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield values
    keyring.set_keyring(before)
    server.lifetime = 3600


def settings(env: dict[str, str]) -> ImapSettings:
    imap = load_settings(None, env).imap
    assert imap is not None and imap.oauth2 is not None
    return imap


def test_first_login_then_a_real_xoauth2_login(
    server: OAuthServer, dovecot: Dovecot, account: Account, env: dict[str, str]
) -> None:
    """The owner signs in once; mailbot's XOAUTH2 login is then accepted by Dovecot
    after asking the authorisation server, which refuses a token it never issued."""
    imap = settings(env)
    Owner(server, account.user).sign_in(imap)
    checked = len(server.introspected)
    with open_imap(imap) as mailbox:
        assert mailbox.status("INBOX").uidnext >= 1
    assert server.introspected[checked:] == [True]
    assert dovecot.logins(account.user) == 1
    assert f"user=<{account.user}>, method=XOAUTH2" in (dovecot.dir / "dovecot.log").read_text()
    forged = IMAPClient(account.host, port=account.port, ssl=False, timeout=10)
    with pytest.raises(LoginError):
        forged.oauth2_login(account.user, "at-never-issued")
    forged.shutdown()


def test_a_token_about_to_expire_is_refreshed_before_the_login(
    server: OAuthServer, dovecot: Dovecot, account: Account, env: dict[str, str]
) -> None:
    """Signed in with tokens that live less than REFRESH_AHEAD: the next login refreshes
    first, so Dovecot never sees a token about to lapse."""
    server.lifetime = oauth.REFRESH_AHEAD // 2
    imap = settings(env)
    Owner(server, account.user).sign_in(imap)
    server.lifetime = 3600
    checked, granted = len(server.introspected), len(server.grants)
    with open_imap(imap):
        pass
    assert server.grants[granted:] == ["refresh_token"]
    assert server.introspected[checked:] == [True]


def test_a_token_the_server_refuses_is_refreshed_and_the_login_retried_once(
    server: OAuthServer, dovecot: Dovecot, account: Account, env: dict[str, str]
) -> None:
    """The stored token looks valid for an hour but the provider has let it lapse:
    Dovecot refuses it, mailbot refreshes and logs in with the new one."""
    imap = settings(env)
    Owner(server, account.user).sign_in(imap)
    server.expire(account.user)
    checked, granted = len(server.introspected), len(server.grants)
    with open_imap(imap) as mailbox:
        assert mailbox.status("INBOX").uidnext >= 1
    assert server.introspected[checked:] == [False, True]
    assert server.grants[granted:] == ["refresh_token"]
    assert dovecot.logins(account.user) == 1


def test_the_daemon_drafts_with_the_built_in_sign_in_and_a_revoked_one_exits_3(
    server: OAuthServer, dovecot: Dovecot, account: Account, env: dict[str, str], tmp_path: Path
) -> None:
    """`mailbot --run-once` logs in with the stored tokens (from the 0600 file: no keyring
    in its process) and drafts a reply; once the owner revokes mailbot's access, it
    stops with exit 3 and one line saying how to log in again, and shows no token."""
    imap = settings(env)
    Owner(server, account.user).sign_in(imap)
    seed_raw(account, invitation("Otto Auth"))
    result = mailbot(tmp_path, env, "--run-once")
    assert result.returncode == 0, result.stderr
    assert len(drafts(account)) == 1
    record = json.loads((tmp_path / "oauth2-tokens.json").read_text())[account.user]
    server.revoke(account.user)
    refused = mailbot(tmp_path, env, "--run-once")
    assert refused.returncode == 3, refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mailbot: cannot connect: ")
    assert lines[0].endswith("log in again with `mailbot setup --login`")
    shown = refused.stderr + refused.stdout
    assert record["access_token"] not in shown and record["refresh_token"] not in shown
