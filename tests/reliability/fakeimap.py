"""A tiny scriptable IMAP server on 127.0.0.1, plaintext, for a broken or hostile server.

It answers what one mailbot cycle asks (CAPABILITY, LOGIN, LIST, STATUS, SELECT,
EXAMINE, UNSELECT, UID SEARCH, UID FETCH, APPEND, NOOP, LOGOUT) with canned answers
about an INBOX holding `messages` (UIDs 1..n) and empty Drafts and Sent folders, and lets
a test replace the answer to one command by a misbehaviour: `FakeImap({"UID FETCH":
huge_literal()})`. A misbehaviour gets the connection, the tag and the arguments, and
writes what it likes. Everything is bounded: every loop ends when the test stops the
server (`close`, or the context manager), when mailbot goes away, or after `MAX_SECONDS`.
"""

from __future__ import annotations

import contextlib
import re
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterable
from types import TracebackType

MAX_SECONDS = 60.0  # no misbehaviour outlives this, even if nobody stops the server
UIDVALIDITY = 1700000000
CAPABILITIES = "IMAP4rev1 UNSELECT SPECIAL-USE"
FOLDERS = ((r"\HasNoChildren", "INBOX"), (r"\HasNoChildren \Drafts", "Drafts"),
           (r"\HasNoChildren \Sent", "Sent"))  # fmt: skip
_LITERAL = re.compile(rb"\{(\d+)(\+?)\}\r\n$")
_RANGE = re.compile(r"\bUID (\d+):(\d+|\*)", re.IGNORECASE)
_SECTION = re.compile(r"BODY\.PEEK(\[[^\]]*\])", re.IGNORECASE)


class Connection:
    """One client connection: what a misbehaviour writes to, and when it must stop."""

    def __init__(self, server: FakeImap, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock
        self.selected: str | None = None
        self.started = time.monotonic()

    @property
    def going(self) -> bool:
        """Whether a misbehaviour may go on: the server runs and MAX_SECONDS have not passed."""
        return not self.server.stopped.is_set() and time.monotonic() - self.started < MAX_SECONDS

    def send(self, data: bytes | str) -> None:
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def line(self, text: str) -> None:
        self.send(text + "\r\n")


Misbehaviour = Callable[[Connection, str, str], None]  # (connection, tag, arguments)


class FakeImap:
    """`with FakeImap(...) as server:` ... `server.port`; `server.commands` lists what
    mailbot asked ("UID SEARCH", ...), in order."""

    def __init__(
        self,
        misbehave: dict[str, Misbehaviour] | None = None,
        messages: Iterable[bytes] = (),
        *,
        greeting: str = f"* OK [CAPABILITY {CAPABILITIES}] fake server ready",
        folders: Iterable[tuple[str, str]] = FOLDERS,
        after_greeting: Callable[[Connection], None] | None = None,
    ) -> None:
        self.misbehave = {k.upper(): v for k, v in (misbehave or {}).items()}
        self.messages = [m.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") for m in messages]
        self.greeting = greeting
        self.folders = tuple(folders)
        self.after_greeting = after_greeting
        self.commands: list[str] = []
        self.stopped = threading.Event()
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                fake._serve(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def __enter__(self) -> FakeImap:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.stopped.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            sockets, self._open = self._open, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def asked(self, command: str) -> bool:
        with self._lock:
            return command.upper() in self.commands

    # -- the protocol --------------------------------------------------------------------

    def _serve(self, sock: socket.socket) -> None:
        with self._lock:
            if self.stopped.is_set():
                return
            self._open.append(sock)
        sock.settimeout(MAX_SECONDS)
        conn = Connection(self, sock)
        reader = sock.makefile("rb")
        with contextlib.suppress(OSError, ValueError):
            conn.line(self.greeting)
            if self.after_greeting:
                self.after_greeting(conn)
            while conn.going:
                raw = reader.readline(1 << 20)
                if not raw:
                    return
                literal = _LITERAL.search(raw)
                if literal:  # APPEND's message: read it whole, then the rest of the line
                    if not literal.group(2):
                        conn.line("+ go ahead")
                    reader.read(int(literal.group(1)))
                    reader.readline(1 << 20)
                words = raw.decode("latin-1").rstrip("\r\n").split(" ", 3)
                if len(words) < 2:
                    conn.line("* BAD no command")
                    continue
                tag, name = words[0], words[1].upper()
                if name == "UID" and len(words) > 2:
                    name = f"UID {words[2].upper()}"
                    args = words[3] if len(words) > 3 else ""
                else:
                    args = " ".join(words[2:])
                with self._lock:
                    self.commands.append(name)
                if name in self.misbehave:
                    self.misbehave[name](conn, tag, args)
                elif not self._answer(conn, tag, name, args):
                    return

    def _answer(self, conn: Connection, tag: str, name: str, args: str) -> bool:
        """The canned answer; False once the connection is to end (LOGOUT)."""
        if name == "CAPABILITY":
            conn.line(f"* CAPABILITY {CAPABILITIES}")
        elif name == "LOGIN":
            conn.line(f"{tag} OK [CAPABILITY {CAPABILITIES}] logged in")
            return True
        elif name == "LIST":
            pattern = _unquote(args.split(" ", 1)[1] if " " in args else "*")
            for flags, folder in self.folders:
                if pattern in ("*", "%") or pattern == folder:
                    conn.line(f'* LIST ({flags}) "/" "{folder}"')
        elif name == "STATUS":
            folder, _, items = args.partition(" ")
            values = self.status_of(_unquote(folder))
            asked = items.strip("()").upper().split()
            conn.line(
                f"* STATUS {folder} ({' '.join(f'{k} {values[k]}' for k in asked if k in values)})"
            )
        elif name in ("SELECT", "EXAMINE"):
            folder = _unquote(args)
            conn.selected = folder
            values = self.status_of(folder)
            conn.line(f"* {values['MESSAGES']} EXISTS")
            conn.line("* 0 RECENT")
            conn.line(r"* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)")
            conn.line(f"* OK [UIDVALIDITY {values['UIDVALIDITY']}] UIDs valid")
            conn.line(f"* OK [UIDNEXT {values['UIDNEXT']}] Predicted next UID")
            conn.line(f"{tag} OK [READ-{'ONLY' if name == 'EXAMINE' else 'WRITE'}] done")
            return True
        elif name in ("UNSELECT", "CLOSE"):
            conn.selected = None
        elif name == "UID SEARCH":
            conn.line(f"* SEARCH {' '.join(str(u) for u in self.uids_in(conn, args))}".rstrip())
        elif name == "UID FETCH":
            self._fetch(conn, args)
        elif name == "LOGOUT":
            conn.line("* BYE see you")
            conn.line(f"{tag} OK logged out")
            return False
        elif name not in ("NOOP", "APPEND"):
            conn.line(f"{tag} BAD unknown command {name}")
            return True
        conn.line(f"{tag} OK {name} done")
        return True

    def status_of(self, folder: str) -> dict[str, str]:
        count = len(self.messages) if folder == "INBOX" else 0
        return {
            "MESSAGES": str(count),
            "UIDNEXT": str(count + 1),
            "UIDVALIDITY": str(UIDVALIDITY),
            "UNSEEN": "0",
            "RECENT": "0",
        }

    def uids_in(self, conn: Connection, criteria: str) -> list[int]:
        """The selected folder's UIDs, within the criteria's "UID n:m" if there is one
        (the other criteria are taken as matching everything)."""
        uids = list(range(1, len(self.messages) + 1)) if conn.selected == "INBOX" else []
        found = _RANGE.search(criteria)
        if found:
            first, last = int(found.group(1)), found.group(2)
            uids = [u for u in uids if u >= first and (last == "*" or u <= int(last))]
        return uids

    def _fetch(self, conn: Connection, args: str) -> None:
        wanted, _, items = args.partition(" ")
        for uid in _uid_set(wanted, len(self.messages) if conn.selected == "INBOX" else 0):
            raw = self.messages[uid - 1]
            parts = [f"UID {uid}".encode()]
            for section in _SECTION.findall(items):
                data = raw if section == "[]" else raw.split(b"\r\n\r\n")[0] + b"\r\n\r\n"
                key = "BODY[]<0>" if section == "[]" else f"BODY{section}"
                parts.append(f"{key} {{{len(data)}}}\r\n".encode() + data)
            if "BODYSTRUCTURE" in items.upper():
                parts.append(
                    b'BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 10 1)'
                )
            conn.send(f"* {uid} FETCH (".encode() + b" ".join(parts) + b")\r\n")


def _unquote(text: str) -> str:
    text = text.strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _uid_set(text: str, last: int) -> list[int]:
    uids: list[int] = []
    for part in text.split(","):
        first, _, end = part.partition(":")
        low = int(first) if first != "*" else last
        high = low if not end else (last if end == "*" else int(end))
        uids += [u for u in range(min(low, high), max(low, high) + 1) if 1 <= u <= last]
    return uids


# -- misbehaviours ---------------------------------------------------------------------------


def huge_literal(announced: int = 2**31, sent: int = 512 * 2**20) -> Misbehaviour:
    """A FETCH answer announcing a literal of `announced` bytes, then zeros, at most `sent`
    bytes of them (enough to show a client that reads it all), until mailbot hangs up."""

    def answer(conn: Connection, tag: str, args: str) -> None:
        uid = args.split(" ", 1)[0].split(":")[0].split(",")[0]
        conn.send(f"* 1 FETCH (UID {uid} BODY[]<0> {{{announced}}}\r\n")
        zeros(conn, sent)

    return answer


def zeros(conn: Connection, most: int = 512 * 2**20) -> None:
    """Zero bytes, `most` of them at most, until mailbot hangs up (a literal's contents)."""
    _stream(conn, b"\0" * 2**20, most)


def endless_line(sent: int = 64 * 2**20) -> Misbehaviour:
    """An untagged line that never ends (no CRLF), `sent` bytes at most."""

    def answer(conn: Connection, tag: str, args: str) -> None:
        conn.send("* OK ")
        _stream(conn, b"x" * 2**16, sent)

    return answer


def endless_untagged(pause: float = 0.01, burst: int = 20) -> Misbehaviour:
    """Untagged "still working" lines, `burst` at a time every `pause` seconds, forever:
    data keeps arriving, so no socket timeout ever fires."""

    def answer(conn: Connection, tag: str, args: str) -> None:
        lines = b"* OK still searching, please wait\r\n" * burst
        while conn.going:
            conn.send(lines)
            if pause:
                time.sleep(pause)

    return answer


def untagged_then_ok(*lines: str) -> Misbehaviour:
    """These untagged lines, then the tagged OK (a SELECT answer, a split SEARCH, ...)."""

    def answer(conn: Connection, tag: str, args: str) -> None:
        for line in lines:
            conn.line(line)
        conn.line(f"{tag} OK done")

    return answer


def select_with(folder_state: dict[str, str]) -> Misbehaviour:
    """A SELECT/EXAMINE answer with these UIDVALIDITY/UIDNEXT/EXISTS values as given."""

    def answer(conn: Connection, tag: str, args: str) -> None:
        conn.selected = _unquote(args)
        values = {"EXISTS": "1", "UIDVALIDITY": str(UIDVALIDITY), "UIDNEXT": "2", **folder_state}
        conn.line(f"* {values['EXISTS']} EXISTS")
        conn.line(f"* OK [UIDVALIDITY {values['UIDVALIDITY']}] UIDs valid")
        conn.line(f"* OK [UIDNEXT {values['UIDNEXT']}] Predicted next UID")
        conn.line(f"{tag} OK [READ-ONLY] done")

    return answer


def status_with(folder_state: dict[str, str]) -> Misbehaviour:
    """A STATUS answer with these UIDVALIDITY/UIDNEXT values, as given."""

    def answer(conn: Connection, tag: str, args: str) -> None:
        folder = args.partition(" ")[0]
        values = {"UIDVALIDITY": str(UIDVALIDITY), "UIDNEXT": "2", "MESSAGES": "1", **folder_state}
        conn.line(f"* STATUS {folder} ({' '.join(f'{k} {v}' for k, v in values.items())})")
        conn.line(f"{tag} OK done")

    return answer


def _stream(conn: Connection, chunk: bytes, most: int) -> None:
    sent = 0
    while conn.going and sent < most:
        conn.send(chunk)
        sent += len(chunk)
