"""One cycle (or one question) against the configured server: settings wired to the parts.

An idle poll is the common case (every few minutes, from cron or the daemon): it needs
the state, the mailbox and one STATUS, so the parser, the rules and the templates are
imported only when there is new mail to read.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from mailbot.config import Settings
from mailbot.errors import ConfigError, LoginRefused, MailbotError, MailboxError
from mailbot.mailboxes import open_mailbox
from mailbot.mailboxes.base import Mailbox, pick_folder, watched_status
from mailbot.report import CycleReport
from mailbot.store import Store

if TYPE_CHECKING:
    from mailbot.people.index import CorrespondenceIndex
    from mailbot.people.known import KnownPeople
    from mailbot.records import Verdict
    from mailbot.rules import Context, Decision

log = logging.getLogger(__name__)


def login_refused(exc: BaseException) -> bool:
    """The server refused the login (a wrong or changed password, a refused token), as
    opposed to a server that cannot be reached or a password command that failed."""
    return isinstance(exc, LoginRefused)


def known_people(settings: Settings, index: CorrespondenceIndex | None) -> KnownPeople:
    from mailbot.people.contacts import load_contacts
    from mailbot.people.known import KnownPeople, OwnerLists

    return KnownPeople(
        contacts=load_contacts(
            settings.contacts,
            settings.owner.name,
            # what was read, for the next run while the files stay as they are
            cache=settings.state_path.with_name(settings.state_path.name + ".records.json"),
        ),
        index=index,
        lists=OwnerLists.parse(settings.known, settings.known_domains),
        min_sent=settings.known_min_sent,
    )


def require_named_folders(mailbox: Mailbox, settings: Settings) -> None:
    """Every folder the owner named must exist, whether or not there is mail to read: a
    ConfigError naming the key (a typo in MAILBOT_SENT must not quietly turn people the
    owner wrote to into strangers). One LIST, once per run or per daemon session; none
    when the owner named no folder."""
    named = [("MAILBOT_DRAFTS", settings.drafts), ("MAILBOT_SENT", settings.sent)]
    named += [("MAILBOT_HISTORY_FOLDERS", folder) for folder in settings.history_folders]
    if settings.inbox.upper() != "INBOX":  # INBOX always exists (RFC 3501)
        named.append(("MAILBOT_INBOX", settings.inbox))
    named = [(key, folder) for key, folder in named if folder]
    if named:
        existing = mailbox.folder_names()
        for key, folder in named:
            pick_folder(key, folder, existing, (), settings.inbox)


def run_once(
    settings: Settings, *, dry_run: bool = False, stop: threading.Event | None = None
) -> CycleReport:
    """One cycle against the configured IMAP server (a dry run on a scratch copy of state)."""
    with (
        Store(settings.state_path, scratch=dry_run) as state,
        open_mailbox(settings, state) as mailbox,
    ):
        require_named_folders(mailbox, settings)
        if not dry_run and state.is_current(
            settings.inbox, watched_status(mailbox, settings.inbox)
        ):
            return CycleReport()  # nothing new: nothing more to load
        from mailbot.people.index import CorrespondenceIndex
        from mailbot.pipeline import run_cycle
        from mailbot.rules import Context

        index = CorrespondenceIndex(state)
        context = Context(known_people(settings, index), settings.owner.addresses)
        return run_cycle(mailbox, state, settings, context, index, dry_run=dry_run, stop=stop)


class Session:
    """What the daemon keeps between cycles: the state, whom the owner knows, and an open,
    logged-in mailbox, so that a cycle on new mail or a poll costs no new login. Any
    failure closes it; the next cycle opens a fresh one. After each cycle the mailbox is
    renewed if it wrote (Mailbox.renew: Dovecot slows every later poll of such a session),
    which asks MAILBOT_IMAP_PASSWORD_CMD or the token command again, as any reconnect does.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._stack: ExitStack | None = None
        self._mailbox: Mailbox | None = None
        self._state: Store | None = None
        self._context: Context | None = None
        self._index: CorrespondenceIndex | None = None
        self._contacts_seen: tuple[float, ...] = ()
        self._failed: Exception | None = None  # start()'s failure, for the first cycle

    @property
    def is_open(self) -> bool:
        """Whether a logged-in mailbox is kept: the next cycle logs in only if not."""
        return self._stack is not None

    def cycle(self, stop: threading.Event | None = None, *, news: bool = False) -> CycleReport:
        """One cycle; `news`: new mail was announced (see pipeline.run_cycle)."""
        reused = self._stack is not None
        try:
            if self._failed is not None:  # start() could not log in: that is this cycle's news
                failed, self._failed = self._failed, None
                raise failed
            mailbox, state = self._open()
            assert self._context is not None and self._index is not None
            from mailbot.pipeline import run_cycle

            report = run_cycle(
                mailbox, state, self.settings, self._context, self._index, stop=stop, news=news
            )
        except MailboxError:
            self.close()
            if not reused:
                raise
            # Servers drop connections that sat idle between cycles: one fresh try, at once.
            log.info("the kept connection broke; reconnecting")
            return self.cycle(stop, news=news)
        except BaseException:
            self.close()
            raise
        if stop is None or not stop.is_set():  # stopping: no new login
            self._renew(mailbox)
        return report

    def start(self) -> None:
        """Log in before the first cycle, so that a folder the owner named that does not
        exist (ConfigError) or a login the server refuses (a wrong password: ConnectError)
        stops the daemon at once, as it stops `--run-once`. Any other failure (a server
        not reachable yet) is the first cycle's to report, and the cycles retry."""
        try:
            self._open()
        except ConfigError:
            raise
        except Exception as exc:
            if login_refused(exc):
                raise
            self._failed = exc

    def _renew(self, mailbox: Mailbox) -> None:
        """A fresh server session if this one wrote (Mailbox.renew). The cycle's work is
        done and recorded: whatever goes wrong here, the next cycle logs in again."""
        try:
            mailbox.renew()
        except MailbotError as exc:  # a refused login is the next cycle's to report
            level = logging.DEBUG if login_refused(exc) else logging.INFO
            log.log(level, "could not log in afresh after the cycle: %s", exc)
            self.close()
        except Exception:
            log.exception("could not log in afresh after the cycle")
            self.close()

    def close(self) -> None:
        if self._stack is not None:
            with contextlib.suppress(Exception):
                self._stack.close()
        self._stack = self._mailbox = self._state = None

    def _open(self) -> tuple[Mailbox, Store]:
        if self._stack is None:
            stack = ExitStack()
            try:
                self._state = stack.enter_context(Store(self.settings.state_path))
                self._mailbox = stack.enter_context(open_mailbox(self.settings, self._state))
                require_named_folders(self._mailbox, self.settings)
            except BaseException:
                stack.close()
                raise
            self._stack = stack
            from mailbot.people.index import CorrespondenceIndex

            self._index = CorrespondenceIndex(self._state)
            self._context = None
        assert self._mailbox is not None and self._state is not None
        seen = tuple(_mtime(path) for path in self.settings.contacts)
        if self._context is None or seen != self._contacts_seen:  # contacts files edited
            from mailbot.rules import Context

            self._context = Context(
                known_people(self.settings, self._index), self.settings.owner.addresses
            )
            self._contacts_seen = seen
        return self._mailbox, self._state


def _mtime(path: Path) -> float:
    """When a contacts entry last changed: for an export folder, its newest file."""
    try:
        stamp = path.stat().st_mtime
        if path.is_dir():
            from mailbot.people.contacts import export_files

            stamp = max([stamp, *(f.stat().st_mtime for f in export_files(path))])
        return stamp
    except OSError:
        return 0.0


def assess_name(settings: Settings, name: str, *, refresh: bool) -> tuple[Verdict, Decision]:
    """What the owner's sources say about a name, and what a note-less invitation would get."""
    from mailbot.notifications import Notification, Requester
    from mailbot.people.index import CorrespondenceIndex
    from mailbot.pipeline import history_folders
    from mailbot.rules import Context, decide

    with Store(settings.state_path) as state:
        index = CorrespondenceIndex(state)
        if refresh:
            with open_mailbox(settings, state) as mailbox:
                require_named_folders(mailbox, settings)
                index.refresh(
                    mailbox,
                    history_folders(mailbox, settings),
                    settings.owner.addresses,
                    sent=mailbox.sent_folder(settings.sent, inbox=settings.inbox),
                    authserv=frozenset(settings.authserv),
                )
        people = known_people(settings, index)
        invitation = Notification(kind="invitation", requester=Requester(name=name), key="who")
        decision = decide(invitation, Context(people, settings.owner.addresses))
        return people.assess(Requester(name=name)), decision
