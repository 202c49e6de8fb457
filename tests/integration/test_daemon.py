"""Running for months: IDLE push, server restarts, signals, one instance, secrets, check."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import invitation, network_message
from conftest import require_dovecot
from dovecot import PASSWORD, Account, Dovecot
from support import drafts, mailbot, seed_raw, start_daemon, wait_for, write_env
from support import stop_daemon as stop

from mailbot.config import load_settings
from mailbot.runner import Session

pytestmark = pytest.mark.dovecot


@pytest.fixture
def idle_env(account: Account, tmp_path: Path) -> dict[str, str]:
    """An hour between polls: whatever happens sooner was pushed by IDLE."""
    return write_env(tmp_path, account, MAILBOT_POLL_INTERVAL="3600", MAILBOT_LOG_LEVEL="debug")


def test_idle_turns_new_mail_into_a_draft_at_once(
    account: Account, tmp_path: Path, idle_env: dict[str, str]
) -> None:
    daemon = start_daemon(tmp_path, idle_env)
    try:
        wait_for(lambda: (tmp_path / "state.sqlite3").exists())
        time.sleep(1)  # the first cycle and the IDLE connection are up
        seed_raw(account, invitation("Ida Push"))
        latency = wait_for(lambda: len(drafts(account)) == 1)
        print(f"IDLE latency: APPEND to draft visible in {latency:.2f}s")
    finally:
        code, err = stop(daemon)
    assert code == 0, err


# The real daemon, its first wait in IDLE failing as nothing in mailbot expects (not one of
# its own errors, not one imapclient raises): the watcher must log it and start again.
FAILING_IDLE = """
import sys
from mailbot.cli import main
from mailbot.mailboxes.imap import ImapMailbox

wait = ImapMailbox._wait_in_idle

def fails_once(self, stop, renew):
    if not getattr(ImapMailbox, "failed", False):
        ImapMailbox.failed = True
        raise RuntimeError("an unexpected failure in IDLE")
    return wait(self, stop, renew)

ImapMailbox._wait_in_idle = fails_once
sys.exit(main([]))
"""


def test_the_idle_watcher_restarts_after_an_unexpected_exception(
    account: Account, tmp_path: Path, idle_env: dict[str, str]
) -> None:
    """Logged (not a silent fall back to the hourly poll), and new mail is pushed again."""
    log = tmp_path / "daemon.err"
    with log.open("w") as err:
        daemon = subprocess.Popen(
            [sys.executable, "-c", FAILING_IDLE], cwd=tmp_path, env=idle_env, stderr=err, text=True
        )
    try:
        wait_for(lambda: "IDLE connection back" in log.read_text(), seconds=20)
        time.sleep(1)  # in IDLE again
        seed_raw(account, invitation("Ira Restart"))
        wait_for(lambda: len(drafts(account)) == 1, seconds=20)  # the next poll is an hour away
    finally:
        code, _ = stop(daemon)
    text = log.read_text()
    assert code == 0, text
    assert "IDLE watcher failed unexpectedly" in text, text
    assert "RuntimeError: an unexpected failure in IDLE" in text, text


def test_sigterm_during_idle_exits_cleanly(
    account: Account, tmp_path: Path, idle_env: dict[str, str]
) -> None:
    daemon = start_daemon(tmp_path, idle_env)
    wait_for(lambda: (tmp_path / "state.sqlite3").exists())
    time.sleep(1.5)  # in IDLE now
    daemon.send_signal(signal.SIGTERM)
    _, err = daemon.communicate(timeout=5)
    assert daemon.returncode == 0, err
    assert PASSWORD not in err


def test_a_second_instance_is_refused(
    account: Account, tmp_path: Path, idle_env: dict[str, str]
) -> None:
    daemon = start_daemon(tmp_path, idle_env)
    try:
        wait_for(lambda: (tmp_path / "state.sqlite3.lock").exists())
        time.sleep(0.5)
        second = mailbot(tmp_path, idle_env, "--run-once")
        assert second.returncode == 4
        assert "another mailbot" in second.stderr and "--wait" in second.stderr
    finally:
        stop(daemon)
    assert mailbot(tmp_path, idle_env, "--run-once").returncode == 0  # the lock is released


@pytest.fixture
def own_server() -> Iterator[Dovecot]:
    require_dovecot()
    server = Dovecot()
    server.start()
    yield server
    server.stop()


def test_daemon_survives_a_server_restart(own_server: Dovecot, tmp_path: Path) -> None:
    """Mail delivered while the server is down becomes a draft once it is back."""
    account = own_server.add_account()
    env = write_env(tmp_path, account, MAILBOT_POLL_INTERVAL="3600", MAILBOT_LOG_LEVEL="info")
    daemon = start_daemon(tmp_path, env)
    try:
        wait_for(lambda: (tmp_path / "state.sqlite3").exists())
        time.sleep(1)
        own_server.stop(keep=True)
        time.sleep(1)
        own_server.deliver(account.user, invitation("Rex Restart"))
        own_server.start()
        wait_for(lambda: len(drafts(account)) == 1, seconds=60)
    finally:
        code, err = stop(daemon)
    assert code == 0
    assert "IDLE connection failed" in err and "Traceback" not in err


def test_password_command(account: Account, tmp_path: Path) -> None:
    env = write_env(tmp_path, account)
    del env["MAILBOT_IMAP_PASSWORD"]
    env["MAILBOT_IMAP_PASSWORD_CMD"] = f"printf '%s\\n' '{PASSWORD}'"
    seed_raw(account, invitation("Pat Command"))
    assert mailbot(tmp_path, env, "--run-once").returncode == 0
    assert len(drafts(account)) == 1
    env["MAILBOT_IMAP_PASSWORD_CMD"] = "exit 7"
    failed = mailbot(tmp_path, env, "--run-once")
    assert (
        failed.returncode == 3
        and "MAILBOT_IMAP_PASSWORD_CMD failed with exit status 7" in failed.stderr
    )
    # its own error message is shown, its output never
    env["MAILBOT_IMAP_PASSWORD_CMD"] = "echo s3cret-Out; echo 'pass: vault is locked' >&2; exit 1"
    locked = mailbot(tmp_path, env, "--run-once")
    assert locked.returncode == 3 and "vault is locked" in locked.stderr
    assert "s3cret-Out" not in locked.stderr + locked.stdout


def test_oauth2_token_command_refreshes_an_expired_token(account: Account, tmp_path: Path) -> None:
    """XOAUTH2 against Dovecot; the first token is refused, the command gives a fresh one."""
    counter = tmp_path / "calls"
    script = tmp_path / "token.sh"
    script.write_text(
        f"n=$(cat {counter} 2>/dev/null || echo 0); echo $((n+1)) > {counter}\n"
        f'if [ "$n" = 0 ]; then echo expired-token; else echo {PASSWORD}; fi\n'
    )
    env = write_env(
        tmp_path, account, MAILBOT_IMAP_AUTH="oauth2", MAILBOT_IMAP_OAUTH2_TOKEN_CMD=f"sh {script}"
    )
    del env["MAILBOT_IMAP_PASSWORD"]
    seed_raw(account, invitation("Otto Auth"))
    result = mailbot(tmp_path, env, "--run-once")
    assert result.returncode == 0, result.stderr
    assert counter.read_text().strip() == "2" and len(drafts(account)) == 1
    assert PASSWORD not in result.stderr + result.stdout


def test_check_passes_and_fails_where_it_should(account: Account, tmp_path: Path) -> None:
    env = write_env(tmp_path, account)
    good = mailbot(tmp_path, env, "check")
    assert good.returncode == 0, good.stdout
    lines = good.stdout.splitlines()
    assert all(line.startswith("OK") for line in lines)
    assert any("IDLE: new mail is seen at once" in line for line in lines)
    assert any(line.split()[1:3] == ["drafts", "Drafts"] for line in lines)
    assert any("contacts" in line and "2 people" in line for line in lines)

    bad = mailbot(
        tmp_path, {**env, "MAILBOT_IMAP_PASSWORD": "nope-Wr0ng", "MAILBOT_INBOX": "Nope"}, "check"
    )
    assert bad.returncode == 1 and "ERR  login" in bad.stdout and "nope-Wr0ng" not in bad.stdout
    missing = mailbot(tmp_path, {**env, "MAILBOT_INBOX": "Nope"}, "check")
    assert missing.returncode == 1 and "ERR  inbox" in missing.stdout
    (tmp_path / "state.sqlite3").chmod(0o644)
    loose = mailbot(tmp_path, env, "check")  # a state file left readable is tightened
    assert loose.returncode == 0 and "mode 600" in loose.stdout, loose.stdout
    assert (tmp_path / "state.sqlite3").stat().st_mode & 0o777 == 0o600


def test_json_logs_never_show_the_password(account: Account, tmp_path: Path) -> None:
    env = write_env(tmp_path, account, MAILBOT_LOG_FORMAT="json", MAILBOT_LOG_LEVEL="debug")
    seed_raw(account, invitation("Lou Log"))
    result = mailbot(tmp_path, env, "--run-once")
    assert result.returncode == 0
    import json

    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert records and {"time", "level", "logger", "message"} <= set(records[0])
    assert PASSWORD not in result.stderr


def test_after_a_cycle_that_wrote_the_kept_session_logs_in_afresh(
    dovecot: Dovecot, account: Account, tmp_path: Path
) -> None:
    """Dovecot makes every STATUS of a session that has written re-read the inbox's UID
    list, so the daemon polls on a fresh session after a cycle that did work: one login
    more after a draft, none for the idle polls that follow."""
    session = Session(load_settings(None, write_env(tmp_path, account)))
    seed_raw(account, invitation("Rena Fresh"))
    before = dovecot.logins(account.user)
    try:
        assert [p.draft for p in session.cycle().processed] == [True]
        wait_for(lambda: dovecot.logins(account.user) == before + 2, seconds=5)
        for _ in range(3):
            assert not session.cycle().processed  # idle polls on the renewed session
    finally:
        session.close()
    account.client().logout()  # a marker: its login is logged after any the polls made
    wait_for(lambda: dovecot.logins(account.user) >= before + 3, seconds=5)
    assert dovecot.logins(account.user) == before + 3
    assert len(drafts(account)) == 1


def test_the_running_daemon_keeps_a_draft_the_owner_edited_and_saved_anew(
    account: Account, tmp_path: Path
) -> None:
    """A mail client saves an edited draft as a new message (a new UID) and expunges the
    old one. The daemon's session still knows the old UID: it must find the edited draft
    again and keep it, not take it for sent, when the conversation moves on."""
    settings = load_settings(None, write_env(tmp_path, account))
    session = Session(settings)
    try:
        seed_raw(account, invitation("Edda Resave"))
        assert [p.draft for p in session.cycle().processed] == [True]
        with account.client() as client:
            client.select_folder("Drafts")
            [(uid, data)] = client.fetch(client.search(["ALL"]), ["BODY.PEEK[]"]).items()
            raw = data[b"BODY[]"]
            assert isinstance(raw, bytes)
            client.append(
                "Drafts", raw.replace(b"Thanks for", b"Many thanks for"), flags=[b"\\Draft"]
            )
            client.delete_messages([uid])
            client.expunge()
        seed_raw(account, network_message("Edda Resave", "Hello, how are you?"))
        assert [p.decision for p in session.cycle().processed] == ["review"]
    finally:
        session.close()
    [kept] = drafts(account)
    assert "Many thanks" in str(kept)
    with sqlite3.connect(settings.state_path) as db:
        assert db.execute("SELECT step, state FROM drafts").fetchall() == [("ask", "kept")]


def test_a_wrong_password_stops_the_daemon_at_start_as_it_stops_run_once(
    account: Account, tmp_path: Path
) -> None:
    """Exit 3 and one line, not a daemon retrying a password that cannot work."""
    env = write_env(tmp_path, account, MAILBOT_IMAP_PASSWORD="nope-Wr0ng")
    daemon = start_daemon(tmp_path, env)
    try:
        _, err = daemon.communicate(timeout=60)
    finally:
        stop(daemon)
    once = mailbot(tmp_path, env, "--run-once")
    assert daemon.returncode == once.returncode == 3, err
    refused = f"127.0.0.1:{account.port} refused the login for user '{account.user}'"
    assert err.splitlines() == once.stderr.splitlines() == [f"mailbot: cannot connect: {refused}"]
    assert "nope-Wr0ng" not in err


# The real daemon with a backoff of a second instead of minutes, so that the test sees
# several refused logins: each is tried again after the backoff, one is logged.
QUICK_BACKOFF = """
import sys
from mailbot import daemon

daemon.REFUSED_RETRY = (0.5, 1.0)
from mailbot.cli import main

sys.exit(main([]))
"""


def refused_logins(server: Dovecot, user: str) -> int:
    """How many logins of `user` the server refused, by its own log."""
    log = server.dir / "dovecot.log"
    text = log.read_text() if log.exists() else ""
    return len(re.findall(rf"\(auth failed, [^)]*\): user=<{re.escape(user)}>,", text))


def test_a_password_changed_under_the_daemon_is_retried_and_logged_once(
    own_server: Dovecot, tmp_path: Path
) -> None:
    """The owner changes the password on the server while the daemon runs: it keeps
    running, tries again with backoff, says so once, and drafts again once the new
    password is given. (Its own server: Dovecot slows down refused logins per address.)"""
    account = own_server.add_account()
    secret = tmp_path / "password"
    secret.write_text(f"{PASSWORD}\n")
    env = write_env(tmp_path, account, MAILBOT_IDLE="false", MAILBOT_POLL_INTERVAL="5")
    del env["MAILBOT_IMAP_PASSWORD"]
    env["MAILBOT_IMAP_PASSWORD_CMD"] = f"cat {secret}"
    log = tmp_path / "daemon.err"
    with log.open("w") as err:
        daemon = subprocess.Popen(
            [sys.executable, "-c", QUICK_BACKOFF], cwd=tmp_path, env=env, stderr=err, text=True
        )
    try:
        seed_raw(account, invitation("Pia Before"))
        wait_for(lambda: len(drafts(account)) == 1)
        secret.write_text("the-0ld-password\n")  # changed on the server, not here
        seed_raw(account, invitation("Quinn During"))  # after its draft: a fresh login
        wait_for(lambda: refused_logins(own_server, account.user) >= 3, seconds=90)
        secret.write_text(f"{PASSWORD}\n")
        seed_raw(account, invitation("Rae After"))
        wait_for(lambda: len(drafts(account)) == 3, seconds=60)
    finally:
        code, _ = stop(daemon)
    text = log.read_text()
    assert code == 0, text
    assert text.count("refused the login") == 1, text
    assert "the server accepts the login again" in text
    assert "cycle: 1 notification, 1 draft, 0 errors" in text, text
    assert "the-0ld-password" not in text and PASSWORD not in text
