"""The owner's side and the drafts, hard cases a review found (each failed before its
fix): reminders of an invitation sent while ignored, the 90 days after a deleted draft,
names inside words, and a wrapped " -- " that would make a signature line."""

from __future__ import annotations

from dataclasses import replace

from test_plan import INV, JANE, MemoryView, People, conversation, invitation

from mailbot.plan import Options, plan
from mailbot.replies import _flowed
from mailbot.rules import IGNORE, Context

OWNER = frozenset({"robin@owner.example"})


def test_a_reminder_of_an_invitation_sent_while_ignored_adds_nothing_after_90_days() -> None:
    """README: "An invitation from them 90 days or more after your word is a new request";
    reminders add nothing. An invitation sent 42 days after `ignore` is ignored but never
    tied to the conversation (plan._ignore carries no invitation id), so LinkedIn's
    reminder of it, arriving on day 91, passes plan._afresh and gets a new "have we met?"
    draft to a person the owner chose to leave unanswered."""
    closed = replace(conversation(status="ignored"), decided="2026-09-20")
    view = MemoryView(conversations=[closed], invitations={INV: "linkedin:jane-doe-1"})
    context = Context(People(), OWNER)
    second = invitation(profile=JANE, key="linkedin:invitation:9999", mid="<2nd@linkedin.com>")
    p = plan(second, view, context, Options(today="2026-11-01"))  # day 42: not a new request
    assert p.decision == IGNORE
    view.apply(p)
    reminder = replace(second, message_id="<2nd-reminder@linkedin.com>")
    later = plan(reminder, view, context, Options(today="2026-12-20"))  # day 91
    assert (later.decision, later.draft) == (IGNORE, None)


def test_wrapping_never_makes_a_signature_separator_in_the_body() -> None:
    """RFC 3676 4.3: a line "-- " is the signature separator, neither fixed nor flowed.
    _wrap can cut a paragraph so that a piece is exactly "-- " (a " -- " dash before a long
    link): clients then take the rest of the reply for a signature (greyed out, stripped
    when quoting), and a flowed-aware client does not re-join the paragraph there."""
    link = "https://calendly.com/robin-owner/30-minute-coffee-chat-for-new-contacts-2026?utm=x"
    line = "If you would like to talk, please pick any time that suits you from here -- " + link
    flowed = _flowed(line + "\n")
    assert "-- " not in flowed.split("\n"), flowed.split("\n")


def test_an_ask_deleted_unsent_counts_90_days_from_the_deletion_not_an_older_verdict() -> None:
    """A deleted email draft closes the conversation "like `mailbot decide --as ignore`".
    But plan.discarded keeps the conversation's older `decided` date (here: the owner's
    `--as ask` in January), and plan._afresh counts 90 days from it: an invitation two
    weeks after the owner deleted the draft is judged afresh and gets a new "have we met?"."""
    from test_plan import ask_draft

    from mailbot.plan import discarded

    asked = replace(conversation(status="asked"), decided="2026-01-05")  # `decide --as ask`
    view = MemoryView(conversations=[asked], invitations={INV: "linkedin:jane-doe-1"})
    draft = replace(ask_draft(state="discarded"), recipient="jane@mail.example")
    closing = discarded(draft, asked, view, "2026-06-01")  # the owner deleted it on June 1
    assert closing is not None and closing.save is not None
    view.apply(closing)
    new = invitation(profile=JANE, key="linkedin:invitation:9999", mid="<new@linkedin.com>")
    p = plan(new, view, Context(People(), OWNER), Options(today="2026-06-15"))
    assert (p.decision, p.draft) == (IGNORE, None), "14 days after the owner's word"
