"""The daemon: a cycle at start, on every new mail (IMAP IDLE), and every
MAILBOT_POLL_INTERVAL seconds as a safety net (APScheduler), never two at once.

It survives the network and the server: a failed cycle is one log line and is retried;
the IDLE connection reconnects with capped exponential backoff and jitter, and runs a
cycle on reconnecting to pick up what arrived meanwhile. A login the server refuses at
start stops it (exit 3: the password is wrong); refused later (the password changed),
it is tried again with backoff and logged at most once an hour. SIGTERM/SIGINT stop it within
a few seconds, after the draft being written (if any) and its state are stored; a cycle
still waiting on the server after STOP_GRACE seconds has its connection cut (its mail
stays pending for the next start).
"""

from __future__ import annotations

import contextlib
import logging
import random
import signal
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from types import FrameType

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from mailbot.config import Settings
from mailbot.errors import MailbotError
from mailbot.logs import counted
from mailbot.mailboxes.base import shown
from mailbot.mailboxes.imap import cut_connections, open_imap
from mailbot.runner import Session, known_people, login_refused

log = logging.getLogger(__name__)
IDLE_RENEW = 9 * 60  # seconds: servers drop an IDLE after 30 min; RFC 2177 says re-issue < 29
STOP_GRACE = 3.0  # seconds a running cycle gets to finish on a stop before its server is cut
REFUSED_RETRY = (60.0, 3600.0)  # seconds: a refused login is tried again after 1 min ... 1 h
REFUSED_LOG_EVERY = 3600.0  # seconds: a refused login is logged at most this often


class Backoff:
    """Capped exponential backoff with jitter: 1, 2, 4 ... 300 s, each times 0.5-1."""

    def __init__(self, base: float = 1.0, cap: float = 300.0) -> None:
        self.base, self.cap, self.failures = base, cap, 0

    def next(self) -> float:
        delay = min(self.cap, self.base * float(2**self.failures)) * random.uniform(0.5, 1.0)  # noqa: S311
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0


class Refusals:
    """Logins the server refuses while the daemon runs (the password changed since it
    started), for the cycles and the IDLE watcher together: each refusal puts the next
    try off (capped exponential backoff, REFUSED_RETRY) and is logged at most once every
    REFUSED_LOG_EVERY seconds, so a locked-out account is neither hammered nor a log
    flood. `clock`: monotonic seconds."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._backoff = Backoff(*REFUSED_RETRY)
        self._retry_at = 0.0
        self._logged_at: float | None = None

    def refused(self, exc: Exception) -> float:
        """One more refusal: the seconds until the next try."""
        with self._lock:
            now = self._clock()
            delay = self._backoff.next()
            self._retry_at = now + delay
            if self._logged_at is None or now - self._logged_at >= REFUSED_LOG_EVERY:
                self._logged_at = now
                fix = (  # an OAuth2 sign-in says what to do itself
                    ""
                    if "mailbot setup --login" in str(exc)
                    else "fix the password (MAILBOT_IMAP_PASSWORD or its command, or "
                    "`mailbot setup --login`); "
                )
                log.error(
                    "%s: %strying again with backoff, said again in an hour if still refused",
                    exc,
                    fix,
                )
            return delay

    def waiting(self) -> float:
        """Seconds until a login may be tried again (0: now)."""
        with self._lock:
            return max(0.0, self._retry_at - self._clock())

    def accepted(self) -> bool:
        """A login went through: whether it had been refused before."""
        with self._lock:
            if not self._backoff.failures:
                return False
            self._backoff.reset()
            self._retry_at, self._logged_at = 0.0, None
        log.info("the server accepts the login again")
        return True


class Daemon:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stop = threading.Event()
        self._scheduler = BackgroundScheduler()
        self._lock = threading.Lock()
        self._again = False  # new mail was seen while a cycle ran: run once more
        self._running = False
        self._session = Session(settings)
        self._refusals = Refusals()

    def run(self) -> int:
        known_people(self.settings, None)  # fail fast on unreadable contacts files
        self._session.start()  # and on a folder the owner named that does not exist
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        self._scheduler.add_job(
            self._cycle_job,
            "interval",
            seconds=self.settings.poll_interval,
            next_run_time=datetime.now(),
            max_instances=2,  # the second only passes a wake to the first: see _cycle_job
            coalesce=True,
            misfire_grace_time=None,
            id="cycle",
        )
        self._scheduler.start()
        watcher = threading.Thread(target=self._watch, name="idle", daemon=True)
        if self.settings.idle and self.settings.imap is not None:
            watcher.start()
        log.info(
            "mailbot running on %s: %s, and every %ss",
            shown(self.settings.inbox),
            "IMAP IDLE" if watcher.is_alive() else "polling",
            self.settings.poll_interval,
        )
        while not self.stop.wait(0.5):
            pass
        self._stop_cycles()
        self._session.close()
        if watcher.is_alive():
            watcher.join(timeout=5)
        log.info("mailbot stopped")
        return 0

    def _stop_cycles(self) -> None:
        """A running cycle finishes its draft and state (it checks `stop` between
        messages), but a server that does not answer, or answers without end, must not
        hold the stop up: after STOP_GRACE seconds every IMAP connection is cut, and the
        cycle ends with a MailboxError, its mail still pending."""
        stopping = threading.Thread(target=self._scheduler.shutdown, name="stop", daemon=True)
        stopping.start()
        stopping.join(STOP_GRACE)
        if stopping.is_alive():
            log.warning("a cycle is still waiting for the server: closing the connection")
            cut_connections()
            stopping.join(STOP_GRACE)

    def wake(self) -> None:
        """New mail: run a cycle now (or once more, right after the running one)."""
        with self._lock:
            self._again = True
        with contextlib.suppress(JobLookupError):  # shutting down
            self._scheduler.modify_job("cycle", next_run_time=datetime.now())

    def _on_signal(self, signum: int, _: FrameType | None) -> None:
        log.info("received %s: stopping", signal.Signals(signum).name)
        self.stop.set()

    def _cycle_job(self) -> None:
        """Cycles until no new mail was announced meanwhile. A second instance (a wake
        while one runs) only leaves word for the running one, so no wake is ever lost."""
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        try:
            while True:
                with self._lock:
                    news, self._again = self._again, False  # a wake: mail was announced
                if (wait := self._cycle(news)) is not None:  # the login was refused:
                    self._next_cycle_in(wait)  # the next try after the backoff
                with self._lock:  # decide and stand down in one step: no wake slips between
                    if not self._again or self.stop.is_set():
                        self._running = False
                        return
        except BaseException:
            with self._lock:
                self._running = False
            raise

    def _cycle(self, news: bool) -> float | None:
        """A scheduled cycle, unless it must log in while a refused login waits out its
        backoff; the seconds until the next try if the server refused the login."""
        logs_in = not self._session.is_open  # a kept session needs no login
        if logs_in and self._refusals.waiting():
            log.debug("the server refused the login: not trying before the backoff ends")
            return None
        try:
            went_through = _cycle(self._session, self.stop, news)
        except MailbotError as exc:  # only a refused login comes this far
            return self._refusals.refused(exc)
        if went_through and logs_in:
            self._refusals.accepted()
        return None

    def _next_cycle_in(self, seconds: float) -> None:
        when = datetime.now() + timedelta(seconds=seconds)
        with contextlib.suppress(JobLookupError):  # shutting down
            self._scheduler.modify_job("cycle", next_run_time=when)

    def _watch(self) -> None:
        """Hold an IDLE connection on the inbox; reconnect with backoff when it breaks."""
        backoff = Backoff()
        assert self.settings.imap is not None
        while not self.stop.is_set():
            if wait := self._refusals.waiting():  # the password changed: no hammering
                self.stop.wait(wait)
                continue
            try:
                with open_imap(self.settings.imap) as mailbox:
                    if not mailbox.supports_idle():
                        log.info("the server does not offer IDLE: polling only")
                        return
                    if self._refusals.accepted() or backoff.failures:
                        log.info("IDLE connection back")
                        self.wake()  # pick up what arrived while we were away
                    backoff.reset()
                    mailbox.watch(self.settings.inbox, self.stop, self.wake, IDLE_RENEW)
            except MailbotError as exc:
                if login_refused(exc):
                    self._refusals.refused(exc)  # logged there, at most once an hour
                    continue
                delay = backoff.next()
                log.warning("IDLE connection failed: %s (retrying in %.0fs)", exc, delay)
                self.stop.wait(delay)
            except Exception:  # a server's odd answer must not end IDLE for good
                delay = backoff.next()
                log.exception("IDLE watcher failed unexpectedly (restarting in %.0fs)", delay)
                self.stop.wait(delay)


def _cycle(session: Session, stop: threading.Event, news: bool) -> bool:
    """A scheduled cycle: failures are one log line, and retried next time; whether it
    went through. A refused login is raised (ConnectError) for the daemon's backoff."""
    try:
        report = session.cycle(stop, news=news)
    except MailbotError as exc:
        if login_refused(exc):
            raise
        log.error("cycle failed: %s (retrying later)", exc)
        return False
    except Exception:
        log.exception("cycle failed unexpectedly (retrying later)")
        return False
    drafts = sum(1 for p in report.processed if p.draft)
    if report.processed or report.errors:
        log.info(
            "cycle: %s, %s, %s",
            counted(len(report.processed), "notification"),
            counted(drafts, "draft"),
            counted(len(report.errors), "error"),
        )
    for error in report.errors:
        log.error("%s", error)
    return True


def run_daemon(settings: Settings) -> int:
    return Daemon(settings).run()
