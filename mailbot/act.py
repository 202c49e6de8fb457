"""Act: carry out a plan exactly once. The only code that writes drafts and state.

Exactly once, whatever is killed when: every draft carries a token (X-Mailbot-Key) made
from (person, conversation step, what it answers). Before appending, the state and then
the Drafts folder itself are asked whether that token is already there (the Drafts
folder is the truth: another mailbot, or a lost state file, may have stored it); the
state is written after the append, and the inbox cursor only after every message of the
cycle is handled (pipeline.py). A crash means "read again", never "lost" and never "twice".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from email import message_from_bytes

from mailbot.config import Settings
from mailbot.mailboxes.base import Mailbox, shown
from mailbot.plan import DraftOrder, Plan
from mailbot.records import (
    DISCARDED,
    GONE,
    KEPT,
    SENT,
    STALE,
    STORED,
    WITHDRAWN,
    DraftRecord,
)
from mailbot.replies import Draft, Renderer, digest, unchanged
from mailbot.report import Processed
from mailbot.rules import SKIP
from mailbot.store import Store

log = logging.getLogger(__name__)

STORED_NOW, FOUND, NONE = "stored", "found", ""  # what became of a plan's draft


@dataclass(frozen=True)
class Followed:
    """What Executor.follow_drafts found the owner did with our drafts."""

    discarded: list[DraftRecord]  # email drafts gone from Drafts unsent, just now
    back: list[DraftRecord]  # drafts missing before that turned up again (their new state)


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
            if plan.invitation is not None and plan.person:
                self.store.link_invitation(plan.invitation, plan.person)
            if plan.save is not None:
                self.store.save_conversation(plan.save, plan.decision, plan.reason, plan.message_id)
        return _processed(plan, outcome, withdrawn)

    def _render(self, order: DraftOrder) -> Draft:
        return render(self.renderer, self.settings, order)

    def _store_draft(self, order: DraftOrder, draft: Draft, person: str) -> tuple[str, DraftRecord]:
        folder = self._drafts()
        raw = draft.as_bytes()
        existing = self.mailbox.find_drafts(folder, order.token, before_append=True)
        if not existing:
            existing = self.mailbox.append_draft(folder, raw)  # [] unless another came first
        if existing:  # the state was behind (a crash, another mailbot, a lost state file)
            log.info("draft %s already in %s: not adding another", order.token, shown(folder))
            # The baseline is what we would write now: if the owner edited the one found, it
            # differs, so it is kept when the conversation moves on, never withdrawn.
            found = _header(existing[0][1], "Message-ID")
            return FOUND, DraftRecord(
                order.token, person, order.step, found, folder, digest(raw), STORED, draft.recipient
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
        )
        return STORED_NOW, record

    def follow_drafts(
        self, sent_folder: str | None, missing: Sequence[DraftRecord] = ()
    ) -> Followed:
        """What became of our drafts still in Drafts at the last look: a draft gone from
        Drafts was sent when a copy is in the Sent folder (found by its Message-ID or its
        token), discarded when it had a recipient and no copy was sent, and gone (pasted
        into the network, or deleted: mailbot cannot tell) when it had none. A draft a
        mail client re-saved under a new UID keeps its Message-ID: still there.

        `missing`: drafts found gone or discarded at an earlier look, looked for again. A
        draft missing from Drafts may only be open in a mail client: mutt and neomutt take
        a recalled draft out of Drafts at once and store it again when it is postponed, or
        send it (a copy in Sent). One back in Drafts is waiting again; a discarded one
        with a copy in Sent was sent (a gone one is looked for in Drafts only: they pile
        up, and one SEARCH each of the Sent folder would too)."""
        waiting = self.store.drafts_in(STORED)
        present: dict[str, set[str]] = {}
        discarded, back = [], []
        for record in waiting:
            if record.folder not in present:
                present[record.folder] = self.mailbox.draft_tokens(record.folder)
            if record.token in present[record.folder] or self.mailbox.holds(
                record.folder, record.message_id, record.token
            ):
                continue
            if sent_folder and self.mailbox.holds(sent_folder, record.message_id, record.token):
                state = SENT
            elif record.recipient and sent_folder:
                state = DISCARDED
                discarded.append(record)
            else:
                state = GONE
            log.info("our %s draft %s is %s", record.step, record.token, state)
            self.store.set_draft_state(record.token, state)
        for record in missing:
            if record.folder not in present:
                present[record.folder] = self.mailbox.draft_tokens(record.folder)
            if record.token in present[record.folder]:
                state = STORED
            elif (
                record.state == DISCARDED
                and sent_folder
                and self.mailbox.holds(sent_folder, record.message_id, record.token)
            ):
                state = SENT
            else:
                continue
            log.info("our %s draft %s is %s again", record.step, record.token, state)
            self.store.set_draft_state(record.token, state)
            back.append(replace(record, state=state))
        return Followed(discarded, back)

    def _withdraw(self, record: DraftRecord) -> str:
        """Remove an earlier draft of ours that the owner has not edited; what became of it."""
        found = self.mailbox.find_drafts(record.folder, record.token)
        if not found:
            state = GONE  # sent, or deleted by the owner (follow_drafts tells them apart)
        elif not all(unchanged(raw, record.digest) for _, raw in found):
            state = KEPT  # edited: the owner's now
        elif all(self.mailbox.delete_draft(record.folder, uid) for uid, _ in found):
            log.info(
                "withdrew the stale %s draft %s from %s",
                record.step,
                record.token,
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


def _header(raw: bytes, name: str) -> str:
    return str(message_from_bytes(raw).get(name, "")).strip()
