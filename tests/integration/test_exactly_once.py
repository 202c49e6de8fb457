"""Exactly once, whatever the mail looks like (issue 13): one draft per person per step,
no request lost to a storage failure, and a state file from the previous release carried
on in place. The real `mailbot` command, on Dovecot or on a local Maildir."""

from __future__ import annotations

import json
import mailbox
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import invitation, network_message
from conftest import FIXTURES
from dovecot import Account, Dovecot
from support import drafts, mailbot, run_json, seed_raw, write_env

from mailbot.store import SCHEMA_VERSION, Store

SAMPLES = Path(__file__).resolve().parents[2] / "mailbot" / "samples"
OWNER_ENV = {
    "MAILBOT_OWNER_NAME": "Robin Owner",
    "MAILBOT_OWNER_EMAIL": "robin@owner.example",
    "MAILBOT_OWNER_PHONE": "+44 20 7946 0000",
    "MAILBOT_LOOKBACK_DAYS": "36500",
}


# -- on Dovecot -----------------------------------------------------------------------------


@pytest.mark.dovecot
def test_an_invitation_and_its_reminder_with_a_profile_link_get_one_ask(
    account: Account, tmp_path: Path
) -> None:
    """Defect 1: the first mail has no profile link, its reminder (same invitation id) has."""
    env = write_env(tmp_path, account)
    seed_raw(account, invitation("Jane Doe", invitation_id=600100, profile=False))
    first = run_json(tmp_path, env)["processed"]
    assert [(p["decision"], p["draft"]) for p in first] == [("ask", True)]
    seed_raw(account, invitation("Jane Doe", invitation_id=600100, vanity="jane-doe-1"))
    second = run_json(tmp_path, env)["processed"]
    assert [(p["decision"], p["draft"]) for p in second] == [("ask", False)]
    assert "already asked" in str(second[0]["reasons"])
    assert len(drafts(account)) == 1


@pytest.mark.dovecot
def test_a_namesake_does_not_take_over_a_conversation(account: Account, tmp_path: Path) -> None:
    """Defect 5: the answer from /in/jane-doe-imposter is not the answer of /in/jane-doe-1."""
    env = write_env(tmp_path, account)
    seed_raw(account, invitation("Jane Doe", vanity="jane-doe-1"))
    run_json(tmp_path, env)
    seed_raw(
        account, network_message("Jane Doe", "No, we have never met.", vanity="jane-doe-imposter")
    )
    imposter = run_json(tmp_path, env)["processed"]
    assert [(p["decision"], p["draft"]) for p in imposter] == [("ignore", False)]
    assert len(drafts(account)) == 1
    seed_raw(account, network_message("Jane Doe", "No, we have never met.", vanity="jane-doe-1"))
    real = run_json(tmp_path, env)["processed"]
    assert [(p["decision"], p["draft"]) for p in real] == [("explain", True)]
    assert len(drafts(account)) == 1  # the explanation; the ask it replaces is withdrawn


# -- on a local Maildir ---------------------------------------------------------------------


def _maildir_env(root: Path, state: Path, contacts: Path | None = None) -> dict[str, str]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(root),
        **OWNER_ENV,
        "MAILBOT_MAILDIR": str(root / "Maildir"),
        "MAILBOT_STATE": str(state),
    }
    if contacts is not None:
        env["MAILBOT_CONTACTS"] = str(contacts)
    return env


def _new_maildir(root: Path) -> mailbox.Maildir:
    box = mailbox.Maildir(str(root / "Maildir"), create=True)
    box.add_folder("Drafts")
    return box


def _draft_files(root: Path) -> list[Path]:
    return sorted((root / "Maildir" / ".Drafts" / "cur").iterdir())


def test_a_storage_failure_ends_the_cycle_and_loses_nothing(tmp_path: Path) -> None:
    """Defect 3: SQLite failing while a draft is recorded is not "a bad message": the run
    fails (exit 1, one line), the inbox cursor stays, and the next run finishes the job
    with the draft it finds in Drafts (no second one)."""
    box = _new_maildir(tmp_path)
    box.add(invitation("Priya Raman"))
    state = tmp_path / "state.sqlite3"
    env = _maildir_env(tmp_path, state)
    Store(state).close()
    db = sqlite3.connect(state)
    db.execute(
        "CREATE TRIGGER full BEFORE INSERT ON drafts BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    db.commit()
    failed = mailbot(tmp_path, env, "--run-once")
    assert failed.returncode == 1, failed
    assert "disk full" in failed.stderr and "Traceback" not in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1
    assert len(_draft_files(tmp_path)) == 1  # appended before the failure
    db.execute("DROP TRIGGER full")
    db.commit()
    db.close()
    report = run_json(tmp_path, env)["processed"]
    assert [(p["requester"], p["decision"], p["draft"], p["draft_found"]) for p in report] == [
        ("Priya Raman", "ask", False, True)
    ]
    assert len(_draft_files(tmp_path)) == 1
    status = json.loads(mailbot(tmp_path, env, "--json", "status").stdout)
    assert [c["name"] for c in status["open"]] == ["Priya Raman"]
    assert status["skipped"] == []


def test_drafts_found_in_drafts_are_counted_apart_from_drafts_stored(tmp_path: Path) -> None:
    """Defect 6: after the state is lost, the run says "found", not "stored"."""
    box = _new_maildir(tmp_path)
    box.add(invitation("Priya Raman"))
    box.add(invitation("Sam Widener", note="I would like to grow my network."))
    state = tmp_path / "state.sqlite3"
    env = _maildir_env(tmp_path, state)
    first = mailbot(tmp_path, env, "--run-once")
    assert "2 drafts stored" in first.stdout, first
    for path in tmp_path.glob("state.sqlite3*"):
        path.unlink()
    again = mailbot(tmp_path, env, "--run-once")
    assert again.returncode == 0, again
    assert "0 drafts stored, 2 already in Drafts" in again.stdout
    assert len(_draft_files(tmp_path)) == 2


def test_json_status_with_the_global_flag(tmp_path: Path) -> None:
    """Defect 6: `mailbot --json status` prints JSON, as `mailbot status --json` does."""
    box = _new_maildir(tmp_path)
    box.add(invitation("Priya Raman"))
    env = _maildir_env(tmp_path, tmp_path / "state.sqlite3")
    mailbot(tmp_path, env, "--run-once")
    before = mailbot(tmp_path, env, "--json", "status")
    after = mailbot(tmp_path, env, "status", "--json")
    assert json.loads(before.stdout) == json.loads(after.stdout)
    assert [c["name"] for c in json.loads(before.stdout)["open"]] == ["Priya Raman"]


def _previous_release(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The state file and Maildir that main made before this change (schema 2, the demo's
    first cycle: Priya Raman and a guest asked, Sam Widener explained, two in review)."""
    root = tmp_path / "old"
    shutil.copytree(FIXTURES / "state-v2", root)
    for folder in (root / "Maildir", root / "Maildir" / ".Drafts", root / "Maildir" / ".Sent"):
        for sub in ("cur", "new", "tmp"):
            (folder / sub).mkdir(exist_ok=True)
    return root, _maildir_env(root, root / "state.sqlite3", root / "contacts.csv")


def test_a_state_file_from_the_previous_release_upgrades_in_place(tmp_path: Path) -> None:
    root, env = _previous_release(tmp_path)
    assert sqlite3.connect(root / "state.sqlite3").execute("PRAGMA user_version").fetchone() == (2,)
    drafts_before = len(_draft_files(root))
    quiet = mailbot(root, env, "--run-once")
    assert quiet.returncode == 0, quiet
    assert "Nothing new." in quiet.stdout  # the cursor carried over: nothing read twice
    with Store(root / "state.sqlite3") as store:
        assert store.schema_version == SCHEMA_VERSION
        guest = store.conversation("linkedin:invitation:6168402251130896384")
        assert guest is not None and guest.invitation == guest.person  # filled in
    mailbox.Maildir(str(root / "Maildir"), create=False).add(
        (SAMPLES / "later-answer-from-priya.eml").read_bytes()
    )
    answered = json.loads(mailbot(root, env, "--run-once", "--json").stdout)["processed"]
    assert [(p["requester"], p["decision"], p["draft"]) for p in answered] == [
        ("Priya Raman", "explain", True)
    ]
    assert len(_draft_files(root)) == drafts_before  # the ask withdrawn, the explain stored
    status = json.loads(mailbot(root, env, "--json", "status").stdout)
    assert sorted(c["name"] for c in status["open"]) == ["Lucía", "Priya Raman", "Sam Widener"]
    assert sorted(c["name"] for c in status["review"]) == ["Lena Vogel", "Tomás Ortega"]


def test_the_previous_release_read_again_from_the_start_adds_nothing(tmp_path: Path) -> None:
    root, env = _previous_release(tmp_path)
    Store(root / "state.sqlite3").close()  # upgrade
    db = sqlite3.connect(root / "state.sqlite3")
    db.execute("DELETE FROM cursors")  # as after a UIDVALIDITY change: everything again
    db.commit()
    db.close()
    drafts_before = {p.name for p in _draft_files(root)}
    again = json.loads(mailbot(root, env, "--run-once", "--json").stdout)["processed"]
    assert not any(p["draft"] for p in again)
    assert {p.name for p in _draft_files(root)} == drafts_before


def test_a_state_file_from_a_newer_release_is_one_clear_line(tmp_path: Path) -> None:
    _new_maildir(tmp_path)
    state = tmp_path / "state.sqlite3"
    Store(state).close()
    db = sqlite3.connect(state)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    env = _maildir_env(tmp_path, state)
    for args in (("--run-once",), ("status",)):
        result = mailbot(tmp_path, env, *args)
        assert result.returncode != 0
        assert "newer mailbot" in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("release", ["first", "early-second"])
def test_older_state_files_upgrade(tmp_path: Path, release: str) -> None:
    """Release 1 kept `requests`; early release-2 files lack the invitation column and
    the events' message ids (they failed with "no such column")."""
    path = tmp_path / "state.sqlite3"
    db = sqlite3.connect(path)
    if release == "first":
        db.executescript(
            "CREATE TABLE cursors (folder TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL,"
            " last_uid INTEGER NOT NULL);"
            "CREATE TABLE requests (key TEXT PRIMARY KEY, network TEXT, requester TEXT,"
            " decision TEXT NOT NULL, reasons TEXT NOT NULL, message_id TEXT, draft_token TEXT,"
            " first_seen TEXT NOT NULL, updated TEXT NOT NULL);"
            "INSERT INTO requests VALUES ('linkedin:invitation:42', 'linkedin', 'Ann Old', 'ask',"
            " '[]', '<m@x>', 't', '2025-01-01', '2025-01-01');"
            "INSERT INTO requests VALUES ('linkedin:profile:https://www.linkedin.com/in/jose-p',"
            " 'linkedin', 'Dr. José Pérez, MBA', 'explain', '[]', '<j@x>', 't', '2025', '2025');"
            "INSERT INTO requests VALUES ('linkedin:invitation:43', 'linkedin', 'Spam Bot',"
            " 'ignore', '[]', '<s@x>', NULL, '2025', '2025');"
            "PRAGMA user_version=1;"
        )
    else:
        db.executescript(
            "CREATE TABLE conversations (person TEXT PRIMARY KEY, name_key TEXT NOT NULL,"
            " name TEXT NOT NULL, network TEXT, profile_url TEXT, email TEXT, language TEXT,"
            " status TEXT NOT NULL, reason TEXT NOT NULL, link TEXT, updated TEXT NOT NULL);"
            "CREATE TABLE events (person TEXT NOT NULL, at TEXT NOT NULL, what TEXT NOT NULL,"
            " detail TEXT NOT NULL);"
            "INSERT INTO conversations VALUES ('linkedin:invitation:42', 'ann old', 'Ann Old',"
            " 'linkedin', NULL, NULL, 'en', 'asked', 'r', 'linkedin:invitation:42', '2025');"
            "PRAGMA user_version=2;"
        )
    db.close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        found = store.conversation_by_invitation("linkedin:invitation:42")
        assert found is not None and found.name == "Ann Old" and found.status == "asked"
        assert not store.handled("<m@x>")
        if release == "first":  # under today's person key and name key; ignored ones left
            jose = store.conversation("linkedin:jose-p")
            assert jose is not None and (jose.name_key, jose.status) == ("jose perez", "explained")
            assert store.conversation_by_invitation("linkedin:invitation:43") is None


@pytest.fixture
def no_uidplus() -> Iterator[Dovecot]:
    """A Dovecot that does not announce UIDPLUS (it cannot remove one message safely)."""
    server = Dovecot(capability="IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SPECIAL-USE")
    server.start()
    yield server
    server.stop()


@pytest.mark.dovecot
def test_without_uidplus_a_stale_draft_is_left_and_recorded_as_stale(
    no_uidplus: Dovecot, tmp_path: Path
) -> None:
    """Defect 6: it was recorded as "kept", which means "the owner edited it"."""
    account = no_uidplus.add_account()
    env = write_env(tmp_path, account)
    seed_raw(account, invitation("Jane Doe", vanity="jane-doe-1"))
    run_json(tmp_path, env)
    seed_raw(account, network_message("Jane Doe", "No, we have never met.", vanity="jane-doe-1"))
    answered = run_json(tmp_path, env)["processed"]
    assert [(p["decision"], p["draft"], p["withdrawn"]) for p in answered] == [
        ("explain", True, [])
    ]
    assert len(drafts(account)) == 2  # the ask could not be removed: left for the owner
    db = sqlite3.connect(env["MAILBOT_STATE"])
    states = dict(db.execute("SELECT step, state FROM drafts").fetchall())
    db.close()
    assert states == {"ask": "stale", "explain": "stored"}
