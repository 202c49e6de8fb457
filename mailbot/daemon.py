"""The daemon: a cycle at start, on every new mail (IMAP IDLE), and every
MAILBOT_POLL_INTERVAL seconds as a safety net (APScheduler), never two at once.

It survives the network and the server: a failed cycle is one log line and is retried;
the IDLE connection reconnects with capped exponential backoff and jitter, and runs a
cycle on reconnecting to pick up what arrived meanwhile. SIGTERM/SIGINT stop it within
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
from datetime import datetime
from types import FrameType

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from mailbot.config import Settings
from mailbot.errors import MailbotError
from mailbot.mailboxes.base import shown
from mailbot.mailboxes.imap import cut_connections, open_imap
from mailbot.runner import Session, known_people

log = logging.getLogger(__name__)
IDLE_RENEW = 9 * 60  # seconds: servers drop an IDLE after 30 min; RFC 2177 says re-issue < 29
STOP_GRACE = 3.0  # seconds a running cycle gets to finish on a stop before its server is cut


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


class Daemon:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stop = threading.Event()
        self._scheduler = BackgroundScheduler()
        self._lock = threading.Lock()
        self._again = False  # new mail was seen while a cycle ran: run once more
        self._running = False
        self._session = Session(settings)

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
                _cycle(self._session, self.stop, news)
                with self._lock:  # decide and stand down in one step: no wake slips between
                    if not self._again or self.stop.is_set():
                        self._running = False
                        return
        except BaseException:
            with self._lock:
                self._running = False
            raise

    def _watch(self) -> None:
        """Hold an IDLE connection on the inbox; reconnect with backoff when it breaks."""
        backoff = Backoff()
        assert self.settings.imap is not None
        while not self.stop.is_set():
            try:
                with open_imap(self.settings.imap) as mailbox:
                    if not mailbox.supports_idle():
                        log.info("the server does not offer IDLE: polling only")
                        return
                    if backoff.failures:
                        log.info("IDLE connection back")
                        self.wake()  # pick up what arrived while we were away
                    backoff.reset()
                    mailbox.watch(self.settings.inbox, self.stop, self.wake, IDLE_RENEW)
            except MailbotError as exc:
                delay = backoff.next()
                log.warning("IDLE connection failed: %s (retrying in %.0fs)", exc, delay)
                self.stop.wait(delay)
            except Exception:  # a server's odd answer must not end IDLE for good
                delay = backoff.next()
                log.exception("IDLE watcher failed unexpectedly (restarting in %.0fs)", delay)
                self.stop.wait(delay)


def _cycle(session: Session, stop: threading.Event, news: bool) -> None:
    """A scheduled cycle: failures are one log line, and retried next time."""
    try:
        report = session.cycle(stop, news=news)
    except MailbotError as exc:
        log.error("cycle failed: %s (retrying later)", exc)
        return
    except Exception:
        log.exception("cycle failed unexpectedly (retrying later)")
        return
    drafts = sum(1 for p in report.processed if p.draft)
    if report.processed or report.errors:
        log.info(
            "cycle: %d notifications, %d drafts, %d errors",
            len(report.processed),
            drafts,
            len(report.errors),
        )
    for error in report.errors:
        log.error("%s", error)


def run_daemon(settings: Settings) -> int:
    return Daemon(settings).run()
