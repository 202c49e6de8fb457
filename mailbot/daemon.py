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
from mailbot.notifications import Notification, Requester
from mailbot.people.contacts import load_contacts
from mailbot.people.index import CorrespondenceIndex
from mailbot.people.known import KnownPeople, OwnerLists, Verdict
from mailbot.pipeline import CycleReport, history_folders, run_cycle
from mailbot.rules import Context, Decision, decide
from mailbot.state import State

log = logging.getLogger(__name__)


def known_people(settings: Settings, index: CorrespondenceIndex | None) -> KnownPeople:
    return KnownPeople(
        contacts=load_contacts(settings.contacts),
        index=index,
        lists=OwnerLists.parse(settings.known, settings.known_domains),
        min_sent=settings.known_min_sent,
    )


def run_once(settings: Settings, *, dry_run: bool = False) -> CycleReport:
    """One cycle against the configured IMAP server (a dry run on a scratch copy of state)."""
    with State(settings.state_path, scratch=dry_run) as state, open_imap(settings.imap) as mailbox:
        index = CorrespondenceIndex(state.db)
        context = Context(known_people(settings, index), settings.owner.addresses)
        return run_cycle(mailbox, state, settings, context, index, dry_run=dry_run)


def assess_name(settings: Settings, name: str, *, refresh: bool) -> tuple[Verdict, Decision]:
    """What the owner's sources say about a name, and what a note-less invitation would get."""
    with State(settings.state_path) as state:
        index = CorrespondenceIndex(state.db)
        if refresh:
            with open_imap(settings.imap) as mailbox:
                index.refresh(mailbox, history_folders(mailbox, settings), settings.owner.addresses)
        people = known_people(settings, index)
        invitation = Notification(kind="invitation", requester=Requester(name=name), key="who")
        decision = decide(invitation, Context(people, settings.owner.addresses))
        return people.assess(Requester(name=name)), decision


def run_daemon(settings: Settings) -> int:
    """A cycle now and every MAILBOT_POLL_INTERVAL seconds, never two at once."""
    known_people(settings, None)  # fail fast on unreadable contacts files
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
