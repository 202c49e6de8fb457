"""The correspondence index: every person in the owner's mail history, in SQLite.

One row per (folder, message, person, direction), so a folder whose UIDVALIDITY changed
is dropped and rebuilt without double counting. Built from header fetches only, in
batches, incrementally (only UIDs past the folder's cursor). Lookups are local queries.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from mailbot.identity import loose, near_match, normalise_email, normalise_name
from mailbot.mailboxes.base import FolderState, Head, Mailbox, Wanted, shown
from mailbot.people.history import Entry, entries
from mailbot.records import Cursor
from mailbot.store import Store

log = logging.getLogger(__name__)

BATCH = 500
BULK = 5_000  # messages to read at least for a bulk build (lookup indexes made at the end)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Correspondent:
    """What the history says about one address."""

    address: str
    names: tuple[str, ...]
    sent: int  # messages the owner sent them
    received: int  # messages they sent the owner
    applications: int  # of those, job applications
    first: str | None  # of the mail (meetings have their own dates)
    last: str | None
    subjects: tuple[str, ...]
    meetings: int = 0  # the owner's invitations and acceptances of a meeting with them
    invited: int = 0  # calendar data from others naming them as organiser: evidence only
    meeting: tuple[str, str | None] | None = None  # the latest: (summary, date)
    many: int = 0  # the owner's mass mails (history.MANY) to them: evidence only

    def evidence(self) -> str:
        parts = []
        if self.sent:
            parts.append(f"you wrote to {self.address} {self.sent} time{'s' * (self.sent != 1)}")
        if self.received:
            parts.append(
                f"{'they' if parts else self.address} wrote to you "
                f"{self.received} time{'s' * (self.received != 1)}"
            )
        if self.applications:
            parts.append(f"{self.applications} job application{'s' * (self.applications != 1)}")
        if self.many:
            parts.append(
                f"{'they were' if parts else self.address + ' was'} among the many recipients "
                f"of {self.many} mail{'s' * (self.many != 1)} of yours"
            )
        text = ", ".join(parts)
        if self.last:
            text += f", last {self.last}"
        if self.subjects:
            text += ": " + "; ".join(f"'{s}'" for s in self.subjects)
        if meeting := self._meeting():
            text = f"{text}; {meeting}" if text else f"{self.address}: {meeting}"
        return text

    def _meeting(self) -> str:
        """ "a meeting 'Quarterly review' on 2025-03-04" (the latest, with a count if more)."""
        if self.meeting is None:
            return ""
        summary, when = self.meeting
        what = f"'{summary}'" if summary else "(no title)"
        on = f" on {when}" if when else ""
        if self.meetings:
            more = f" ({self.meetings} meetings)" if self.meetings > 1 else ""
            return f"a meeting {what}{on}{more}"
        return f"invited you to a meeting {what}{on}, which you did not accept or organise"


class CorrespondenceIndex:
    def __init__(self, store: Store, *, bulk: int = BULK) -> None:
        self._store = store
        self._bulk = bulk

    def refresh(
        self,
        mailbox: Mailbox,
        folders: list[str],
        owner: frozenset[str],
        progress: Progress | None = None,
        stop: threading.Event | None = None,
        *,
        selected: tuple[str, FolderState] | None = None,
        sent: str | None = None,
        authserv: frozenset[str] = frozenset(),
    ) -> int:
        """Index what is new in each folder; returns how many messages were read.

        `sent`: the owner's Sent folder: mail from the owner there is theirs; elsewhere
        only when their server authenticated it (`authserv`: history.entries).

        `selected`: a folder the caller has just selected, and its state. It is read first,
        without selecting it again: on Dovecot each SELECT of a large folder that changed a
        moment ago rescans it (about 0.3 s at 100,000 messages). A STATUS before each
        SELECT would cost one more such rescan for a folder with new mail, and save little
        for one without (measured: EXAMINE of an unchanged 20,000-message Sent, 0.9 ms).
        """
        report = progress or TerminalProgress()
        if not self._store.history_built_for(_rules(owner, authserv)):
            log.info("your addresses or MAILBOT_AUTHSERV_ID changed: reading your mail again")
        self._store.create_history_lookups()  # if a bulk build elsewhere was killed
        name, state = selected if selected is not None else (None, None)
        done = 0
        for folder in sorted(folders, key=lambda f: f != name):  # the selected one first
            known = state if folder == name else None
            mine = _Owner(owner, folder == sent, authserv)
            done += self._refresh_folder(mailbox, folder, mine, report, stop, known)
        return done

    def _refresh_folder(
        self,
        mailbox: Mailbox,
        folder: str,
        owner: _Owner,
        progress: Progress,
        stop: threading.Event | None,
        selected: FolderState | None,
    ) -> int:
        cursor = self._store.history_cursor(folder)
        state = selected or mailbox.select(folder)
        last_uid = state.uidnext - 1
        start = 1
        if cursor is not None and cursor.uidvalidity == state.uidvalidity:
            if cursor.last_uid >= last_uid:
                return 0
            start = cursor.last_uid + 1
        elif cursor is not None:
            log.warning(
                "UIDVALIDITY of %s changed: rebuilding its part of the index", shown(folder)
            )
            self._store.drop_history(folder)
        uids = mailbox.search(start, last_uid, None, Wanted())
        with self._store.history_bulk(len(uids) >= self._bulk):
            done = self._read(mailbox, folder, state.uidvalidity, uids, owner, progress, stop)
        if done == len(uids):  # all read: the cursor moves past any gap at the end too
            self._store.set_history_cursor(folder, Cursor(state.uidvalidity, last_uid))
        return done

    def _read(
        self,
        mailbox: Mailbox,
        folder: str,
        uidvalidity: int,
        uids: list[int],
        owner: _Owner,
        progress: Progress,
        stop: threading.Event | None,
    ) -> int:
        done = 0
        ours = self._store.our_drafts()
        for batch_start in range(0, len(uids), BATCH):
            if stop is not None and stop.is_set():
                return done  # each batch is committed with its cursor: the rest comes next time
            batch = uids[batch_start : batch_start + BATCH]
            rows = [
                (
                    folder,
                    head.uid,
                    e.address,
                    e.name,
                    key,
                    *_ends(key),
                    e.direction,
                    e.date,
                    e.subject,
                    int(e.application),
                )
                for head in mailbox.headers(batch, calendars=True)
                for e in _entries(folder, head, owner, ours)
                for key in (normalise_name(e.name),)
            ]
            self._store.add_history(folder, Cursor(uidvalidity, batch[-1]), rows)
            done += len(batch)
            progress(folder, done, len(uids))
        return done

    def by_address(self, address: str) -> Correspondent | None:
        found = self._correspondents("address = ?", (normalise_email(address),))
        return found[0] if found else None

    def by_name(self, name: str) -> list[Correspondent]:
        """Everyone whose normalised name equals this one, one entry per address."""
        key = normalise_name(name)
        return self._correspondents("name_key = ?", (key,)) if key else []

    def near(self, name: str) -> list[tuple[Correspondent, str]]:
        """People whose name is close to (not equal to) this one, with how it is close."""
        key = normalise_name(name)
        if not key:
            return []
        first, last = _ends(key)
        found: list[tuple[Correspondent, str]] = []
        for other in self._store.history_name_keys(first, last):
            if why := near_match(key, other):
                found.extend((c, why) for c in self._correspondents("name_key = ?", (other,)))
        return found

    def _correspondents(self, where: str, args: tuple[str, ...]) -> list[Correspondent]:
        rows = self._store.history_totals(where, args)
        return [
            Correspondent(
                address=r[0],
                names=self._store.history_names(r[0]),
                sent=r[1],
                received=r[2],
                applications=r[3],
                first=r[4],
                last=r[5],
                subjects=self._store.history_subjects(r[0]),
                meetings=r[6],
                invited=r[7],
                meeting=self._store.history_meeting(r[0]) if r[6] or r[7] else None,
                many=r[8],
            )
            for r in rows
        ]


@dataclass(frozen=True)
class _Owner:
    """The owner's addresses, and how their own mail is told in one folder."""

    addresses: frozenset[str]
    sent: bool  # the folder is the Sent folder
    authserv: frozenset[str]


def _entries(folder: str, head: Head, owner: _Owner, ours: frozenset[str]) -> list[Entry]:
    """One message's entries. A message mailbot cannot read is logged, never a reason to
    stop indexing the rest (that would leave every later request undecided)."""
    try:
        return entries(
            head.header,
            head.attachments,
            owner.addresses,
            head.calendar,
            ours=ours,
            sent=owner.sent,
            authserv=owner.authserv,
        )
    except Exception as exc:
        log.warning(
            "%s UID %d: headers not readable (%s), left out of the index",
            shown(folder),
            head.uid,
            exc,
        )
        return []


def _ends(key: str) -> tuple[str, str]:
    """The first and last word, folded loosely (identity.loose) so near matches across
    ü / ue / u spellings are found by the lookup indexes."""
    words = loose(key).split()
    return (words[0], words[-1]) if words else ("", "")


class TerminalProgress:
    """Progress of a long build: a live line on a terminal, else a log line every 10 s."""

    def __init__(self) -> None:
        self._started: dict[str, float] = {}
        self._logged: dict[str, float] = {}

    def __call__(self, folder: str, done: int, total: int) -> None:
        now = time.monotonic()
        start = self._started.setdefault(folder, now)
        rate = done / max(now - start, 1e-3)
        eta = (total - done) / rate if rate else 0.0
        line = f"indexing {shown(folder)}: {done}/{total} messages ({rate:.0f}/s, ETA {eta:.0f}s)"
        finished = done >= total
        if sys.stderr.isatty():
            print("\r" + line, end="\n" if finished else "", file=sys.stderr, flush=True)
        elif total > BATCH and (finished or now - self._logged.get(folder, start) >= 10):
            self._logged[folder] = now
            log.info("%s", line)


def _rules(owner: frozenset[str], authserv: frozenset[str]) -> str:
    """What decides whose mail is the owner's: a change means building the index again."""
    return "owners=" + ",".join(sorted(owner)) + ";authserv=" + ",".join(sorted(authserv))
