"""End to end on a real Dovecot: the real `mailbot` command, asserted on what lands in IMAP."""

from __future__ import annotations

import email
import email.policy
import sqlite3
from pathlib import Path

import pytest
from conftest import fixture_bytes, require_dovecot
from dovecot import Account, Dovecot
from support import (
    body,
    drafts,
    folder_messages,
    mailbot,
    run_json,
    seed,
    start_daemon,
    stop_daemon,
    wait_for,
    write_env,
)

from mailbot.identity import token_of

STRANGER = "li-2026-current-default.eml"  # Priya Raman, default note -> ask
REMINDER = "li-2026-reminder.eml"  # the same invitation again -> nothing new
WITH_NOTE = "li-2026-current-personal-note.eml"  # Tomás Ortega, personal note -> review
KNOWN = "li-2024-please-add-me.eml"  # Daniel O'Brien, in contacts -> known
JOB_ALERT = "li-job-alert.eml"  # LinkedIn, not a request -> ignore
ORDINARY = "ordinary-mentions-linkedin.eml"  # not from a network: read, then ignored
INBOX_SET = (STRANGER, WITH_NOTE, KNOWN, JOB_ALERT, ORDINARY, REMINDER)


pytestmark = pytest.mark.dovecot


def test_first_run_drafts_for_the_stranger_only(account: Account, tmp_path: Path) -> None:
    """Known people, notes, other mail and reminders get no draft; the stranger gets one."""
    seed(account, *INBOX_SET)
    report = run_json(tmp_path, write_env(tmp_path, account))

    decisions = [(p["requester"], p["decision"], p["draft"]) for p in report["processed"]]
    assert decisions == [  # in mailbox order
        ("Priya Raman", "ask", True),
        ("Tomás Ortega", "review", False),
        ("Daniel O'Brien", "known", False),
        (None, "ignore", False),  # the job alert
        (None, "ignore", False),  # ordinary mail that mentions LinkedIn
        ("Priya Raman", "ask", False),  # the reminder: drafted already
    ]
    assert report["errors"] == []

    [draft] = drafts(account)
    notification = email.message_from_bytes(fixture_bytes(STRANGER), policy=email.policy.default)
    parent = notification["Message-ID"].strip()
    assert draft["In-Reply-To"].strip() == parent  # long ids are folded onto a new line
    assert draft["References"].strip() == parent
    assert draft["From"] == "Robin Owner <robin@owner.example>"
    assert draft["To"] is None  # the notification came from a LinkedIn robot
    assert token_of(draft["Message-ID"])  # found again by the token in its Message-ID
    assert draft["X-Mailbot-Key"] is None and draft["Auto-Submitted"] is None
    text = body(draft)
    assert "Hi Priya," in text and "my memory" in text
    assert text.count("Robin Owner") == 1 and "+44 20 7946 0000" not in text  # a paste: name only


def test_draft_flags_and_inbox_left_unread(account: Account, tmp_path: Path) -> None:
    """Drafts are \\Draft \\Seen; nothing in INBOX gains \\Seen or any other flag."""
    seed(account, *INBOX_SET)
    run_json(tmp_path, write_env(tmp_path, account))
    [draft] = folder_messages(account, "Drafts").values()
    assert {b"\\Draft", b"\\Seen"} <= set(draft[b"FLAGS"])  # type: ignore[arg-type]
    for data in folder_messages(account, "INBOX").values():
        assert set(data[b"FLAGS"]) <= {b"\\Recent"}  # type: ignore[arg-type]


def test_second_run_adds_nothing_and_new_mail_is_picked_up(
    account: Account, tmp_path: Path
) -> None:
    env = write_env(tmp_path, account)
    seed(account, STRANGER, JOB_ALERT)
    run_json(tmp_path, env)
    again = run_json(tmp_path, env)
    assert again == {"processed": [], "errors": []}
    assert len(drafts(account)) == 1

    seed(account, REMINDER, "li-2016-m2m-invitation.eml", "li-2015-member-invite.eml")
    later = run_json(tmp_path, env)
    assert [p["decision"] for p in later["processed"]] == ["ask", "review", "ask"]
    assert [p["draft"] for p in later["processed"]] == [False, False, True]
    assert len(drafts(account)) == 2


def test_dry_run_writes_nothing(account: Account, tmp_path: Path) -> None:
    env = write_env(tmp_path, account)
    seed(account, *INBOX_SET)
    report = run_json(tmp_path, env, "--dry-run")
    assert {p["decision"] for p in report["processed"]} == {"ask", "review", "known", "ignore"}
    assert not any(p["draft"] for p in report["processed"])
    assert drafts(account) == []
    assert not (tmp_path / "state.sqlite3").exists() or _cursor_rows(tmp_path) == 0
    assert [p["draft"] for p in run_json(tmp_path, env)["processed"]].count(True) == 1


def _cursor_rows(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "state.sqlite3") as db:
        return int(db.execute("SELECT COUNT(*) FROM cursors").fetchone()[0])


def test_lost_state_does_not_duplicate_drafts(account: Account, tmp_path: Path) -> None:
    """A crash after APPEND but before the state write: the draft in Drafts is found."""
    env = write_env(tmp_path, account)
    seed(account, *INBOX_SET)
    run_json(tmp_path, env)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp_path / 'state.sqlite3'}{suffix}").unlink(missing_ok=True)
    report = run_json(tmp_path, env)
    assert [p["decision"] for p in report["processed"]].count("ask") == 2  # with the reminder
    assert len(drafts(account)) == 1


def test_uidvalidity_change_does_not_duplicate(account: Account, tmp_path: Path) -> None:
    """The watched folder is recreated with the same mail: new UIDVALIDITY, no new drafts."""
    env = write_env(tmp_path, account, MAILBOT_INBOX="Notifications")
    with account.client() as client:
        client.create_folder("Notifications")
    seed(account, STRANGER, WITH_NOTE, folder="Notifications")
    run_json(tmp_path, env)
    with account.client() as client:
        client.delete_folder("Notifications")
        client.create_folder("Notifications")
    seed(account, STRANGER, WITH_NOTE, folder="Notifications")
    report = run_json(tmp_path, env)
    assert len(report["processed"]) == 2 and not any(p["draft"] for p in report["processed"])
    assert len(drafts(account)) == 1


def test_drafts_folder_created_when_the_server_has_none(tmp_path: Path) -> None:
    """No SPECIAL-USE and no Drafts folder: mailbot creates 'Drafts' and uses it."""
    require_dovecot()
    server = Dovecot(special_use=False)
    server.start()
    try:
        account = server.add_account()
        seed(account, STRANGER)
        run_json(tmp_path, write_env(tmp_path, account))
        assert len(drafts(account, "Drafts")) == 1
    finally:
        server.stop()


def test_configured_drafts_folder(account: Account, tmp_path: Path) -> None:
    """MAILBOT_DRAFTS wins over the server's \\Drafts folder (it must exist: a typo is an
    error, see test_named_folders.py)."""
    with account.client() as client:
        client.create_folder("Entwürfe")
    seed(account, STRANGER)
    run_json(tmp_path, write_env(tmp_path, account, MAILBOT_DRAFTS="Entwürfe"))
    assert len(drafts(account, "Entwürfe")) == 1
    assert drafts(account, "Drafts") == []


def test_bad_config_exits_2_naming_the_key(account: Account, tmp_path: Path) -> None:
    env = write_env(tmp_path, account, MAILBOT_IMAP_PORT="not-a-port")
    result = mailbot(tmp_path, env, "--run-once")
    assert result.returncode == 2
    assert "MAILBOT_IMAP_PORT" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_wrong_password_exits_3_without_showing_it(account: Account, tmp_path: Path) -> None:
    env = write_env(tmp_path, account, MAILBOT_IMAP_PASSWORD="wrong-Pa55word")
    result = mailbot(tmp_path, env, "--run-once")
    assert result.returncode == 3
    assert account.user in result.stderr
    assert "wrong-Pa55word" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_unreachable_server_exits_3(account: Account, tmp_path: Path) -> None:
    from dovecot import free_port

    env = write_env(tmp_path, account, MAILBOT_IMAP_PORT=str(free_port()))
    result = mailbot(tmp_path, env, "--run-once")
    assert result.returncode == 3 and "cannot connect" in result.stderr


def test_human_summary(account: Account, tmp_path: Path) -> None:
    seed(account, STRANGER)
    result = mailbot(tmp_path, write_env(tmp_path, account), "--run-once")
    assert result.returncode == 0, result.stderr
    assert "ask" in result.stdout and "Priya Raman" in result.stdout
    assert "1 drafts stored" in result.stdout or "1 draft stored" in result.stdout


def test_daemon_drafts_then_stops_cleanly_on_sigterm(account: Account, tmp_path: Path) -> None:
    """Without IDLE the interval picks up new mail; SIGTERM ends it with exit 0."""
    env = write_env(tmp_path, account, MAILBOT_POLL_INTERVAL="5", MAILBOT_IDLE="false")
    seed(account, STRANGER)
    daemon = start_daemon(tmp_path, env)
    try:
        wait_for(lambda: len(drafts(account)) == 1)
        seed(account, "li-2015-member-invite.eml")  # picked up by the next interval cycle
        wait_for(lambda: len(drafts(account)) == 2)
    finally:
        code, stderr = stop_daemon(daemon)
    assert code == 0
    assert account.password not in stderr
