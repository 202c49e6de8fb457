"""The seed's two-step conversation with each requester, as a small state machine.

    (new) --invitation--> asked | explained | review | known
    asked --answer "we don't know each other"--> explained   (explain draft)
    asked --answer "we met at ..." / unclear----> review
    asked | explained --a rude answer----------> declined   (no draft, ever)
    any   --"you are now connected"-------------> known
    any   --the owner decides (`mailbot decide`)-> known | asked | explained | ignored
    asked | explained --our email draft deleted unsent--> ignored
    ignored --that draft turns up again (sent after all, or back in Drafts)--> asked | explained
    ignored --a new invitation AFRESH_AFTER_DAYS later--> (new)

Each function is pure: the current conversation (or None) and an event in, a Step out.
A Step never asks for a second draft of the same step: the pipeline keys every draft by
(person, step, trigger), so reminders and re-sent invitations add nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailbot import phrases
from mailbot.records import Conversation
from mailbot.rules import ASK, EXPLAIN, IGNORE, KNOWN, REVIEW, Decision

ASKED, EXPLAINED, DECLINED, IGNORED = "asked", "explained", "declined", "ignored"
STATUS_OF = {ASK: ASKED, EXPLAIN: EXPLAINED, REVIEW: REVIEW, KNOWN: KNOWN, IGNORE: IGNORED}
DECISION_OF = {status: decision for decision, status in STATUS_OF.items()} | {DECLINED: DECLINED}
OPEN = (ASKED, EXPLAINED)
# An ignored conversation stays closed for reminders and re-sends; an invitation this
# long after the owner's word is a new request (the seed: "connect in 6 months").
AFRESH_AFTER_DAYS = 90
VERDICTS = (KNOWN, ASK, EXPLAIN, IGNORE)  # what the owner can decide (`mailbot decide`)


@dataclass(frozen=True)
class Step:
    decision: str  # the word reported for this message: ask, explain, review, known, ignore
    reason: str
    status: str | None = None  # the conversation's new status; None leaves it as it is
    draft: str | None = None  # the template step to draft, if any
    withdraw: bool = False  # earlier drafts of ours are stale now (withdrawn if unedited)


def on_invitation(decision: Decision, current: Conversation | None, *, welcome_known: bool) -> Step:
    reason = decision.reasons[0] if decision.reasons else decision.rule
    if decision.action == IGNORE:
        return Step(IGNORE, reason)
    if current is None:
        welcome = "welcome" if decision.action == KNOWN and welcome_known else None
        draft = decision.action if decision.wants_draft else welcome
        return Step(decision.action, reason, status=STATUS_OF[decision.action], draft=draft)
    if decision.action == KNOWN and current.status != KNOWN:
        return Step(KNOWN, reason, status=KNOWN, withdraw=True)
    return Step(
        DECISION_OF.get(current.status, REVIEW),
        f"already {current.status}: a reminder or another invitation from {current.name}",
    )


def on_answer(text: str, current: Conversation, *, thanks: bool) -> Step:
    """They answered our question (by email or a network message)."""
    shown = text if len(text) <= 160 else text[:157] + "..."
    if current.status not in OPEN:  # remembered as their latest message; nothing moves
        return Step(
            DECISION_OF.get(current.status, REVIEW),
            f"another message from {current.name} ({current.status}): \u201c{shown}\u201d",
            status=current.status,
        )
    if current.status == EXPLAINED and (insult := phrases.rude(text)):
        return Step(
            DECLINED,
            f"{current.name} answered the explanation rudely (\u201c{insult}\u201d): no reply; "
            "the conversation is closed",
            status=DECLINED,
            withdraw=True,
        )
    if current.status == EXPLAINED:
        return Step(
            REVIEW,
            f"{current.name} answered the explanation: \u201c{shown}\u201d",
            status=REVIEW,
            withdraw=True,
        )
    if insult := phrases.rude(text):
        return Step(
            DECLINED,
            f"{current.name} answered rudely (\u201c{insult}\u201d): no reply, there is no need "
            "to be rude back; the conversation is closed",
            status=DECLINED,
            withdraw=True,
        )
    denied, claimed = phrases.denial(text), phrases.claim(text)
    if denied and not claimed:
        return Step(
            EXPLAIN,
            f"{current.name} says you have not met: \u201c{denied}\u201d",
            status=EXPLAINED,
            draft=EXPLAIN,
            withdraw=True,
        )
    if claimed and not denied:
        return Step(
            REVIEW,
            f"{current.name} says you know each other, for you to judge: \u201c{claimed}\u201d",
            status=REVIEW,
            draft="thanks" if thanks else None,
            withdraw=True,
        )
    return Step(
        REVIEW,
        f"{current.name} answered, unclear: \u201c{shown}\u201d",
        status=REVIEW,
        withdraw=True,
    )


def on_owner(verdict: str, current: Conversation, today: str) -> Step:
    """The owner settled it (`mailbot decide`): remembered as their own word."""
    name = current.name
    if verdict == KNOWN:
        reason = f"you said you know {name} ({today})"
    elif verdict == IGNORE:
        reason = f"you chose to leave {name}'s request unanswered ({today})"
    elif verdict == ASK:
        reason = f"you asked for the 'have we met?' draft for {name} ({today})"
    elif verdict == EXPLAIN:
        reason = f"you asked for the explanation of your rule for {name} ({today})"
    else:
        raise ValueError(verdict)
    draft = verdict if verdict in (ASK, EXPLAIN) else None
    return Step(verdict, reason, status=STATUS_OF[verdict], draft=draft, withdraw=True)


def on_discarded(current: Conversation, step: str, today: str) -> Step | None:
    """Our email draft (`step`) is gone from Drafts and was not sent: the owner chose not
    to answer, which closes the conversation like `mailbot decide --as ignore`. Only while
    the conversation is still at that draft's step."""
    if STATUS_OF.get(step) != current.status:
        return None
    return Step(
        IGNORE,
        f"{_DISCARDED.format(step=step, name=current.name)} without sending it ({today}): "
        "closed, reminders add nothing",
        status=IGNORED,
        withdraw=True,
    )


_DISCARDED = "you deleted our {step} draft for {name}"  # how on_discarded's reason begins


def closed_by_discard(current: Conversation, step: str) -> bool:
    """Whether the conversation is closed because our `step` draft left Drafts unsent
    (on_discarded), and nothing has moved it since (the owner's own word would have)."""
    return current.status == IGNORED and current.reason.startswith(
        _DISCARDED.format(step=step, name=current.name)
    )


def on_draft_back(current: Conversation, step: str, sent: bool, today: str) -> Step | None:
    """Our `step` draft, taken for deleted unsent, turned up again: sent after all (a copy
    in Sent) or back in Drafts. It was open in a mail client (mutt and neomutt take a
    recalled draft out of Drafts while it is edited, and store it again when it is
    postponed): the conversation reopens at that draft's step."""
    if not closed_by_discard(current, step) or step not in STATUS_OF:
        return None
    what = "you sent it after all" if sent else "it is back in Drafts"
    return Step(
        step,
        f"our {step} draft for {current.name} was open in your mail client, not deleted: "
        f"{what} ({today}); the conversation goes on",
        status=STATUS_OF[step],
    )


def on_connected(current: Conversation) -> Step:
    """The network says you are connected now (the owner accepted)."""
    if current.status == KNOWN:
        return Step(KNOWN, f"connected with {current.name} (already known)")
    return Step(KNOWN, f"you are now connected with {current.name}", status=KNOWN, withdraw=True)
