"""The owner's rule, as an ordered table: connect only with people I know.

Every message read goes through this one table, whatever it is: a message that could not
be read, spam, a look-alike, an answer in a conversation, the network saying "you are
connected", other mail, and invitations. Each rule has a name, the action it takes, and a
check that returns a human-readable reason when it applies (like GNU Mailman's rules).
The first rule that applies decides. Doubt never resolves to "known": only an exact match
in the owner's own sources does. Pure: no IMAP, SQLite or files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from mailbot import phrases, scorer
from mailbot.identity import normalise_email
from mailbot.notifications.model import Notification, Requester
from mailbot.notifications.reports import DESCRIBED
from mailbot.records import Conversation, Verdict

KNOWN = "known"  # no draft (or a welcome, if the owner wants one): the owner knows them
ASK = "ask"  # draft the polite "have we met?" reply
EXPLAIN = "explain"  # draft the friendly explanation of the rule, with other ways to talk
REVIEW = "review"  # no draft: the owner decides
IGNORE = "ignore"  # not a request (or not a genuine one): nothing to do
DECLINED = "declined"  # a rude answer: the conversation closes, no draft ever
DECISIONS = (KNOWN, ASK, EXPLAIN, REVIEW, IGNORE, DECLINED)
# Actions that hand the message to the conversation it belongs to (conversation.py):
ANSWER = "answer"  # they answered a draft of ours (by email or a network message)
CONNECTED = "connected"  # the network says the owner and they are connected now
SKIP = "skip"  # mailbot could not read it: listed by `mailbot status`, never silent


class People(Protocol):
    """Whom the owner knows (people/known.py); the rules only ask."""

    def assess(self, requester: Requester) -> Verdict: ...


@dataclass(frozen=True)
class Context:
    """What the rules may consult besides the notification itself."""

    people: People
    owner_emails: frozenset[str]


@dataclass(frozen=True)
class Case:
    """One notification, the conversation it belongs to (if any), and what the owner's
    sources say about its requester (invitations only)."""

    notification: Notification
    verdict: Verdict
    owner_emails: frozenset[str]
    conversation: Conversation | None = None


@dataclass(frozen=True)
class Decision:
    action: str  # one of DECISIONS
    rule: str
    reasons: tuple[str, ...]
    evidence: tuple[str, ...] = ()  # near matches and weaker facts, for the owner

    @property
    def wants_draft(self) -> bool:
        return self.action in (ASK, EXPLAIN)


@dataclass(frozen=True)
class Rule:
    name: str
    action: str
    check: Callable[[Case], str | None]  # the reason when the rule applies


def _unreadable(case: Case) -> str | None:
    error = case.notification.error
    return f"mailbot could not read it ({error}): please look at it yourself" if error else None


def _is_answer(n: Notification) -> bool:
    return (n.kind == "message" and n.requester is not None) or (
        n.kind == "other" and bool(n.references) and n.text is not None
    )


def _report(case: Case) -> str | None:
    """A bounce, a delay notice, an abuse report or a read receipt, in any wording or
    language (told by structure: notifications/reports.py): never an answer, the
    conversation stays as it was."""
    n = case.notification
    if n.report is None:
        return None
    what = DESCRIBED.get(n.report, "an automatic report")
    if n.failed:
        what += " for " + ", ".join(n.failed)
    elif case.conversation is not None:
        what += f" about your message to {case.conversation.name}"
    return f"{what}: not an answer"


def _automatic_reply(case: Case) -> str | None:
    """Out of office and the like (RFC 3834 headers, auto-reply subjects and first words in
    every language mailbot knows): never an answer, the conversation stays as it was."""
    n = case.notification
    if not _is_answer(n):
        return None
    if n.auto_reply and n.kind == "other":  # a person's mail's headers, not the network's
        return f"an automatic reply from {n.sender or (n.requester and n.requester.name)}: not an answer"
    text = (n.note if n.kind == "message" else n.text) or ""
    # By its words only when no answer comes first: "Yes, we met on holiday" is an answer.
    subject = n.subject if n.kind == "other" else ""
    said = phrases.automatic(subject, text)
    if not said and text and scorer.answer(text).confident("answer_auto"):
        said = text if len(text) <= 80 else text[:77] + "..."
    if said:
        who = n.sender or (n.requester and n.requester.name)
        return f"an automatic reply from {who} (\u201c{said}\u201d): not an answer"
    return None


def _connected(case: Case) -> str | None:
    n, current = case.notification, case.conversation
    if n.topic == "accepted" and n.requester and current is not None:
        return f"the network says you are connected with {current.name}"
    return None


def _answer(case: Case) -> str | None:
    n, current = case.notification, case.conversation
    if _is_answer(n) and current is not None:
        return f"{current.name} answered"
    return None


def _not_a_request(case: Case) -> str | None:
    n = case.notification
    if n.kind in ("invitation", "suspicious"):
        return None
    if n.topic == "accepted" and n.requester:
        return f"connected with {n.requester.name} (no open request)"
    if n.kind == "message" and n.requester:
        return f"a message from {n.requester.name}, who has no open request"
    if n.kind == "other" and n.references and n.text is not None:
        return "a reply, but not to a draft of ours"
    return "not a connection request: " + "; ".join(n.reasons or ("unrecognised mail",))


def _look_alike(case: Case) -> str | None:
    n = case.notification
    return "suspicious look-alike: " + "; ".join(n.reasons) if n.kind == "suspicious" else None


def _spam(case: Case) -> str | None:
    return "your spam filter flagged it (X-Spam-Flag: YES)" if case.notification.spam else None


def _own_address(case: Case) -> str | None:
    requester = case.notification.requester
    if requester and requester.email and normalise_email(requester.email) in case.owner_emails:
        return f"the request comes from your own address {requester.email}"
    return None


def _known_person(case: Case) -> str | None:
    return case.verdict.known


def _near_namesake(case: Case) -> str | None:
    if not case.verdict.near:
        return None
    name = case.notification.requester.name if case.notification.requester else "the requester"
    return f"{name} may be someone you know, for you to judge: " + "; ".join(case.verdict.near)


def _invited_you(case: Case) -> str | None:
    """They invited the owner to a meeting the owner never accepted: anyone can send a
    calendar invitation, so it never makes them known, but a "have we met?" to someone
    who sent the owner a meeting would be odd. The owner looks, with the meeting shown."""
    if not case.verdict.doubt:
        return None
    name = case.notification.requester.name if case.notification.requester else "the requester"
    return f"{name} is in your mail, for you to judge: " + "; ".join(case.verdict.doubt)


def _claims_acquaintance(case: Case) -> str | None:
    note = case.notification.note
    said = phrases.claim(note) if note else None
    return (
        f"their note says you know each other, for you to judge: \u201c{said}\u201d"
        if said
        else None
    )


NONE, TIE, UNCLEAR = "none", "tie", "unclear"  # what a note says about a tie


def note_says(claim: str | None, no_tie: str | None, scores: scorer.Scores) -> str:
    """TIE when a rule finds a claim (never overruled); NONE when the learned scorer is
    confident there is no tie (or fairly sure, and a phrase says so too); else UNCLEAR.
    Shared with bench/train_scorer.py, which chooses the thresholds on validation data."""
    if claim:
        return TIE
    if scores.confident("note_none") or (no_tie and scores.likely("note_none")):
        return NONE
    return UNCLEAR


def _note_without_acquaintance(case: Case) -> str | None:
    """Explain only on positive evidence that there is no acquaintance: past the claim
    rule, the scorer (and the phrases) find none."""
    note = case.notification.note
    if not note:
        return None
    scores = scorer.note(note)
    said = phrases.no_tie(note)
    if note_says(None, said, scores) != NONE:
        return None
    shown = said or (note if len(note) <= 160 else note[:157] + "...")
    return (
        f"a stranger whose note shows no tie ({scores['note_none']:.0%} sure): \u201c{shown}\u201d"
    )


def _note_unclear(case: Case) -> str | None:
    """A note that neither claims a tie nor shows there is none (another language, a
    hypothetical, mixed signals): the owner reads it; doubt costs ten seconds."""
    note = case.notification.note
    if not note:
        return None
    shown = note if len(note) <= 160 else note[:157] + "..."
    return f"a note mailbot cannot read with confidence, for you to judge: \u201c{shown}\u201d"


def _stranger_without_note(case: Case) -> str | None:
    requester = case.notification.requester
    return f"{requester.name if requester else 'someone'} is not someone you know and sent no personal note"


RULES: tuple[Rule, ...] = (
    Rule("spam", IGNORE, _spam),  # the owner's spam filter has the last word
    Rule("unreadable", SKIP, _unreadable),  # listed for the owner, never a silent ignore
    Rule("look-alike", IGNORE, _look_alike),  # phishing that copies the template
    Rule("own-address", IGNORE, _own_address),  # never answer yourself
    Rule("report", IGNORE, _report),  # a bounce or read receipt is never an answer
    Rule("automatic-reply", IGNORE, _automatic_reply),  # out of office is never an answer
    Rule("connected", CONNECTED, _connected),  # "you are now connected": known
    Rule("answer", ANSWER, _answer),  # their answer moves the conversation (conversation.py)
    Rule("not-a-request", IGNORE, _not_a_request),  # other mail, stray messages and replies
    Rule("known-person", KNOWN, _known_person),  # exact match in the owner's sources
    Rule("near-namesake", REVIEW, _near_namesake),  # a nickname, a typo, two namesakes
    Rule("invited-you", REVIEW, _invited_you),  # a meeting they sent, never accepted
    Rule("claims-acquaintance", REVIEW, _claims_acquaintance),  # "we met at ...": owner checks
    Rule("note-without-acquaintance", EXPLAIN, _note_without_acquaintance),  # "growing my network"
    Rule("note-unclear", REVIEW, _note_unclear),  # anything else in a note: the owner reads it
    Rule("stranger-without-note", ASK, _stranger_without_note),  # the seed's polite question
)


def decide(
    notification: Notification,
    context: Context,
    conversation: Conversation | None = None,
    *,
    namesakes: tuple[str, ...] = (),
) -> Decision:
    """The first rule in RULES that applies; the last one always does. `conversation`: the
    one this message belongs to, if the planner found one; `namesakes`: people of the
    same name the owner said they know, on another profile (for the owner to judge)."""
    requester = notification.requester
    verdict = (
        context.people.assess(requester)
        if notification.kind == "invitation" and requester and not notification.error
        else Verdict()
    )
    if namesakes and notification.kind == "invitation" and not verdict.known:
        verdict = replace(verdict, near=(*namesakes, *verdict.near))
    case = Case(notification, verdict, context.owner_emails, conversation)
    for rule in RULES:
        reason = rule.check(case)
        if reason is not None:
            evidence = (*verdict.near, *verdict.doubt, *verdict.evidence)
            return Decision(rule.action, rule.name, (reason,), evidence)
    raise AssertionError("the last rule always applies")  # pragma: no cover
