"""A local Maildir (as mbsync/isync, OfflineIMAP or Dovecot keep it), through the same
interface as IMAP, with the stdlib `mailbox` module.

Layout: the root is the inbox; other folders are Maildir++ (`.Drafts`, `.Sent`) or, as
mbsync's `SubFolders Verbatim` writes them, plain subfolders (`Drafts/`). Reading never
moves a message from new/ to cur/ and never changes a flag. Drafts are written into
cur/ with the Maildir flags D (draft) and S (seen), so a sync tool uploads them.

Maildir has no UIDs: mailbot numbers the messages it sees, per folder, in its own state
database (in order of arrival), so the pipeline's incremental cursor works unchanged.
Losing the state renumbers everything, which the pipeline treats as a UIDVALIDITY change.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import logging
import mailbox
import os
import re
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mailbot.errors import MailboxError
from mailbot.mailboxes.base import (
    CALENDAR_TYPES,
    HISTORY_FIELDS,
    FolderState,
    Head,
    Wanted,
    decode_calendar,
    message_id_in,
    pick_folder,
    token_in,
)

if TYPE_CHECKING:
    from mailbot.store import Store

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 1024 * 1024
MAX_HEADER_BYTES = 64 * 1024
INBOX = "INBOX"
_CALENDAR_MARK = re.compile(rb"(?:text/calendar|application/ics)", re.I)
_ATTACHMENT = re.compile(rb'(?:file)?name\*?=(?:"([^"\r\n]{1,200})"|([^;\s]{1,200}))', re.I)
_COMMON_SENT = ("Sent", "Sent Items", "Sent Messages", "INBOX.Sent", "Gesendet", "Envoyés")
_COMMON_DRAFTS = ("Drafts", "INBOX.Drafts", "Draft", "Entwürfe", "Brouillons")


class MaildirMailbox:
    def __init__(self, root: Path, store: Store) -> None:
        if not (root / "cur").is_dir() or not (root / "new").is_dir():
            raise MailboxError(f"{root} is not a Maildir (it needs cur/ and new/ folders)")
        self.root = root
        self._store = store
        self._selected: str | None = None
        self._token_cache: dict[str, dict[str, list[str]]] = {}  # folder -> draft token -> keys
        self._token_seen: dict[str, set[str]] = {}  # folder -> every key the cache has read
        self._ids_seen: dict[str, dict[str, str]] = {}  # folder -> key -> its Message-ID

    # -- reading -----------------------------------------------------------------------

    def status(self, folder: str) -> FolderState:
        return self.select(folder)  # listing the folder is what it costs either way

    def select(self, folder: str) -> FolderState:
        entries = _entries(self._dir(folder))
        state = self._store.maildir_number(folder, entries, lambda k: (_mtime(entries[k]), k))
        self._selected = folder
        return state

    def search(
        self, first_uid: int, last_uid: int, since: date | None, wanted: Wanted
    ) -> list[int]:
        found = []
        entries = _entries(self._dir(self._folder()))
        for uid, key in self._uids(first_uid, last_uid):
            path = entries.get(key)
            if path is None or (since is not None and date.fromtimestamp(_mtime(path)) < since):
                continue
            if wanted.everything or _matches(_read(path, MAX_MESSAGE_BYTES), wanted):
                found.append(uid)
        return found

    def fetch(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        entries = _entries(self._dir(self._folder()))
        for uid, key in self._uid_keys(uids):
            raw = _read(entries[key], MAX_MESSAGE_BYTES) if key in entries else b""
            if raw:
                yield uid, raw

    def headers(self, uids: list[int], *, calendars: bool = False) -> Iterator[Head]:
        entries = _entries(self._dir(self._folder()))
        for uid, key in self._uid_keys(uids):
            if key not in entries:
                continue
            raw = _read(entries[key], MAX_HEADER_BYTES * 4)
            head = raw.replace(b"\r\n", b"\n").partition(b"\n\n")[0]
            names = tuple(
                (m.group(1) or m.group(2)).decode("utf-8", "replace")
                for m in _ATTACHMENT.finditer(raw)
            )
            wanted = [
                line
                for line in _unfold(head)
                if line.split(b":", 1)[0].decode("ascii", "replace").strip().lower() in _FIELDS
            ]
            calendar = _calendar(entries[key]) if calendars and _CALENDAR_MARK.search(raw) else None
            yield Head(uid, b"\r\n".join(wanted) + b"\r\n\r\n", names, calendar)

    # -- folders -------------------------------------------------------------------------

    def folder_names(self) -> set[str]:
        return self._folders() | {INBOX}

    def sent_folder(self, configured: str | None, *, inbox: str = INBOX) -> str | None:
        return pick_folder("MAILBOT_SENT", configured, self.folder_names(), _COMMON_SENT, inbox)

    def existing_drafts_folder(self, configured: str | None, *, inbox: str = INBOX) -> str | None:
        return pick_folder("MAILBOT_DRAFTS", configured, self.folder_names(), _COMMON_DRAFTS, inbox)

    def drafts_folder(self, configured: str | None, *, inbox: str = INBOX) -> str:
        found = self.existing_drafts_folder(configured, inbox=inbox)
        if found:
            return found
        mailbox.Maildir(str(self.root), create=False).add_folder("Drafts")
        return "Drafts"

    # -- drafts --------------------------------------------------------------------------

    def append_draft(self, folder: str, message: bytes) -> list[tuple[int, bytes]]:
        draft = mailbox.MaildirMessage(message)
        draft.set_subdir("cur")
        draft.set_flags("DS")
        tokens = self._tokens(folder)
        try:
            key = self._box(folder).add(draft)  # written to tmp/, then renamed: never half a draft
        except OSError as exc:
            raise MailboxError(f"cannot write a draft into {folder}: {exc}") from None
        self._token_seen.setdefault(folder, set()).add(key)
        if token := token_in(message.replace(b"\r\n", b"\n")):
            tokens.setdefault(token, []).append(key)
        return []  # find_drafts read the folder's listing just before

    def find_drafts(
        self, folder: str, token: str, *, before_append: bool = False
    ) -> list[tuple[int, bytes]]:
        """Drafts carrying the token. The folder's tokens are read once, then brought up to
        date with its listing at every lookup: the folder is the truth, and another
        mailbot (its own state), a mail client or a sync tool may have added, renamed or
        removed drafts. Only files not seen before are read."""
        entries = _entries(self._dir(folder))
        tokens = self._tokens(folder, entries)
        hits = []
        for key in tokens.get(token, []):
            if key in entries:
                hits.append((self._uid_of(folder, key), _read(entries[key], MAX_MESSAGE_BYTES)))
        return hits

    def _tokens(self, folder: str, entries: dict[str, Path] | None = None) -> dict[str, list[str]]:
        """The folder's tokens, and the keys carrying each; with `entries` (its listing
        now), first brought up to date with it: files gone are forgotten, new ones read."""
        if entries is None:
            if folder in self._token_cache:
                return self._token_cache[folder]
            entries = _entries(self._dir(folder))
        tokens = self._token_cache.setdefault(folder, {})
        seen = self._token_seen.setdefault(folder, set())
        if seen == entries.keys():
            return tokens
        if gone := seen - entries.keys():
            for known in list(tokens):
                tokens[known] = [key for key in tokens[known] if key not in gone]
                if not tokens[known]:
                    del tokens[known]
            seen -= gone
        for key in entries.keys() - seen:
            raw = _read(entries[key], MAX_HEADER_BYTES)
            if not raw:  # moved (new/ to cur/) or removed as we looked: read it next time
                continue
            seen.add(key)
            if token := token_in(raw):
                tokens.setdefault(token, []).append(key)
            if message_id := message_id_in(raw):
                self._ids_seen.setdefault(folder, {})[key] = message_id
        return tokens

    def draft_identities(self, folder: str) -> set[str]:
        entries = _entries(self._dir(folder))
        tokens = self._tokens(folder, entries)
        ids = self._ids_seen.get(folder, {})
        return set(tokens) | {ids[key] for key in entries.keys() & ids.keys()}

    def delete_draft(self, folder: str, uid: int) -> bool:
        key = self._store.maildir_key(folder, uid)
        if key is None:
            return False
        try:
            self._box(folder).discard(key)
            for keys in self._tokens(folder).values():
                if key in keys:
                    keys.remove(key)
            self._token_seen.get(folder, set()).discard(key)
        except OSError as exc:
            raise MailboxError(f"cannot remove a stale draft from {folder}: {exc}") from None
        return True

    def renew(self) -> None:
        """Nothing to renew: no server session."""

    # -- no push ------------------------------------------------------------------------

    def supports_idle(self) -> bool:
        return False

    def watch(
        self, folder: str, stop: threading.Event, on_change: Callable[[], None], renew: float
    ) -> None:
        raise MailboxError("a Maildir has no IDLE: the daemon polls it")

    # -- helpers ------------------------------------------------------------------------

    def _box(self, folder: str) -> mailbox.Maildir:
        return mailbox.Maildir(str(self._dir(folder)), factory=None, create=False)

    def _dir(self, folder: str) -> Path:
        path = self._path(folder)
        if not (path / "cur").is_dir():
            raise MailboxError(f"no Maildir folder {folder!r} under {self.root}")
        return path

    def _path(self, folder: str) -> Path:
        if folder.upper() == INBOX:
            return self.root
        verbatim = self.root / folder
        return verbatim if (verbatim / "cur").is_dir() else self.root / f".{folder}"

    def _folders(self) -> set[str]:
        names = set(mailbox.Maildir(str(self.root), create=False).list_folders())
        names |= {
            p.name
            for p in self.root.iterdir()
            if (p / "cur").is_dir() and not p.name.startswith(".")
        }
        return names

    def _folder(self) -> str:
        if self._selected is None:
            raise MailboxError("no folder selected")
        return self._selected

    def _uids(self, first: int, last: int) -> list[tuple[int, str]]:
        return self._store.maildir_uids(self._folder(), first, last)

    def _uid_keys(self, uids: list[int]) -> list[tuple[int, str]]:
        if not uids:
            return []
        wanted = set(uids)
        return [(u, k) for u, k in self._uids(min(uids), max(uids)) if u in wanted]

    def _uid_of(self, folder: str, key: str) -> int:
        uid = self._store.maildir_uid(folder, key)
        if uid is None:
            self.select(folder)  # a message this folder has not numbered yet
            uid = self._store.maildir_uid(folder, key)
        return uid or 0


_FIELDS = {name.lower() for name in HISTORY_FIELDS}


def _entries(root: Path) -> dict[str, Path]:
    """Every message of a Maildir folder: its unique name (before the ":2," flags) and path.
    new/ and cur/ are only listed, never changed."""
    found: dict[str, Path] = {}
    for sub in ("new", "cur"):
        try:
            with os.scandir(root / sub) as listing:
                for entry in listing:
                    if entry.is_file() and not entry.name.startswith("."):
                        found[entry.name.split(":", 1)[0].split("!", 1)[0]] = Path(entry.path)
        except FileNotFoundError:
            continue
    return found


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return datetime.now().timestamp()


def _read(path: Path, limit: int) -> bytes:
    """The first `limit` bytes of a message, LF line ends; b"" if it vanished meanwhile."""
    try:
        with path.open("rb") as handle:
            return handle.read(limit).replace(b"\r\n", b"\n")
    except OSError:
        return b""


def _calendar(path: Path) -> str | None:
    """The message's calendar part (text/calendar, else application/ics), decoded; never
    one inside an attached message. Read only for a message that names such a type in its
    first 256 kB, and only its first MiB. A message that cannot be read is no meeting."""
    try:
        return _calendar_of(path)
    except Exception as exc:  # the stdlib parser on hostile MIME: never stop the index
        log.info("%s: calendar part not readable (%s)", path.name, exc)
        return None


def _calendar_of(path: Path) -> str | None:
    msg = email.message_from_bytes(_read(path, MAX_MESSAGE_BYTES), policy=email.policy.compat32)
    found: dict[tuple[str, str], email.message.Message] = {}
    stack: list[email.message.Message] = [msg]
    seen = 0
    while stack and seen < 200:  # parts looked at, however the message nests them
        part = stack.pop(0)
        seen += 1
        if part.get_content_maintype() == "message":
            continue  # an attached or forwarded message: not the owner's invitation
        if part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list):
                stack.extend(p for p in payload if isinstance(p, email.message.Message))
            continue
        kind = (part.get_content_maintype(), part.get_content_subtype())
        if kind in CALENDAR_TYPES:
            found.setdefault(kind, part)
    chosen = [found[t] for t in CALENDAR_TYPES if t in found]
    if not chosen:
        return None
    payload = chosen[0].get_payload(decode=True)
    if not isinstance(payload, bytes):
        return None
    return decode_calendar(payload, chosen[0].get_content_charset())


def _matches(raw: bytes, wanted: Wanted) -> bool:
    """What IMAP SEARCH would say: From, In-Reply-To/References, or text (case-insensitive)."""
    head, _, body = raw.partition(b"\n\n")
    msg = email.message_from_bytes(head, policy=email.policy.compat32)
    sender = str(msg.get("From", "")).lower()
    threads = f"{msg.get('In-Reply-To', '')} {msg.get('References', '')}"
    text = body.lower()
    return (
        any(h.lower() in sender for h in wanted.senders)
        or any(h.lower().encode() in text for h in wanted.bodies)
        or any(mark in threads for mark in wanted.reply_marks)
    )


def _unfold(head: bytes) -> list[bytes]:
    lines: list[bytes] = []
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and lines:
            lines[-1] += b" " + line.strip()
        elif line:
            lines.append(line)
    return lines
