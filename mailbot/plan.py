"""Plan: what to do about one message, decided without touching anything.

A pure step: a notification, a read-only view of the state, whom the owner knows and the
settings in; a Plan out — what to report, which draft to store, which of our drafts are
stale, what to remember. The executor (act.py) carries a plan out exactly once. Nothing
here imports IMAP, SQLite or file code: the planning tests are plain tables.

Identity: a conversation is found by the invitation id first (every reminder and re-send
carries it, with or without a profile link), then by the profile, and by name only as a
fallback, never when the profile links disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from mailbot import conversation
from mailbot.conversation import AFRESH_AFTER_DAYS, IGNORED, Step
from mailbot.identity import (
    INVITATION_KEYS,
    key_token,
    normalise_email,
    normalise_name,
    person_key,
    profile_key,
    same_profile,
)
from mailbot.languages import READ, detected
from mailbot.notifications.model import OWNER, Notification, Requester
from mailbot.records import DISCARDED, GONE, MISSING, Conversation, DraftRecord, Parent
from mailbot.rules import (
    ANSWER,
    CONNECTED,
    IGNORE,
    KNOWN,
    REVIEW,
    SKIP,
    Context,
    Decision,
    decide,
)


class StateView(Protocol):
    """What the planner may read of the state (store.Store provides it)."""

    def conversation(self, person: str) -> Conversation | None: ...

    def conversation_by_invitation(self, invitation: str) -> Conversation | None:
        """The conversation this invitation id (first or any re-send's) belongs to."""

    def conversations_by_name(self, name_key: str, network: str | None) -> list[Conversation]: ...

    def handled(self, message_id: str | None) -> bool: ...

    def draft_answered_by(self, message_ids: tuple[str, ...]) -> DraftRecord | None: ...

    def stored_drafts(self, person: str) -> list[DraftRecord]: ...


@dataclass(frozen=True)
class Options:
    """The settings that change a plan."""

    welcome_known: bool = False
    thanks_drafts: bool = False
    today: str = ""  # ISO date: what the owner decided long ago may be stale


@dataclass(frozen=True)
class DraftOrder:
    """A draft to store, unless one with this token is already there."""

    step: str  # the template: ask, explain, welcome, thanks
    token: str  # (person, step, what it answers): the same order always has the same token
    requester: Requester
    network: str | None
    parent: Parent
    languages: tuple[str | None, ...]
    wrote: bool = False  # they wrote to the owner (a note, an answer): the draft thanks them


@dataclass(frozen=True)
class Plan:
    message_id: str | None
    name: str | None  # who it is about, for the report
    decision: str  # ask, explain, review, known, ignore, skip
    reason: str
    person: str | None = None
    draft: DraftOrder | None = None
    withdraw: tuple[DraftRecord, ...] = ()  # our drafts to this person that are stale now
    save: Conversation | None = None  # the conversation after this message
    invitation: str | None = None  # an invitation id to tie to `person` (re-sends too)
    fates: tuple[tuple[str, str], ...] = ()  # (token, state) of our drafts, remembered with it
    bounced: str | None = None  # the address a bounce of our draft names ("" if none):
    # remembered for `mailbot status`, the conversation itself stays as it was


def plan(n: Notification, view: StateView, context: Context, options: Options) -> Plan:
    """What to do about `n`: the rule table routes it; conversation.py moves the
    conversation it belongs to."""
    current, doubt = _belongs_to(n, view)
    decision = decide(n, context, current, namesakes=_known_namesakes(n, view, current))
    reason = decision.reasons[0] if decision.reasons else decision.rule
    if decision.action == SKIP:
        return Plan(n.message_id, _who(n), SKIP, reason)
    if decision.action == IGNORE:
        if decision.rule == "report" and current is not None:
            return _reported(n, reason, current, view)
        return _ignore(n, reason)
    if doubt is not None:  # tied to a conversation by name alone, and that is not enough
        return Plan(n.message_id, _who(n), SKIP, doubt)
    if decision.action == ANSWER and current is not None:
        return _answer(n, view, current, options)
    if decision.action == CONNECTED and current is not None and n.requester is not None:
        step = conversation.on_connected(current)
        return _apply(n, step, current, n.requester, view, trigger="")
    if n.requester is None:  # an invitation, but from whom? The owner looks at it.
        return Plan(n.message_id, None, SKIP, "an invitation whose sender mailbot could not read")
    trigger = ""
    if current is not None and _afresh(n, current, view, options.today):
        current, trigger = None, n.key or ""  # a new request: new drafts, new tokens
    step = conversation.on_invitation(decision, current, welcome_known=options.welcome_known)
    if step.decision == IGNORE and current is not None:  # closed: its re-sends join it, so
        invitation = n.key if _real_invitation(n.key) else None  # their reminders do too
        return replace(_ignore(n, step.reason), person=current.person, invitation=invitation)
    # The reply in the requester's language: their note's, else the owner's (a notification
    # is written in the owner's LinkedIn language, not the requester's).
    languages = (detected(n.note) if n.note else None, current.language if current else None)
    return _apply(
        n, step, current, n.requester, view, trigger=trigger, languages=languages, decision=decision
    )


def settle(verdict: str, current: Conversation, view: StateView, today: str) -> Plan:
    """The owner's word on a conversation (`mailbot decide`): remember it, withdraw our
    unedited drafts for them, and store the draft they asked for, threaded to the latest
    message from them (the invitation or their answer)."""
    step = conversation.on_owner(verdict, current, today)
    n = Notification(
        kind=OWNER,
        network=current.network,
        message_id=current.parent_id,
        subject=current.parent_subject,
        thread=tuple(current.parent_refs.split()),
    )
    requester = Requester(
        name=current.name,
        headline=current.headline,
        profile_url=current.profile_url,
        email=current.email,
    )
    trigger = f"owner:{current.parent_id or current.person}"
    found = _apply(
        n, step, current, requester, view, trigger=trigger, languages=(current.language,)
    )
    saved = replace(found.save, decided=today) if found.save is not None else None
    token = found.draft.token if found.draft else None
    return replace(
        found,
        message_id=None,  # not a message: nothing to mark as handled
        save=saved,
        withdraw=tuple(d for d in found.withdraw if d.token != token),
    )


def discarded(
    draft: DraftRecord, current: Conversation, view: StateView, today: str
) -> Plan | None:
    """Our email draft was deleted from Drafts without being sent: the conversation closes
    (see conversation.on_discarded); None when it has moved on since."""
    step = conversation.on_discarded(current, draft.step, today)
    if step is None:
        return None
    n = Notification(kind=OWNER, network=current.network)
    requester = Requester(current.name, current.headline, current.profile_url, current.email)
    found = _apply(n, step, current, requester, view, trigger="")
    saved = replace(found.save, decided=today) if found.save is not None else None
    return replace(found, message_id=None, save=saved, fates=((draft.token, DISCARDED),))


def _afresh(n: Notification, current: Conversation, view: StateView, today: str) -> bool:
    """An invitation to a conversation the owner closed (ignored) long ago, that is not a
    reminder of the invitations it had: a new request, judged from scratch."""
    if current.status != IGNORED or not today or not _real_invitation(n.key):
        return False
    assert n.key is not None
    if view.conversation_by_invitation(n.key) is not None:
        return False  # a reminder or re-send of a request already settled
    since = current.decided or current.updated[:10]
    try:
        days = (date.fromisoformat(today) - date.fromisoformat(since[:10])).days
    except ValueError:
        return False
    return days >= AFRESH_AFTER_DAYS


def _belongs_to(n: Notification, view: StateView) -> tuple[Conversation | None, str | None]:
    """The conversation this message is part of, if any, and a doubt when it was found by
    name alone and mailbot cannot be sure it is the same person."""
    if n.error or n.kind == "suspicious":
        return None, None
    if n.kind == "other" and n.topic != "accepted":
        ours = view.draft_answered_by(n.references) if n.references else None
        return (view.conversation(ours.person) if ours else None), None
    if n.requester is None:
        return None, None
    if _real_invitation(n.key):
        assert n.key is not None
        if found := view.conversation_by_invitation(n.key):
            return found, None
    if n.requester.profile_url and (
        found := view.conversation(profile_key(n.requester.profile_url))
    ):
        return found, None
    if _real_invitation(n.key) and (found := view.conversation(n.key or "")):
        return found, None
    return _by_name(n, view)


def _known_namesakes(
    n: Notification, view: StateView, current: Conversation | None
) -> tuple[str, ...]:
    """People of the same name on this network whom the owner knows (their word, a
    connection) but on another profile: a namesake or a changed link, never "known" and
    never a stranger; both are shown to the owner."""
    if current is not None or n.kind != "invitation" or n.requester is None:
        return ()
    name_key = normalise_name(n.requester.name)
    if not name_key:
        return ()
    asking = n.requester.profile_url or "no profile link"
    return tuple(
        f"{c.name}, whom you know ({c.reason}), has another profile "
        f"({c.profile_url or 'no link'}) than this request ({asking})"
        for c in view.conversations_by_name(name_key, n.network)
        if c.status == KNOWN and same_profile(c.profile_url, n.requester.profile_url) is False
    )[:3]


def _by_name(n: Notification, view: StateView) -> tuple[Conversation | None, str | None]:
    """The one conversation with this name on this network whose profile link does not
    contradict the message's (None if none or several): a fallback for messages and
    conversations that carry no profile link. It is enough only for a full name and a
    message that is not itself tied to something else; otherwise mailbot says why it
    cannot be sure, and the owner looks."""
    assert n.requester is not None
    name_key = normalise_name(n.requester.name)
    if not name_key:
        return None, None
    fits = [
        c
        for c in view.conversations_by_name(name_key, n.network)
        if same_profile(c.profile_url, n.requester.profile_url) is not False
    ]
    if len(fits) != 1:
        return None, None
    found = fits[0]
    who = n.requester.name
    if len(name_key.split()) < 2:
        return (
            found,
            f"a message from “{who}” (a first name only) that mailbot cannot tie to one conversation for certain",
        )
    if n.kind == "invitation" and _real_invitation(n.key):
        return found, (
            f"an invitation from {who} that may be a re-send of theirs or come from a namesake "
            "(no profile link to tell): please look"
        )
    if n.requester.profile_url and not found.profile_url:
        return found, (
            f"a message from {who} ({n.requester.profile_url}) that mailbot cannot tie to "
            f"the conversation with {found.name}, which has no profile link"
        )
    return found, None


def _answer(n: Notification, view: StateView, current: Conversation, options: Options) -> Plan:
    if view.handled(n.message_id):  # read again after an interrupted cycle
        return _ignore(n, f"already handled: the answer from {current.name}", current.name)
    text = (n.note if n.kind == "message" else n.text) or ""
    ours = view.draft_answered_by(n.references) if n.kind == "other" else None
    if (other := _someone_else(n, current, ours)) is not None:
        return Plan(n.message_id, current.name, SKIP, other)  # listed by `mailbot status`
    if (
        current.status == IGNORED
        and ours is not None
        and ours.state in (DISCARDED, GONE, MISSING)
        and ours.step in conversation.STATUS_OF
    ):
        # closed because our draft seemed deleted, yet here is an answer to it: it was sent
        current = replace(current, status=conversation.STATUS_OF[ours.step])
    step = conversation.on_answer(text, current, thanks=options.thanks_drafts)
    requester = Requester(
        name=current.name,
        profile_url=current.profile_url,
        email=(n.sender if n.kind == "other" else None) or current.email,
    )
    languages: tuple[str | None, ...] = (current.language,)
    if step.draft:
        languages = (detected(text), current.language)
    return _apply(
        n, step, current, requester, view, trigger=n.message_id or "", languages=languages
    )


def _someone_else(n: Notification, current: Conversation, ours: DraftRecord | None) -> str | None:
    """Why this "answer" is not from the person of the conversation, if it is not: a mail
    from another address than theirs (the conversation's, or our draft's recipient), or
    a network message from another profile. Anyone can thread a mail to our drafts (their
    Message-IDs can be computed): such a mail is shown to the owner, and the conversation
    stays as it was."""
    if n.kind == "other":
        theirs = {normalise_email(a) for a in (current.email, ours.recipient if ours else "") if a}
        sender = normalise_email(n.sender) if n.sender else ""
        if not theirs or sender in theirs:
            return None
        return (
            f"a mail from {sender or 'an unknown sender'} threaded to the conversation with "
            f"{current.name} ({' / '.join(sorted(theirs))}): not their answer, the "
            "conversation is unchanged"
        )
    profile = n.requester.profile_url if n.requester else None
    if same_profile(current.profile_url, profile) is False:
        return (
            f"a message from another profile ({profile}) than {current.name}'s "
            f"({current.profile_url}): not their answer, the conversation is unchanged"
        )
    return None


def _reported(n: Notification, reason: str, current: Conversation, view: StateView) -> Plan:
    """A report on our draft to them (a bounce, a receipt) is no answer: the conversation
    stays exactly as it was. A bounce is remembered with it, naming the address that
    failed (the report's, else our draft's recipient): `mailbot status` shows it."""
    ignored = _ignore(n, reason, current.name)
    if n.report != "delivery":
        return ignored
    ours = view.draft_answered_by(n.references)
    address = ", ".join(n.failed) or (ours.recipient if ours else "") or current.email or ""
    return replace(ignored, person=current.person, bounced=address)


def _apply(
    n: Notification,
    step: Step,
    current: Conversation | None,
    requester: Requester,
    view: StateView,
    *,
    trigger: str,
    languages: tuple[str | None, ...] = (),
    decision: Decision | None = None,
) -> Plan:
    person = (
        current.person
        if current
        else person_key(n.network, requester.name, requester.profile_url, n.key)
    )
    network = current.network if current else n.network
    draft = None
    if step.draft:
        draft = DraftOrder(
            step=step.draft,
            token=key_token(f"{person}|{step.draft}|{trigger}"),
            requester=requester,
            network=network,
            parent=Parent(n.message_id, n.subject, n.thread),
            languages=languages,
            wrote=bool(n.note or n.text),
        )
    withdraw: tuple[DraftRecord, ...] = ()
    if step.withdraw:
        withdraw = tuple(view.stored_drafts(person))
    save = None
    if step.status:
        save = _after(current, person, requester, network, step, n, languages, decision)
    invitation = n.key if n.kind == "invitation" and _real_invitation(n.key) else None
    return Plan(
        n.message_id,
        requester.name,
        step.decision,
        step.reason,
        person=person,
        draft=draft,
        withdraw=withdraw,
        save=save,
        invitation=invitation,
    )


def _after(
    previous: Conversation | None,
    person: str,
    requester: Requester,
    network: str | None,
    step: Step,
    n: Notification,
    languages: tuple[str | None, ...],
    decision: Decision | None,
) -> Conversation:
    """The conversation after `step`: what was known before, plus what this message adds
    (the latest message from them is what a draft on the owner's word answers)."""
    language = next((lang for lang in languages if lang), None)
    status = step.status or (previous.status if previous else "")
    invitation = n.key if n.kind == "invitation" and _real_invitation(n.key) else None
    details = "\n".join(decision.evidence) if decision is not None else ""
    from_them = n.kind != OWNER and n.message_id is not None
    if previous is not None:
        # review shows the latest; the owner's own word is always the reason (an ignore on
        # a conversation a deleted draft closed is theirs now)
        moved = status != previous.status or status == REVIEW or n.kind == OWNER
        return replace(
            previous,
            status=status,
            reason=step.reason if moved else previous.reason,
            email=requester.email or previous.email,
            profile_url=previous.profile_url or requester.profile_url,
            language=_their_language(language, previous.language),
            invitation=previous.invitation or invitation,
            headline=requester.headline or previous.headline,
            common=requester.common or previous.common,
            details=details or previous.details,
            parent_id=n.message_id if from_them else previous.parent_id,
            parent_subject=n.subject if from_them else previous.parent_subject,
            parent_refs=" ".join(n.thread) if from_them else previous.parent_refs,
            decided=None if from_them and step.status != previous.status else previous.decided,
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
        invitation=invitation,
        headline=requester.headline,
        common=requester.common,
        details=details,
        parent_id=n.message_id,
        parent_subject=n.subject,
        parent_refs=" ".join(n.thread),
    )


def _real_invitation(key: str | None) -> bool:
    return bool(key) and key.startswith(INVITATION_KEYS)  # type: ignore[union-attr]


def _ignore(n: Notification, reason: str, name: str | None = None) -> Plan:
    return Plan(n.message_id, name or (n.requester.name if n.requester else None), IGNORE, reason)


def _who(n: Notification) -> str | None:
    return n.requester.name if n.requester else None


def _their_language(latest: str | None, before: str | None) -> str | None:
    """Their latest words say their language best, unless a few words in a language
    mailbot has no templates for would replace one it has (a Danish-looking "Nej tak"
    after a German note: they still read German)."""
    if latest is None or (before in READ and latest not in READ):
        return before
    return latest
