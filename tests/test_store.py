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


# -- a state file that cannot be used as it is (issue 24) ---------------------------------


def run_mailbot(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    """`mailbot ARGS` on an empty Maildir, with the state at tmp_path/state.sqlite3."""
    import mailbox
    import subprocess
    import sys

    mailbox.Maildir(str(tmp_path / "Maildir"), create=True)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "MAILBOT_MAILDIR": str(tmp_path / "Maildir"),
        "MAILBOT_STATE": str(tmp_path / "state.sqlite3"),
        "MAILBOT_OWNER_NAME": "Robin Owner",
        "MAILBOT_OWNER_EMAIL": "robin@owner.example",
    }
    result = subprocess.run(
        [sys.executable, "-m", "mailbot", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.returncode, result.stdout, result.stderr


def a_state_with_jane(path: Path) -> None:
    with Store(path) as store:
        store.save_conversation(JANE, "known", "you said so")


def test_a_negative_schema_version_is_one_line_in_every_command(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    a_state_with_jane(path)
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version=-1")
    raw.commit()
    raw.close()
    with pytest.raises(StateError, match="schema version -1, which no mailbot writes"):
        Store(path)
    with pytest.raises(StateError, match="schema version -1"):
        Store(path, scratch=True)
    for args in (("--run-once",), ("status",), ("review",), ("decide", "Jane", "--as", "ask")):
        code, _, err = run_mailbot(tmp_path, *args)
        assert code == 2, (args, err)
        assert "schema version -1" in err and "Traceback" not in err, err
        assert len(err.strip().splitlines()) == 1, err


def test_an_emptied_state_file_is_refused_not_started_afresh(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    a_state_with_jane(path)
    path.write_bytes(b"")  # a full disk, a copy that went wrong: the decisions are gone
    for scratch in (False, True):
        with pytest.raises(StateError, match=r"is empty \(0 bytes\)"):
            Store(path, scratch=scratch)
    assert path.stat().st_size == 0  # left as it was, for the owner to look at
    code, _, err = run_mailbot(tmp_path, "status")
    assert code == 2 and "is empty (0 bytes)" in err and len(err.strip().splitlines()) == 1
    code, _, err = run_mailbot(tmp_path, "--run-once")
    assert code == 2 and "Traceback" not in err, err


def test_an_emptied_state_file_names_the_newest_backup(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    a_state_with_jane(path)
    with Store(path) as store:
        made = store.backup()
    path.write_bytes(b"")
    with pytest.raises(StateError, match=f"restore the newest backup \\({made.name}"):
        Store(path)


def test_a_new_file_is_not_refused_and_not_backed_up(tmp_path: Path) -> None:
    from mailbot.store import backups

    path = tmp_path / "state.sqlite3"
    Store(path).close()
    assert backups(path) == []  # nothing to keep yet


def test_the_state_is_backed_up_once_a_day_and_the_last_three_are_kept(tmp_path: Path) -> None:
    from mailbot.store import backups

    path = tmp_path / "state.sqlite3"
    a_state_with_jane(path)  # created now: no backup of an empty file
    for day in ("20261101", "20261102", "20261103", "20261104"):
        (tmp_path / f"state.sqlite3.bak-{day}").write_bytes(b"old")
    Store(path).close()  # the first open of a day
    Store(path).close()
    kept = backups(path)
    assert [p.name[-8:] for p in kept][:2] == ["20261103", "20261104"] and len(kept) == 3
    assert stat.S_IMODE(kept[-1].stat().st_mode) == 0o600
    with Store(kept[-1]) as copy:  # a real, complete copy
        assert copy.conversation(JANE.person) is not None
    assert not list(tmp_path.glob("*.partial"))


def test_the_state_is_backed_up_before_a_migration(tmp_path: Path) -> None:
    from mailbot.store import backups

    path = tmp_path / "state.sqlite3"
    a_state_with_jane(path)
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version={SCHEMA_VERSION - 1}")
    raw.commit()
    raw.close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
    [copy] = backups(path)
    raw = sqlite3.connect(copy)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION - 1  # before
    raw.close()


def damage_a_page(path: Path) -> None:
    """Overwrite the cells of the conversations table's root page (the file is closed)."""
    raw = sqlite3.connect(path)
    root = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = 'conversations'")
    page = root.fetchone()[0]
    size = raw.execute("PRAGMA page_size").fetchone()[0]
    raw.close()
    with path.open("r+b") as f:
        f.seek(size * (page - 1) + 16)
        f.write(b"\xa5" * 600)


def test_check_finds_a_damaged_page_and_does_not_back_it_up(tmp_path: Path) -> None:
    from mailbot.store import backups

    path = tmp_path / "state.sqlite3"
    with Store(path) as store:
        for n in range(200):
            store.save_conversation(replace(JANE, person=f"p{n}", invitation=None), "x", "y")
    damage_a_page(path)
    with Store(path) as store, pytest.raises(StateError, match="is damaged"):
        store.verify()
    assert backups(path) == []  # a damaged state never pushes a good copy out
    code, line = state_line(tmp_path)
    assert code == 1
    assert line.startswith("ERR") and "is damaged" in line, line


def state_line(tmp_path: Path) -> tuple[int, str]:
    """`mailbot check`'s exit code and its one line about the state file."""
    code, out, _ = run_mailbot(tmp_path, "check")
    [line] = [line for line in out.splitlines() if " state " in line]
    return code, line


def test_check_finds_a_renamed_column(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    a_state_with_jane(path)
    raw = sqlite3.connect(path)
    raw.execute("ALTER TABLE conversations RENAME COLUMN details TO evidence")
    raw.commit()
    raw.close()
    with Store(path) as store, pytest.raises(StateError, match="lacks details"):
        store.verify()
    code, line = state_line(tmp_path)
    assert code == 1
    assert line.startswith("ERR") and "has evidence instead" in line, line


def test_check_says_what_it_verified(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    a_state_with_jane(path)
    path.chmod(0o600)
    _, line = state_line(tmp_path)
    assert line.startswith("OK") and "integrity_check ok" in line, line


def test_a_release_5_file_gains_the_message_each_draft_answers(tmp_path: Path) -> None:
    """Schema 6 remembers what a draft replies to (its In-Reply-To), so a draft the owner
    edits and sends under a new Message-ID is still told; older drafts keep working."""
    path = tmp_path / "s.sqlite3"
    with Store(path) as store:
        store.record_draft(DRAFT)
    raw = sqlite3.connect(path)
    raw.execute("ALTER TABLE drafts DROP COLUMN replying_to")
    raw.execute("INSERT INTO history_cursors VALUES ('INBOX', 1, 99)")  # built under release 5
    raw.execute("PRAGMA user_version=5")
    raw.commit()
    raw.close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 6
        # release 5 believed a topmost Authentication-Results the sender may have written
        assert store.history_cursor("INBOX") is None
        assert store.draft(DRAFT.token) == DRAFT  # replying_to: "" (unknown)
        answering = replace(DRAFT, token="t2", replying_to="<inv@linkedin.com>")
        store.record_draft(answering)
        assert store.draft("t2") == answering


def test_the_index_is_built_again_when_the_rules_of_whose_mail_is_the_owners_change(
    tmp_path: Path,
) -> None:
    from mailbot.records import Cursor

    with Store(tmp_path / "s.sqlite3") as store:
        assert store.history_built_for("owners=robin@owner.example;authserv=")
        store.set_history_cursor("INBOX", Cursor(1, 99))
        assert store.history_built_for("owners=robin@owner.example;authserv=")
        assert store.history_cursor("INBOX") == Cursor(1, 99)  # the same rules: kept
        assert not store.history_built_for("owners=robin@owner.example;authserv=mx.example")
        assert store.history_cursor("INBOX") is None  # read again under the new rules
        assert store.history_built_for("owners=robin@owner.example;authserv=mx.example")
