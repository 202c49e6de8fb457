"""One cycle: new mail -> notification -> decision -> draft, exactly once.

Exactly once, whatever is killed when: a draft carries its invitation's key token in a
header; before appending, the state and then the Drafts folder itself are asked whether
that token is already there. The state is written after the append, and the inbox cursor
only after every draft of the cycle is stored, so a crash means "read again", never "lost".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from mailbot.config import Settings
from mailbot.errors import MailbotError
from mailbot.mailboxes.base import Mailbox
from mailbot.notifications import SENDER_HINTS, Notification, parse
from mailbot.people.index import CorrespondenceIndex
from mailbot.replies import Renderer
from mailbot.rules import Context, Decision, decide
from mailbot.state import Cursor, State

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Processed:
    message_id: str | None
    requester: str | None
    decision: str
    reasons: tuple[str, ...]
    draft: bool

    def as_json(self) -> dict[str, object]:
        return {
            "message_id": self.message_id,
            "requester": self.requester,
            "decision": self.decision,
            "reasons": list(self.reasons),
            "draft": self.draft,
        }


@dataclass
class CycleReport:
    processed: list[Processed] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"processed": [p.as_json() for p in self.processed], "errors": self.errors}


@dataclass(frozen=True)
class Pending:
    """A notification with its decision, waiting for the draft step."""

    notification: Notification
    decision: Decision


def run_cycle(
    mailbox: Mailbox,
    state: State,
    settings: Settings,
    context: Context,
    index: CorrespondenceIndex | None = None,
    *,
    dry_run: bool = False,
) -> CycleReport:
    """Read what is new in the inbox, decide each request, store the drafts it needs.

    The correspondence index is brought up to date only when there is a request to
    decide, so an idle poll stays one SELECT.
    """
    report = CycleReport()
    renderer = Renderer(settings.templates)
    folder = mailbox.select(settings.inbox)
    cursor = state.cursor(settings.inbox)
    last_uid = folder.uidnext - 1
    if cursor is not None and cursor.uidvalidity == folder.uidvalidity:
        if cursor.last_uid >= last_uid:
            return report  # nothing new: one SELECT, no SEARCH
        uids = mailbox.search(cursor.last_uid + 1, last_uid, None, SENDER_HINTS)
    else:
        if cursor is not None:
            log.warning(
                "UIDVALIDITY of %s changed: reading the last %d days again "
                "(requests already handled are recognised)",
                settings.inbox,
                settings.lookback_days,
            )
        since = date.today() - timedelta(days=settings.lookback_days)
        uids = mailbox.search(1, last_uid, since, SENDER_HINTS)

    notifications = _notifications(mailbox, uids)
    if index is not None and any(n.is_invitation for n in notifications):
        index.refresh(mailbox, history_folders(mailbox, settings), settings.owner.addresses)
    pending = [Pending(n, decide(n, context)) for n in notifications]
    drafts = _Drafts(mailbox, settings.drafts)
    for item in pending:
        try:
            drafted = _handle(item, drafts, state, settings, renderer, dry_run)
            report.processed.append(_processed(item, drafted))
        except MailbotError as exc:
            report.errors.append(f"{_who(item.notification)}: {exc}")
            report.processed.append(_processed(item, False))
    if not dry_run and not report.errors:
        state.set_cursor(settings.inbox, Cursor(folder.uidvalidity, last_uid))
    return report


def _notifications(mailbox: Mailbox, uids: list[int]) -> list[Notification]:
    return [parse(raw) for _, raw in mailbox.fetch(uids)]


def history_folders(mailbox: Mailbox, settings: Settings) -> list[str]:
    """MAILBOT_HISTORY_FOLDERS, else the Sent folder (if any) and the inbox."""
    if settings.history_folders:
        return list(settings.history_folders)
    sent = mailbox.sent_folder(settings.sent)
    return [folder for folder in (sent, settings.inbox) if folder]


class _Drafts:
    """The drafts folder, looked up on first use only (most cycles store no draft)."""

    def __init__(self, mailbox: Mailbox, configured: str | None) -> None:
        self.mailbox = mailbox
        self._configured = configured
        self._folder: str | None = None

    @property
    def folder(self) -> str:
        if self._folder is None:
            self._folder = self.mailbox.drafts_folder(self._configured)
        return self._folder


def _handle(
    item: Pending,
    drafts: _Drafts,
    state: State,
    settings: Settings,
    renderer: Renderer,
    dry_run: bool,
) -> bool:
    """Record the decision and store the draft it needs, once. True when a draft was stored."""
    n, decision = item.notification, item.decision
    if n.key is None:
        return False
    known = state.request(n.key)
    if known is not None and (known.draft_token or not decision.wants_draft):
        return False  # a reminder, or a rerun: decided and done before
    if not decision.wants_draft:
        if not dry_run:
            _record(state, n, decision, None)
        return False
    draft = renderer.draft(n, decision.action, settings.owner)
    if dry_run:
        return False
    if drafts.mailbox.has_draft(drafts.folder, draft.token):
        log.info(
            "draft for %s already in %s (state was behind); not adding another",
            n.key,
            drafts.folder,
        )
    else:
        drafts.mailbox.append_draft(drafts.folder, draft.as_bytes())
    _record(state, n, decision, draft.token)
    return True


def _record(state: State, n: Notification, decision: Decision, token: str | None) -> None:
    assert n.key is not None
    state.record_request(
        n.key,
        network=n.network,
        requester=n.requester.name if n.requester else None,
        decision=decision.action,
        reasons=decision.reasons,
        message_id=n.message_id,
        draft_token=token,
    )


def _processed(item: Pending, draft: bool) -> Processed:
    n = item.notification
    return Processed(
        message_id=n.message_id,
        requester=n.requester.name if n.requester else None,
        decision=item.decision.action,
        reasons=item.decision.reasons,
        draft=draft,
    )


def _who(n: Notification) -> str:
    return n.requester.name if n.requester else (n.message_id or "a message")
