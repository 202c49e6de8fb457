"""The seed's two-step conversation with each requester, as a small state machine.

    (new) --invitation--> asked | explained | review | known
    asked --answer "we don't know each other"--> explained   (explain draft)
    asked --answer "we met at ..." / unclear----> review
    asked | explained --a rude answer----------> declined   (no draft, ever)
    any   --"you are now connected"-------------> known
    any   --the owner decides (`mailbot decide`)-> known | asked | explained | ignored
    asked | explained --our email draft deleted unsent--> ignored
    ignored --a new invitation AFRESH_AFTER_DAYS later--> (new)

Each function is pure: the current conversation (or None) and an event in, a Step out.
A Step never asks for a second draft of the same step: the pipeline keys every draft by
(person, step, trigger), so reminders and re-sent invitations add nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailbot import phrases, scorer
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


RUDE, YES, NO, UNSURE = "rude", "yes", "no", "unclear"  # what an answer says


@dataclass(frozen=True)
class Reading:
    """An answer, as the rules and the learned scorer read it."""

    rude: str | None  # the insult a rule found
    claim: str | None  # the tie a rule found
    denial: str | None  # the "no" a rule found
    scores: scorer.Scores
    words: int = 0
    sentences: int = 0
    sorry: bool = False  # they apologise: the scorer's rudeness is not trusted


# The scorer's rudeness needs a few words: a bare "Nein." is an answer, whatever a scorer
# trained on "Nein. Und hören Sie auf ..." makes of it ("No. Don't flatter yourself." is not).
RUDE_WORDS = 3


# A short answer ("I don't think so.", "Nein.", "Not as far as I know") has no room for a
# hidden claim or insult: the rules read all of it, and a rule's "no" is enough (on the
# labelled sets, 25 of 25 such answers were "no"; at 7 words, 2 of 32 were rude). The
# scorer, trained on longer answers ("Nein. Und hören Sie auf ..."), judges only answers
# longer than this.
SHORT = 6
# A one-sentence denial of a dozen words ("Ich glaube nicht, dass wir uns kennengelernt
# haben.", "Your name came up in my feed.") is read whole by the rules too: 50 of 51 were
# "no" on the labelled sets; the one rude one is left to the scorer's confident verdict,
# which comes first.
PLAIN = 12


def read(text: str) -> Reading:
    return Reading(
        phrases.rude(text),
        phrases.claim(text),
        phrases.denial(text),
        scorer.answer(text),
        *read_shape(text),
        bool(phrases.APOLOGY.search(phrases.fold(text))),
    )


def read_shape(text: str) -> tuple[int, int]:
    """(words, sentences): "don't" is one word."""
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if any(c.isalnum() for c in s)]
    return words(text), len(sentences)


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def words(text: str) -> int:
    """How many words ("don't" is one)."""
    return len(re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text))


def answer_says(r: Reading) -> str:
    """Rude wins over everything (a rule's insult, or the scorer confident of one); then a
    claim anywhere (a rule's, or the scorer confident of one) means the owner looks, even
    after a "no"; a short or one-sentence "no" a rule finds is a no; a longer one needs
    the scorer fairly sure of it (or confident without a rule) and no hint of rudeness or
    of a tie. bench/train_scorer.py chooses the thresholds for these same steps."""
    s = r.scores
    if r.rude or (s.confident("answer_rude") and r.words >= RUDE_WORDS and not r.sorry):
        return RUDE
    if r.claim or (s.confident("answer_yes") and r.words > SHORT):
        return YES
    if r.denial and (r.words <= SHORT or (r.sentences == 1 and r.words <= PLAIN)):
        return NO
    if s.likely("answer_rude") or s.likely("answer_yes"):
        return UNSURE
    if s.confident("answer_no") or (r.denial and s.likely("answer_no")):
        return NO
    return UNSURE


def on_answer(text: str, current: Conversation, *, thanks: bool) -> Step:
    """They answered our question (by email or a network message)."""
    shown = text if len(text) <= 160 else text[:157] + "..."
    if current.status not in OPEN:  # remembered as their latest message; nothing moves
        return Step(
            DECISION_OF.get(current.status, REVIEW),
            f"another message from {current.name} ({current.status}): \u201c{shown}\u201d",
            status=current.status,
        )
    reading = read(text)
    says = answer_says(reading)
    if says == RUDE:
        insult = reading.rude or shown
        reason = (
            f"{current.name} answered the explanation rudely (\u201c{insult}\u201d): no reply; "
            "the conversation is closed"
            if current.status == EXPLAINED
            else f"{current.name} answered rudely (\u201c{insult}\u201d): no reply, there is "
            "no need to be rude back; the conversation is closed"
        )
        return Step(DECLINED, reason, status=DECLINED, withdraw=True)
    if current.status == EXPLAINED:
        return Step(
            REVIEW,
            f"{current.name} answered the explanation: \u201c{shown}\u201d",
            status=REVIEW,
            withdraw=True,
        )
    if says == NO:
        return Step(
            EXPLAIN,
            f"{current.name} says you have not met: \u201c{reading.denial or shown}\u201d",
            status=EXPLAINED,
            draft=EXPLAIN,
            withdraw=True,
        )
    if says == YES:
        return Step(
            REVIEW,
            f"{current.name} says you know each other, for you to judge: "
            f"\u201c{reading.claim or shown}\u201d",
            status=REVIEW,
            draft="thanks" if thanks and not reading.denial else None,
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
        f"you deleted our {step} draft for {current.name} without sending it ({today}): "
        "closed, reminders add nothing",
        status=IGNORED,
        withdraw=True,
    )


def on_connected(current: Conversation) -> Step:
    """The network says you are connected now (the owner accepted)."""
    if current.status == KNOWN:
        return Step(KNOWN, f"connected with {current.name} (already known)")
    return Step(KNOWN, f"you are now connected with {current.name}", status=KNOWN, withdraw=True)
