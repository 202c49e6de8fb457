"""SQLite state: where each folder was read up to, each conversation, each draft we stored.

The file is created user-only (0600). Each write is its own transaction, so a kill at
any moment leaves either the old or the new row, never half of one.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mailbot.errors import MailbotError
from mailbot.mailboxes.base import FolderState

SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS cursors (
    folder      TEXT PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS conversations (
    person      TEXT PRIMARY KEY,   -- profile key, else network:name key
    name_key    TEXT NOT NULL,      -- normalised name, to match message notifications
    name        TEXT NOT NULL,
    network     TEXT,
    profile_url TEXT,
    email       TEXT,
    language    TEXT,
    status      TEXT NOT NULL,      -- asked | explained | review | known
    reason      TEXT NOT NULL,
    link        TEXT,               -- profile URL or the invitation, for the owner
    updated     TEXT NOT NULL,
    invitation  TEXT                -- the invitation's key (reminders carry the same)
);
CREATE INDEX IF NOT EXISTS conversations_name ON conversations (name_key);
CREATE INDEX IF NOT EXISTS conversations_invitation ON conversations (invitation);
CREATE TABLE IF NOT EXISTS drafts (
    token       TEXT PRIMARY KEY,   -- the X-Mailbot-Key header of the draft
    person      TEXT NOT NULL,
    step        TEXT NOT NULL,      -- ask | explain | welcome | thanks
    message_id  TEXT NOT NULL,      -- our Message-ID: answers thread to it
    folder      TEXT NOT NULL,
    digest      TEXT NOT NULL,      -- of what we appended: an edited draft differs
    state       TEXT NOT NULL,      -- stored | withdrawn | kept (edited) | gone (sent)
    created     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS drafts_message ON drafts (message_id);
CREATE INDEX IF NOT EXISTS drafts_person ON drafts (person);
CREATE TABLE IF NOT EXISTS events (
    person      TEXT NOT NULL,
    at          TEXT NOT NULL,
    what        TEXT NOT NULL,
    detail      TEXT NOT NULL,
    message_id  TEXT                -- the message that moved the conversation
);
CREATE INDEX IF NOT EXISTS events_person ON events (person);
CREATE INDEX IF NOT EXISTS events_message ON events (message_id);
CREATE TABLE IF NOT EXISTS skipped (
    message_id  TEXT,
    who         TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL
);
"""


class StateError(MailbotError):
    """The state database cannot be opened or is damaged."""


@dataclass(frozen=True)
class Cursor:
    uidvalidity: int
    last_uid: int


@dataclass(frozen=True)
class Conversation:
    person: str
    name_key: str
    name: str
    network: str | None
    profile_url: str | None
    email: str | None
    language: str | None
    status: str
    reason: str
    link: str | None
    updated: str = ""
    invitation: str | None = None


@dataclass(frozen=True)
class DraftRecord:
    token: str
    person: str
    step: str
    message_id: str
    folder: str
    digest: str
    state: str = "stored"


class State:
    """The state database. With scratch=True (dry runs) it is an in-memory copy of the
    file, if there is one: everything works, nothing reaches the disk."""

    def __init__(self, path: Path, *, scratch: bool = False) -> None:
        self.path = path
        try:
            self._db = self._open_scratch(path) if scratch else self._open_file(path)
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except (OSError, sqlite3.DatabaseError) as exc:
            raise StateError(
                f"state database {path} cannot be used ({exc}); move it aside and run again: "
                "drafts already in your Drafts folder are recognised, not duplicated"
            ) from None

    @staticmethod
    def _open_file(path: Path) -> sqlite3.Connection:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        # With WAL, NORMAL survives any crash of mailbot; a power cut may lose the last
        # records, which the Drafts folder itself then answers for (see pipeline.py).
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

    @property
    def db(self) -> sqlite3.Connection:
        """The connection, for the parts that keep their own tables (the people index)."""
        return self._db

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def cursor(self, folder: str) -> Cursor | None:
        row = self._db.execute(
            "SELECT uidvalidity, last_uid FROM cursors WHERE folder = ?", (folder,)
        ).fetchone()
        return Cursor(int(row[0]), int(row[1])) if row else None

    def is_current(self, folder: str, status: FolderState) -> bool:
        """Whether everything up to the folder's UIDNEXT was read (under this UIDVALIDITY)."""
        return self.cursor(folder) == Cursor(status.uidvalidity, status.uidnext - 1)

    def set_cursor(self, folder: str, cursor: Cursor) -> None:
        self._db.execute(
            "INSERT INTO cursors (folder, uidvalidity, last_uid) VALUES (?, ?, ?) "
            "ON CONFLICT(folder) DO UPDATE SET uidvalidity = excluded.uidvalidity, "
            "last_uid = excluded.last_uid",
            (folder, cursor.uidvalidity, cursor.last_uid),
        )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Several writes that land together or not at all."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def conversation(self, person: str) -> Conversation | None:
        row = self._db.execute(
            f"SELECT {_CONVERSATION} FROM conversations WHERE person = ?", (person,)
        ).fetchone()
        return Conversation(*row) if row else None

    def conversation_by_invitation(self, key: str) -> Conversation | None:
        row = self._db.execute(
            f"SELECT {_CONVERSATION} FROM conversations WHERE invitation = ?", (key,)
        ).fetchone()
        return Conversation(*row) if row else None

    def conversation_by_name(self, name_key: str, network: str | None) -> Conversation | None:
        """The one open conversation with this name on this network (None if 0 or 2+)."""
        rows = self._db.execute(
            f"SELECT {_CONVERSATION} FROM conversations WHERE name_key = ? AND network IS ?",
            (name_key, network),
        ).fetchall()
        return Conversation(*rows[0]) if len(rows) == 1 else None

    def conversations(self, *statuses: str) -> list[Conversation]:
        marks = ", ".join("?" * len(statuses))
        rows = self._db.execute(
            f"SELECT {_CONVERSATION} FROM conversations WHERE status IN ({marks}) "
            "ORDER BY updated DESC",
            statuses,
        ).fetchall()
        return [Conversation(*row) for row in rows]

    def handled(self, message_id: str | None) -> bool:
        """Whether this message already moved a conversation (a cycle read it before)."""
        if not message_id:
            return False
        row = self._db.execute("SELECT 1 FROM events WHERE message_id = ? LIMIT 1", (message_id,))
        return row.fetchone() is not None

    def save_conversation(
        self, c: Conversation, event: str, detail: str, message_id: str | None = None
    ) -> None:
        now = _now()
        self._db.execute(
            f"INSERT OR REPLACE INTO conversations ({_CONVERSATION}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                c.person,
                c.name_key,
                c.name,
                c.network,
                c.profile_url,
                c.email,
                c.language,
                c.status,
                c.reason,
                c.link,
                now,
            ),
        )
        self._db.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?)", (c.person, now, event, detail, message_id)
        )

    def events(self, person: str) -> list[tuple[str, str, str]]:
        return [
            (row[0], row[1], row[2])
            for row in self._db.execute(
                "SELECT at, what, detail FROM events WHERE person = ? ORDER BY rowid", (person,)
            )
        ]

    def draft(self, token: str) -> DraftRecord | None:
        row = self._db.execute(f"SELECT {_DRAFT} FROM drafts WHERE token = ?", (token,)).fetchone()
        return DraftRecord(*row) if row else None

    def draft_answered_by(self, message_ids: tuple[str, ...]) -> DraftRecord | None:
        """Our draft that one of these Message-IDs names (a reply threads to it)."""
        for message_id in message_ids:
            row = self._db.execute(
                f"SELECT {_DRAFT} FROM drafts WHERE message_id = ?", (message_id,)
            ).fetchone()
            if row:
                return DraftRecord(*row)
        return None

    def stored_drafts(self, person: str) -> list[DraftRecord]:
        rows = self._db.execute(
            f"SELECT {_DRAFT} FROM drafts WHERE person = ? AND state = 'stored'", (person,)
        ).fetchall()
        return [DraftRecord(*row) for row in rows]

    def record_draft(self, d: DraftRecord) -> None:
        self._db.execute(
            f"INSERT OR IGNORE INTO drafts ({_DRAFT}, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (d.token, d.person, d.step, d.message_id, d.folder, d.digest, d.state, _now()),
        )

    def record_skipped(self, message_id: str | None, who: str, reason: str) -> None:
        """A message mailbot could not handle: kept for `mailbot status`, never silently."""
        self._db.execute(
            "INSERT INTO skipped VALUES (?, ?, ?, ?)", (message_id, who, reason, _now())
        )

    def skipped(self) -> list[tuple[str | None, str, str, str]]:
        rows = self._db.execute("SELECT message_id, who, reason, at FROM skipped ORDER BY rowid")
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def set_draft_state(self, token: str, state: str) -> None:
        self._db.execute("UPDATE drafts SET state = ? WHERE token = ?", (state, token))


_CONVERSATION = (
    "person, name_key, name, network, profile_url, email, language, status, reason, link, updated"
)
_DRAFT = "token, person, step, message_id, folder, digest, state"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
