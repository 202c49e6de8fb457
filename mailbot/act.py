"""Act: carry out a plan exactly once. The only code that writes drafts and state.

Exactly once, whatever is killed when: every draft carries a token (in its Message-ID) made
from (person, conversation step, what it answers). Before appending, the state and then
the Drafts folder itself are asked whether that token is already there (the Drafts
folder is the truth: another mailbot, or a lost state file, may have stored it); the
state is written after the append, and the inbox cursor only after every message of the
cycle is handled (pipeline.py). A crash means "read again", never "lost" and never "twice".
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes
from email.utils import getaddresses

from mailbot.config import Settings
from mailbot.errors import MailboxError
from mailbot.mailboxes.base import Mailbox, Wanted, message_id_in, shown, token_in
from mailbot.people.history import owner_authenticated
from mailbot.plan import DraftOrder, Plan
from mailbot.records import (
    GONE,
    KEPT,
    MISSING,
    SENT,
    STALE,
    STORED,
    WITHDRAWN,
    Cursor,
    DraftRecord,
)
from mailbot.replies import Draft, Renderer, digest, unchanged
from mailbot.report import Processed
from mailbot.rules import SKIP
from mailbot.store import Store

log = logging.getLogger(__name__)

STORED_NOW, FOUND, NONE = "stored", "found", ""  # what became of a plan's draft
# A draft gone from Drafts and not in Sent this long was deleted, not being edited.
MISSING_GRACE = timedelta(hours=24)
SENT_LOOKBACK = 2_000  # messages of Sent read at the first look
INBOX_LOOKBACK = 500  # the newest messages of the inbox searched for the owner's sent copies


@dataclass
class Executor:
    """Carries plans out against the mailbox and the store."""

    mailbox: Mailbox
    store: Store
    settings: Settings
    renderer: Renderer
    _drafts_folder: str | None = None

    def carry_out(self, plan: Plan) -> Processed:
        if plan.decision == SKIP:
            log.warning("left for you: %s: %s", plan.name or plan.message_id, plan.reason)
            self.store.record_skipped(plan.message_id, plan.name or "a message", plan.reason)
            return _processed(plan, NONE)
        draft = self._render(plan.draft) if plan.draft is not None else None  # fails first
        withdrawn = tuple(s.step for s in plan.withdraw if self._withdraw(s) == WITHDRAWN)
        outcome: str = NONE
        record: DraftRecord | None = None
        if plan.draft is not None and draft is not None and plan.person:
            outcome, record = self._store_draft(plan.draft, draft, plan.person)
        with self.store.transaction():
            if record is not None:
                self.store.record_draft(record)
            for token, state in plan.fates:
                self.store.set_draft_state(token, state)
            if plan.invitation is not None and plan.person:
                self.store.link_invitation(plan.invitation, plan.person)
            if plan.save is not None:
                self.store.save_conversation(plan.save, plan.decision, plan.reason, plan.message_id)
            if plan.bounced is not None and plan.person:
                self.store.record_bounce(plan.person, plan.bounced, plan.message_id)
        return _processed(plan, outcome, withdrawn)

    def _render(self, order: DraftOrder) -> Draft:
        return render(self.renderer, self.settings, order)

    def _store_draft(
        self, order: DraftOrder, draft: Draft, person: str
    ) -> tuple[str, DraftRecord | None]:
        known = self.store.draft(order.token)
        if known is not None and known.state == SENT:  # e.g. the owner asked for it again
            log.info(
                "our %s draft for %s was sent already: not adding another",
                order.step,
                order.requester.name,
            )
            return FOUND, None
        folder = self._drafts()
        raw = draft.as_bytes()
        existing = self.mailbox.find_drafts(folder, order.token, before_append=True)
        if not existing:
            existing = self.mailbox.append_draft(folder, raw)  # [] unless another came first
        if existing:  # the state was behind (a crash, another mailbot, a lost state file)
            log.info(
                "our %s draft for %s is already in %s: not adding another",
                order.step,
                order.requester.name,
                shown(folder),
            )
            # The baseline is what we would write now: if the owner edited the one found, it
            # differs, so it is kept when the conversation moves on, never withdrawn.
            found = _header(existing[0][1], "Message-ID")
            return FOUND, DraftRecord(
                order.token,
                person,
                order.step,
                found,
                folder,
                digest(raw),
                STORED,
                draft.recipient,
                replying_to=draft.replying_to,
            )
        log.info(
            "stored the %s draft (%s) for %s in %s",
            order.step,
            draft.language,
            order.requester.name,
            shown(folder),
        )
        record = DraftRecord(
            order.token,
            person,
            order.step,
            draft.message_id,
            folder,
            digest(raw),
            STORED,
            draft.recipient,
            replying_to=draft.replying_to,
        )
        return STORED_NOW, record

    def follow_drafts(self, sent_folder: str | None, now: datetime) -> list[DraftRecord]:
        """What became of our drafts still in Drafts at the last look. A draft in Drafts
        (also re-saved by a mail client under a new UID: the same Message-ID) is waiting;
        one whose copy arrived in Sent since the last look (its Message-ID or token) was
        sent. One in neither may be open in a mail client (mutt removes a draft from
        Drafts while it is being edited, and puts it in Sent only when sent): missing.
        Missing for MISSING_GRACE, it was deleted: an email draft (one with a recipient)
        is returned as discarded (its state is written with the conversation's closing,
        in one transaction: pipeline.follow_drafts); a draft to paste into the network
        is gone (pasted, or deleted: mailbot cannot tell). Costs one listing of Drafts
        (cached while unchanged) and one header fetch of what is new in Sent, whatever
        the number of drafts."""
        waiting = self.store.drafts_in(STORED, MISSING)
        if not waiting:
            return []
        sent: set[str] = set()
        sent_to: dict[str, list[int]] = {}
        read_to: Cursor | None = None
        if sent_folder is not None:  # found by a listing just now (Mailbox.sent_folder)
            sent, sent_to, read_to = self._newly_sent(sent_folder)
        in_inbox: set[str] | None = None  # looked for only when a draft is in neither folder
        present: dict[str, set[str] | None] = {}
        resaved: dict[str, dict[str, list[int]]] = {}
        discarded = []
        for record in waiting:
            if record.folder not in present:
                present[record.folder] = self._identities(record.folder)
            identities = present[record.folder]
            if identities is None:  # the folder was renamed or removed
                log.info(
                    "our %s draft for %s: its folder is gone", record.step, self._whose(record)
                )
                self.store.set_draft_state(record.token, GONE)
                continue
            if {record.token, record.message_id} & identities or (
                record.recipient
                and self._as_is(record, record.folder, self._addressed(record, resaved))
            ):
                if record.state == MISSING:
                    log.info(
                        "our %s draft for %s is back in Drafts", record.step, self._whose(record)
                    )
                    self.store.set_draft_state(record.token, STORED)
                continue
            found_sent = {record.token, record.message_id} & sent or (
                sent_folder is not None
                and self._sent_as(record, sent_folder, sent_to.get(record.recipient.lower(), []))
            )
            if not found_sent:
                in_inbox = self._sent_copies_in_inbox() if in_inbox is None else in_inbox
                found_sent = bool({record.token, record.message_id} & in_inbox)
            if found_sent:
                log.info("our %s draft for %s was sent", record.step, self._whose(record))
                self.store.set_draft_state(record.token, SENT)
            elif record.state == STORED or not record.missing_since:
                self.store.set_draft_state(record.token, MISSING, now.isoformat(timespec="seconds"))
            elif _missing_for(record, now) >= MISSING_GRACE:
                if record.recipient and sent_folder:
                    discarded.append(record)
                else:
                    log.info("our %s draft for %s is gone", record.step, self._whose(record))
                    self.store.set_draft_state(record.token, GONE)
        if sent_folder is not None and read_to is not None:  # only once all is recorded:
            self.store.set_followed_cursor(sent_folder, read_to)  # else read again
        return discarded

    def _identities(self, folder: str) -> set[str] | None:
        """The folder's draft tokens and Message-IDs; None if the folder is no more (only
        then is the folder list asked for)."""
        try:
            return self.mailbox.draft_identities(folder)
        except MailboxError:
            if folder in self.mailbox.folder_names():
                raise
            return None

    def _as_is(self, record: DraftRecord, folder: str, uids: list[int]) -> bool:
        """Whether one of these messages of `folder` (those addressed to the draft's
        recipient) is our email draft under another Message-ID: the same recipients,
        subject and text (replies.digest). Outlook stamps a new Message-ID on sending, and
        some clients save a draft again under a new one: it is still ours, by what it is."""
        if not record.recipient or not uids:
            return False
        self.mailbox.select(folder)
        return any(unchanged(raw, record.digest) for _, raw in self.mailbox.fetch(uids[-20:]))

    def _sent_as(self, record: DraftRecord, folder: str, uids: list[int]) -> bool:
        """Whether one of these messages of the Sent folder (those the owner sent to the
        draft's recipient since the last look) is our email draft under another Message-ID
        (Outlook stamps a new one on sending): the same text (_as_is), or, edited before
        sending, the owner's reply to the very message the draft answers (its In-Reply-To)."""
        if not record.recipient or not uids:
            return False
        self.mailbox.select(folder)
        for _, raw in self.mailbox.fetch(uids[-20:]):
            if unchanged(raw, record.digest) or (
                record.replying_to and record.replying_to in _replied_to(raw)
            ):
                return True
        return False

    def _addressed(self, record: DraftRecord, cache: dict[str, dict[str, list[int]]]) -> list[int]:
        """UIDs of the messages in the draft's folder addressed to its recipient, to look at
        by content (_as_is): only asked for when a draft of ours is not found there by
        its token or Message-ID (one header fetch of the folder's latest 200 per look)."""
        if record.folder not in cache:
            state = self.mailbox.select(record.folder)
            found = self.mailbox.search(1, state.uidnext - 1, None, Wanted())
            to: dict[str, list[int]] = {}
            for head in self.mailbox.headers(found[-200:]):
                for address in _recipients(head.header):
                    to.setdefault(address, []).append(head.uid)
            cache[record.folder] = to
        return cache[record.folder].get(record.recipient.lower(), [])

    def _newly_sent(self, folder: str) -> tuple[set[str], dict[str, list[int]], Cursor]:
        """The draft tokens and Message-IDs of the messages that arrived in `folder` (Sent)
        since the last look (at first, or after a UIDVALIDITY change, its latest
        SENT_LOOKBACK messages: a draft waiting in Drafts at the last look can only have
        been sent since), and the UIDs of those sent to each address (To, Cc)."""
        state = self.mailbox.select(folder)
        last = state.uidnext - 1
        cursor = self.store.followed_cursor(folder)
        if cursor is not None and cursor.uidvalidity == state.uidvalidity:
            first = cursor.last_uid + 1
        else:
            first = max(1, last - SENT_LOOKBACK + 1)
        found: set[str] = set()
        to: dict[str, list[int]] = {}
        uids = self.mailbox.search(first, last, None, Wanted()) if last >= first else []
        for head in self.mailbox.headers(uids):
            found |= {i for i in (token_in(head.header), message_id_in(head.header)) if i}
            for address in _recipients(head.header):
                to.setdefault(address, []).append(head.uid)
        return found, to, Cursor(state.uidvalidity, last)

    def _sent_copies_in_inbox(self) -> set[str]:
        """The draft tokens and Message-IDs of copies of the owner's sent mail filed in the
        inbox (some clients and servers keep them there): only of mail the owner's own
        server vouches for (MAILBOT_AUTHSERV_ID), since anyone can write a From naming the
        owner and a Message-ID shaped like one of our drafts'. The owner's messages among
        the newest INBOX_LOOKBACK of the inbox: one server-side search and their headers."""
        settings = self.settings
        if not settings.authserv:
            return set()
        owner = settings.owner.addresses
        state = self.mailbox.select(settings.inbox)
        first = max(1, state.uidnext - INBOX_LOOKBACK)
        uids = self.mailbox.search(first, state.uidnext - 1, None, Wanted(senders=tuple(owner)))
        found: set[str] = set()
        for head in self.mailbox.headers(uids):
            msg = message_from_bytes(head.header)
            if owner_authenticated(msg, owner, frozenset(settings.authserv)):
                found |= {i for i in (token_in(head.header), message_id_in(head.header)) if i}
        return found

    def _whose(self, record: DraftRecord) -> str:
        """Who a draft of ours is for, by name, as the log says it (its token tells the
        owner nothing)."""
        conversation = self.store.conversation(record.person)
        return conversation.name if conversation is not None else record.person

    def remember_fate(self, token: str, state: str) -> None:
        self.store.set_draft_state(token, state)

    def _withdraw(self, record: DraftRecord) -> str:
        """Remove an earlier draft of ours that the owner has not edited; what became of it."""
        found = self.mailbox.find_drafts(record.folder, record.token)
        if not found:
            state = GONE  # sent, or deleted by the owner (follow_drafts tells them apart)
        elif not all(unchanged(raw, record.digest) for _, raw in found):
            state = KEPT  # edited: the owner's now
        elif all(self.mailbox.delete_draft(record.folder, uid) for uid, _ in found):
            log.info(
                "withdrew our %s draft for %s from %s (not edited; the conversation moved on)",
                record.step,
                self._whose(record),
                shown(record.folder),
            )
            state = WITHDRAWN
        else:  # the server cannot remove one message (no UIDPLUS): left for the owner
            state = STALE
        self.store.set_draft_state(record.token, state)
        return state

    def _drafts(self) -> str:
        if self._drafts_folder is None:
            self._drafts_folder = self.mailbox.drafts_folder(
                self.settings.drafts, inbox=self.settings.inbox
            )
        return self._drafts_folder


@dataclass
class DryRun:
    """An executor that writes nothing: it renders each draft, so a broken template
    shows up in a dry run."""

    settings: Settings
    renderer: Renderer

    def carry_out(self, plan: Plan) -> Processed:
        if plan.draft is not None:
            render(self.renderer, self.settings, plan.draft)
        return _processed(plan, NONE)


def render(renderer: Renderer, settings: Settings, order: DraftOrder) -> Draft:
    """The draft a plan orders, rendered from the templates."""
    return renderer.draft(
        order.step,
        order.requester,
        order.network,
        order.parent,
        settings.owner,
        token=order.token,
        languages=order.languages,
        wrote=order.wrote,
    )


def _processed(plan: Plan, outcome: str, withdrawn: tuple[str, ...] = ()) -> Processed:
    return Processed(
        plan.message_id,
        plan.name,
        plan.decision,
        (plan.reason,),
        draft=outcome == STORED_NOW,
        found=outcome == FOUND,
        withdrawn=withdrawn,
    )


def _missing_for(record: DraftRecord, now: datetime) -> timedelta:
    try:
        since = datetime.fromisoformat(record.missing_since)
    except ValueError:
        return timedelta(0)
    return now - since


def _recipients(header: bytes) -> set[str]:
    msg = message_from_bytes(header)
    values = [str(v) for name in ("To", "Cc") for v in msg.get_all(name, [])]
    return {addr.lower() for _, addr in getaddresses(values) if "@" in addr}


def _header(raw: bytes, name: str) -> str:
    return str(message_from_bytes(raw).get(name, "")).strip()


def _replied_to(raw: bytes) -> set[str]:
    """The Message-IDs a message says it replies to (In-Reply-To), as written."""
    return set(re.findall(r"<[^<>\s]+>", _header(raw, "In-Reply-To")))
