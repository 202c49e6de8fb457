"""SQLite state: where each folder was read up to, and what was done with each request.

The file is created user-only (0600). Each write is its own transaction, so a kill at
any moment leaves either the old or the new row, never half of one.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mailbot.errors import MailbotError

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS cursors (
    folder      TEXT PRIMARY KEY,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
    key         TEXT PRIMARY KEY,   -- the invitation's stable key (reminders share it)
    network     TEXT,
    requester   TEXT,
    decision    TEXT NOT NULL,
    reasons     TEXT NOT NULL,      -- JSON list
    message_id  TEXT,               -- the notification that first carried it
    draft_token TEXT,               -- X-Mailbot-Key of the draft we stored, if any
    first_seen  TEXT NOT NULL,
    updated     TEXT NOT NULL
);
"""


class StateError(MailbotError):
    """The state database cannot be opened or is damaged."""


@dataclass(frozen=True)
class Cursor:
    uidvalidity: int
    last_uid: int


@dataclass(frozen=True)
class RequestRecord:
    key: str
    decision: str
    draft_token: str | None


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
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    @staticmethod
    def _open_scratch(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(":memory:", isolation_level=None)
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

    def set_cursor(self, folder: str, cursor: Cursor) -> None:
        self._db.execute(
            "INSERT INTO cursors (folder, uidvalidity, last_uid) VALUES (?, ?, ?) "
            "ON CONFLICT(folder) DO UPDATE SET uidvalidity = excluded.uidvalidity, "
            "last_uid = excluded.last_uid",
            (folder, cursor.uidvalidity, cursor.last_uid),
        )

    def request(self, key: str) -> RequestRecord | None:
        row = self._db.execute(
            "SELECT key, decision, draft_token FROM requests WHERE key = ?", (key,)
        ).fetchone()
        return RequestRecord(row[0], row[1], row[2]) if row else None

    def record_request(
        self,
        key: str,
        *,
        network: str | None,
        requester: str | None,
        decision: str,
        reasons: tuple[str, ...],
        message_id: str | None,
        draft_token: str | None,
    ) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self._db.execute(
            "INSERT INTO requests (key, network, requester, decision, reasons, message_id, "
            "draft_token, first_seen, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET decision = excluded.decision, "
            "reasons = excluded.reasons, updated = excluded.updated, "
            "draft_token = COALESCE(requests.draft_token, excluded.draft_token)",
            (
                key,
                network,
                requester,
                decision,
                json.dumps(list(reasons)),
                message_id,
                draft_token,
                now,
                now,
            ),
        )
