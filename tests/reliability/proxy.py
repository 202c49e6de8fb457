"""A loopback TCP proxy between mailbot and Dovecot that watches IMAP go by and fails on cue.

Every client command ("C UID SEARCH") and every tagged server answer ("S OK")
is an event, numbered in order. A test's `on_event` callback sees each event before its
bytes are forwarded and says what to do: forward it, "drop" the connection, "stall"
(stop forwarding, so the client times out), or anything else it likes (kill a process).
IMAP literals ({123}) are skipped as data, so a message body is never read as commands.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Callable

from dovecot import free_port

_LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")
DROP, STALL, HALF = "drop", "stall", "half"  # HALF: send half of the command's literal, drop
Action = Callable[[int, str], str | None]


class ImapProxy:
    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.events: list[str] = []
        self.on_event: Action | None = None
        self.connections = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._open: list[socket.socket] = []
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        self.drop_all()

    def drop_all(self) -> None:
        with self._lock:
            sockets, self._open = self._open, []
        for sock in sockets:
            _close(sock)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._open += [client, server]
                self.connections += 1
            pair = (client, server)
            threading.Thread(
                target=self._pump, args=(client, server, "C", pair), daemon=True
            ).start()
            threading.Thread(
                target=self._pump, args=(server, client, "S", pair), daemon=True
            ).start()

    def _event(self, side: str, line: bytes) -> str | None:
        words = line.decode("latin-1").split()
        if side == "C":
            if len(words) < 2:
                return None
            command = " ".join(words[1:3] if words[1].upper() == "UID" else words[1:2]).upper()
            name = f"C {command}"
        else:
            if not words or words[0] in ("*", "+"):
                return None
            name = f"S {words[1].upper() if len(words) > 1 else ''}"
        with self._lock:
            index = len(self.events)
            self.events.append(name)
        return self.on_event(index, name) if self.on_event else None

    def _pump(
        self,
        source: socket.socket,
        sink: socket.socket,
        side: str,
        pair: tuple[socket.socket, socket.socket],
    ) -> None:
        buffer = b""
        literal = 0
        cut_at: int | None = None  # bytes of the current literal still to pass before a HALF cut
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                buffer += data
                out = b""
                while buffer:
                    if literal:
                        take = buffer[: literal if cut_at is None else min(literal, cut_at)]
                        out, buffer, literal = out + take, buffer[len(take) :], literal - len(take)
                        if cut_at is not None:
                            cut_at -= len(take)
                            if cut_at <= 0:
                                sink.sendall(out)
                                raise ConnectionAbortedError
                        continue
                    end = buffer.find(b"\r\n")
                    if end < 0:
                        break
                    line, buffer = buffer[: end + 2], buffer[end + 2 :]
                    action = self._event(side, line)
                    if action == DROP:
                        raise ConnectionAbortedError
                    if action == STALL:
                        self._closed.wait()
                        raise ConnectionAbortedError
                    out += line
                    if match := _LITERAL.search(line):
                        literal = int(match.group(1))
                        cut_at = literal // 2 if action == HALF else None
                if out:
                    sink.sendall(out)
        except OSError:
            pass
        finally:
            for sock in pair:
                _close(sock)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
