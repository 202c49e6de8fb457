"""The owner's rule, as an ordered table: connect only with people I know.

Each rule has a name, the decision it makes, and a check that returns a human-readable
reason when it applies (like GNU Mailman's rules). The first rule that applies decides.
Doubt never resolves to "known": only an exact match in the owner's own sources does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mailbot.notifications import Notification
from mailbot.people.contacts import Contact, Contacts
from mailbot.people.names import normalise_email, normalise_name, profile_key

KNOWN = "known"  # no draft: the owner knows them
ASK = "ask"  # draft the polite "have we met?" reply
REVIEW = "review"  # no draft: the owner decides
IGNORE = "ignore"  # not a request (or not a genuine one): nothing to do
DECISIONS = (KNOWN, ASK, REVIEW, IGNORE)


@dataclass(frozen=True)
class Context:
    """What the rules may consult besides the notification itself."""

    contacts: Contacts
    owner_emails: frozenset[str]


@dataclass(frozen=True)
class Decision:
    action: str  # one of DECISIONS
    rule: str
    reasons: tuple[str, ...]

    @property
    def wants_draft(self) -> bool:
        return self.action == ASK


Check = Callable[[Notification, Context], str | None]


@dataclass(frozen=True)
class Rule:
    name: str
    action: str
    check: Check


def _not_a_request(n: Notification, _: Context) -> str | None:
    if n.kind in ("invitation", "suspicious"):
        return None
    return "not a connection request: " + "; ".join(n.reasons or ("unrecognised mail",))


def _look_alike(n: Notification, _: Context) -> str | None:
    return "suspicious look-alike: " + "; ".join(n.reasons) if n.kind == "suspicious" else None


def _own_address(n: Notification, ctx: Context) -> str | None:
    email = n.requester.email if n.requester else None
    if email and normalise_email(email) in ctx.owner_emails:
        return f"the request comes from your own address {email}"
    return None


def _known_contact(n: Notification, ctx: Context) -> str | None:
    if n.requester is None:
        return None
    match = _find_contact(n, ctx.contacts)
    if match is None:
        return None
    contact, how = match
    return f"{n.requester.name} is in your contacts ({contact.source}, matched by {how})"


def _find_contact(n: Notification, contacts: Contacts) -> tuple[Contact, str] | None:
    assert n.requester is not None
    requester = n.requester
    if requester.profile_url and (c := contacts.by_profile.get(profile_key(requester.profile_url))):
        return c, "profile URL"
    if requester.email and (c := contacts.by_email.get(normalise_email(requester.email))):
        return c, "email address"
    if (name := normalise_name(requester.name)) and (c := contacts.by_name.get(name)):
        return c, "full name"
    return None


def _personal_note(n: Notification, _: Context) -> str | None:
    if not n.note:
        return None
    shown = n.note if len(n.note) <= 120 else n.note[:117] + "..."
    return f"a stranger with a personal note, for you to judge: \u201c{shown}\u201d"


def _stranger_without_note(n: Notification, _: Context) -> str | None:
    name = n.requester.name if n.requester else "someone"
    return f"{name} is not in your contacts and sent no personal note"


RULES: tuple[Rule, ...] = (
    Rule("not-a-request", IGNORE, _not_a_request),  # other mail, messages, acceptances
    Rule("look-alike", IGNORE, _look_alike),  # phishing that copies the template
    Rule("own-address", IGNORE, _own_address),  # never answer yourself
    Rule("known-contact", KNOWN, _known_contact),  # exact match in the owner's sources
    Rule("personal-note", REVIEW, _personal_note),  # a note needs a human to read it
    Rule("stranger-without-note", ASK, _stranger_without_note),  # the seed's polite question
)


def decide(notification: Notification, context: Context) -> Decision:
    """The first rule in RULES that applies; the last one always does."""
    for rule in RULES:
        reason = rule.check(notification, context)
        if reason is not None:
            return Decision(action=rule.action, rule=rule.name, reasons=(reason,))
    raise AssertionError("the last rule always applies")  # pragma: no cover
