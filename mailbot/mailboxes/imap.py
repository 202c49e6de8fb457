"""The IMAP mailbox, over imapclient. Reads with BODY.PEEK on read-only selections."""

from __future__ import annotations

import base64
import binascii
import contextlib
import imaplib
import io
import logging
import quopri
import re
import socket
import ssl
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, NoReturn, ParamSpec, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError
from imapclient.imap4 import IMAP4WithTimeout
from imapclient.imap_utf7 import decode as decode_utf7
from imapclient.imapclient import DELETED, DRAFT, DRAFTS, SEEN, SENT
from imapclient.tls import IMAP4_TLS
from imapclient.util import to_bytes

from mailbot import secrets
from mailbot.config import ImapSettings
from mailbot.errors import ConnectError, LoginRefused, MailboxError
from mailbot.mailboxes.base import (
    CALENDAR_TYPES,
    HISTORY_FIELDS,
    KEY_HEADER,
    MAX_CALENDAR_BYTES,
    FolderState,
    Head,
    Wanted,
    decode_calendar,
    message_id_in,
    pick_folder,
    shown,
    token_in,
)

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

FETCH_BATCH = 100
MiB = 1024 * 1024
MAX_MESSAGE_BYTES = MiB  # a notification is ~25 kB; never pull a 50 MB attachment
# What mailbot accepts from a server, whatever it asked for (the 1 MiB cap on bodies is
# only a request): a literal, a line, and all the answers to one command together (a
# FETCH batch is 100 bodies of 1 MiB at most). A server sending more is broken or
# hostile: the connection is closed and the command fails (MailboxError).
MAX_LITERAL = 64 * MiB
MAX_LINE = MiB
MAX_ANSWER = 256 * MiB
MAX_ANSWER_LINES = 1_000_000
COMMAND_TIMEOUTS = 4  # a command's whole answer must come within MAILBOT_IMAP_TIMEOUT x 4
MAX_UID = 2**32 - 1  # UIDs, UIDNEXT and UIDVALIDITY are 32-bit numbers (RFC 3501 nz-number)
_PEEK = f"BODY.PEEK[]<0.{MAX_MESSAGE_BYTES}>"
_HEADERS = "BODY.PEEK[HEADER.FIELDS ({} CONTENT-TYPE)]".format(" ".join(HISTORY_FIELDS).upper())
_CONTENT_TYPE = re.compile(rb"^content-type[ \t]*:[ \t]*([^\r\n]*)", re.IGNORECASE | re.MULTILINE)
_FOLD = re.compile(rb"\r?\n[ \t]+")
HEADER_BATCH = 500
_KEY_FIELD = f"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID {KEY_HEADER.upper()})]"
CALENDAR_BATCH = 50  # calendar parts per FETCH: at most 50 x 256 KiB in one answer
_APPENDUID = re.compile(rb"\[APPENDUID \d+ (\d+)\]", re.IGNORECASE)
_COMMON_SENT = (
    "Sent",
    "Sent Items",
    "Sent Messages",
    "INBOX.Sent",
    "[Gmail]/Sent Mail",
    "Gesendet",
    "Gesendete Elemente",
    "Envoyés",
    "Enviados",
)
_COMMON_DRAFTS = (
    "Drafts",
    "INBOX.Drafts",
    "INBOX/Drafts",
    "[Gmail]/Drafts",
    "Draft",
    "Entwürfe",
    "Brouillons",
    "Borradores",
    "Concepten",
)


@contextmanager
def open_imap(settings: ImapSettings) -> Iterator[ImapMailbox]:
    """A logged-in mailbox; logs out on the way out, whatever happened."""
    mailbox = ImapMailbox(_connect(settings), settings)
    try:
        yield mailbox
    finally:
        mailbox.logout()


def _connect(settings: ImapSettings) -> IMAPClient:
    where = f"{settings.host}:{settings.port}"
    context = None
    if settings.security != "plain":  # loading the system CAs costs ~40 ms: only for TLS
        try:
            context = ssl.create_default_context(
                cafile=str(settings.ca_file) if settings.ca_file else None
            )
        except (OSError, ssl.SSLError) as exc:  # e.g. the CA file went away since start
            raise ConnectError(f"cannot load the TLS certificates: {exc}") from None
    try:
        client = _Client(
            settings.host,
            port=settings.port,
            ssl=settings.security == "ssl",
            ssl_context=context,
            timeout=settings.timeout,
            limit=settings.timeout * COMMAND_TIMEOUTS,
        )
        if settings.security == "starttls":
            if b"STARTTLS" not in client.capabilities():
                raise ConnectError(
                    f"{where} does not offer STARTTLS; refusing to log in in plaintext"
                )
            client.starttls(context)
    except ConnectError:
        raise
    except ssl.SSLCertVerificationError as exc:
        raise ConnectError(
            f"TLS with {where} failed: the certificate was refused "
            f"({exc.verify_message}); see MAILBOT_IMAP_CA_FILE"
        ) from None
    except ssl.SSLError as exc:
        if exc.reason == "WRONG_VERSION_NUMBER":  # a plaintext server on a TLS connection
            other = "starttls" if settings.security == "ssl" else "ssl"
            raise ConnectError(
                f"{where} does not speak TLS on this port: try MAILBOT_IMAP_SECURITY={other} "
                f"or port {993 if settings.port != 993 else 143}"
            ) from None
        raise ConnectError(f"TLS with {where} failed: {exc.reason or exc}") from None
    except (OSError, IMAPClientError) as exc:
        raise ConnectError(_one_line(f"cannot connect to {where}: {exc}")) from None
    try:
        _login(client, settings)
    except LoginError:
        raise LoginRefused(f"{where} refused the login for user {settings.user!r}") from None
    except (OSError, IMAPClientError, UnicodeError, ValueError) as exc:
        raise ConnectError(f"login to {where} failed: {type(exc).__name__}") from None
    return client


def cut_connections(reason: str = "mailbot is stopping") -> None:
    """Stopping: close every IMAP connection of this process, at once and from any thread,
    and refuse new ones, so a command waiting on a server (or on an endless answer) fails
    now with MailboxError instead of holding the daemon up. For a process that is ending."""
    _STOPPING.set()
    with _LIVE_LOCK:
        live = list(_LIVE)
    for imap in live:
        imap.cut(reason)


_STOPPING = threading.Event()
_LIVE: weakref.WeakSet[_Guarded] = weakref.WeakSet()
_LIVE_LOCK = threading.Lock()


class _Guarded(imaplib.IMAP4):
    """imaplib's reading, bounded for a broken or hostile server: no literal past
    MAX_LITERAL, no line past MAX_LINE, no command whose answers pass MAX_ANSWER bytes or
    MAX_ANSWER_LINES lines or take longer than `limit` seconds in all (the socket timeout
    alone never fires while data keeps coming). Past a bound the connection is shut down
    and imaplib's abort raised (IMAPClientError: a MailboxError, or a ConnectError while
    connecting), with the reason; every later command on it fails with that reason too.
    Bounded from the greeting on: the limits are set before imaplib connects."""

    def __init__(self, limit: float, read_timeout: float | None, *args: Any) -> None:
        self._limit = limit
        self._read_timeout = read_timeout
        self._broken: str | None = None
        self.arm()
        if _STOPPING.is_set():
            raise self.abort("mailbot is stopping")
        with _LIVE_LOCK:
            _LIVE.add(self)
        super().__init__(*args)

    def arm(self) -> None:
        """A new command (or a new wait in IDLE): a fresh deadline and byte budget."""
        self._deadline = time.monotonic() + self._limit
        self._spent = 0
        self._lines = 0

    def cut(self, reason: str) -> None:
        """Close the connection (from any thread): a read waiting on it ends at once."""
        if self._broken is None:
            self._broken = reason
        sock = getattr(self, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _new_tag(self) -> bytes:
        self.arm()
        tag: bytes = super()._new_tag()  # type: ignore[misc]
        return tag

    def send(self, data: Any) -> None:
        self._check()
        super().send(data)

    def read(self, size: int) -> bytes:
        self._check()
        if size > MAX_LITERAL:
            self._fail(
                f"the server announced a literal of {size:,} bytes, more than the "
                f"{MAX_LITERAL // MiB} MiB mailbot accepts"
            )
        self._count(size, 0)
        file = self.file
        if not isinstance(file, io.BufferedReader):  # not imaplib's usual buffered socket
            return super().read(size)
        chunks: list[bytes] = []
        left = size
        while left > 0:  # piece by piece: the deadline holds within a literal too
            self._check()
            try:
                chunk = file.read1(min(left, MiB))
            except TimeoutError:
                self._past_deadline()
                raise
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def readline(self) -> bytes:
        self._check()
        file = self.file
        if not isinstance(file, io.BufferedReader):
            line = super().readline()
            self._count(len(line), 1)
            return line
        parts: list[bytes] = []
        size = 0
        while True:
            self._check()
            try:
                buffered = file.peek(1)  # what is buffered, or one read of the socket
            except TimeoutError:
                self._past_deadline()
                raise
            if not buffered:  # the end (or, in IDLE's non-blocking reads, nothing yet)
                if self._broken is not None:
                    raise self.abort(self._broken)
                break
            end = buffered.find(b"\n")
            take = len(buffered) if end < 0 else end + 1
            parts.append(file.read(take))
            size += take
            if size > MAX_LINE:
                self._fail(f"the server sent a line longer than {MAX_LINE // MiB} MiB")
            if end >= 0:
                break
        self._count(size, 1)
        return b"".join(parts)

    def _untagged_response(self, typ: str, dat: Any, name: str) -> Any:
        """A SEARCH answer some servers split over several untagged lines, read as one."""
        parts = self.untagged_responses.get(name) or []
        if name == "SEARCH" and len(parts) > 1 and all(isinstance(p, bytes) for p in parts):
            joined = b" ".join(p.strip() for p in parts if isinstance(p, bytes) and p.strip())
            self.untagged_responses[name] = [joined]
        return super()._untagged_response(typ, dat, name)  # type: ignore[misc]

    def _check(self) -> None:
        """Fails if the connection was cut or the command ran past its deadline; else
        makes the next socket read wait no longer than the deadline."""
        if self._broken is not None:
            raise self.abort(self._broken)
        if _STOPPING.is_set():
            self._fail("mailbot is stopping")
        left = self._deadline - time.monotonic()
        if left <= 0:
            self._fail(
                f"no complete answer within {self._limit:.0f}s "
                f"(MAILBOT_IMAP_TIMEOUT x {COMMAND_TIMEOUTS}); the connection was closed"
            )
        sock = getattr(self, "sock", None)
        current = sock.gettimeout() if sock is not None else None
        if sock is not None and current and self._read_timeout:  # not IDLE's non-blocking
            wanted = min(self._read_timeout, left)
            if wanted != current:
                sock.settimeout(wanted)

    def _past_deadline(self) -> None:
        """After a socket timeout: the deadline's error if that is why (the read was
        given only what was left of it), not a bare "timed out"."""
        if time.monotonic() >= self._deadline:
            self._check()

    def _count(self, size: int, lines: int) -> None:
        self._spent += size
        self._lines += lines
        if self._spent > MAX_ANSWER:
            self._fail(f"the server's answer to one command passed {MAX_ANSWER // MiB} MiB")
        if self._lines > MAX_ANSWER_LINES:
            self._fail(f"the server's answer to one command passed {MAX_ANSWER_LINES:,} lines")

    def _fail(self, reason: str) -> NoReturn:
        self.cut(reason)
        raise self.abort(self._broken or reason)


class _GuardedPlain(_Guarded, IMAP4WithTimeout):  # type: ignore[misc]
    pass


class _GuardedTLS(_Guarded, IMAP4_TLS):  # type: ignore[misc]
    pass


class _Client(IMAPClient):  # type: ignore[misc]
    """IMAPClient over a bounded imaplib connection (_Guarded)."""

    def __init__(self, *args: Any, limit: float, **kwargs: Any) -> None:
        self._limit = limit
        super().__init__(*args, **kwargs)

    def _create_IMAP4(self) -> imaplib.IMAP4:
        if self.stream:
            return super()._create_IMAP4()  # type: ignore[no-any-return]
        connect = getattr(self._timeout, "connect", None)
        read = getattr(self._timeout, "read", None)
        if self.ssl:
            return _GuardedTLS(self._limit, read, self.host, self.port, self.ssl_context, connect)
        return _GuardedPlain(self._limit, read, self.host, self.port, connect)


def _login(client: IMAPClient, settings: ImapSettings) -> None:
    if settings.auth != "oauth2":
        password = secrets.password(settings)
        if password.isascii():
            client.login(settings.user, password)
        else:  # LOGIN is ASCII-only; SASL PLAIN carries UTF-8 (RFC 4616)
            client.plain_login(settings.user, password)
        return
    try:
        client.oauth2_login(settings.user, secrets.oauth2_token(settings))
    except LoginError:  # maybe an expired token: once more with a fresh one
        if settings.oauth2_token_cmd:
            log.info("XOAUTH2 refused; asking MAILBOT_IMAP_OAUTH2_TOKEN_CMD for a fresh token")
        else:
            log.info("XOAUTH2 refused; refreshing the access token")
        client.oauth2_login(settings.user, secrets.oauth2_token(settings, fresh=True))


class ImapMailbox:
    def __init__(self, client: IMAPClient, settings: ImapSettings) -> None:
        self._client = client
        self._settings = settings
        self._tokens_cache: dict[str, dict[str, list[int]]] = {}  # folder -> token -> UIDs
        self._ids_cache: dict[str, set[str]] = {}  # folder -> Message-IDs (as last listed)
        # folder -> (UIDVALIDITY, UIDNEXT, MESSAGES) the tokens are true of: any other
        # process's APPEND or EXPUNGE changes it (messages are immutable), so a lookup
        # trusts the tokens only while one STATUS still answers the same.
        self._tokens_stamp: dict[str, tuple[int, int, int]] = {}
        self._selected = False
        self._wrote = False  # this session appended, deleted or created something
        self._skipped: set[bytes] = set()  # folder names not in valid modified UTF-7

    def logout(self) -> None:
        with contextlib.suppress(IMAPClientError, OSError):
            self._client.logout()

    def renew(self) -> None:
        """Log in afresh if this session has written. Dovecot (2.3, Maildir) makes every
        STATUS of a session that has written anything (an APPEND, a read-write SELECT)
        re-read the inbox's whole UID list, for as long as the session lives: a poll grows
        with the inbox (measured: 0.4 ms -> 3.4 ms at 5,000 messages, 120 ms at 100,000),
        where on a session that has only read it stays one cheap STATUS. The drafts
        tokens known so far stay valid: same folders, same UIDs."""
        if not self._wrote:
            return
        fresh = _connect(self._settings)
        stale, self._client = self._client, fresh
        self._selected = self._wrote = False
        with contextlib.suppress(IMAPClientError, OSError):
            stale.logout()

    def status(self, folder: str) -> FolderState:
        """UIDVALIDITY and UIDNEXT without selecting: constant cost whatever the size.
        STATUS on the selected folder may answer from the session's old view (RFC 3501
        says not to use it so), so a kept connection leaves its selection first."""
        if self._selected:
            if not self._call(self._client.has_capability, "UNSELECT"):
                return self.select(folder)
            self._call(self._client.unselect_folder)
            self._selected = False
        info = self._call(self._client.folder_status, folder, [b"UIDNEXT", b"UIDVALIDITY"])
        return _folder_state(info, "STATUS", folder)

    def select(self, folder: str) -> FolderState:
        info = self._select(folder)
        self._selected = True
        if b"UIDNEXT" not in info or b"UIDVALIDITY" not in info:  # optional in SELECT replies
            info = self._call(self._client.folder_status, folder, [b"UIDNEXT", b"UIDVALIDITY"])
            return _folder_state(info, "STATUS", folder)
        return _folder_state(info, "SELECT", folder)

    def _select(self, folder: str, *, readonly: bool = True) -> dict[bytes, Any]:
        """SELECT (EXAMINE when read-only); a number in the answer that is not one is a
        MailboxError naming it (imapclient fails on it with a bare ValueError)."""
        try:
            return self._call(self._client.select_folder, folder, readonly=readonly)
        except MailboxError:
            untagged = getattr(getattr(self._client, "_imap", None), "untagged_responses", {})
            for key in ("UIDVALIDITY", "UIDNEXT", "EXISTS", "RECENT", "HIGHESTMODSEQ"):
                values = untagged.get(key) or [b"0"]
                if not (isinstance(values[0], bytes) and values[0].strip().isdigit()):
                    raise MailboxError(
                        f"IMAP SELECT {shown(folder)}: the server answered "
                        f"{_quoted(values[0])} for {key}, not a number"
                    ) from None
            raise

    def search(
        self, first_uid: int, last_uid: int, since: date | None, wanted: Wanted
    ) -> list[int]:
        if last_uid < first_uid:
            return []
        criteria: list[object] = ["UID", f"{first_uid}:{last_uid}"]
        if since is not None:
            criteria += ["SINCE", since]
        alternatives: list[list[object]] = [["FROM", to_bytes(h)] for h in wanted.senders]
        alternatives += [["BODY", to_bytes(h)] for h in wanted.bodies]
        for mark in wanted.reply_marks:
            alternatives += [["HEADER", "In-Reply-To", mark], ["HEADER", "References", mark]]
        criteria += _any_of(alternatives)
        uids = self._call(self._client.search, criteria)
        # "n:m" may still answer the last message when n is past the end: filter.
        return sorted(uid for uid in uids if first_uid <= uid <= last_uid)

    def fetch(self, uids: list[int]) -> Iterator[tuple[int, bytes]]:
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start : start + FETCH_BATCH]
            response = self._call(self._client.fetch, batch, [_PEEK])
            for uid in batch:
                data = response.get(uid, {})
                raw = next((v for k, v in data.items() if k.startswith(b"BODY[]")), None)
                if isinstance(raw, bytes):
                    yield uid, raw

    def headers(self, uids: list[int], *, calendars: bool = False) -> Iterator[Head]:
        """The header fields of each message, and the file names of its attachments. The
        BODYSTRUCTURE (a long answer to parse) is asked only of messages whose type can
        carry an attachment: most mail is plain text or text/HTML alternatives. With
        `calendars`, a message with a calendar part (found in that BODYSTRUCTURE; a bare
        text/calendar message asks for its own) has that one part fetched, by its section
        number, if it is small enough: never the rest of the body."""
        for start in range(0, len(uids), HEADER_BATCH):
            batch = uids[start : start + HEADER_BATCH]
            response = self._call(self._client.fetch, batch, [_HEADERS])
            heads = {uid: raw for uid in batch if (raw := _header_bytes(response.get(uid, {})))}
            structured = [
                uid
                for uid, raw in heads.items()
                if _may_attach(raw) or (calendars and _is_calendar(raw))
            ]
            structures = (
                self._call(self._client.fetch, structured, ["BODYSTRUCTURE"]) if structured else {}
            )
            found: dict[int, _Part] = {}
            if calendars:
                for uid in structured:
                    part = _calendar_part(structures.get(uid, {}).get(b"BODYSTRUCTURE"))
                    if part is not None:
                        found[uid] = part
            texts = self._calendars(found) if found else {}
            for uid, raw in heads.items():
                structure = structures.get(uid, {}).get(b"BODYSTRUCTURE")
                yield Head(uid, raw, tuple(_file_names(structure)), texts.get(uid))

    def _calendars(self, parts: dict[int, _Part]) -> dict[int, str]:
        """The calendar part of each message, fetched by section (one FETCH per section
        number, in small batches) and decoded; a part larger than MAX_CALENDAR_BYTES is
        not fetched (the server's size is trusted only to skip: the partial FETCH never
        asks for more than the cap either)."""
        by_section: dict[str, list[int]] = {}
        for uid, part in parts.items():
            if part.size > MAX_CALENDAR_BYTES:
                log.info(
                    "UID %d: its calendar part has %d bytes, too many: not read", uid, part.size
                )
                continue
            by_section.setdefault(part.section, []).append(uid)
        texts: dict[int, str] = {}
        for section, section_uids in by_section.items():
            item = f"BODY.PEEK[{section}]<0.{MAX_CALENDAR_BYTES}>"
            key = f"BODY[{section}]".encode()
            for start in range(0, len(section_uids), CALENDAR_BATCH):
                batch = section_uids[start : start + CALENDAR_BATCH]
                response = self._call(self._client.fetch, batch, [item])
                for uid in batch:
                    data = response.get(uid, {})
                    raw = next((v for k, v in data.items() if k.startswith(key)), None)
                    if isinstance(raw, bytes) and (
                        text := decode_calendar(
                            _undo_transfer(raw, parts[uid].encoding), parts[uid].charset
                        )
                    ):
                        texts[uid] = text
        return texts

    def folder_names(self) -> set[str]:
        return {name for _, name in self._folders()}

    def sent_folder(self, configured: str | None, *, inbox: str = "INBOX") -> str | None:
        folders = self._folders()
        special = None if configured else self._special(folders, SENT)
        candidates = (special, *_COMMON_SENT)
        return pick_folder("MAILBOT_SENT", configured, _names(folders), candidates, inbox)

    def existing_drafts_folder(self, configured: str | None, *, inbox: str = "INBOX") -> str | None:
        """The drafts folder if it exists: MAILBOT_DRAFTS, \\Drafts, then common names."""
        folders = self._folders()
        special = None if configured else self._special(folders, DRAFTS)
        candidates = (special, *_COMMON_DRAFTS)
        return pick_folder("MAILBOT_DRAFTS", configured, _names(folders), candidates, inbox)

    def _folders(self) -> list[tuple[tuple[bytes, ...], str]]:
        """(flags, name) of every folder. A name that is not valid modified UTF-7 cannot
        be named back to the server: it is left out, with a warning (once)."""
        self._client.folder_encode = False  # names as sent: decoded here, one by one
        try:
            listing = self._call(self._client.list_folders)
        finally:
            self._client.folder_encode = True
        folders = []
        for flags, _, raw in listing:
            name = _folder_name(raw)
            if name is not None:
                folders.append((tuple(flags) if isinstance(flags, tuple) else (), name))
                continue
            key = raw if isinstance(raw, bytes) else repr(raw).encode()
            if key not in self._skipped:
                self._skipped.add(key)
                log.warning(
                    "skipping folder %s: its name is not valid modified UTF-7",
                    _quoted(raw),
                )
        return folders

    def _special(self, folders: list[tuple[tuple[bytes, ...], str]], flag: bytes) -> str | None:
        """The folder with this SPECIAL-USE flag; else imapclient's search by common names
        in the server's namespace (none when that listing has a broken name)."""
        flagged = next((name for flags, name in folders if flag in flags), None)
        return flagged or self._call(self._special_by_name, flag)

    def _special_by_name(self, flag: bytes) -> str | None:
        try:
            found = self._client.find_special_folder(flag)
        except UnicodeError:
            return None
        return str(found) if found else None

    def drafts_folder(self, configured: str | None, *, inbox: str = "INBOX") -> str:
        found = self.existing_drafts_folder(configured, inbox=inbox)
        if found:
            return found
        name = "Drafts" if inbox.casefold() != "drafts" else "mailbot Drafts"
        log.info("no drafts folder yet: creating %r", name)
        self._wrote = True
        self._call(self._client.create_folder, name)
        return name

    def capabilities(self) -> set[str]:
        return {c.decode("ascii", "replace") for c in self._call(self._client.capabilities)}

    def append_draft(self, folder: str, message: bytes) -> list[tuple[int, bytes]]:
        """Append, then make sure it was not a second draft with this token. With UIDPLUS
        the APPENDUID says it all: our UID is the UIDNEXT the tokens were read at, so
        nothing was appended since and the lookup before was the whole truth. Otherwise
        (another mailbot, a client saving an edited draft) the tokens are read again, and
        if a draft with our token has a lower UID, ours came second and is taken back:
        of two mailbots appending the same draft at once, exactly one keeps it."""
        self._wrote = True
        try:
            response = self._call(self._client.append, folder, message, flags=(DRAFT, SEEN))
        except MailboxError:  # the server may have stored it all the same: look again later
            self._tokens_cache.pop(folder, None)
            raise
        match = _APPENDUID.search(response if isinstance(response, bytes) else b"")
        stamp = self._tokens_stamp.get(folder)
        token = token_in(message)
        uid = int(match.group(1)) if match else None
        if uid is not None and stamp is not None and folder in self._tokens_cache:
            uidvalidity, uidnext, messages = stamp
            if uid == uidnext:
                self._tokens_stamp[folder] = (uidvalidity, uid + 1, messages + 1)
                if token:
                    self._tokens_cache[folder].setdefault(token, []).append(uid)
                return []
        self._tokens_cache.pop(folder, None)  # read them again
        if uid is None or not token:
            return []  # no UIDPLUS: find_drafts checked the folder's STATUS before
        first = [(u, raw) for u, raw in self.find_drafts(folder, token) if u < uid]
        if first and self.delete_draft(folder, uid):
            log.info("another process stored draft %s first: took ours back", token)
            return first
        return []

    def find_drafts(
        self, folder: str, token: str, *, before_append: bool = False
    ) -> list[tuple[int, bytes]]:
        """Drafts carrying the token. The folder's tokens are read in one SEARCH and one
        FETCH of that header, then kept current with this session's own APPENDs and
        deletions (across renew() too: same folders, same UIDs), and trusted only while
        the folder's STATUS is what they were read at: another mailbot (its own state)
        storing a draft, or the owner saving an edited draft under a new UID, changes it,
        and they are read again. Right before an APPEND on a server with UIDPLUS that
        STATUS is skipped: append_draft's APPENDUID tells afterwards whether anything was
        appended since (one round trip less per draft). When a UID the tokens name no
        longer carries the token, they are read again and the token looked up once more."""
        if folder in self._tokens_cache:
            stamp = self._tokens_stamp.get(folder)
            checked_later = before_append and self._call(self._client.has_capability, "UIDPLUS")
            if stamp is None or (not checked_later and self._drafts_stamp(folder) != stamp):
                del self._tokens_cache[folder]  # changed by someone else: read them again
        found, complete = self._find(folder, token)
        if not complete:
            self._tokens_cache.pop(folder, None)
            found, complete = self._find(folder, token)
            if not complete:  # changing as we look: read again next time
                self._tokens_cache.pop(folder, None)
        return found

    def draft_identities(self, folder: str) -> set[str]:
        """The folder's draft tokens and Message-IDs (the cached listing, while the
        folder's STATUS shows nothing changed)."""
        if folder in self._tokens_cache:
            stamp = self._tokens_stamp.get(folder)
            if stamp is None or self._drafts_stamp(folder) != stamp:
                del self._tokens_cache[folder]
        return set(self._tokens(folder)) | self._ids_cache.get(folder, set())

    def _find(self, folder: str, token: str) -> tuple[list[tuple[int, bytes]], bool]:
        """(the drafts found, whether every UID the cache named still carries the token)"""
        uids = self._tokens(folder).get(token, [])
        if not uids:
            return [], True
        self._select(folder)
        self._selected = True
        found = [(uid, raw) for uid, raw in self.fetch(sorted(uids)) if token_in(raw) == token]
        return found, len(found) == len(uids)

    def _drafts_stamp(self, folder: str) -> tuple[int, int, int]:
        """(UIDVALIDITY, UIDNEXT, MESSAGES) of the folder now: one STATUS, after leaving
        the selection (see status()); without UNSELECT, a fresh read-only SELECT."""
        if self._selected:
            if not self._call(self._client.has_capability, "UNSELECT"):
                return self._stamp_of(folder, self._select(folder))
            self._call(self._client.unselect_folder)
            self._selected = False
        info = self._call(
            self._client.folder_status, folder, [b"UIDVALIDITY", b"UIDNEXT", b"MESSAGES"]
        )
        state = _folder_state(info, "STATUS", folder)
        return state.uidvalidity, state.uidnext, _number(info, b"MESSAGES", "STATUS", folder)

    def _stamp_of(self, folder: str, selected: dict[bytes, Any]) -> tuple[int, int, int]:
        """The stamp from a SELECT's answer (UIDNEXT and UIDVALIDITY are optional there:
        then asked by STATUS, which right after the SELECT answers that same view)."""
        if b"UIDNEXT" not in selected or b"UIDVALIDITY" not in selected:
            selected = {
                **selected,
                **self._call(self._client.folder_status, folder, [b"UIDNEXT", b"UIDVALIDITY"]),
            }
        state = _folder_state(selected, "SELECT", folder)
        return state.uidvalidity, state.uidnext, _number(selected, b"EXISTS", "SELECT", folder)

    def _tokens(self, folder: str) -> dict[str, list[int]]:
        if folder not in self._tokens_cache:
            # The stamp is taken before the SEARCH: a draft arriving in between makes it
            # look stale next time (read again), never the tokens look complete.
            info = self._select(folder)
            self._selected = True
            self._tokens_stamp[folder] = self._stamp_of(folder, info)
            # Every message's Message-ID (our drafts carry their token in it) and the key
            # header of earlier releases' drafts: a Drafts folder is small.
            uids = self._call(self._client.search, ["ALL"])
            found: dict[str, list[int]] = {}
            ids: set[str] = set()
            for start in range(0, len(uids), HEADER_BATCH):
                batch = uids[start : start + HEADER_BATCH]
                response = self._call(self._client.fetch, batch, [_KEY_FIELD])
                for uid, data in response.items():
                    raw = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
                    raw = raw if isinstance(raw, bytes) else b""
                    if token := token_in(raw):
                        found.setdefault(token, []).append(uid)
                    if message_id := message_id_in(raw):
                        ids.add(message_id)
            self._tokens_cache[folder] = found
            self._ids_cache[folder] = ids
        return self._tokens_cache[folder]

    def delete_draft(self, folder: str, uid: int) -> bool:
        """\\Deleted and UID EXPUNGE of that one UID, so nothing else the owner flagged
        \\Deleted is expunged; without UIDPLUS the draft is left in place."""
        if not self._call(self._client.has_capability, "UIDPLUS"):
            log.warning("server lacks UIDPLUS: leaving a stale draft in %s", shown(folder))
            return False
        self._wrote = True
        self._select(folder, readonly=False)
        self._selected = True
        self._call(self._client.add_flags, [uid], [DELETED])
        self._call(self._client.uid_expunge, [uid])
        known = [uids for uids in self._tokens_cache.get(folder, {}).values() if uid in uids]
        stamp = self._tokens_stamp.get(folder)
        if known and stamp is not None:  # one message fewer, and still nothing unknown
            known[0].remove(uid)
            self._tokens_stamp[folder] = (stamp[0], stamp[1], stamp[2] - 1)
        else:
            self._tokens_cache.pop(folder, None)
        if self._call(
            self._client.has_capability, "UNSELECT"
        ):  # never CLOSE: it expunges everything
            self._call(self._client.unselect_folder)
            self._selected = False
        return True

    def supports_idle(self) -> bool:
        return bool(self._call(self._client.has_capability, "IDLE"))

    def watch(
        self, folder: str, stop: threading.Event, on_change: Callable[[], None], renew: float
    ) -> None:
        """IDLE on `folder` until `stop`; call `on_change` when mail arrives. Re-issues IDLE
        every `renew` seconds; checks `stop` every second."""
        self.select(folder)
        while not stop.is_set():
            changed = self._call(self._idle_once, stop, renew)
            if changed:
                on_change()

    def _idle_once(self, stop: threading.Event, renew: float) -> bool:
        """One IDLE: True when new mail arrived (also while leaving IDLE)."""
        self._client.idle()
        try:
            changed = self._wait_in_idle(stop, renew)
        except BaseException:
            with contextlib.suppress(IMAPClientError, OSError):
                self._rearm()
                self._client.idle_done()
            raise
        self._rearm()
        _, pending = self._client.idle_done()
        return changed or any(_is_news(response) for response in pending)

    def _wait_in_idle(self, stop: threading.Event, renew: float) -> bool:
        started = time.monotonic()
        quick_empty = 0  # imapclient reports a closed socket as "nothing", at once, forever
        while not stop.is_set() and time.monotonic() - started < renew:
            asked = time.monotonic()
            self._rearm()  # the deadline holds for each wait, not the whole IDLE
            responses = self._client.idle_check(timeout=1)
            for response in responses:
                if b"BYE" in response:
                    raise IMAPClientError(f"server said BYE: {response!r}")
                if _is_news(response):
                    return True
            quick = not responses and time.monotonic() - asked < 0.5
            quick_empty = quick_empty + 1 if quick else 0
            if quick_empty >= 3:
                raise IMAPClientError("the server closed the connection")
        return False

    def _rearm(self) -> None:
        imap = getattr(self._client, "_imap", None)
        if isinstance(imap, _Guarded):
            imap.arm()

    def _call(self, method: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """One IMAP command; server refusals, network faults, the bounds of _Guarded and
        answers imapclient cannot parse become MailboxError, in one line."""
        try:
            return method(*args, **kwargs)
        except (IMAPClientError, OSError) as exc:
            raise MailboxError(_one_line(f"IMAP {method.__name__} failed: {exc}")) from None
        except (ValueError, TypeError, IndexError, KeyError, RecursionError) as exc:  # malformed
            raise MailboxError(
                _one_line(
                    f"IMAP {method.__name__} failed: the server's answer is not valid IMAP "
                    f"({type(exc).__name__}: {exc})"
                )
            ) from None


def _folder_state(info: dict[bytes, Any], command: str, folder: str) -> FolderState:
    return FolderState(
        uidvalidity=_number(info, b"UIDVALIDITY", command, folder),
        uidnext=_number(info, b"UIDNEXT", command, folder),
    )


def _number(info: dict[bytes, Any], key: bytes, command: str, folder: str) -> int:
    """A number of a STATUS or SELECT answer, checked: one out of range would move the
    inbox cursor past mail not yet read (or not fit the state database)."""
    value = info.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_UID:
        return value
    what = "nothing" if value is None else _quoted(value)
    raise MailboxError(
        f"IMAP {command} {shown(folder)}: the server answered {what} for {key.decode()}, "
        f"not a number from 0 to {MAX_UID}"
    )


def _folder_name(raw: object) -> str | None:
    """A folder name as LIST gave it (modified UTF-7), decoded; None if it is not valid."""
    if isinstance(raw, int) and not isinstance(raw, bool):  # a quoted number: imapclient's int
        return str(raw)
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bytes):
        try:
            return str(decode_utf7(raw))
        except (UnicodeError, ValueError):
            return None
    return None


def _names(folders: list[tuple[tuple[bytes, ...], str]]) -> set[str]:
    return {name for _, name in folders}


def _quoted(value: object, most: int = 60) -> str:
    """A value from the server, fit for one line of a message: escaped, and short."""
    text = value.decode("ascii", "backslashreplace") if isinstance(value, bytes) else str(value)
    text = shown(text)
    return repr(text if len(text) <= most else text[:most] + "...")


def _one_line(text: str, most: int = 500) -> str:
    """An error message that may quote the server: control characters escaped, so it
    stays one line (and cannot drive the terminal), and not too long."""
    text = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )
    return text if len(text) <= most else text[:most] + "..."


def _is_news(response: object) -> bool:
    """An untagged EXISTS or RECENT: mail arrived."""
    return (
        isinstance(response, tuple) and len(response) >= 2 and response[1] in (b"EXISTS", b"RECENT")
    )


def _header_bytes(data: dict[bytes, object]) -> bytes | None:
    raw = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), None)
    return raw if isinstance(raw, bytes) else None


def _may_attach(head: bytes) -> bool:
    """Whether a message with this header can carry an attachment: any multipart (Apple
    Mail puts attachments inside multipart/alternative) or non-text type, or a text part
    with a file name. Not a message without a Content-Type (plain text) or a bare text."""
    types = [m.group(1).lower() for m in _CONTENT_TYPE.finditer(_FOLD.sub(b" ", head))]
    return any(not t.startswith(b"text/") or b"name=" in t for t in types)


def _is_calendar(head: bytes) -> bool:
    """A message that is itself a calendar part (Content-Type: text/calendar)."""
    types = [m.group(1).lower() for m in _CONTENT_TYPE.finditer(_FOLD.sub(b" ", head))]
    return any(t.startswith((b"text/calendar", b"application/ics")) for t in types)


@dataclass(frozen=True)
class _Part:
    section: str  # as FETCH BODY[...] names it: "1", "2", "1.2"
    encoding: str  # Content-Transfer-Encoding, lower case
    charset: str | None
    size: int  # as the server reports it (encoded)


def _calendar_part(structure: object) -> _Part | None:
    """The calendar part of a BODYSTRUCTURE (text/calendar first, else application/ics),
    never one inside an attached message (a forwarded invitation is not the owner's)."""
    found: dict[tuple[str, str], _Part] = {}
    _walk_parts(structure, (), found, 0)
    return next((found[t] for t in CALENDAR_TYPES if t in found), None)


def _walk_parts(
    structure: object, path: tuple[int, ...], found: dict[tuple[str, str], _Part], depth: int
) -> None:
    if not isinstance(structure, (tuple, list)) or not structure or depth > 20:
        return
    if isinstance(structure[0], list):  # multipart: (children, subtype, ...)
        for number, child in enumerate(structure[0][:100], 1):
            _walk_parts(child, (*path, number), found, depth + 1)
        return
    if len(structure) < 7:
        return
    kind = (_atom(structure[0]), _atom(structure[1]))
    if kind not in CALENDAR_TYPES or kind in found:
        return
    params = structure[2] if isinstance(structure[2], (tuple, list)) else ()
    names = [_atom(v) for v in params[0::2]]
    charset = next(
        (_atom(v) for n, v in zip(names, params[1::2], strict=False) if n == "charset"), None
    )
    size = structure[6] if isinstance(structure[6], int) else MAX_CALENDAR_BYTES + 1
    section = ".".join(str(n) for n in path) or "1"
    found[kind] = _Part(section, _atom(structure[5]) or "7bit", charset or None, size)


def _atom(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii", "replace").lower()
    return value.lower() if isinstance(value, str) else ""


def _undo_transfer(raw: bytes, encoding: str) -> bytes:
    """A part's bytes as sent (base64, quoted-printable or plain) -> its content."""
    if encoding == "base64":
        try:
            return base64.b64decode(b"".join(raw.split()), validate=False)
        except (binascii.Error, ValueError):
            return b""
    if encoding == "quoted-printable":
        return quopri.decodestring(raw)
    return raw


def _file_names(structure: object) -> Iterator[str]:
    """File names anywhere in a BODYSTRUCTURE (name= and filename= parameters)."""
    if isinstance(structure, bytes):
        if b"." in structure and len(structure) < 300:
            yield structure.decode("utf-8", "replace")
    elif isinstance(structure, (tuple, list)):
        for item in structure:
            yield from _file_names(item)


def _any_of(alternatives: list[list[object]]) -> list[object]:
    """IMAP's OR takes two keys: OR (a) (OR (b) (c)). Nested lists are parenthesised."""
    if len(alternatives) <= 1:
        return list(alternatives[0]) if alternatives else []
    combined: list[object] = alternatives[-1]
    for alternative in reversed(alternatives[:-1]):
        combined = ["OR", alternative, combined]
    return combined
