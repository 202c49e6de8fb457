"""One cycle: new mail -> notification -> decision -> draft, exactly once.

Exactly once, whatever is killed when: every draft carries a token (X-Mailbot-Key) made
from (person, conversation step, what it answers). Before appending, the state and then
the Drafts folder itself are asked whether that token is already there; the state is
written after the append, and the inbox cursor only after every message of the cycle is
handled. A crash means "read again", never "lost" and never "twice".
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from datetime import date, timedelta
from email import message_from_bytes

from mailbot import conversation, phrases
from mailbot.config import Settings
from mailbot.conversation import Step
from mailbot.errors import MailbotError
from mailbot.mailboxes.base import Mailbox, Wanted
from mailbot.notifications import BODY_HINTS, SENDER_HINTS, Notification, Requester, parse
from mailbot.people.index import CorrespondenceIndex
from mailbot.people.names import normalise_name
from mailbot.replies import MESSAGE_ID_MARK, Parent, Renderer, digest, key_token
from mailbot.report import CycleReport, Processed
from mailbot.rules import IGNORE, Context, decide
from mailbot.state import Conversation, Cursor, DraftRecord, State

log = logging.getLogger(__name__)
REPLY_MARK = f".{MESSAGE_ID_MARK}@"  # in the Message-IDs of our drafts, so in answers to them
WANTED = Wanted(senders=SENDER_HINTS, bodies=BODY_HINTS, reply_mark=REPLY_MARK)


@dataclass
class Cycle:
    """What one cycle works with; its methods handle one kind of message each."""

    mailbox: Mailbox
    state: State
    settings: Settings
    context: Context
    renderer: Renderer
    dry_run: bool
    _drafts_folder: str | None = None

    def handle(self, n: Notification) -> Processed:
        if n.spam:
            return _ignored(n, "your spam filter flagged it (X-Spam-Flag: YES)")
        if n.kind in ("invitation", "suspicious"):
            return self._invitation(n)
        if n.kind == "message" and n.requester:
            return self._network_message(n)
        if n.topic == "accepted" and n.requester:
            return self._connected(n)
        if n.references and n.text is not None:
            return self._email_answer(n)
        return _ignored(n, "; ".join(n.reasons) or "not a connection request")

    def _invitation(self, n: Notification) -> Processed:
        decision = decide(n, self.context)
        if decision.action == IGNORE or n.requester is None:
            return _ignored(n, decision.reasons[0])
        person = conversation.person_key(n.requester, n.network, n.key)
        current = self.state.conversation(person) or (
            self.state.conversation_by_invitation(n.key) if n.key else None
        )
        step = conversation.on_invitation(
            decision, current, welcome_known=self.settings.welcome_known
        )
        parent = Parent(n.message_id, n.subject)
        return self._apply(
            n,
            step,
            current.person if current else person,
            n.requester,
            n.network,
            parent,
            trigger="",
            languages=(n.language,),
            invitation=n.key,
        )

    def _network_message(self, n: Notification) -> Processed:
        assert n.requester is not None
        current = self._find(n.requester, n.network)
        if current is None:
            return _ignored(n, f"a message from {n.requester.name}, who has no open request")
        step = conversation.on_answer(n.note or "", current, thanks=self.settings.thanks_drafts)
        return self._answer(
            n,
            step,
            current,
            Requester(name=current.name, profile_url=current.profile_url, email=current.email),
        )

    def _email_answer(self, n: Notification) -> Processed:
        ours = self.state.draft_answered_by(n.references)
        current = self.state.conversation(ours.person) if ours else None
        if current is None:
            return _ignored(n, "a reply, but not to a draft of ours")
        if n.auto_reply:
            return _ignored(n, f"an automatic reply from {n.sender}: not an answer")
        step = conversation.on_answer(n.text or "", current, thanks=self.settings.thanks_drafts)
        requester = Requester(
            name=current.name, profile_url=current.profile_url, email=n.sender or current.email
        )
        return self._answer(n, step, current, requester)

    def _answer(
        self, n: Notification, step: Step, current: Conversation, requester: Requester
    ) -> Processed:
        if self.state.handled(n.message_id):  # read again after an interrupted cycle
            return _ignored(n, f"already handled: the answer from {current.name}")
        parent = Parent(n.message_id, n.subject)
        languages: tuple[str | None, ...] = (current.language,)
        if step.draft:
            languages = (phrases.language(n.text or n.note or ""), current.language)
        return self._apply(
            n,
            step,
            current.person,
            requester,
            current.network,
            parent,
            trigger=n.message_id or "",
            languages=languages,
        )

    def _connected(self, n: Notification) -> Processed:
        assert n.requester is not None
        current = self._find(n.requester, n.network)
        if current is None:
            return _ignored(n, f"connected with {n.requester.name} (no open request)")
        step = conversation.on_connected(current)
        return self._apply(
            n,
            step,
            current.person,
            n.requester,
            current.network,
            Parent(n.message_id, n.subject),
            trigger="",
            languages=(),
        )

    def _find(self, requester: Requester, network: str | None) -> Conversation | None:
        person = conversation.person_key(requester, network)
        return self.state.conversation(person) or self.state.conversation_by_name(
            normalise_name(requester.name), network
        )

    def _apply(
        self,
        n: Notification,
        step: Step,
        person: str,
        requester: Requester,
        network: str | None,
        parent: Parent,
        *,
        trigger: str,
        languages: tuple[str | None, ...],
        invitation: str | None = None,
    ) -> Processed:
        """Carry out a Step: withdraw stale drafts, store the new one, save the status."""
        drafted = False
        if self.dry_run:
            if step.draft:  # render anyway: a broken template shows up in a dry run
                self.renderer.draft(
                    step.draft,
                    requester,
                    network,
                    parent,
                    self.settings.owner,
                    token=key_token(person),
                    languages=languages,
                )
            return _processed(n, step, False, requester.name)
        if step.withdraw:
            self._withdraw_stale(person)
        record = None
        if step.draft:
            token = key_token(f"{person}|{step.draft}|{trigger}")
            record = self.state.draft(token)
            if record is None:  # not stored before (or stored, but the state was lost)
                record = self._store(
                    step.draft, token, person, requester, network, parent, languages
                )
                drafted = True
        if step.status:
            with self.state.transaction():
                if record is not None:
                    self.state.record_draft(record)
                previous = self.state.conversation(person)
                merged = _conversation(previous, person, requester, network, step, n, languages)
                self.state.save_conversation(
                    replace(merged, invitation=merged.invitation or invitation),
                    step.decision,
                    step.reason,
                    n.message_id,
                )
        elif record is not None:
            self.state.record_draft(record)
        return _processed(n, step, drafted, requester.name)

    def _store(
        self,
        step: str,
        token: str,
        person: str,
        requester: Requester,
        network: str | None,
        parent: Parent,
        languages: tuple[str | None, ...],
    ) -> DraftRecord:
        folder = self._drafts()
        draft = self.renderer.draft(
            step, requester, network, parent, self.settings.owner, token=token, languages=languages
        )
        raw = draft.as_bytes()
        existing = self.mailbox.find_drafts(folder, token)
        if existing:  # the state was behind (a crash, or a lost state file): do not add another
            log.info("draft %s already in %s: not adding another", token, folder)
            # The baseline is what we would write now: if the owner edited the one found, it
            # differs, so it is kept when the conversation moves on, never withdrawn.
            found = _header(existing[0][1], "Message-ID")
            return DraftRecord(token, person, step, found, folder, digest(raw))
        self.mailbox.append_draft(folder, raw)
        log.info(
            "stored the %s draft (%s) for %s in %s", step, draft.language, requester.name, folder
        )
        return DraftRecord(token, person, step, draft.message_id, folder, digest(raw))

    def _withdraw_stale(self, person: str) -> None:
        """Remove our earlier drafts to this person that the owner has not edited."""
        for record in self.state.stored_drafts(person):
            found = self.mailbox.find_drafts(record.folder, record.token)
            if not found:
                self.state.set_draft_state(record.token, "gone")  # sent, or deleted by the owner
                continue
            unedited = [uid for uid, raw in found if digest(raw) == record.digest]
            if len(unedited) == len(found) and all(
                self.mailbox.delete_draft(record.folder, uid) for uid in unedited
            ):
                self.state.set_draft_state(record.token, "withdrawn")
            else:
                self.state.set_draft_state(record.token, "kept")  # edited: the owner's now

    def _drafts(self) -> str:
        if self._drafts_folder is None:
            self._drafts_folder = self.mailbox.drafts_folder(self.settings.drafts)
        return self._drafts_folder


def run_cycle(
    mailbox: Mailbox,
    state: State,
    settings: Settings,
    context: Context,
    index: CorrespondenceIndex | None = None,
    *,
    dry_run: bool = False,
    stop: threading.Event | None = None,
    news: bool = False,
) -> CycleReport:
    """Read what is new in the inbox, handle each notification or answer, store drafts.

    The correspondence index is brought up to date only when there is a request to
    decide, so an idle poll stays one STATUS. `news`: new mail was announced (by IDLE, or
    while the previous cycle ran), so the STATUS is skipped and the inbox selected at
    once: on Dovecot each look at a large folder that changed a moment ago rescans it
    (0.3-0.5 s at 100,000 messages). If nothing is new after all, that costs one SELECT.
    """
    report = CycleReport()
    if not news and state.is_current(settings.inbox, mailbox.status(settings.inbox)):
        log.debug("%s: nothing new", settings.inbox)
        return report  # nothing new: one STATUS, no SELECT, no SEARCH
    cursor = state.cursor(settings.inbox)
    folder = mailbox.select(settings.inbox)
    last_uid = folder.uidnext - 1
    if cursor is not None and cursor.uidvalidity == folder.uidvalidity:
        uids = mailbox.search(cursor.last_uid + 1, last_uid, None, WANTED)
    else:
        if cursor is not None:
            log.warning(
                "UIDVALIDITY of %s changed: reading the last %d days again "
                "(requests already handled are recognised)",
                settings.inbox,
                settings.lookback_days,
            )
        since = date.today() - timedelta(days=settings.lookback_days)
        uids = mailbox.search(1, last_uid, since, WANTED)

    notifications = [parse(raw) for _, raw in mailbox.fetch(uids)]
    log.debug("%s: %d new messages to look at", settings.inbox, len(notifications))
    if index is not None and any(n.is_invitation for n in notifications):
        index.refresh(
            mailbox,
            history_folders(mailbox, settings),
            settings.owner.addresses,
            stop=stop,
            selected=(settings.inbox, folder),  # still selected: not selected again
        )
    cycle = Cycle(
        mailbox, state, settings, context, Renderer(settings.templates, settings.language), dry_run
    )
    stopped = retry = False
    for n in notifications:
        if stop is not None and stop.is_set():
            stopped = True  # the rest is read again next time: the cursor stays
            break
        try:
            report.processed.append(cycle.handle(n))
        except MailbotError as exc:  # the server or a template: retried next cycle
            retry = True
            report.errors.append(f"{_who(n)}: {exc}")
            report.processed.append(_ignored(n, f"not handled, retried next cycle: {exc}"))
        except Exception as exc:  # a message we cannot handle must not stall the inbox
            log.exception("cannot handle %s; skipping it", _who(n))
            reason = f"skipped: mailbot could not handle it ({type(exc).__name__}: {exc})"
            report.errors.append(f"{_who(n)}: {reason}")
            report.processed.append(_ignored(n, reason))
            if not dry_run:
                state.record_skipped(n.message_id, _who(n), reason)
    if not dry_run and not retry and not stopped:
        state.set_cursor(settings.inbox, Cursor(folder.uidvalidity, last_uid))
    return report


def history_folders(mailbox: Mailbox, settings: Settings) -> list[str]:
    """MAILBOT_HISTORY_FOLDERS, else the Sent folder (if any) and the inbox."""
    if settings.history_folders:
        return list(settings.history_folders)
    sent = mailbox.sent_folder(settings.sent)
    return [folder for folder in (sent, settings.inbox) if folder]


def _conversation(
    previous: Conversation | None,
    person: str,
    requester: Requester,
    network: str | None,
    step: Step,
    n: Notification,
    languages: tuple[str | None, ...],
) -> Conversation:
    """The conversation after `step`: what was known before, plus what this message adds."""
    language = next((lang for lang in languages if lang), None)
    status = step.status or (previous.status if previous else "")
    if previous is not None:
        return replace(
            previous,
            status=status,
            reason=step.reason,
            email=requester.email or previous.email,
            profile_url=previous.profile_url or requester.profile_url,
            language=previous.language or language,
        )
    return Conversation(
        person=person,
        name_key=normalise_name(requester.name),
        name=requester.name,
        network=network,
        profile_url=requester.profile_url,
        email=requester.email,
        language=language,
        status=status,
        reason=step.reason,
        link=requester.profile_url or n.key,
    )


def _processed(n: Notification, step: Step, draft: bool, name: str) -> Processed:
    return Processed(
        n.message_id,
        name,
        step.decision,
        (step.reason,),
        draft,
    )


def _ignored(n: Notification, reason: str) -> Processed:
    return Processed(
        n.message_id, n.requester.name if n.requester else None, IGNORE, (reason,), False
    )


def _who(n: Notification) -> str:
    return n.requester.name if n.requester else (n.message_id or "a message")


def _header(raw: bytes, name: str) -> str:
    return str(message_from_bytes(raw).get(name, "")).strip()
