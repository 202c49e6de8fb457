"""One cycle, as the pipeline: fetch what is new, parse it, plan, act, advance the cursor.

Planning (plan.py) is pure; the executor (act.py) is the only writer. A message that
cannot be understood is listed for the owner and skipped; a storage or connection
failure ends the cycle with the message still pending (the cursor stays), so nothing is
lost and nothing is done twice (see act.py).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import UTC, date, datetime, timedelta

from mailbot import phrases
from mailbot.act import DryRun, Executor
from mailbot.config import Settings
from mailbot.errors import ConfigError, MailboxError, TemplateProblem
from mailbot.identity import draft_mark, normalise_name
from mailbot.lock import CycleLock
from mailbot.logs import counted
from mailbot.mailboxes.base import (
    FolderState,
    Mailbox,
    Wanted,
    pick_folder,
    shown,
    watched_status,
)
from mailbot.notifications import BODY_HINTS, SENDER_HINTS, Notification, parse
from mailbot.people.applicants import WithApplicants, find_applicant
from mailbot.people.index import CorrespondenceIndex
from mailbot.plan import Options, Plan, discarded, plan
from mailbot.records import DISCARDED, MISSING, STORED, Cursor
from mailbot.replies import OLD_MESSAGE_ID_MARK, Renderer
from mailbot.report import CycleReport, Processed
from mailbot.rules import IGNORE, SKIP, Context
from mailbot.store import StorageError, Store

log = logging.getLogger(__name__)


def wanted(settings: Settings, store: Store) -> Wanted:
    """What the server is asked for: mail from the networks (and look-alikes naming them),
    and answers to our drafts: their Message-IDs' mark (identity.draft_mark: today's, and
    every other one our drafts carry, e.g. from before MAILBOT_OWNER_EMAIL changed), and
    that of earlier releases' drafts."""
    marks = {f".{draft_mark(settings.owner.email)}@", OLD_MESSAGE_ID_MARK}
    marks |= {f".{mark}@" for mark in store.draft_marks()}
    return Wanted(senders=SENDER_HINTS, bodies=BODY_HINTS, reply_marks=tuple(sorted(marks)))


def run_cycle(
    mailbox: Mailbox,
    store: Store,
    settings: Settings,
    context: Context,
    index: CorrespondenceIndex | None = None,
    *,
    dry_run: bool = False,
    stop: threading.Event | None = None,
    news: bool = False,
) -> CycleReport:
    """Read what is new in the inbox, plan and act on each message, move the cursor.

    The correspondence index is brought up to date only when there is a request to
    decide, so an idle poll stays one STATUS. `news`: new mail was announced (by IDLE, or
    while the previous cycle ran), so the STATUS is skipped and the inbox selected at
    once: on Dovecot each look at a large folder that changed a moment ago rescans it
    (0.3-0.5 s at 100,000 messages). If nothing is new after all, that costs one SELECT.
    """
    folder = _watched(mailbox, store, settings, news=news)
    if folder is None:
        log.debug("%s: nothing new", shown(settings.inbox))
        return CycleReport()  # nothing new: one STATUS, no SELECT, no SEARCH, no lock
    # The owner's `mailbot decide` never runs in the middle of this (lock.CycleLock).
    with contextlib.nullcontext() if dry_run else CycleLock(settings.state_path):
        return _on_news(mailbox, store, settings, context, index, folder, dry_run, stop)


def _on_news(
    mailbox: Mailbox,
    store: Store,
    settings: Settings,
    context: Context,
    index: CorrespondenceIndex | None,
    folder: FolderState,
    dry_run: bool,
    stop: threading.Event | None,
) -> CycleReport:
    """The cycle once there is something new in the (selected) inbox."""
    report = CycleReport()
    notifications = [
        parse(raw)
        for _, raw in mailbox.fetch(
            _new_uids(mailbox, store, settings, folder.uidvalidity, folder.uidnext - 1)
        )
    ]
    log.debug(
        "%s: %s to look at", shown(settings.inbox), counted(len(notifications), "new message")
    )
    if index is not None and any(n.is_invitation for n in notifications):
        index.refresh(
            mailbox,
            history_folders(mailbox, settings),
            settings.owner.addresses,
            stop=stop,
            selected=(settings.inbox, folder),  # still selected: not selected again
            sent=mailbox.sent_folder(settings.sent, inbox=settings.inbox),
            authserv=frozenset(settings.authserv),
        )
    context = _with_applicants(mailbox, notifications, context)
    renderer = Renderer.for_settings(settings)
    executor = (
        DryRun(settings, renderer) if dry_run else Executor(mailbox, store, settings, renderer)
    )
    options = Options(
        welcome_known=settings.welcome_known,
        thanks_drafts=settings.thanks_drafts,
        today=date.today().isoformat(),
    )
    if isinstance(executor, Executor):
        follow_drafts(executor, mailbox, store, settings, options.today)
    complete = True
    for n in notifications:
        if stop is not None and stop.is_set():
            complete = False  # the rest is read again next time: the cursor stays
            break
        plan = _plan(n, store, context, options)
        try:
            report.processed.append(executor.carry_out(plan))
        except (StorageError, MailboxError, ConfigError):
            raise  # the cycle ends; this message and the rest stay pending
        except TemplateProblem as exc:  # the owner's templates: retried next cycle
            complete = False
            report.errors.append(f"{_who(n)}: {exc}")
            report.processed.append(_ignored(n, f"not handled, retried next cycle: {exc}"))
        except Exception as exc:  # a bug on this message must not stall the ones after it
            log.exception("cannot handle %s; leaving it for you", _who(n))
            reason = f"skipped: mailbot could not handle it ({type(exc).__name__}: {exc})"
            report.errors.append(f"{_who(n)}: {reason}")
            report.processed.append(_ignored(n, reason))
            if not dry_run:
                store.record_skipped(n.message_id, _who(n), reason)
    if not dry_run and complete:
        store.set_cursor(settings.inbox, Cursor(folder.uidvalidity, folder.uidnext - 1))
    return report


def follow_drafts(
    executor: Executor, mailbox: Mailbox, store: Store, settings: Settings, today: str
) -> None:
    """What the owner did with our drafts since the last look (act.Executor.follow_drafts):
    an email draft deleted unsent closes its conversation (plan.discarded)."""
    if not store.drafts_in(STORED, MISSING):
        return
    sent = mailbox.sent_folder(settings.sent, inbox=settings.inbox)
    for record in executor.follow_drafts(sent, datetime.now(UTC)):
        current = store.conversation(record.person)
        closing = discarded(record, current, store, today) if current is not None else None
        if closing is not None:  # the draft's state is written with the closing
            executor.carry_out(closing)
        else:  # the conversation moved on since that draft
            executor.remember_fate(record.token, DISCARDED)


def _with_applicants(
    mailbox: Mailbox, notifications: list[Notification], context: Context
) -> Context:
    """Applicants are known: a note saying they applied is checked against every folder
    (before planning, which reads no mailbox)."""
    found: dict[str, str] = {}
    candidates = [
        n.requester
        for n in notifications
        if n.is_invitation and n.note and n.requester and phrases.applied(n.note)
    ]
    for requester in candidates:
        if requester is not None and (evidence := find_applicant(mailbox, requester)):
            found[normalise_name(requester.name)] = evidence
    if not found:
        return context
    return Context(WithApplicants(context.people, found), context.owner_emails)


def _new_uids(
    mailbox: Mailbox, store: Store, settings: Settings, uidvalidity: int, last_uid: int
) -> list[int]:
    cursor = store.cursor(settings.inbox)
    if cursor is not None and cursor.uidvalidity == uidvalidity:
        return mailbox.search(cursor.last_uid + 1, last_uid, None, wanted(settings, store))
    if cursor is not None:
        log.warning(
            "UIDVALIDITY of %s changed: reading the last %s again "
            "(requests already handled are recognised)",
            shown(settings.inbox),
            counted(settings.lookback_days, "day"),
        )
    since = date.today() - timedelta(days=settings.lookback_days)
    return mailbox.search(1, last_uid, since, wanted(settings, store))


def _plan(n: Notification, store: Store, context: Context, options: Options) -> Plan:
    """The plan for one message. A bug in planning on some odd message makes it a
    skipped message, listed by `mailbot status`; the store failing ends the cycle."""
    try:
        return plan(n, store, context, options)
    except (StorageError, MailboxError, ConfigError):
        raise
    except Exception as exc:
        log.exception("cannot handle %s; skipping it", _who(n))
        reason = f"skipped: mailbot could not handle it ({type(exc).__name__}: {exc})"
        return Plan(n.message_id, n.requester.name if n.requester else None, SKIP, reason)


def history_folders(mailbox: Mailbox, settings: Settings) -> list[str]:
    """MAILBOT_HISTORY_FOLDERS (each must exist), else the Sent folder (MAILBOT_SENT
    must exist if set) and the inbox."""
    if settings.history_folders:
        existing = mailbox.folder_names()
        for folder in settings.history_folders:
            pick_folder("MAILBOT_HISTORY_FOLDERS", folder, existing, (), settings.inbox)
        return list(settings.history_folders)
    sent = mailbox.sent_folder(settings.sent, inbox=settings.inbox)
    return [folder for folder in (sent, settings.inbox) if folder]


def _watched(
    mailbox: Mailbox, store: Store, settings: Settings, *, news: bool
) -> FolderState | None:
    """The inbox, selected (None when nothing is new: one STATUS); a ConfigError naming
    MAILBOT_INBOX when there is no such folder, not the server's raw refusal."""
    if not news and store.is_current(settings.inbox, watched_status(mailbox, settings.inbox)):
        return None
    try:
        return mailbox.select(settings.inbox)
    except MailboxError:
        pick_folder("MAILBOT_INBOX", settings.inbox, mailbox.folder_names(), (), "")
        raise


def _ignored(n: Notification, reason: str) -> Processed:
    return Processed(
        n.message_id, n.requester.name if n.requester else None, IGNORE, (reason,), False
    )


def _who(n: Notification) -> str:
    return n.requester.name if n.requester else (n.message_id or "a message")
