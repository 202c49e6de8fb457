"""The one owner of mailbot's SQLite file: the connection, the schema and its migrations,
transactions, and a typed method for every read and write. Nothing else in mailbot
touches SQL.

Three parts live in the file: the state (inbox cursors, conversations, our drafts, their
history, messages that could not be understood), the correspondence index (who the owner
wrote to or heard from), and the Maildir backend's UID numbering.

The schema version is SQLite's `PRAGMA user_version`; `_MIGRATIONS` upgrades an older
file in place, step by step, each step in one transaction. A file from a newer mailbot
is refused in one line, and so is a version no mailbot writes (negative), an emptied
(0-byte) file and a damaged one: the owner's decisions are in it, so mailbot never starts
afresh over them (StateError, exit 2, naming the newest backup). The file is created
user-only (0600); every write is its own transaction or part of an explicit one, so a kill
leaves the old or the new rows, never half. Any SQLite failure (locked past the timeout,
disk full, damage) is a StorageError: the cycle ends and the message stays pending.

Backups: before each migration and once a day, a copy made with SQLite's online backup
API beside the file (state.sqlite3.bak-YYYYMMDD, user-only; the last BACKUPS_KEPT kept).
`verify` (for `mailbot check`) runs SQLite's integrity check and compares the tables'
columns with the schema.
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import astuple, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mailbot.errors import ConfigError, MailbotError, StateFileError
from mailbot.identity import INVITATION_KEYS, loose, mark_of, normalise_name, person_key
from mailbot.records import STORED, Conversation, Cursor, DraftRecord, FolderState, Skipped

SCHEMA_VERSION = 6
BOUNCED = "bounced"  # the event of a bounce (no schema change: a row of `events`)
INVITATION_PREFIXES = tuple(f"{prefix}%" for prefix in INVITATION_KEYS)


class StorageError(MailbotError):
    """The state database failed (locked, full, damaged): nothing is lost, retry later."""


class StateError(StorageError, StateFileError):
    """The state database cannot be opened, is damaged or emptied, or is from a newer
    mailbot: the owner must look (exit 2, like a configuration error)."""


log = logging.getLogger(__name__)
BACKUPS_KEPT = 3
BACKUP_SUFFIX = ".bak-"  # state.sqlite3.bak-20261207
QUICK_CHECK_BYTES = 64 * 1024 * 1024  # bigger files get PRAGMA quick_check, not integrity_check


_TABLES = """
CREATE TABLE IF NOT EXISTS cursors (
    folder      TEXT PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS conversations (
    person      TEXT PRIMARY KEY,
    name_key    TEXT NOT NULL,
    name        TEXT NOT NULL,
    network     TEXT,
    profile_url TEXT,
    email       TEXT,
    language    TEXT,
    status      TEXT NOT NULL,
    reason      TEXT NOT NULL,
    link        TEXT,
    updated     TEXT NOT NULL,
    invitation  TEXT,
    headline    TEXT,
    common      TEXT,
    details     TEXT NOT NULL DEFAULT '',
    parent_id   TEXT,
    parent_subject TEXT NOT NULL DEFAULT '',
    parent_refs TEXT NOT NULL DEFAULT '',
    decided     TEXT
);
CREATE TABLE IF NOT EXISTS invitations (
    invitation  TEXT PRIMARY KEY,
    person      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS drafts (
    token       TEXT PRIMARY KEY,
    person      TEXT NOT NULL,
    step        TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    folder      TEXT NOT NULL,
    digest      TEXT NOT NULL,
    state       TEXT NOT NULL,
    created     TEXT NOT NULL,
    recipient   TEXT NOT NULL DEFAULT '',
    missing_since TEXT NOT NULL DEFAULT '',
    replying_to TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS events (
    person      TEXT NOT NULL,
    at          TEXT NOT NULL,
    what        TEXT NOT NULL,
    detail      TEXT NOT NULL,
    message_id  TEXT
);
CREATE TABLE IF NOT EXISTS skipped (
    message_id  TEXT,
    who         TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS history (
    folder      TEXT NOT NULL,
    uid         INTEGER NOT NULL,
    address     TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    first_word  TEXT NOT NULL,
    last_word   TEXT NOT NULL,
    direction   TEXT NOT NULL,
    date        TEXT,
    subject     TEXT NOT NULL,
    application INTEGER NOT NULL,
    PRIMARY KEY (folder, uid, address, direction)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS history_cursors (
    folder      TEXT PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS history_rules (
    fingerprint TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS maildir_folders (
    folder      TEXT PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    uidnext     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS maildir_uids (
    folder      TEXT NOT NULL,
    key         TEXT NOT NULL,
    uid         INTEGER NOT NULL,
    PRIMARY KEY (folder, key)
);
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS conversations_name ON conversations (name_key);
CREATE INDEX IF NOT EXISTS conversations_invitation ON conversations (invitation);
CREATE INDEX IF NOT EXISTS invitations_person ON invitations (person);
CREATE INDEX IF NOT EXISTS drafts_message ON drafts (message_id);
CREATE INDEX IF NOT EXISTS drafts_person ON drafts (person);
CREATE INDEX IF NOT EXISTS events_person ON events (person);
CREATE INDEX IF NOT EXISTS events_message ON events (message_id);
CREATE INDEX IF NOT EXISTS maildir_uids_uid ON maildir_uids (folder, uid);
"""
HISTORY_LOOKUPS = {  # dropped during a bulk build of the index (see history_bulk)
    "history_name": "history (name_key)",
    "history_address": "history (address)",
    "history_first": "history (first_word)",
    "history_last": "history (last_word)",
}
_FOLLOWED = "\x00followed:"  # cursors of folders read for our sent drafts, not watched
# Column lists come from the record types, so a field added to one cannot be forgotten
# in a query (the migration adds the column).
_CONVERSATION = ", ".join(f.name for f in fields(Conversation))
_DRAFT = ", ".join(f.name for f in fields(DraftRecord))


def _create_tables(db: sqlite3.Connection) -> None:
    # Statement by statement: executescript() would commit the migration's transaction.
    for statement in _TABLES.split(";"):
        if statement.strip():
            db.execute(statement)


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def _add_column(db: sqlite3.Connection, table: str, column: str, kind: str) -> None:
    if column not in _columns(db, table):
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def _from_1(db: sqlite3.Connection) -> None:
    """Release 1 kept one row per request (`requests`); its drafts carry tokens of another
    form. Each request becomes a conversation under today's person key, so a reminder of
    it adds nothing; requests it ignored (spam, look-alikes) are left behind."""
    _create_tables(db)
    if "requests" not in {r[0] for r in db.execute("SELECT name FROM sqlite_master")}:
        return
    status = {"ask": "asked", "explain": "explained", "known": "known", "review": "review"}
    rows = db.execute("SELECT key, network, requester, decision, updated FROM requests")
    for key, network, requester, decision, updated in rows.fetchall():
        if decision not in status:
            continue
        name = requester or "(unknown)"
        profile = key.split(":profile:", 1)[1] if ":profile:" in key else None
        invitation = key if key.startswith(INVITATION_KEYS) else None
        person = person_key(network, name, profile, invitation)
        db.execute(
            "INSERT OR IGNORE INTO conversations (person, name_key, name, network, "
            "profile_url, status, reason, link, updated, invitation) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                person,
                normalise_name(name),
                name,
                network,
                profile,
                status[decision],
                "carried over from an older mailbot",
                profile or key,
                updated,
                invitation,
            ),
        )


def _from_2(db: sqlite3.Connection) -> None:
    """Release 2 wrote user_version 2 while its columns grew: add any missing, and fill in
    the invitation id that was never written (kept in `link` or the person key)."""
    _create_tables(db)
    _add_column(db, "conversations", "invitation", "TEXT")
    _add_column(db, "events", "message_id", "TEXT")
    for pattern in INVITATION_PREFIXES:
        db.execute(
            "UPDATE conversations SET invitation = person "
            "WHERE invitation IS NULL AND person LIKE ?",
            (pattern,),
        )
        db.execute(
            "UPDATE conversations SET invitation = link WHERE invitation IS NULL AND link LIKE ?",
            (pattern,),
        )
    db.execute(
        "INSERT OR IGNORE INTO invitations SELECT invitation, person FROM conversations "
        "WHERE invitation IS NOT NULL"
    )
    # The index's first and last words are kept loosely folded now (identity.loose).
    rows = db.execute("SELECT DISTINCT name_key FROM history").fetchall()
    for (name_key,) in rows:
        words = loose(name_key).split()
        first, last = (words[0], words[-1]) if words else ("", "")
        db.execute(
            "UPDATE history SET first_word = ?, last_word = ? WHERE name_key = ?",
            (first, last, name_key),
        )


def _from_3(db: sqlite3.Connection) -> None:
    """Release 3 kept no headline, evidence, latest message or owner's verdict per
    conversation, and no recipient per draft (all unknown for old rows: left empty)."""
    _create_tables(db)
    _add_column(db, "conversations", "headline", "TEXT")
    _add_column(db, "conversations", "common", "TEXT")
    _add_column(db, "conversations", "details", "TEXT NOT NULL DEFAULT ''")
    _add_column(db, "conversations", "parent_id", "TEXT")
    _add_column(db, "conversations", "parent_subject", "TEXT NOT NULL DEFAULT ''")
    _add_column(db, "conversations", "parent_refs", "TEXT NOT NULL DEFAULT ''")
    _add_column(db, "conversations", "decided", "TEXT")
    _add_column(db, "drafts", "recipient", "TEXT NOT NULL DEFAULT ''")
    _add_column(db, "drafts", "missing_since", "TEXT NOT NULL DEFAULT ''")
    # The index counted our drafts the owner sent, and the answers to them, as
    # correspondence: built again from scratch on the next run.
    db.execute("DELETE FROM history")
    db.execute("DELETE FROM history_cursors")


def _from_4(db: sqlite3.Connection) -> None:
    """Release 4's index believed what strangers can write (a From: naming the owner in
    any folder, calendar parts received from others, any "application" subject, a
    Message-ID shaped like a draft's): built again from scratch on the next run."""
    _create_tables(db)
    db.execute("DELETE FROM history")
    db.execute("DELETE FROM history_cursors")


def _from_5(db: sqlite3.Connection) -> None:
    """Release 5 kept no note of the message a draft answers (unknown for old drafts: a
    draft of theirs the owner edits and sends under a new Message-ID is then not told),
    and its index believed the topmost Authentication-Results header when no
    MAILBOT_AUTHSERV_ID was set (the sender may have written it): built again."""
    _create_tables(db)
    _add_column(db, "drafts", "replying_to", "TEXT NOT NULL DEFAULT ''")
    db.execute("DELETE FROM history")
    db.execute("DELETE FROM history_cursors")


# user_version N is upgraded by _MIGRATIONS[N]; 0 is a new, empty file.
_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    0: _create_tables,
    1: _from_1,
    2: _from_2,
    3: _from_3,
    4: _from_4,
    5: _from_5,
}


class Store:
    """The state database. With scratch=True (dry runs, `status`) it is an in-memory copy
    of the file, if there is one: everything works, nothing reaches the disk."""

    def __init__(self, path: Path, *, scratch: bool = False) -> None:
        self.path = path
        if path.parent.exists() and not path.parent.is_dir():
            raise ConfigError("MAILBOT_STATE", f"{path.parent} is a file, not a folder")
        _refuse_emptied(path)
        try:
            self._db = self._open_scratch(path) if scratch else self._open_file(path)
        except PermissionError as exc:
            raise ConfigError("MAILBOT_STATE", f"cannot use {path} ({exc.strerror})") from None
        except (OSError, sqlite3.DatabaseError) as exc:
            raise StateError(
                f"state database {path} cannot be used ({exc}); move it aside and run again: "
                "drafts already in your Drafts folder are recognised, not duplicated"
            ) from None
        try:
            fresh = self._version() == 0  # a new file: nothing to keep a copy of yet
            self._migrate(backup=not scratch)
        except sqlite3.OperationalError as exc:
            self._db.close()
            if "locked" in str(exc) or "busy" in str(exc):
                raise StorageError(
                    f"state database {path} is busy ({exc}): another mailbot is upgrading or "
                    "using it; try again in a moment"
                ) from None
            raise StateError(
                f"state database {path} cannot be upgraded ({exc}); move it aside and run "
                "again: drafts already in your Drafts folder are recognised, not duplicated"
            ) from None
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StateError(
                f"state database {path} cannot be upgraded ({exc}); move it aside and run "
                "again: drafts already in your Drafts folder are recognised, not duplicated"
            ) from None
        except BaseException:
            self._db.close()
            raise
        if not (scratch or fresh):
            self._backup_daily()

    @staticmethod
    def _open_file(path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        _tighten(path)
        db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        # With WAL, NORMAL survives any crash of mailbot; a power cut may lose the last
        # records, which the Drafts folder itself then answers for (see act.py).
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    @staticmethod
    def _open_scratch(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        if path.exists():
            source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
            try:
                source.backup(db)
            finally:
                source.close()
        return db

    def _version(self) -> int:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version < 0:
            raise StateError(
                f"state database {self.path} has schema version {version}, which no mailbot "
                f"writes: it was changed by hand or is damaged; {_restore_hint(self.path)}"
            )
        if version > SCHEMA_VERSION:
            raise StateError(
                f"state database {self.path} was written by a newer mailbot (schema {version}; "
                f"this one knows up to {SCHEMA_VERSION}): upgrade mailbot, or point "
                "MAILBOT_STATE at another file"
            )
        return version

    def _migrate(self, *, backup: bool) -> None:
        if backup and 0 < self._version() < SCHEMA_VERSION:
            self.backup()  # the owner's state as it was, before an upgrade changes it
        while self._version() < SCHEMA_VERSION:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                version = self._version()  # again, inside: another process may have upgraded
                if version >= SCHEMA_VERSION:
                    self._db.execute("ROLLBACK")
                    break
                _MIGRATIONS[version](self._db)
                version += 1
                self._db.execute(f"PRAGMA user_version={version}")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        self._db.executescript(_INDEXES)
        self.create_history_lookups()  # also after a bulk build that was killed midway

    @property
    def schema_version(self) -> int:
        return int(self._one("PRAGMA user_version")[0])

    def backup(self) -> Path:
        """Copy the state, as it is now, to state.sqlite3.bak-YYYYMMDD (SQLite's online
        backup API: consistent while others write), user-only; older copies beyond the
        last BACKUPS_KEPT are removed."""
        target = self.path.with_name(f"{self.path.name}{BACKUP_SUFFIX}{_today()}")
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        try:
            os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
            copy = sqlite3.connect(partial)
            try:
                self._db.backup(copy)
            finally:
                copy.close()
            partial.replace(target)
        except (OSError, sqlite3.Error) as exc:
            partial.unlink(missing_ok=True)
            raise StorageError(f"cannot back up the state database to {target}: {exc}") from None
        for old in backups(self.path)[:-BACKUPS_KEPT]:
            old.unlink(missing_ok=True)
        return target

    def _backup_daily(self) -> None:
        """Today's backup, unless there is one already. A damaged state is not copied (it
        would push the good copies out); that and a failed copy are logged: the cycle goes
        on, and the next open tries again."""
        made = backups(self.path)
        if made and made[-1].name.endswith(_today()):
            return
        try:
            if self._db.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok":
                log.warning(
                    "state database %s looks damaged: not backed up; run `mailbot check`", self.path
                )
                return
            self.backup()
        except (StorageError, sqlite3.DatabaseError) as exc:
            log.warning("%s", exc)

    def verify(self) -> str:
        """For `mailbot check`: SQLite's integrity check (quick_check for a big file) and
        every table with every column the schema has. A StateError names what is wrong."""
        size = self.path.stat().st_size if self.path.exists() else 0
        pragma = "quick_check" if size > QUICK_CHECK_BYTES else "integrity_check"
        try:
            problems = [row[0] for row in self._db.execute(f"PRAGMA {pragma}(5)")]
        except sqlite3.DatabaseError as exc:
            problems = [str(exc)]
        if problems != ["ok"]:
            found = " ".join("; ".join(problems).split())[:200]  # one line
            raise StateError(
                f"state database {self.path} is damaged ({found}); {_restore_hint(self.path)}"
            )
        expected = _schema_columns()
        for table, columns in expected.items():
            have = _columns(self._db, table)
            if missing := [c for c in columns if c not in have]:
                unknown = sorted(have - set(columns))
                raise StateError(
                    f"state database {self.path}: table {table} lacks "
                    f"{', '.join(missing)}"
                    + (f" (has {', '.join(unknown)} instead: renamed?)" if unknown else "")
                    + f"; {_restore_hint(self.path)}"
                )
        return f"{pragma} ok, {len(expected)} tables as expected"

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- the one way to SQLite ------------------------------------------------------------

    def _run(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, args)
        except sqlite3.Error as exc:
            raise StorageError(f"state database {self.path}: {exc}") from None

    def _one(self, sql: str, args: Sequence[Any] = ()) -> Any:
        try:
            return self._db.execute(sql, args).fetchone()
        except sqlite3.Error as exc:
            raise StorageError(f"state database {self.path}: {exc}") from None

    def _all(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StorageError(f"state database {self.path}: {exc}") from None

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            self._db.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise StorageError(f"state database {self.path}: {exc}") from None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Several writes that land together or not at all."""
        if self._db.in_transaction:  # nested: the outer one decides
            yield
            return
        self._run("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        self._run("COMMIT")

    # -- inbox cursors ----------------------------------------------------------------------

    def cursor(self, folder: str) -> Cursor | None:
        row = self._one("SELECT uidvalidity, last_uid FROM cursors WHERE folder = ?", (folder,))
        return Cursor(int(row[0]), int(row[1])) if row else None

    def followed_cursor(self, folder: str) -> Cursor | None:
        """How far the Sent folder was read for copies of our drafts (act.follow_drafts)."""
        return self.cursor(_FOLLOWED + folder)

    def set_followed_cursor(self, folder: str, cursor: Cursor) -> None:
        self.set_cursor(_FOLLOWED + folder, cursor)

    def is_current(self, folder: str, status: FolderState) -> bool:
        """Whether everything up to the folder's UIDNEXT was read (under this UIDVALIDITY)."""
        return self.cursor(folder) == Cursor(status.uidvalidity, status.uidnext - 1)

    def set_cursor(self, folder: str, cursor: Cursor) -> None:
        self._run(
            "INSERT INTO cursors (folder, uidvalidity, last_uid) VALUES (?, ?, ?) "
            "ON CONFLICT(folder) DO UPDATE SET uidvalidity = excluded.uidvalidity, "
            "last_uid = excluded.last_uid",
            (folder, cursor.uidvalidity, cursor.last_uid),
        )

    # -- conversations ----------------------------------------------------------------------

    def conversation(self, person: str) -> Conversation | None:
        row = self._one(f"SELECT {_CONVERSATION} FROM conversations WHERE person = ?", (person,))
        return Conversation(*row) if row else None

    def conversation_by_invitation(self, invitation: str) -> Conversation | None:
        """The conversation an invitation id (the first one or any re-send's) belongs to."""
        row = self._one("SELECT person FROM invitations WHERE invitation = ?", (invitation,))
        return self.conversation(row[0]) if row else None

    def link_invitation(self, invitation: str, person: str) -> None:
        """Tie an invitation id to a conversation: its reminders join it from now on."""
        self._run("INSERT OR IGNORE INTO invitations VALUES (?, ?)", (invitation, person))

    def conversations_by_name(self, name_key: str, network: str | None) -> list[Conversation]:
        rows = self._all(
            f"SELECT {_CONVERSATION} FROM conversations WHERE name_key = ? AND network IS ?",
            (name_key, network),
        )
        return [Conversation(*row) for row in rows]

    def conversations(self, *statuses: str) -> list[Conversation]:
        marks = ", ".join("?" * len(statuses))
        rows = self._all(
            f"SELECT {_CONVERSATION} FROM conversations WHERE status IN ({marks}) "
            "ORDER BY updated DESC",
            statuses,
        )
        return [Conversation(*row) for row in rows]

    def everyone(self) -> list[Conversation]:
        """Every conversation, the latest first (for `mailbot decide` to find a person)."""
        rows = self._all(f"SELECT {_CONVERSATION} FROM conversations ORDER BY updated DESC")
        return [Conversation(*row) for row in rows]

    def save_conversation(
        self, c: Conversation, event: str, detail: str, message_id: str | None = None
    ) -> None:
        now = _now()
        with self.transaction():
            row = astuple(replace(c, updated=now))
            marks = ", ".join("?" * len(row))
            self._run(
                f"INSERT OR REPLACE INTO conversations ({_CONVERSATION}) VALUES ({marks})", row
            )
            if c.invitation:
                self.link_invitation(c.invitation, c.person)
            self._run(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?)",
                (c.person, now, event, detail, message_id),
            )

    def handled(self, message_id: str | None) -> bool:
        """Whether this message already moved a conversation (a cycle read it before)."""
        if not message_id:
            return False
        return (
            self._one("SELECT 1 FROM events WHERE message_id = ? LIMIT 1", (message_id,))
            is not None
        )

    def record_bounce(self, person: str, address: str, message_id: str | None) -> None:
        """A bounce of our draft to this person: an event of the conversation (which stays
        as it was). Read again after an interrupted cycle, it is remembered once."""
        if message_id and self._one(
            "SELECT 1 FROM events WHERE message_id = ? AND what = ? LIMIT 1",
            (message_id, BOUNCED),
        ):
            return
        self._run(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?)",
            (person, _now(), BOUNCED, address, message_id),
        )

    def bounces(self, person: str) -> list[tuple[str, str]]:
        """(when, the address) of every bounce of our drafts to this person, oldest first."""
        rows = self._all(
            "SELECT at, detail FROM events WHERE person = ? AND what = ? ORDER BY rowid",
            (person, BOUNCED),
        )
        return [(row[0], row[1]) for row in rows]

    def events(self, person: str) -> list[tuple[str, str, str]]:
        rows = self._all(
            "SELECT at, what, detail FROM events WHERE person = ? ORDER BY rowid", (person,)
        )
        return [(row[0], row[1], row[2]) for row in rows]

    # -- our drafts ---------------------------------------------------------------------

    def draft(self, token: str) -> DraftRecord | None:
        row = self._one(f"SELECT {_DRAFT} FROM drafts WHERE token = ?", (token,))
        return DraftRecord(*row) if row else None

    def draft_answered_by(self, message_ids: Sequence[str]) -> DraftRecord | None:
        """Our draft that one of these Message-IDs names (a reply threads to it)."""
        for message_id in message_ids:
            row = self._one(f"SELECT {_DRAFT} FROM drafts WHERE message_id = ?", (message_id,))
            if row:
                return DraftRecord(*row)
        return None

    def stored_drafts(self, person: str) -> list[DraftRecord]:
        rows = self._all(
            f"SELECT {_DRAFT} FROM drafts WHERE person = ? AND state = ?", (person, STORED)
        )
        return [DraftRecord(*row) for row in rows]

    def drafts_in(self, *states: str) -> list[DraftRecord]:
        marks = ", ".join("?" * len(states))
        rows = self._all(
            f"SELECT {_DRAFT} FROM drafts WHERE state IN ({marks}) ORDER BY created", states
        )
        return [DraftRecord(*row) for row in rows]

    def latest_draft(self, person: str) -> DraftRecord | None:
        """Our latest draft for this person, whatever became of it."""
        row = self._one(
            f"SELECT {_DRAFT} FROM drafts WHERE person = ? ORDER BY created DESC, rowid DESC "
            "LIMIT 1",
            (person,),
        )
        return DraftRecord(*row) if row else None

    def draft_marks(self) -> set[str]:
        """The marks in our drafts' Message-IDs (identity.draft_mark of each owner address
        they were made under)."""
        return {
            mark
            for (message_id,) in self._all("SELECT DISTINCT message_id FROM drafts")
            if (mark := mark_of(message_id))
        }

    def our_message_ids(self) -> frozenset[str]:
        """The Message-IDs of every draft mailbot stored (whatever became of it)."""
        return frozenset(row[0] for row in self._all("SELECT message_id FROM drafts"))

    def our_drafts(self) -> frozenset[str]:
        """The Message-IDs and the tokens of every draft mailbot stored, and the Message-IDs
        of the messages its conversations handled (what our drafts answer): what tells our
        drafts (also sent under another Message-ID, as Outlook does: they still answer the
        same message) and the answers to them from mail that merely looks like one."""
        rows = self._all(
            "SELECT message_id, token FROM drafts "
            "UNION SELECT message_id, NULL FROM events WHERE message_id IS NOT NULL"
        )
        return frozenset(value for row in rows for value in row if value)

    def record_draft(self, d: DraftRecord) -> None:
        """Remember a draft we stored (a token stored again, e.g. asked for again by the
        owner after deleting it, replaces what was remembered of it)."""
        row = (*astuple(d), _now())
        marks = ", ".join("?" * len(row))
        self._run(f"INSERT OR REPLACE INTO drafts ({_DRAFT}, created) VALUES ({marks})", row)

    def set_draft_state(self, token: str, state: str, missing_since: str = "") -> None:
        self._run(
            "UPDATE drafts SET state = ?, missing_since = ? WHERE token = ?",
            (state, missing_since, token),
        )

    # -- messages that could not be understood --------------------------------------------

    def record_skipped(self, message_id: str | None, who: str, reason: str) -> None:
        if self._one(
            "SELECT 1 FROM skipped WHERE message_id IS ? AND who = ? AND reason = ?",
            (message_id, who, reason),
        ):
            return  # read again after an interrupted cycle: listed once
        self._run("INSERT INTO skipped VALUES (?, ?, ?, ?)", (message_id, who, reason, _now()))

    def skipped(self) -> list[Skipped]:
        rows = self._all("SELECT message_id, who, reason, at FROM skipped ORDER BY rowid")
        return [Skipped(r[0], r[1], r[2], r[3]) for r in rows]

    # -- the correspondence index -----------------------------------------------------------

    def history_cursor(self, folder: str) -> Cursor | None:
        row = self._one(
            "SELECT uidvalidity, last_uid FROM history_cursors WHERE folder = ?", (folder,)
        )
        return Cursor(int(row[0]), int(row[1])) if row else None

    def set_history_cursor(self, folder: str, cursor: Cursor) -> None:
        self._run(
            "INSERT INTO history_cursors VALUES (?, ?, ?) ON CONFLICT(folder) DO UPDATE SET "
            "uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid",
            (folder, cursor.uidvalidity, cursor.last_uid),
        )

    def drop_history(self, folder: str) -> None:
        self._run("DELETE FROM history WHERE folder = ?", (folder,))

    def history_built_for(self, fingerprint: str) -> bool:
        """Whether the index was built under these rules (the owner's addresses and the
        servers vouching for them: what decides whose mail is the owner's). If not, it is
        emptied, to be built again under them, and the fingerprint kept."""
        row = self._one("SELECT fingerprint FROM history_rules")
        if row is not None and row[0] == fingerprint:
            return True
        with self.transaction():
            if row is not None:  # a new file has nothing to forget
                self._run("DELETE FROM history")
                self._run("DELETE FROM history_cursors")
            self._run("DELETE FROM history_rules")
            self._run("INSERT INTO history_rules VALUES (?)", (fingerprint,))
        return row is None

    def add_history(self, folder: str, cursor: Cursor, rows: Sequence[tuple[Any, ...]]) -> None:
        """One batch of index rows and the folder's cursor, together: a kill loses one batch."""
        with self.transaction():
            self._many(
                "INSERT OR REPLACE INTO history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
            self.set_history_cursor(folder, cursor)

    def create_history_lookups(self) -> None:
        for name, target in HISTORY_LOOKUPS.items():
            self._run(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    def history_lookups(self) -> set[str]:
        rows = self._all(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'history'"
        )
        return {r[0] for r in rows} & set(HISTORY_LOOKUPS)

    @contextmanager
    def history_bulk(self, bulk: bool) -> Iterator[None]:
        """Without the lookup indexes while reading many messages, made again at the end.

        Rows arrive in UID order, so every row lands on a random page of each of the four
        lookup indexes, and each batch's commit rewrote thousands of pages: measured on
        120,000 rows, 75 us a row at the start and 240 us at the end (23 s in all), against
        9 us a row and 1 s for the four indexes built at the end (2 s in all). A build
        killed midway leaves no index behind; the next Store made on the file makes them.
        """
        if not bulk:
            yield
            return
        for name in HISTORY_LOOKUPS:
            self._run(f"DROP INDEX IF EXISTS {name}")
        try:
            yield
        finally:
            self.create_history_lookups()

    def history_totals(self, where: str, args: Sequence[str]) -> list[tuple[Any, ...]]:
        """(address, sent, received, applications, first, last, meetings, invited, many) for every
        address that has a row matching `where` (one of the fixed conditions of
        people/index.py). First and last are of the mail: a meeting's date is its start."""
        if where not in ("address = ?", "name_key = ?"):
            raise ValueError(where)
        return self._all(
            "SELECT address, SUM(direction = 'sent'), SUM(direction = 'received'), "
            "SUM(application), MIN(CASE WHEN direction IN ('sent', 'received') THEN date END), "
            "MAX(CASE WHEN direction IN ('sent', 'received') THEN date END), "
            "SUM(direction = 'meeting'), SUM(direction = 'meeting-invited'), "
            "SUM(direction = 'sent-many') FROM history "
            f"WHERE address IN (SELECT address FROM history WHERE {where}) "
            "GROUP BY address ORDER BY address",
            args,
        )

    def history_names(self, address: str) -> tuple[str, ...]:
        rows = self._all("SELECT DISTINCT name FROM history WHERE address = ? LIMIT 3", (address,))
        return tuple(r[0] for r in rows if r[0])

    def history_subjects(self, address: str) -> tuple[str, ...]:
        rows = self._all(
            "SELECT subject FROM history WHERE address = ? AND subject != '' "
            "AND direction IN ('sent', 'received') "
            "ORDER BY direction = 'sent' DESC, date DESC LIMIT 2",
            (address,),
        )
        return tuple(r[0] for r in rows)

    def history_meeting(self, address: str) -> tuple[str, str | None] | None:
        """(summary, date) of the latest meeting with this address: one the owner had
        (direction 'meeting') before one they were only invited to."""
        row = self._one(
            "SELECT subject, date FROM history WHERE address = ? "
            "AND direction IN ('meeting', 'meeting-invited') "
            "ORDER BY direction = 'meeting' DESC, date IS NULL, date DESC LIMIT 1",
            (address,),
        )
        return (str(row[0]), row[1]) if row else None

    def history_name_keys(self, first: str, last: str) -> list[str]:
        rows = self._all(
            "SELECT DISTINCT name_key FROM history WHERE first_word = ? OR last_word = ?",
            (first, last),
        )
        return [r[0] for r in rows]

    # -- Maildir numbering --------------------------------------------------------------

    def maildir_number(
        self, folder: str, keys: Iterable[str], order: Callable[[str], Any]
    ) -> FolderState:
        """Give the folder's messages not numbered yet the next UIDs, in `order`. One
        transaction: two processes (the daemon and `mailbot who`) or a crash can never hand
        out the same UID twice."""
        with self.transaction():
            row = self._one(
                "SELECT uidvalidity, uidnext FROM maildir_folders WHERE folder = ?", (folder,)
            )
            uidvalidity, uidnext = row if row else (random.randint(1, 2**31 - 1), 1)  # noqa: S311
            known = {
                k for (k,) in self._all("SELECT key FROM maildir_uids WHERE folder = ?", (folder,))
            }
            fresh = sorted((k for k in keys if k not in known), key=order)
            self._many(
                "INSERT INTO maildir_uids VALUES (?, ?, ?)",
                [(folder, key, uidnext + i) for i, key in enumerate(fresh)],
            )
            uidnext += len(fresh)
            self._run(
                "INSERT OR REPLACE INTO maildir_folders VALUES (?, ?, ?)",
                (folder, uidvalidity, uidnext),
            )
        return FolderState(uidvalidity=int(uidvalidity), uidnext=int(uidnext))

    def maildir_uids(self, folder: str, first: int, last: int) -> list[tuple[int, str]]:
        rows = self._all(
            "SELECT uid, key FROM maildir_uids WHERE folder = ? AND uid BETWEEN ? AND ? "
            "ORDER BY uid",
            (folder, first, last),
        )
        return [(int(uid), str(key)) for uid, key in rows]

    def maildir_key(self, folder: str, uid: int) -> str | None:
        row = self._one("SELECT key FROM maildir_uids WHERE folder = ? AND uid = ?", (folder, uid))
        return str(row[0]) if row else None

    def maildir_uid(self, folder: str, key: str) -> int | None:
        row = self._one("SELECT uid FROM maildir_uids WHERE folder = ? AND key = ?", (folder, key))
        return int(row[0]) if row else None


def _tighten(path: Path) -> None:
    """The state file and its WAL files user-only (0600), and mailbot's own state folder
    (the default one) 0700: a file created under an older umask is tightened."""
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if each.exists() and each.stat().st_mode & 0o077:
                each.chmod(0o600)
        except OSError:
            continue
    folder = path.parent  # only the default $XDG_STATE_HOME/mailbot, never a user's folder
    if folder.name == "mailbot" and folder.parent.name == "state" and not folder.is_symlink():
        try:
            if folder.stat().st_mode & 0o077:
                folder.chmod(0o700)
        except OSError:
            pass


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _today() -> str:
    return datetime.now(UTC).strftime("%Y%m%d")


def backups(path: Path) -> list[Path]:
    """The backups of the state file at `path`, oldest first."""
    prefix = f"{path.name}{BACKUP_SUFFIX}"
    found = [
        p
        for p in path.parent.glob(f"{path.name}{BACKUP_SUFFIX}*")
        if p.name[len(prefix) :].isdigit()
    ]
    return sorted(found, key=lambda p: p.name)


def _restore_hint(path: Path) -> str:
    made = backups(path)
    if made:
        return (
            f"restore the newest backup ({made[-1].name}: stop mailbot, copy it over "
            f'{path.name}, see README "Restoring the state") or move the file aside'
        )
    return "move the file aside (no backup of it exists)"


def _refuse_emptied(path: Path) -> None:
    """A 0-byte state file was emptied (a full disk, a copy that failed): starting afresh
    would forget every decision, so it is refused (mailbot's own new file is never empty
    when it is opened again: SQLite writes its header at once)."""
    try:
        empty = path.stat().st_size == 0
    except OSError:
        return  # none yet, or unreadable: opening it says why
    wal = path.with_name(path.name + "-wal")
    if empty and not (wal.exists() and wal.stat().st_size > 0):
        raise StateError(
            f"state database {path} is empty (0 bytes): its contents are lost; "
            f"{_restore_hint(path)}, or delete the empty file to start afresh"
        )


def _schema_columns() -> dict[str, list[str]]:
    """Each table of the current schema and its columns, as _TABLES creates them."""
    db = sqlite3.connect(":memory:")
    try:
        _create_tables(db)
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: [row[1] for row in db.execute(f"PRAGMA table_info({t})")] for t in tables}
    finally:
        db.close()
