"""The store: every record comes back as it was written, failures are StorageError, and
the schema version is the file's own."""

from __future__ import annotations

import sqlite3
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from mailbot.records import Conversation, Cursor, DraftRecord
from mailbot.store import SCHEMA_VERSION, StateError, StorageError, Store

JANE = Conversation(
    person="linkedin:jane-doe-1",
    name_key="jane doe",
    name="Jane Doe",
    network="linkedin",
    profile_url="https://www.linkedin.com/in/jane-doe-1",
    email="jane@x.example",
    language="de",
    status="asked",
    reason="a stranger",
    link="https://www.linkedin.com/in/jane-doe-1",
    invitation="linkedin:invitation:6001",
)
DRAFT = DraftRecord("t1", JANE.person, "ask", "<a.mailbot@owner.example>", "Drafts", "d", "stored")


def test_a_conversation_comes_back_with_every_field(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        store.save_conversation(JANE, "ask", "why", "<inv@x>")
        got = store.conversation(JANE.person)
        assert got is not None and got.updated
        assert replace(got, updated="") == JANE
        assert store.conversation_by_invitation("linkedin:invitation:6001") == got
        assert store.conversations_by_name("jane doe", "linkedin") == [got]
        assert store.conversations_by_name("jane doe", "xing") == []
        assert store.handled("<inv@x>") and not store.handled("<other@x>")
        assert store.events(JANE.person)[0][1:] == ("ask", "why")


def test_drafts_and_cursors_come_back(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        store.record_draft(replace(DRAFT, state="discarded", message_id="<old@x>"))
        store.record_draft(DRAFT)  # the same token stored anew: what is remembered now
        assert store.draft("t1") == DRAFT
        assert store.draft_answered_by(("<x>", "<a.mailbot@owner.example>")) == DRAFT
        assert store.stored_drafts(JANE.person) == [DRAFT]
        store.set_draft_state("t1", "stale")
        assert store.stored_drafts(JANE.person) == []
        store.set_cursor("INBOX", Cursor(7, 42))
        assert store.cursor("INBOX") == Cursor(7, 42)


def test_a_skipped_message_read_again_is_listed_once(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        store.record_skipped("<m@x>", "Jane", "could not read it")
        store.record_skipped("<m@x>", "Jane", "could not read it")
        assert [(s.message_id, s.reason) for s in store.skipped()] == [
            ("<m@x>", "could not read it")
        ]


def test_a_failing_database_is_a_storage_error_and_a_transaction_lands_whole(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.sqlite3"
    with Store(path) as store:
        raw = sqlite3.connect(path)
        raw.execute(
            "CREATE TRIGGER full BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
        raw.commit()
        raw.close()
        with pytest.raises(StorageError, match="disk full"):
            store.save_conversation(JANE, "ask", "why")
        assert store.conversation(JANE.person) is None  # the conversation row rolled back too


def test_a_new_file_is_private_and_at_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "state" / "s.sqlite3"
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_garbage_is_one_clear_state_error(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StateError, match="move it aside"):
        Store(path)


def test_a_state_path_under_a_file_is_one_line_naming_the_key(tmp_path: Path) -> None:
    import mailbox
    import subprocess
    import sys

    from mailbot.errors import ConfigError

    (tmp_path / "afile").write_text("x")
    with pytest.raises(ConfigError, match="MAILBOT_STATE"):
        Store(tmp_path / "afile" / "state.sqlite3")
    mailbox.Maildir(str(tmp_path / "Maildir"), create=True)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "MAILBOT_MAILDIR": str(tmp_path / "Maildir"),
        "MAILBOT_STATE": str(tmp_path / "afile" / "state.sqlite3"),
        "MAILBOT_OWNER_NAME": "Robin Owner",
        "MAILBOT_OWNER_EMAIL": "robin@owner.example",
    }
    for args in (("--run-once",), ("status",)):
        result = subprocess.run(
            [sys.executable, "-m", "mailbot", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2, (args, result.stderr)
        assert "MAILBOT_STATE" in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_loose_permissions_are_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "state" / "mailbot"  # the default $XDG_STATE_HOME/mailbot
    folder.mkdir(parents=True, mode=0o755)
    folder.chmod(0o755)
    path = folder / "state.sqlite3"
    Store(path).close()
    path.chmod(0o644)
    Store(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
