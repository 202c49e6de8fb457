"""The floor: bare imapclient doing the least protocol work each measured task needs."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from imapclient import IMAPClient
from imapclient.imapclient import DRAFT, SEEN

ENVELOPE_BATCH = 500
BATCH_APPEND = 100  # drafts per MULTIAPPEND in pending_batched


def idle_poll(client: IMAPClient, folder: str, last_uid: int) -> int:
    """SELECT (read-only) + UID SEARCH from the last UID; returns the new last UID."""
    info = client.select_folder(folder, readonly=True)
    client.search(["UID", f"{last_uid + 1}:*"])
    return int(info[b"UIDNEXT"]) - 1


def status_poll(client: IMAPClient, folder: str, uidnext: int) -> int:
    """STATUS (UIDNEXT UIDVALIDITY), and UID SEARCH only if UIDNEXT moved: the least an
    idle poll can do (no SELECT). Returns the new UIDNEXT."""
    status = client.folder_status(folder, [b"UIDNEXT", b"UIDVALIDITY"])
    if int(status[b"UIDNEXT"]) != uidnext:
        client.select_folder(folder, readonly=True)
        client.search(["UID", f"{uidnext}:*"])
    return int(status[b"UIDNEXT"])


def connect_poll(host: str, port: int, user: str, password: str, folder: str) -> None:
    """A whole poll on a fresh connection: connect, LOGIN, SELECT, SEARCH, LOGOUT."""
    client = IMAPClient(host, port=port, ssl=False, timeout=30)
    client.login(user, password)
    info = client.select_folder(folder, readonly=True)
    client.search(["UID", f"{int(info[b'UIDNEXT'])}:*"])
    client.logout()


def envelopes(client: IMAPClient, folders: Sequence[str]) -> int:
    """FETCH ENVELOPE of every message of `folders`, in batches of 500."""
    count = 0
    for folder in folders:
        client.select_folder(folder, readonly=True)
        uids = client.search(["ALL"])
        for start in range(0, len(uids), ENVELOPE_BATCH):
            count += len(client.fetch(uids[start : start + ENVELOPE_BATCH], ["ENVELOPE"]))
    return count


def envelopes_of(client: IMAPClient, folder: str, uids: Sequence[int]) -> int:
    """SELECT + FETCH ENVELOPE of just these messages (the new mail)."""
    client.select_folder(folder, readonly=True)
    return len(client.fetch(list(uids), ["ENVELOPE"]))


def pending(client: IMAPClient, folder: str, uids: Sequence[int], drafts: Sequence[bytes]) -> None:
    """FETCH BODY.PEEK[] of the new messages, then APPEND each draft (one APPEND per
    draft, as storing each draft before recording it requires)."""
    client.select_folder(folder, readonly=True)
    fetched = client.fetch(list(uids), ["BODY.PEEK[]"])
    assert len(fetched) == len(uids), (len(fetched), len(uids))
    for raw in drafts:
        client.append("Drafts", raw, flags=(DRAFT, SEEN))


def pending_batched(
    client: IMAPClient, folder: str, uids: Sequence[int], drafts: Sequence[bytes]
) -> None:
    """As `pending`, but the drafts stored by MULTIAPPEND, BATCH_APPEND to a command: what
    a client that need not record each draft before the next could do (for information)."""
    client.select_folder(folder, readonly=True)
    fetched = client.fetch(list(uids), ["BODY.PEEK[]"])
    assert len(fetched) == len(uids), (len(fetched), len(uids))
    for start in range(0, len(drafts), BATCH_APPEND):
        batch = drafts[start : start + BATCH_APPEND]
        client.multiappend("Drafts", [{"msg": raw, "flags": (DRAFT, SEEN)} for raw in batch])


class IdleResponder(threading.Thread):
    """IDLE on a folder; on new mail: FETCH it and APPEND a draft. The least a daemon
    that answers new mail at once can do."""

    def __init__(self, client: IMAPClient, folder: str, draft: bytes) -> None:
        super().__init__(name="floor-idle", daemon=True)
        self.client, self.folder, self.draft = client, folder, draft
        self.stop = threading.Event()
        self.ready = threading.Event()

    def run(self) -> None:
        self.client.select_folder(self.folder, readonly=True)
        self.client.idle()
        self.ready.set()
        while not self.stop.is_set():
            exists = [r[0] for r in self.client.idle_check(timeout=0.5) if r[1:2] == (b"EXISTS",)]
            if not exists:
                continue
            self.client.idle_done()
            self.client.use_uid = False  # the EXISTS count is a sequence number
            self.client.fetch([max(exists)], ["BODY.PEEK[]"])
            self.client.use_uid = True
            self.client.append("Drafts", self.draft, flags=(DRAFT, SEEN))
            self.client.idle()
        self.client.idle_done()
