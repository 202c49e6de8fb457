"""Running cycles: once, or on a schedule (APScheduler) until SIGTERM/SIGINT."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler

from mailbot.config import Settings
from mailbot.errors import MailbotError
from mailbot.mailboxes.imap import open_imap
from mailbot.people.contacts import load_contacts
from mailbot.people.names import normalise_email
from mailbot.pipeline import CycleReport, run_cycle
from mailbot.rules import Context
from mailbot.state import State

log = logging.getLogger(__name__)


def build_context(settings: Settings) -> Context:
    return Context(
        contacts=load_contacts(settings.contacts),
        owner_emails=frozenset({normalise_email(settings.owner.email)}),
    )


def run_once(settings: Settings, *, dry_run: bool = False) -> CycleReport:
    """One cycle against the configured IMAP server."""
    context = build_context(settings)
    with State(settings.state_path) as state, open_imap(settings.imap) as mailbox:
        return run_cycle(mailbox, state, settings, context, dry_run=dry_run)


def run_daemon(settings: Settings) -> int:
    """A cycle now and every MAILBOT_POLL_INTERVAL seconds, never two at once."""
    build_context(settings)  # fail fast on unreadable contacts files
    stop = threading.Event()

    def on_signal(signum: int, _: FrameType | None) -> None:
        log.info("received %s; stopping after the current cycle", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    scheduler = BackgroundScheduler()
    scheduler.add_job(
        _cycle,
        "interval",
        args=[settings],
        seconds=settings.poll_interval,
        next_run_time=datetime.now(),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        id="cycle",
    )
    scheduler.start()
    log.info("mailbot running: every %ss on %s", settings.poll_interval, settings.inbox)
    stop.wait()
    scheduler.shutdown(wait=True)  # lets a running cycle finish its draft and state write
    log.info("mailbot stopped")
    return 0


def _cycle(settings: Settings) -> None:
    """A scheduled cycle: failures are logged in one line and retried next time."""
    try:
        report = run_once(settings)
    except MailbotError as exc:
        log.error("cycle failed: %s (retrying in %ss)", exc, settings.poll_interval)
        return
    except Exception:
        log.exception("cycle failed unexpectedly (retrying in %ss)", settings.poll_interval)
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
