"""`mailbot setup` end to end, offline, against a private internet on loopback: a real DNS
server and an HTTPS server with a test CA (tests/netfakes.py) for discovery, the test
Dovecot over TLS for the IMAP servers, and the local authorisation server
(tests/oauthserver.py) behind Dovecot's oauth2 passdb, so each login is real.

The servers stand in for:
(a) a custom domain on Microsoft 365: MX -> outlook, device code approved by the test;
(b) a custom domain on Google Workspace: MX -> Google, the loopback redirect with PKCE;
(c) a provider in Mozilla's ISP database, with a password kept in the keyring;
(d) a domain with its own autoconfig file, with a password in the .env.
The one thing the tests play that the internet does: a host the servers found
(outlook.office365.com, imap.gmail.com, ...) is reached at the Dovecot standing in for
it (`HOSTS`, like a hosts file), trusted as the machine trusts real certificates
(SSL_CERT_FILE). No file is edited by hand: each run goes from the address to the dry
run."""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
import re
import signal
import stat
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
import trustme
from builders import invitation
from conftest import FIXTURES, require_dovecot
from dotenv import dotenv_values
from dovecot import PASSWORD, SPECIAL_USE, Account, Dovecot
from keyring.backends import fail
from netfakes import HttpsSite, Network, Page, Zone, client_context
from oauthserver import OAuthServer, Owner
from support import seed_raw

from mailbot.config import load_settings
from mailbot.setup import command
from mailbot.setup.discover import Candidate, find_server
from mailbot.setup.network import https_get, probe_imap
from mailbot.setup.prompts import Terminal
from mailbot.setup.tools import Tools

pytestmark = pytest.mark.dovecot

MICROSOFT = ("0a1b2c3d-0000-4000-8000-123456789abc", None)
GOOGLE = ("1234-abc.apps.googleusercontent.com", "GOCSPX-test-client-secret")
ZONE = """
m365.test.              60 IN MX 0 m365-test.mail.protection.outlook.com.
workspace.test.         60 IN MX 5 aspmx.l.google.com.
autoconfig.own.test.    60 IN A  127.0.0.1
"""
OWN_CONFIG = b"""<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1"><emailProvider id="own.test"><domain>own.test</domain>
<incomingServer type="imap"><hostname>imap.own.test</hostname><port>993</port>
<socketType>SSL</socketType><username>%EMAILADDRESS%</username>
<authentication>password-cleartext</authentication></incomingServer>
</emailProvider></clientConfig>"""
ARCHIVE = (
    SPECIAL_USE
    + """\
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
"""
)
# A little module the keyring command (a separate process) can load too: a file keyring.
KEYRING_MODULE = """
import json, os
from pathlib import Path
from keyring.backend import KeyringBackend

class FileKeyring(KeyringBackend):
    priority = 1
    def _path(self):
        return Path(os.environ["TEST_KEYRING_FILE"])
    def _read(self):
        return json.loads(self._path().read_text()) if self._path().exists() else {}
    def get_password(self, service, username):
        return self._read().get(f"{service}/{username}")
    def set_password(self, service, username, password):
        data = self._read(); data[f"{service}/{username}"] = password
        self._path().write_text(json.dumps(data))
    def delete_password(self, service, username):
        data = self._read(); data.pop(f"{service}/{username}", None)
        self._path().write_text(json.dumps(data))
"""


class Script:
    """The person at the terminal: answers each question in turn (KeyboardInterrupt as
    an answer is Ctrl-C there), and reads every line printed (`reader`)."""

    def __init__(self, *answers: object, reader: Callable[[str], object] | None = None) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []
        self.lines: list[str] = []
        self.reader = reader

    def read(self, prompt: str) -> str:
        self.asked.append(prompt)
        if not self.answers:
            raise EOFError
        answer = self.answers.pop(0)
        if answer is KeyboardInterrupt:
            raise KeyboardInterrupt
        if callable(answer):  # something else happens meanwhile, then the answer
            return str(answer())
        return str(answer)

    def write(self, line: str) -> None:
        self.lines.append(line)
        if self.reader is not None:
            self.reader(line)

    def terminal(self) -> Terminal:
        return Terminal(read_line=self.read, read_secret=self.read, write=self.write)

    @property
    def said(self) -> str:
        return "\n".join(self.lines)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="mailbot")
    command.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["setup", *argv])


# --- the private internet ------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def network(ca: trustme.CA) -> Iterator[Network]:
    with Zone(ZONE) as zone, HttpsSite(ca, "autoconfig.own.test") as site:
        site.pages[("autoconfig.own.test", "/mail/config-v1.1.xml")] = Page(OWN_CONFIG)
        net = Network(zone.resolver())
        net.route("autoconfig.own.test", 443, site.port)
        yield net


@pytest.fixture(scope="module")
def oauth_servers() -> Iterator[dict[str, OAuthServer]]:
    servers = {"microsoft": OAuthServer(*MICROSOFT), "google": OAuthServer(*GOOGLE)}
    for server in servers.values():
        server.start()
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="module")
def dovecots(oauth_servers: dict[str, OAuthServer]) -> Iterator[dict[str, Dovecot]]:
    """Over TLS: one checking XOAUTH2 with each authorisation server, one for logins
    with a password (with an Archive folder the server marks \\Archive)."""
    require_dovecot()
    servers = {
        "microsoft": Dovecot(
            tls=True, oauth2_introspection=oauth_servers["microsoft"].introspection_url
        ),
        "google": Dovecot(tls=True, oauth2_introspection=oauth_servers["google"].introspection_url),
        # The password's server; with an oauth2 passdb too, only because that setup
        # turns off Dovecot's delays after a refused login (2 s, then 2, 4, 8 s more).
        "password": Dovecot(
            tls=True,
            mailboxes=ARCHIVE,
            oauth2_introspection=oauth_servers["microsoft"].introspection_url,
        ),
    }
    for server in servers.values():
        server.start()
    yield servers
    for server in servers.values():
        server.stop()


# The hosts the servers found, reached at the Dovecot playing each.
HOSTS = {
    "outlook.office365.com": "microsoft",
    "imap.gmail.com": "google",
    "imap.bol.com.br": "password",
    "imap.own.test": "password",
}


@pytest.fixture
def tools(
    ca: trustme.CA,
    network: Network,
    dovecots: dict[str, Dovecot],
    oauth_servers: dict[str, OAuthServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Tools]:
    """The wizard's outside world: discovery through the test DNS and HTTPS, the hosts
    found reached at their Dovecot, a home of its own (state, tokens, ~/Downloads), the
    Dovecots' certificates trusted, no keyring (each test that wants one sets it)."""
    bundle = tmp_path / "trusted.pem"
    bundle.write_text("".join(d.cert_path.read_text() for d in dovecots.values() if d.cert_path))
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    for key in [k for k in os.environ if k.startswith("MAILBOT_")]:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())

    def find(address: str, report: Callable[[str], object]) -> list[Candidate]:
        found = find_server(
            address,
            fetch=functools.partial(https_get, context=client_context(ca), dial=network.dial),
            resolver=network.resolver,
            probe=functools.partial(probe_imap, context=client_context(ca), dial=network.dial),
            report=report,
        )
        return [_reached(c, dovecots) for c in found]

    yield Tools(find=find, downloads=lambda: home / "Downloads")
    keyring.set_keyring(before)


def _reached(candidate: Candidate, dovecots: dict[str, Dovecot]) -> Candidate:
    playing = HOSTS.get(candidate.host)
    if playing is None:
        return candidate
    port = dovecots[playing].tls_port
    assert port is not None
    return dataclasses.replace(candidate, host="localhost", port=port)


def use_oauth(server: OAuthServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The provider's sign-in played by `server` (as config.example.env says tests do)."""
    monkeypatch.setenv("MAILBOT_OAUTH2_AUTHORITY", server.url)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.cert))


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A keyring in a file, the same for mailbot and the keyring command it runs."""
    folder = tmp_path / "keyring-module"
    folder.mkdir()
    (folder / "mailbot_test_keyring.py").write_text(KEYRING_MODULE)
    store = tmp_path / "keyring.json"
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("PYTHONPATH", str(folder))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "mailbot_test_keyring.FileKeyring")
    monkeypatch.setenv("TEST_KEYRING_FILE", str(store))
    import mailbot_test_keyring  # type: ignore[import-not-found]

    keyring.set_keyring(mailbot_test_keyring.FileKeyring())
    yield store


def account(dovecot: Dovecot, user: str) -> Account:
    return Account("127.0.0.1", dovecot.port, user, PASSWORD)


def linkedin_export(downloads: Path) -> Path:
    """The export as LinkedIn sends it, in ~/Downloads."""
    path = downloads / "Basic_LinkedInDataExport_03-01-2026.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for member in (FIXTURES / "records" / "linkedin-export").iterdir():
            archive.write(member, member.name)
    return path


def env_of(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / ".env"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    values = dotenv_values(path, interpolate=False)
    return {k: v or "" for k, v in values.items()}


def seed_requests(dovecot: Dovecot, user: str) -> None:
    """A stranger without a note, and Grace Hopper (in the LinkedIn export)."""
    seed_raw(
        account(dovecot, user),
        invitation("Stella Stranger"),
        invitation("Grace Hopper", vanity="grace-hopper-1906"),
    )


# --- (a) to (d): from the address to the dry run ---------------------------------------------


def test_microsoft_365_custom_domain_signs_in_with_a_device_code(
    tools: Tools,
    dovecots: dict[str, Dovecot],
    oauth_servers: dict[str, OAuthServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """cfo@m365.test: its MX names Microsoft 365, so OAuth2 with the owner's own app; the
    owner types the client ID, opens the page printed and enters the code (the test's
    browser), and the XOAUTH2 login, `check` and the dry run all work from the .env
    written. The LinkedIn export in ~/Downloads is taken by pressing Enter."""
    server = oauth_servers["microsoft"]
    use_oauth(server, monkeypatch)
    seed_requests(dovecots["microsoft"], "cfo@m365.test")
    export = linkedin_export(tools.downloads())
    owner = Owner(server, "cfo@m365.test")
    script = Script(
        MICROSOFT[0], "Robin Owner", "", "@robin", "central Leeds", "", "", reader=owner.read
    )
    code = command.main(parse("cfo@m365.test"), tools=tools, terminal=script.terminal())
    assert code == 0, script.said
    values = env_of(tmp_path)
    assert values["MAILBOT_IMAP_AUTH"] == "oauth2"
    assert values["MAILBOT_OAUTH2_PROVIDER"] == "microsoft"
    assert values["MAILBOT_OAUTH2_CLIENT_ID"] == MICROSOFT[0]
    assert values["MAILBOT_IMAP_USER"] == "cfo@m365.test"
    assert values["MAILBOT_CONTACTS"] == str(export)
    assert values["MAILBOT_OWNER_TWITTER"] == "@robin"
    assert "MAILBOT_IMAP_PASSWORD" not in values and "MAILBOT_HISTORY_FOLDERS" not in values
    text = (tmp_path / ".env").read_text()
    assert (
        "# IMAP server: from MX m365-test.mail.protection.outlook.com → mail.protection.outlook.com in the ISP database"
        in text
    )
    assert "urn:ietf:params:oauth:grant-type:device_code" in server.grants
    assert "method=XOAUTH2" in (dovecots["microsoft"].dir / "dovecot.log").read_text()
    said = script.said
    assert "OK   login        cfo@m365.test (oauth2)" in said
    assert "would draft: ask     Stella Stranger" in said
    assert "no draft:    known   Grace Hopper" in said
    load_settings(tmp_path / ".env")


def test_google_workspace_custom_domain_non_interactive(
    tools: Tools,
    dovecots: dict[str, Dovecot],
    oauth_servers: dict[str, OAuthServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """ceo@workspace.test, every answer a flag: its MX names Google, the browser goes to
    the sign-in page and back to mailbot's loopback port (PKCE), XOAUTH2 works, and
    neither the client secret nor a token is ever printed."""
    server = oauth_servers["google"]
    use_oauth(server, monkeypatch)
    seed_requests(dovecots["google"], "ceo@workspace.test")
    owner = Owner(server, "ceo@workspace.test")
    tools.open_url = owner.browse
    script = Script()
    args = parse(
        "ceo@workspace.test", "--non-interactive", "--name", "Casey Chief",
        "--oauth2-client-id", GOOGLE[0], "--oauth2-client-secret", GOOGLE[1],
        "--language", "fr", "--contacts", "-",
    )  # fmt: skip
    code = command.main(args, tools=tools, terminal=script.terminal())
    owner.done()
    assert code == 0, script.said
    values = env_of(tmp_path)
    assert values["MAILBOT_OAUTH2_PROVIDER"] == "google"
    assert values["MAILBOT_OAUTH2_CLIENT_SECRET"] == GOOGLE[1]
    assert values["MAILBOT_LANGUAGE"] == "fr"
    assert "MAILBOT_CONTACTS" not in values and script.asked == []
    assert server.grants[:1] == ["authorization_code"]
    assert "MX aspmx.l.google.com → google.com in the ISP database" in script.said
    assert "would draft: ask     Stella Stranger" in script.said
    shown = script.said + "".join(capsys.readouterr())
    tokens = json_values(tmp_path / "home" / ".local" / "state" / "mailbot" / "oauth2-tokens.json")
    for secret in (GOOGLE[1], *tokens):
        assert secret not in shown


def json_values(path: Path) -> list[str]:
    import json

    record: dict[str, Any] = next(iter(json.loads(path.read_text()).values()))
    return [record["access_token"], record["refresh_token"]]


def test_isp_database_provider_with_the_password_in_the_keyring(
    tools: Tools, dovecots: dict[str, Dovecot], file_keyring: Path, tmp_path: Path
) -> None:
    """ana@bol.com.br: the ISP database names imap.bol.com.br and the part before the @
    as login; the password, checked by logging in, goes to the keyring (Enter), and the
    .env reads it back with the keyring command, for `check` and the dry run."""
    seed_requests(dovecots["password"], "ana")
    script = Script(PASSWORD, "", "Ana Souza", "+55 11 5555 0000", "", "", "", "-")
    code = command.main(parse("ana@bol.com.br"), tools=tools, terminal=script.terminal())
    assert code == 0, script.said
    values = env_of(tmp_path)
    assert values["MAILBOT_IMAP_USER"] == "ana"
    assert values["MAILBOT_OWNER_EMAIL"] == "ana@bol.com.br"
    assert values["MAILBOT_IMAP_PASSWORD_CMD"].endswith("-m keyring get mailbot ana")
    assert values["MAILBOT_LANGUAGE"] == "pt"  # .br: offered first, taken with Enter
    assert "MAILBOT_IMAP_PASSWORD" not in values
    assert PASSWORD not in (tmp_path / ".env").read_text()
    assert file_keyring.read_text().count(PASSWORD) == 1
    assert "from Mozilla ISP database (bol.com.br)" in script.said
    assert "Archive: Archive (read for your history too)" in script.said
    assert values["MAILBOT_HISTORY_FOLDERS"] == "Sent,INBOX,Archive"
    assert "would draft: ask     Stella Stranger" in script.said
    assert "OK   login        ana (login)" in script.said


def test_own_autoconfig_with_the_password_in_the_env(
    tools: Tools, dovecots: dict[str, Dovecot], tmp_path: Path
) -> None:
    """pat@own.test publishes https://autoconfig.own.test: that server, the password
    from standard input into the .env (no keyring here), and a .env load_settings
    reads as the owner answered."""
    seed_requests(dovecots["password"], "pat@own.test")
    script = Script(PASSWORD)
    args = parse(
        "pat@own.test", "--non-interactive", "--password-stdin", "--name", "Pat O'Neil",
        "--coffee", "the café at King's Cross #2", "--contacts", "-",
    )  # fmt: skip
    code = command.main(args, tools=tools, terminal=script.terminal())
    assert code == 0, script.said
    settings = load_settings(tmp_path / ".env")
    assert settings.imap is not None and settings.imap.password == PASSWORD
    assert settings.owner.name == "Pat O'Neil"
    assert settings.owner.coffee == "the café at King's Cross #2"
    assert "# IMAP server: from autoconfig.own.test" in (tmp_path / ".env").read_text()
    assert "No OS keyring here" in script.said
    assert PASSWORD not in script.said
    assert "would draft: ask     Stella Stranger" in script.said


# --- what must not happen ------------------------------------------------------------------------


def test_a_wrong_password_is_one_line_and_nothing_is_written(
    tools: Tools, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Refused by the server: exit 3, one line on stderr, no .env, no file left over,
    and the password never shown."""
    script = Script("wrong-Pa55word")
    args = parse("pat@own.test", "--non-interactive", "--password-stdin", "--name", "Pat")
    code = command.main(args, tools=tools, terminal=script.terminal())
    err = capsys.readouterr().err
    assert code == 3
    assert err.count("\n") == 1 and "refused the login for user 'pat@own.test'" in err
    assert "wrong-Pa55word" not in err + script.said
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "trusted.pem"]


def test_a_refused_password_is_asked_again_at_the_terminal(
    tools: Tools, dovecots: dict[str, Dovecot], tmp_path: Path
) -> None:
    """At a terminal, a refused password is asked again; the right one goes on."""
    seed_requests(dovecots["password"], "lee@own.test")
    script = Script("typo", PASSWORD, "Lee", "", "", "", "", "")
    code = command.main(
        parse("lee@own.test", "--no-keyring"), tools=tools, terminal=script.terminal()
    )
    assert code == 0, script.said
    assert "The server refused that password; try again." in script.said
    assert env_of(tmp_path)["MAILBOT_IMAP_PASSWORD"] == PASSWORD


@pytest.mark.parametrize("at", [1, 2, 3, 8])
def test_ctrl_c_at_any_question_leaves_nothing_written(
    tools: Tools, file_keyring: Path, tmp_path: Path, at: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C at the password (1), the keyring question (2), the name (3) or the last
    question (8): exit 130, no .env, nothing in the keyring."""
    answers: list[object] = [PASSWORD, "", "Kim", "", "", "", "", "-"]
    answers[at - 1] = KeyboardInterrupt
    script = Script(*answers)
    code = command.main(parse("kim@own.test"), tools=tools, terminal=script.terminal())
    assert code == 130
    assert "interrupted: nothing was written" in capsys.readouterr().err
    assert not (tmp_path / ".env").exists()
    assert not file_keyring.exists() or "kim" not in file_keyring.read_text()
    assert [p.name for p in tmp_path.iterdir() if "setup" in p.name] == []


def test_ctrl_c_while_writing_waits_until_both_are_written(
    tools: Tools, file_keyring: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real SIGINT while the password goes to the keyring: the .env is still written
    whole (0600) before the setup stops, saying so, with exit 130."""
    backend = keyring.get_keyring()
    store = backend.set_password

    def interrupted(service: str, user: str, password: str) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        store(service, user, password)

    monkeypatch.setattr(backend, "set_password", interrupted)
    script = Script(PASSWORD, "", "Kai", "", "", "", "", "-")
    code = command.main(parse("kai@own.test"), tools=tools, terminal=script.terminal())
    assert code == 130
    assert "interrupted: .env is written" in script.said
    assert env_of(tmp_path)["MAILBOT_IMAP_PASSWORD_CMD"].endswith("get mailbot kai@own.test")


def test_an_env_written_meanwhile_is_kept_and_the_keyring_left_as_it_was(
    tools: Tools, file_keyring: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another program writes .env while the owner answers: it is kept (no check-then-
    write race), and the password just put in the keyring is taken out again."""

    def someone_writes_env() -> str:
        (tmp_path / ".env").write_text("OTHER=1\n")
        return "-"

    script = Script(PASSWORD, "", "Kim", "", "", "", "", someone_writes_env)
    code = command.main(parse("kim@own.test"), tools=tools, terminal=script.terminal())
    assert code == 2
    assert ".env exists: pass --force to replace it" in capsys.readouterr().err
    assert (tmp_path / ".env").read_text() == "OTHER=1\n"
    assert PASSWORD not in file_keyring.read_text()


def test_an_existing_env_is_never_replaced_unasked(tools: Tools, tmp_path: Path) -> None:
    """Non-interactive without --force: refused before anything is looked up; at the
    terminal, "no" (the default) keeps it; --force replaces it (0600)."""
    (tmp_path / ".env").write_text("MAILBOT_OWNER_NAME=Kept\n")
    looked: list[str] = []
    tools.find = lambda address, report: looked.append(address) or []  # type: ignore[func-returns-value]
    args = parse("pat@own.test", "--non-interactive", "--password-stdin", "--name", "Pat")
    assert command.main(args, tools=tools, terminal=Script(PASSWORD).terminal()) == 2
    assert command.main(parse("pat@own.test"), tools=tools, terminal=Script("").terminal()) == 2
    assert (tmp_path / ".env").read_text() == "MAILBOT_OWNER_NAME=Kept\n" and looked == []


def test_force_replaces_an_existing_env(
    tools: Tools, dovecots: dict[str, Dovecot], tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("MAILBOT_OWNER_NAME=Old\n")
    (tmp_path / ".env").chmod(0o644)
    tools.finish = False
    args = parse(
        "pat@own.test",
        "--non-interactive",
        "--force",
        "--password-stdin",
        "--name",
        "New",
        "--contacts",
        "-",
    )
    assert command.main(args, tools=tools, terminal=Script(PASSWORD).terminal()) == 0
    assert env_of(tmp_path)["MAILBOT_OWNER_NAME"] == "New"


# --- mailbot setup --login ---------------------------------------------------------------------


def test_login_again_after_the_sign_in_was_revoked(
    tools: Tools,
    dovecots: dict[str, Dovecot],
    oauth_servers: dict[str, OAuthServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The owner revoked mailbot's access: the login fails with the one line pointing
    at `mailbot setup --login`, which signs in again; the next login works."""
    server = oauth_servers["microsoft"]
    use_oauth(server, monkeypatch)
    owner = Owner(server, "ops@m365.test")
    tools.finish = False
    args = parse(
        "ops@m365.test",
        "--non-interactive",
        "--oauth2-client-id",
        MICROSOFT[0],
        "--name",
        "Ops",
        "--contacts",
        "-",
    )
    assert command.main(args, tools=tools, terminal=Script(reader=owner.read).terminal()) == 0
    server.revoke("ops@m365.test")
    settings = load_settings(tmp_path / ".env")
    assert settings.imap is not None
    from mailbot.mailboxes.imap import open_imap
    from mailbot.oauth import LoginExpired

    with pytest.raises(LoginExpired, match=re.escape("log in again with `mailbot setup --login`")):
        open_imap(settings.imap).__enter__()
    script = Script(reader=owner.read)
    assert command.main(parse("--login"), tools=tools, terminal=script.terminal()) == 0
    assert "with XOAUTH2" in script.said
    with open_imap(settings.imap) as mailbox:
        assert mailbox.status("INBOX").uidnext >= 1


def test_login_again_replaces_the_password_line_only(
    tools: Tools, dovecots: dict[str, Dovecot], tmp_path: Path
) -> None:
    """A password kept in the .env: `--login` checks the new one by logging in and
    replaces that line; every other line stays as it was."""
    tools.finish = False
    args = parse(
        "sam@own.test", "--non-interactive", "--password-stdin", "--name", "Sam", "--contacts", "-"
    )
    assert command.main(args, tools=tools, terminal=Script(PASSWORD).terminal()) == 0
    env = tmp_path / ".env"
    env.write_text(
        env.read_text().replace(f"'{PASSWORD}'", "'old-password'") + "MAILBOT_KNOWN='Jo'\n"
    )
    before = env.read_text().splitlines()
    script = Script("bad", PASSWORD)
    assert command.main(parse("--login"), tools=tools, terminal=script.terminal()) == 0
    after = env.read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        ("MAILBOT_IMAP_PASSWORD='old-password'", f"MAILBOT_IMAP_PASSWORD='{PASSWORD}'")
    ]
    assert stat.S_IMODE(env.stat().st_mode) == 0o600


def test_login_again_puts_the_new_password_in_the_keyring(
    tools: Tools, dovecots: dict[str, Dovecot], file_keyring: Path, tmp_path: Path
) -> None:
    """A password kept in the keyring: `--login` checks the new one by logging in and
    replaces it there; the .env is not touched."""
    tools.finish = False
    script = Script(PASSWORD, "", "Val", "", "", "", "", "-")
    assert command.main(parse("val@own.test"), tools=tools, terminal=script.terminal()) == 0
    env_before = (tmp_path / ".env").read_text()
    keyring.get_keyring().set_password("mailbot", "val@own.test", "changed-elsewhere")
    script = Script(PASSWORD)
    assert command.main(parse("--login"), tools=tools, terminal=script.terminal()) == 0
    assert keyring.get_keyring().get_password("mailbot", "val@own.test") == PASSWORD
    assert "the new password is in the OS keyring" in script.said
    assert (tmp_path / ".env").read_text() == env_before
