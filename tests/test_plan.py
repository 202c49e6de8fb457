"""The planner, table-tested: no server, no database, no files.

Each case is a notification, the state as the planner may read it, and what the plan must
say: the decision, whether a draft is ordered (and for which conversation), which of our
drafts become stale, and the conversation remembered afterwards.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field, replace

import pytest

from mailbot.identity import key_token, normalise_name
from mailbot.notifications.model import Notification, Requester
from mailbot.plan import Options, Plan, discarded, plan, settle
from mailbot.records import Conversation, DraftRecord, Parent, Verdict
from mailbot.rules import ASK, EXPLAIN, IGNORE, KNOWN, REVIEW, SKIP, Context

OWNER = frozenset({"robin@owner.example"})
JANE = "https://www.linkedin.com/in/jane-doe-1"
IMPOSTER = "https://www.linkedin.com/in/jane-doe-imposter"
INV = "linkedin:invitation:6001"


@dataclass
class MemoryView:
    """The state as the planner sees it, held in memory."""

    conversations: list[Conversation] = field(default_factory=list)
    drafts: list[DraftRecord] = field(default_factory=list)
    handled_ids: set[str] = field(default_factory=set)
    invitations: dict[str, str] = field(default_factory=dict)  # re-sends' ids -> person

    def apply(self, plan: Plan) -> None:
        """What the executor would remember of a plan."""
        if plan.save is not None:
            self.conversations = [c for c in self.conversations if c.person != plan.save.person]
            self.conversations.append(plan.save)
        if plan.invitation and plan.person:
            self.invitations.setdefault(plan.invitation, plan.person)

    def conversation(self, person: str) -> Conversation | None:
        return next((c for c in self.conversations if c.person == person), None)

    def conversation_by_invitation(self, invitation: str) -> Conversation | None:
        person = self.invitations.get(invitation)
        return next(
            (c for c in self.conversations if invitation == c.invitation or c.person == person),
            None,
        )

    def conversations_by_name(self, name_key: str, network: str | None) -> list[Conversation]:
        return [c for c in self.conversations if c.name_key == name_key and c.network == network]

    def handled(self, message_id: str | None) -> bool:
        return message_id in self.handled_ids

    def draft_answered_by(self, message_ids: tuple[str, ...]) -> DraftRecord | None:
        return next((d for d in self.drafts if d.message_id in message_ids), None)

    def stored_drafts(self, person: str) -> list[DraftRecord]:
        return [d for d in self.drafts if d.person == person and d.state == "stored"]


@dataclass
class People:
    known: dict[str, Verdict] = field(default_factory=dict)

    def assess(self, requester: Requester) -> Verdict:
        return self.known.get(requester.name, Verdict())


def invitation(
    name: str = "Jane Doe",
    *,
    profile: str | None = None,
    key: str | None = INV,
    note: str | None = None,
    email: str | None = None,
    mid: str = "<inv-1@linkedin.com>",
    **extra: object,
) -> Notification:
    fallback = f"linkedin:name:{name.lower()}"
    return Notification(
        kind="invitation",
        network="linkedin",
        requester=Requester(name=name, profile_url=profile, email=email),
        note=note,
        language="en",
        key=key or fallback,
        message_id=mid,
        subject=f"{name} wants to connect",
        **extra,  # type: ignore[arg-type]
    )


def message(
    name: str, text: str, *, profile: str | None = None, mid: str = "<msg-1@linkedin.com>"
) -> Notification:
    return Notification(
        kind="message",
        network="linkedin",
        requester=Requester(name=name, profile_url=profile),
        note=text,
        message_id=mid,
        subject=f"{name} sent you a message",
    )


def email_answer(
    text: str,
    *,
    to: str = "<ask-1.mailbot@owner.example>",
    mid: str = "<re-1@mail.example>",
    **extra: object,
) -> Notification:
    return Notification(
        kind="other",
        message_id=mid,
        subject="Re: I want to connect",
        sender="jane@mail.example",
        references=(to,),
        text=text,
        **extra,  # type: ignore[arg-type]
    )


def conversation(
    person: str = "linkedin:jane-doe-1",
    *,
    name: str = "Jane Doe",
    status: str = "asked",
    profile: str | None = JANE,
    invitation_id: str | None = INV,
) -> Conversation:
    return Conversation(
        person=person,
        name_key=normalise_name(name),
        name=name,
        network="linkedin",
        profile_url=profile,
        email=None,
        language="en",
        status=status,
        reason="",
        link=profile or invitation_id,
        invitation=invitation_id,
    )


def ask_draft(person: str = "linkedin:jane-doe-1", state: str = "stored") -> DraftRecord:
    return DraftRecord(
        key_token(f"{person}||ask|"),
        person,
        "ask",
        "<ask-1.mailbot@owner.example>",
        "Drafts",
        "d1",
        state,
    )


def run(
    n: Notification, view: MemoryView | None = None, people: People | None = None, **options: bool
) -> Plan:
    return plan(n, view or MemoryView(), Context(people or People(), OWNER), Options(**options))


# -- invitations --------------------------------------------------------------------------


def test_a_stranger_without_a_note_is_asked_and_remembered_with_the_invitation_id() -> None:
    p = run(invitation(profile=JANE))
    assert (p.decision, p.person) == (ASK, "linkedin:jane-doe-1")
    assert p.draft is not None and p.draft.step == "ask"
    assert p.draft.token == key_token("linkedin:jane-doe-1|ask|")
    assert p.save is not None and (p.save.status, p.save.invitation) == ("asked", INV)
    assert p.draft.parent.message_id == "<inv-1@linkedin.com>"


@pytest.mark.parametrize(
    ("first", "reminder"),
    [
        ({"profile": None}, {"profile": JANE}),  # defect 1: the link only in the reminder
        ({"profile": JANE}, {"profile": None}),  # the link only in the first mail
        ({"profile": None}, {"profile": None}),  # a guest invitation: first name only, twice
        ({"profile": JANE}, {"profile": "https://de.linkedin.com/in/jane-doe-1?trk=x"}),
    ],
)
def test_a_reminder_joins_its_invitation_whatever_its_layout(
    first: dict[str, str | None], reminder: dict[str, str | None]
) -> None:
    view = MemoryView()
    p1 = run(invitation(**first), view)  # type: ignore[arg-type]
    assert p1.decision == ASK and p1.save is not None
    view.conversations.append(p1.save)
    p2 = run(invitation(mid="<reminder@linkedin.com>", **reminder), view)  # type: ignore[arg-type]
    assert p2.decision == ASK and p2.draft is None, p2
    assert p2.person == p1.person
    assert "already asked" in p2.reason


def test_a_reminder_fills_in_the_profile_link_the_first_mail_lacked() -> None:
    view = MemoryView([conversation(INV, profile=None)])
    p = run(invitation(profile=JANE, mid="<r@linkedin.com>"), view)
    assert p.save is None or p.save.profile_url == JANE


def test_a_reminder_without_the_invitation_id_joins_by_profile() -> None:
    view = MemoryView([conversation()])
    p = run(invitation(profile=JANE, key=None), view)
    assert (p.decision, p.draft) == (ASK, None)


def test_an_invitation_tied_by_name_alone_is_left_for_the_owner() -> None:
    """A name-only match for an invitation with an id of its own: a re-send without a
    link, or a namesake? Neither "already asked" (a lost request) nor a second ask."""
    view = MemoryView([conversation(INV, profile=None)])
    p = run(invitation(key="linkedin:invitation:7002", mid="<other@linkedin.com>"), view)
    assert (p.decision, p.draft, p.save) == (SKIP, None, None)
    assert "namesake" in p.reason


def test_a_resend_then_its_reminder_stay_one_conversation() -> None:
    """Re-sent under a new id (joined by profile), then that id's reminder without a link."""
    view = MemoryView()
    for n in (
        invitation(profile=JANE),
        invitation(profile=JANE, key="linkedin:invitation:6002", mid="<resend@x>"),
        invitation(profile=None, key="linkedin:invitation:6002", mid="<reminder@x>"),
    ):
        p = run(n, view)
        view.apply(p)
        assert p.person == "linkedin:jane-doe-1", p
    assert [c.person for c in view.conversations] == ["linkedin:jane-doe-1"]
    assert p.draft is None and p.decision == ASK


def test_a_first_name_alone_never_ties_a_message_to_a_conversation() -> None:
    guest = conversation("linkedin:invitation:6003", name="Lucía", profile=None)
    view = MemoryView([guest], [ask_draft("linkedin:invitation:6003")])
    p = run(
        message("Lucía", "No, we have never met.", profile="https://www.linkedin.com/in/lucia-99"),
        view,
    )
    assert (p.decision, p.draft, p.withdraw, p.save) == (SKIP, None, (), None)
    assert run(message("Lucía", "No, we have never met."), view).decision == SKIP


def test_a_message_with_a_link_the_conversation_lacks_is_left_for_the_owner() -> None:
    view = MemoryView([conversation(INV, profile=None)], [ask_draft(INV)])
    p = run(message("Jane Doe", "No, we have never met.", profile=JANE), view)
    assert (p.decision, p.draft, p.withdraw) == (SKIP, None, ())


def test_the_networks_own_auto_submitted_header_does_not_hide_an_answer() -> None:
    view = MemoryView([conversation()], [ask_draft()])
    n = replace(message("Jane Doe", "No, we have never met.", profile=JANE), auto_reply=True)
    assert run(n, view).decision == EXPLAIN


def test_a_namesake_with_another_profile_is_not_the_same_person() -> None:
    view = MemoryView([conversation()])
    p = run(invitation(profile=IMPOSTER, key="linkedin:invitation:7003"), view)
    assert p.decision == ASK and p.draft is not None
    assert p.person == "linkedin:jane-doe-imposter"


@pytest.mark.parametrize(
    ("status", "decision"),
    [("asked", ASK), ("explained", EXPLAIN), ("review", REVIEW), ("known", KNOWN)],
)
def test_a_resent_invitation_adds_no_draft_in_any_state(status: str, decision: str) -> None:
    view = MemoryView([conversation(status=status)])
    p = run(invitation(profile=JANE, key="linkedin:invitation:9999", mid="<again@x>"), view)
    assert (p.decision, p.draft, p.save) == (decision, None, None)


def test_a_known_person_gets_no_draft_and_their_stale_ask_is_withdrawn() -> None:
    view = MemoryView([conversation()], [ask_draft()])
    people = People({"Jane Doe": Verdict(known="Jane Doe is in your contacts")})
    p = run(invitation(profile=JANE, mid="<again@x>"), view, people)
    assert (p.decision, p.draft) == (KNOWN, None)
    assert p.withdraw == (ask_draft(),)
    assert p.save is not None and p.save.status == "known"


def test_welcome_draft_for_known_people_only_when_asked_for() -> None:
    people = People({"Jane Doe": Verdict(known="in contacts")})
    assert run(invitation(profile=JANE), people=people).draft is None
    welcomed = run(invitation(profile=JANE), people=people, welcome_known=True)
    assert welcomed.draft is not None and welcomed.draft.step == "welcome"


@pytest.mark.parametrize(
    ("note", "decision", "step"),
    [
        (None, ASK, "ask"),
        ("I came across your profile and would like to grow my network.", EXPLAIN, "explain"),
        ("We met at PyCon Berlin last spring.", REVIEW, None),
    ],
)
def test_the_note_decides_between_ask_explain_and_review(
    note: str | None, decision: str, step: str | None
) -> None:
    p = run(invitation(profile=JANE, note=note))
    assert p.decision == decision
    assert (p.draft.step if p.draft else None) == step


def test_a_near_namesake_goes_to_review() -> None:
    people = People({"Jane Doe": Verdict(near=("Janet Doe in contacts",))})
    p = run(invitation(profile=JANE), people=people)
    assert (p.decision, p.draft) == (REVIEW, None)


@pytest.mark.parametrize(
    ("n", "reason"),
    [
        (invitation(spam=True), "spam"),
        (invitation(email="robin@owner.example"), "own address"),
        (replace(invitation(), kind="suspicious", reasons=("copies the template",)), "look-alike"),
        (
            Notification(kind="other", reasons=("not from a known professional network",)),
            "not a connection request",
        ),
    ],
)
def test_ignored_whatever_else_they_say(n: Notification, reason: str) -> None:
    p = run(n, MemoryView([conversation()]))
    assert (p.decision, p.draft, p.save, p.withdraw) == (IGNORE, None, None, ())
    assert reason in p.reason


def test_a_message_the_parser_failed_on_is_skipped_for_the_owner_not_ignored() -> None:
    n = Notification(kind="other", message_id="<bad@x>", error="ValueError: boom")
    p = run(n)
    assert p.decision == SKIP and "ValueError: boom" in p.reason


def test_an_invitation_without_a_readable_sender_is_skipped_for_the_owner() -> None:
    n = replace(invitation(), requester=None)
    assert run(n).decision == SKIP


# -- answers --------------------------------------------------------------------------------


def test_a_no_answer_by_email_gets_the_explanation_threaded_to_it() -> None:
    view = MemoryView([conversation()], [ask_draft()])
    p = run(email_answer("No, we have never met, I'm just widening my network."), view)
    assert p.decision == EXPLAIN and p.draft is not None
    assert p.draft.token == key_token("linkedin:jane-doe-1|explain|<re-1@mail.example>")
    assert p.draft.parent.message_id == "<re-1@mail.example>"
    assert p.draft.requester.email == "jane@mail.example"
    assert p.withdraw == (ask_draft(),)
    assert p.save is not None and p.save.status == "explained"


def test_an_answer_read_twice_is_handled_once() -> None:
    view = MemoryView([conversation()], [ask_draft()], {"<re-1@mail.example>"})
    p = run(email_answer("No, we have never met."), view)
    assert (p.decision, p.draft, p.save) == (IGNORE, None, None)
    assert "already handled" in p.reason and p.name == "Jane Doe"


def test_an_automatic_reply_is_never_an_answer() -> None:
    view = MemoryView([conversation()], [ask_draft()])
    p = run(email_answer("I am out of the office until Monday.", auto_reply=True), view)
    assert (p.decision, p.draft, p.save, p.withdraw) == (IGNORE, None, None, ())


def test_a_reply_to_something_else_is_ignored() -> None:
    p = run(email_answer("No.", to="<someone-else@x>"), MemoryView([conversation()], [ask_draft()]))
    assert p.decision == IGNORE and "not to a draft of ours" in p.reason


def test_a_network_message_answers_by_profile() -> None:
    view = MemoryView([conversation()], [ask_draft()])
    p = run(message("Jane Doe", "No, we don't know each other.", profile=JANE), view)
    assert p.decision == EXPLAIN and p.draft is not None


def test_a_namesake_never_takes_over_a_conversation() -> None:
    """Defect 5: the links disagree, so the name alone does not match."""
    view = MemoryView([conversation()], [ask_draft()])
    p = run(message("Jane Doe", "No, we have never met.", profile=IMPOSTER), view)
    assert (p.decision, p.draft, p.save) == (IGNORE, None, None)


def test_a_message_without_a_link_falls_back_to_the_one_conversation_of_that_name() -> None:
    view = MemoryView([conversation()], [ask_draft()])
    p = run(message("Jane Doe", "No, we have never met."), view)
    assert p.decision == EXPLAIN


def test_a_message_without_a_link_matches_no_one_when_the_name_is_shared() -> None:
    twin = conversation("linkedin:jane-doe-2", profile="https://www.linkedin.com/in/jane-doe-2")
    view = MemoryView([conversation(), twin])
    assert run(message("Jane Doe", "No, we have never met."), view).decision == IGNORE


def test_a_claim_in_an_answer_goes_to_review_with_a_thanks_only_when_asked_for() -> None:
    view = MemoryView([conversation()], [ask_draft()])
    answer = email_answer("Yes, we met at the PyData meetup in March.")
    assert run(answer, view).draft is None
    p = run(answer, view, thanks_drafts=True)
    assert p.decision == REVIEW and p.draft is not None and p.draft.step == "thanks"


def test_an_answer_after_the_explanation_goes_to_review_and_withdraws_it() -> None:
    explain = replace(ask_draft(), token="t-explain", step="explain")
    view = MemoryView([conversation(status="explained")], [explain])
    p = run(message("Jane Doe", "Fair enough!", profile=JANE), view)
    assert (p.decision, p.draft, p.withdraw) == (REVIEW, None, (explain,))


def test_connected_makes_them_known_and_withdraws_our_drafts() -> None:
    view = MemoryView([conversation()], [ask_draft()])
    n = Notification(
        kind="other",
        network="linkedin",
        topic="accepted",
        requester=Requester("Jane Doe", profile_url=JANE),
    )
    p = run(n, view)
    assert (p.decision, p.withdraw) == (KNOWN, (ask_draft(),))
    assert p.save is not None and p.save.status == "known"


def test_the_same_inputs_always_give_the_same_plan() -> None:
    view = MemoryView([conversation()], [ask_draft()])
    answer = email_answer("No, we have never met.")
    assert run(answer, view) == run(answer, view)


def test_planning_imports_no_imap_sqlite_or_storage_code() -> None:
    code = (
        "import sys, mailbot.plan, mailbot.rules, mailbot.conversation;"
        "print(sorted(m for m in ('sqlite3', 'imapclient', 'mailbot.store', 'mailbot.mailboxes.imap',"
        " 'mailbot.mailboxes.maildir', 'mailbot.people.index') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_parser_bug_becomes_a_skipped_message_for_the_owner(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fault injection: a parser that raises must not turn a request into a silent ignore."""
    from mailbot import notifications

    def broken(content: object) -> None:
        raise ValueError("parser bug")

    monkeypatch.setattr(notifications.linkedin, "classify", broken)
    raw = b"From: Jane <invitations@linkedin.com>\r\nMessage-ID: <x1@linkedin.com>\r\n\r\nhi\r\n"
    n = notifications.parse(raw)
    assert n.error == "ValueError: parser bug" and n.message_id == "<x1@linkedin.com>"
    p = run(n)
    assert p.decision == SKIP and "parser bug" in p.reason


@pytest.mark.parametrize(
    ("note", "decision"),
    [
        ("I came across your profile and would like to grow my network.", EXPLAIN),
        ("Hola, me gustaría ampliar mi red con profesionales del sector.", EXPLAIN),
        # plain networking in any form, a bare greeting or a wave included, is no tie
        # (issue 22: the learned scorer reads them; they used to come back as review)
        ("Hello!", EXPLAIN),
        ("👋", EXPLAIN),
        ("If we ever meet at a conference, coffee is on me.", REVIEW),
        ("Hej! Vi träffades på konferensen i Malmö förra året.", REVIEW),
        ("Great meeting you at SaaStr! We help teams cut cloud costs.", REVIEW),  # mixed
        ("Dobrý den, rád bych se s vámi spojil.", REVIEW),  # a language mailbot cannot read
    ],
)
def test_explain_only_on_positive_evidence_of_no_acquaintance(note: str, decision: str) -> None:
    assert run(invitation(profile=JANE, note=note)).decision == decision


def test_a_rude_answer_closes_the_conversation_without_a_draft() -> None:
    view = MemoryView([conversation()], [ask_draft()])
    p = run(email_answer("No, and what a pompous question. Forget it."), view)
    assert (p.decision, p.draft) == ("declined", None)
    assert p.save is not None and p.save.status == "declined"


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        ("Automatic reply: I want to connect", "Thank you for your message."),
        ("Abwesenheitsnotiz: I want to connect", "Vielen Dank für Ihre Nachricht."),
        ("Réponse automatique : I want to connect", "Merci pour votre message."),
        (
            "Re: I want to connect",
            "I am out of the office until 12 January with limited access to email.",
        ),
        # a tie named after the out-of-office is the auto-reply's, not an answer
        (
            "Re: I want to connect",
            "I am out of the office until Monday. For urgent matters please contact my "
            "colleague Jane Roe, who worked with me on the project.",
        ),
        (
            "Re: Have we met?",
            "Ich bin bis 3. Januar nicht im Büro. Bitte wenden Sie sich an meinen Kollegen.",
        ),
    ],
)
def test_an_automatic_reply_leaves_the_conversation_as_it_was(subject: str, text: str) -> None:
    view = MemoryView([conversation()], [ask_draft()])
    p = run(replace(email_answer(text), subject=subject), view)
    assert (p.decision, p.draft, p.save, p.withdraw) == (IGNORE, None, None, ())


@pytest.mark.parametrize(
    "note",
    [
        "Wir haben uns im Mai auf der Messe kennengelernt. Ich würde gerne mein Netzwerk erweitern.",
        "En mai nous nous sommes rencontrés au salon VivaTech, j'aimerais élargir mon réseau.",
        "We hebben elkaar pas vorige week ontmoet op de beurs, graag mijn netwerk uitbreiden.",
        "Je ne sais pas si nous nous sommes déjà croisés. Je souhaite élargir mon réseau.",
        "We've met before, I think. Keen to grow my network.",
        "I've applied for the Data Engineer role and I'm looking for new opportunities.",
        "I'm your new colleague in the Berlin office!",
        "Ich habe unter Ihnen als Sales Manager gearbeitet.",
        "Not long ago we met at the Web Summit, and I'd love to grow my network.",
    ],
)
def test_a_hint_of_a_tie_is_never_explained_away(note: str) -> None:
    """Found by a reviewer: a month, a Dutch "just", a contraction or a role word must not
    turn a tie into "positive evidence of none"."""
    assert run(invitation(profile=JANE, note=note)).decision == REVIEW


@pytest.mark.parametrize(
    ("text", "decision"),
    [
        ("Nein, nicht persönlich, aber wir haben schon oft telefoniert.", REVIEW),
        ("Yes, we met at the Automatica fair – your message made me smile", REVIEW),
        (
            "Ja, wir haben uns auf der Messe getroffen. Lassen Sie es mich wissen, wenn Sie Fragen haben.",
            REVIEW,
        ),
        # a jab at the question: rude wins over the "no" (issue 22), never a draft
        ("No, I don't think so. Don't forget it's just LinkedIn.", "declined"),
    ],
)
def test_answers_are_read_as_a_whole(text: str, decision: str) -> None:
    view = MemoryView([conversation()], [ask_draft()])
    assert run(email_answer(text), view).decision == decision


# -- the owner's word (`mailbot decide`) and what they did with our drafts -----------------


def settled(verdict: str, current: Conversation, view: MemoryView | None = None) -> Plan:
    return settle(verdict, current, view or MemoryView(), "2026-12-06")


def test_the_owners_verdict_is_remembered_with_its_date() -> None:
    current = replace(conversation(status="review"), parent_id="<inv-1@linkedin.com>")
    table = [
        (KNOWN, "known", None),
        (IGNORE, "ignored", None),
        (ASK, "asked", "ask"),
        (EXPLAIN, "explained", "explain"),
    ]
    for verdict, status, step in table:
        p = settled(verdict, current)
        assert p.decision == verdict and p.message_id is None, verdict
        assert p.save is not None and (p.save.status, p.save.decided) == (status, "2026-12-06")
        assert "2026-12-06" in p.reason
        assert (p.draft.step if p.draft else None) == step, verdict


def test_a_draft_on_the_owners_word_answers_their_latest_message_once() -> None:
    current = replace(
        conversation(status="review"), parent_id="<answer@mail.example>", parent_subject="Re: hi"
    )
    first, again = settled(ASK, current), settled(ASK, current)
    assert first.draft is not None and again.draft is not None
    assert first.draft.parent.message_id == "<answer@mail.example>"
    assert first.draft.parent.subject == "Re: hi"
    assert first.draft.token == again.draft.token  # asked twice: found in Drafts, not doubled
    assert first.draft.token != key_token("linkedin:jane-doe-1|ask|")  # not the first ask's


def test_the_owners_word_withdraws_our_other_drafts_but_not_the_one_it_orders() -> None:
    current = replace(conversation(status="asked"), parent_id="<inv-1@linkedin.com>")
    view = MemoryView(drafts=[ask_draft()])
    p = settled(EXPLAIN, current, view)
    assert [d.step for d in p.withdraw] == ["ask"]
    assert settled(IGNORE, current, view).withdraw == (ask_draft(),)
    ordered = settled(ASK, current, view)
    view.drafts.append(
        replace(ask_draft(), token=ordered.draft.token if ordered.draft else "", message_id="<x>")
    )
    assert [d.message_id for d in settled(ASK, current, view).withdraw] == [
        "<ask-1.mailbot@owner.example>"
    ]


def test_known_by_the_owner_stays_known_for_reminders_messages_and_new_invitations() -> None:
    view = MemoryView(conversations=[conversation(status="known")], invitations={INV: JANE})
    for n in (
        invitation(profile=JANE, mid="<reminder@linkedin.com>"),
        invitation(profile=JANE, key="linkedin:invitation:9999", mid="<new@linkedin.com>"),
        message("Jane Doe", "No, we have never met", profile=JANE),
    ):
        p = run(n, view)
        assert (p.decision, p.draft) == (KNOWN, None), n.message_id


def ignored(decided: str) -> MemoryView:
    closed = replace(conversation(status="ignored"), decided=decided)
    return MemoryView(conversations=[closed], invitations={INV: "linkedin:jane-doe-1"})


@pytest.mark.parametrize(
    ("decided", "key", "decision"),
    [
        ("2026-12-01", INV, IGNORE),  # a reminder of the ignored invitation
        ("2025-01-01", INV, IGNORE),  # a reminder, however late
        ("2026-11-01", "linkedin:invitation:9999", IGNORE),  # a re-send weeks later
        ("2026-09-08", "linkedin:invitation:9999", IGNORE),  # 89 days: still a re-send
        ("2026-09-07", "linkedin:invitation:9999", ASK),  # 90 days: a new request
        ("2026-03-01", "linkedin:invitation:9999", ASK),  # months later: afresh
    ],
)
def test_an_ignored_request_stays_closed_until_a_new_invitation_months_later(
    decided: str, key: str, decision: str
) -> None:
    n = invitation(profile=JANE, key=key, mid="<later@linkedin.com>")
    p = plan(n, ignored(decided), Context(People(), OWNER), Options(today="2026-12-06"))
    assert p.decision == decision
    assert (p.draft is not None) == (decision == ASK)
    if p.draft is not None:  # a new token: the old, withdrawn draft does not stand in for it
        assert p.draft.token != key_token("linkedin:jane-doe-1|ask|")
        assert p.save is not None and p.save.status == "asked" and p.save.decided is None


def test_an_ignored_conversation_takes_no_answer() -> None:
    p = run(message("Jane Doe", "No, we have never met", profile=JANE), ignored("2026-12-01"))
    assert (p.decision, p.draft) == (IGNORE, None)


@pytest.mark.parametrize(
    ("status", "step", "closes"),
    [
        ("asked", "ask", True),
        ("explained", "explain", True),
        ("explained", "ask", False),  # the conversation moved on since that draft
        ("review", "ask", False),
        ("known", "ask", False),
    ],
)
def test_an_email_draft_deleted_unsent_closes_its_conversation(
    status: str, step: str, closes: bool
) -> None:
    current = conversation(status=status)
    draft = replace(ask_draft(state="discarded"), step=step, recipient="jane@mail.example")
    p = discarded(draft, current, MemoryView(), "2026-12-06")
    if not closes:
        assert p is None
        return
    assert p is not None and p.decision == IGNORE and p.message_id is None
    assert p.save is not None and p.save.status == "ignored"
    assert "without sending it" in p.reason


def test_a_conversation_keeps_headline_common_connections_evidence_and_latest_message() -> None:
    n = replace(
        invitation(profile=JANE, note="we met at PyCon"),
        requester=Requester("Jane Doe", "CTO at Acme", JANE, None, "12 connections in common"),
    )
    near = People({"Jane Doe": Verdict(near=("Jane Doh: one letter apart",))})
    p = run(n, people=near)
    assert p.save is not None
    assert (p.save.headline, p.save.common) == ("CTO at Acme", "12 connections in common")
    assert p.save.details == "Jane Doh: one letter apart"
    assert (p.save.parent_id, p.save.parent_subject) == (n.message_id, n.subject)
    view = MemoryView(conversations=[p.save])
    answer = run(message("Jane Doe", "hello again", profile=JANE, mid="<m2@linkedin.com>"), view)
    assert answer.save is not None and answer.save.parent_id == "<m2@linkedin.com>"
    assert answer.save.headline == "CTO at Acme"  # kept: the message does not show it


@pytest.mark.parametrize(
    ("text", "decision"),
    [
        ("Yes, we met on holiday in Crete last summer!", REVIEW),  # an answer, not an away note
        ("No, we have never met. I'm on vacation now, but happy to chat later.", EXPLAIN),
        ("We worked together at Acme. I am out of the office this week though.", REVIEW),
    ],
)
def test_an_answer_that_mentions_being_away_is_still_an_answer(text: str, decision: str) -> None:
    p = run(email_answer(text), MemoryView([conversation()], [ask_draft()]))
    assert p.decision == decision


# -- what a conversation remembers, field by field (found by mutation testing) -------------


def remembered(status: str = "asked", **fields: object) -> Conversation:
    """A conversation with every field set, so that what a step keeps or replaces shows."""
    full = replace(
        conversation(status=status),
        email="old@mail.example",
        language="fr",
        reason="before",
        updated="2026-11-01T10:00:00",
        headline="Intern at Acme",
        common="3 connections in common",
        details="mail received from them",
        parent_id="<inv-1@linkedin.com>",
        parent_subject="Jane Doe wants to connect",
        parent_refs="<r0@linkedin.com>",
        decided="2026-11-02",
    )
    return replace(full, **fields)  # type: ignore[arg-type]


def test_the_owners_word_drafts_to_the_person_as_remembered_threaded_to_their_latest() -> None:
    current = remembered("review", parent_refs="<r0@x> <r1@x>")
    p = settle(EXPLAIN, current, MemoryView(drafts=[ask_draft()]), "2026-12-06")
    assert p.draft is not None
    assert p.draft == replace(
        p.draft,
        step="explain",
        token=key_token("linkedin:jane-doe-1|explain|owner:<inv-1@linkedin.com>"),
        requester=Requester("Jane Doe", "Intern at Acme", JANE, "old@mail.example"),
        network="linkedin",
        parent=Parent("<inv-1@linkedin.com>", "Jane Doe wants to connect", ("<r0@x>", "<r1@x>")),
        languages=("fr",),
    )
    assert (p.message_id, p.name, p.person, p.withdraw) == (
        None,
        "Jane Doe",
        "linkedin:jane-doe-1",
        (ask_draft(),),
    )
    # the owner's word replaces the status, the reason and the date; nothing else
    assert p.save == replace(current, status="explained", reason=p.reason, decided="2026-12-06")
    # nothing of theirs to answer yet: the draft is keyed by the person
    bare = settle(ASK, replace(current, parent_id=None), MemoryView(), "2026-12-06")
    assert bare.draft is not None
    assert bare.draft.token == key_token("linkedin:jane-doe-1|ask|owner:linkedin:jane-doe-1")


def test_a_deleted_draft_closes_the_conversation_as_the_owners_own_word() -> None:
    current = remembered("asked")
    draft = ask_draft(state="discarded")
    p = discarded(draft, current, MemoryView(drafts=[ask_draft()]), "2026-12-06")
    assert p is not None
    assert (p.message_id, p.name, p.person, p.draft) == (
        None,
        "Jane Doe",
        "linkedin:jane-doe-1",
        None,
    )
    assert p.fates == ((draft.token, "discarded"),) and p.withdraw == (ask_draft(),)
    assert p.save == replace(current, status="ignored", reason=p.reason, decided="2026-12-06")
    assert "(2026-12-06)" in p.reason


def test_an_answer_updates_what_it_shows_and_keeps_the_rest() -> None:
    current = remembered("asked", email="Jane@Mail.example")  # an answer comes from them
    n = email_answer("Hello! How are you?", thread=("<t1@x>", "<t2@x>"))
    p = run(n, MemoryView([current], [ask_draft()]))
    assert p.decision == REVIEW
    assert p.save == replace(
        current,
        status="review",
        reason=p.reason,
        email="jane@mail.example",  # as they wrote it
        parent_id="<re-1@mail.example>",
        parent_subject="Re: I want to connect",
        parent_refs="<t1@x> <t2@x>",
        decided=None,  # they moved it on since the owner's word
    )


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("review", "new"),  # review shows the latest message
        ("known", "before"),  # a settled conversation keeps its reason
        ("declined", "before"),
    ],
)
def test_a_message_to_a_conversation_that_does_not_move(status: str, reason: str) -> None:
    current = remembered(status)
    p = run(
        message("Jane Doe", "hello again", profile=JANE, mid="<m2@linkedin.com>"),
        MemoryView([current]),
    )
    assert p.save is not None
    assert p.save.reason == (p.reason if reason == "new" else "before")
    assert (p.save.status, p.save.decided) == (status, "2026-11-02")  # the owner's word stays
    assert (p.save.parent_id, p.save.parent_subject, p.save.parent_refs) == (
        "<m2@linkedin.com>",
        "Jane Doe sent you a message",
        "",
    )


def test_known_on_a_new_invitation_takes_its_headline_link_and_evidence() -> None:
    current = remembered("asked", profile_url=None, language=None, invitation=None)
    n = replace(
        invitation(profile=JANE, mid="<again@linkedin.com>", thread=("<a@x>",)),
        requester=Requester("Jane Doe", "CTO at Acme", JANE, None, "12 connections in common"),
    )
    people = People(
        {"Jane Doe": Verdict(known="Jane Doe is in your contacts", evidence=("mail from her",))}
    )
    view = MemoryView([current], invitations={INV: "linkedin:jane-doe-1"})
    p = run(n, view, people)
    assert p.decision == KNOWN
    assert p.save == replace(
        current,
        status="known",
        reason=p.reason,
        profile_url=JANE,  # the link the first mail lacked
        language=None,  # no words of theirs: the notification's language is the owner's
        invitation=INV,
        headline="CTO at Acme",
        common="12 connections in common",
        details="mail from her",  # the latest evidence
        parent_id="<again@linkedin.com>",
        parent_subject="Jane Doe wants to connect",
        parent_refs="<a@x>",
        decided=None,
    )


def test_connected_without_a_message_id_keeps_the_latest_message() -> None:
    current = remembered("asked", invitation=None)
    n = Notification(
        kind="other",
        network="linkedin",
        topic="accepted",
        requester=Requester("Jane Doe", profile_url=JANE),
        key="linkedin:invitation:5",  # not an invitation: not remembered as one
    )
    p = run(n, MemoryView([current]))
    assert p.save == replace(current, status="known", reason=p.reason)


def test_a_first_invitation_is_remembered_whole() -> None:
    n = replace(
        invitation(key="linkedin:invitation:77", note="we met at PyCon", thread=("<a@x>", "<b@x>")),
        requester=Requester("Jane Doe", "CTO at Acme", None, "jane@mail.example", "2 in common"),
    )
    evidence = ("mail from jane@mail.example", "one letter from Jane Doh")
    p = run(n, people=People({"Jane Doe": Verdict(evidence=evidence)}))
    assert p.save == Conversation(
        person="linkedin:invitation:77",
        name_key="jane doe",
        name="Jane Doe",
        network="linkedin",
        profile_url=None,
        email="jane@mail.example",
        language="en",
        status="review",
        reason=p.reason,
        link="linkedin:invitation:77",
        invitation="linkedin:invitation:77",
        headline="CTO at Acme",
        common="2 in common",
        details="mail from jane@mail.example\none letter from Jane Doh",
        parent_id="<inv-1@linkedin.com>",
        parent_subject="Jane Doe wants to connect",
        parent_refs="<a@x> <b@x>",
    )


@pytest.mark.parametrize(
    ("key", "invitation_id"),
    [
        ("linkedin:invitation:9999", "linkedin:invitation:9999"),  # its re-sends join it
        (None, None),  # no invitation id: nothing to tie
    ],
)
def test_an_invitation_to_an_ignored_conversation_is_tied_to_it(
    key: str | None, invitation_id: str | None
) -> None:
    n = invitation(profile=JANE, key=key, mid="<later@linkedin.com>")
    p = plan(n, ignored("2026-11-01"), Context(People(), OWNER), Options(today="2026-12-06"))
    assert p == Plan(
        "<later@linkedin.com>",
        "Jane Doe",
        IGNORE,
        "already ignored: a reminder or another invitation from Jane Doe",
        person="linkedin:jane-doe-1",
        invitation=invitation_id,
    )


@pytest.mark.parametrize(
    ("decided", "updated", "key", "decision"),
    [
        (None, "2026-03-01T10:00:00", "linkedin:invitation:9999", ASK),  # no word: last change
        (None, "2026-11-01T10:00:00", "linkedin:invitation:9999", IGNORE),
        ("not a date", "", "linkedin:invitation:9999", IGNORE),  # unreadable: stays closed
        ("2026-03-01T10:00:00", "", "linkedin:invitation:9999", ASK),  # the date counts
        ("2026-03-01", "", None, IGNORE),  # no invitation id: a reminder, however late
    ],
)
def test_when_an_ignored_request_opens_again(
    decided: str | None, updated: str, key: str | None, decision: str
) -> None:
    view = ignored("2026-03-01")
    view.conversations = [replace(view.conversations[0], decided=decided, updated=updated)]
    n = invitation(profile=JANE, key=key, mid="<later@linkedin.com>")
    p = plan(n, view, Context(People(), OWNER), Options(today="2026-12-06"))
    assert p.decision == decision


@pytest.mark.parametrize(
    ("state", "step", "decision"),
    [
        ("discarded", "ask", EXPLAIN),  # it was sent after all: the conversation goes on
        ("gone", "ask", EXPLAIN),
        ("missing", "ask", EXPLAIN),
        ("stored", "ask", IGNORE),  # closed by the owner, not by a deleted draft
        ("sent", "ask", IGNORE),
        ("discarded", "thanks", IGNORE),  # a draft with no status of its own
    ],
)
def test_an_answer_to_a_draft_thought_deleted_opens_the_conversation_again(
    state: str, step: str, decision: str
) -> None:
    draft = replace(ask_draft(state=state), step=step)
    view = MemoryView([conversation(status="ignored")], [draft])
    p = run(email_answer("No, we have never met, just growing my network"), view)
    assert p.decision == decision
    assert (p.draft.step if p.draft else None) == ("explain" if decision == EXPLAIN else None)


def test_a_first_invitation_with_a_profile_links_to_it() -> None:
    p = run(invitation(profile=JANE))
    assert p.save is not None and (p.save.profile_url, p.save.link) == (JANE, JANE)


def test_the_owners_word_is_the_reason_even_when_the_status_stays() -> None:
    current = remembered("ignored")  # closed by a deleted draft, now the owner's word
    p = settle(IGNORE, current, MemoryView(), "2026-12-06")
    assert p.save is not None and p.save.reason == p.reason != "before"


def test_an_answer_drafts_to_the_person_remembered_in_their_language() -> None:
    current = remembered("asked", email="jane@mail.example")
    p = run(
        email_answer("No, we have never met, just growing my network"),
        MemoryView([current], [ask_draft()]),
    )
    assert p.name == "Jane Doe" and p.draft is not None
    assert p.draft.requester == Requester("Jane Doe", None, JANE, "jane@mail.example")
    current = remembered("asked")  # old@mail.example
    assert p.draft.languages == ("en", "fr")  # the answer's, then the conversation's
    # a network message comes from the network's address: the remembered one stays
    n = replace(
        message("Jane Doe", "No, we never met", profile=JANE), sender="noreply@linkedin.com"
    )
    answered = run(n, MemoryView([current]))
    assert answered.draft is not None and answered.draft.requester.email == "old@mail.example"


def test_an_empty_answer_is_shown_empty() -> None:
    p = run(email_answer(""), MemoryView([conversation()], [ask_draft()]))
    assert p.reason == "Jane Doe answered, unclear: \u201c\u201d"


def test_an_open_conversation_never_starts_afresh() -> None:
    old = replace(conversation(status="asked"), decided="2026-01-01")
    view = MemoryView([old], invitations={INV: "linkedin:jane-doe-1"})
    n = invitation(profile=JANE, key="linkedin:invitation:9999", mid="<later@linkedin.com>")
    p = plan(n, view, Context(People(), OWNER), Options(today="2026-12-06"))
    assert (p.decision, p.draft) == (ASK, None)


def test_the_draft_is_in_the_language_of_the_note_first() -> None:
    p = run(
        invitation(
            profile=JANE, note="Bonjour, je ne vous connais pas, je souhaite élargir mon réseau."
        )
    )
    assert p.draft is not None and p.draft.languages == ("fr", None)
    assert p.save is not None and p.save.language == "fr"


def test_the_notification_language_says_nothing_about_the_requester() -> None:
    """A notification is written in the owner's LinkedIn language: a German one with a
    Dutch note gets a Dutch reply, and one with no note the owner's MAILBOT_LANGUAGE."""
    note = "Hallo Robin, ik ken je niet, maar ik wil graag mijn netwerk uitbreiden."
    p = run(replace(invitation(profile=JANE, note=note), language="de"))
    assert p.draft is not None and p.draft.languages == ("nl", None)
    p = run(replace(invitation(profile=JANE), language="de"))
    assert p.draft is not None and p.draft.languages == (None, None)
    assert p.save is not None and p.save.language is None


def test_a_few_words_in_a_language_without_templates_keep_the_one_they_wrote_before() -> None:
    current = replace(conversation(), language="de")
    answer = email_answer("Nej, vi har aldrig mødt hinanden, jeg vil bare udvide mit netværk.")
    p = run(answer, MemoryView([current], [ask_draft()]))
    assert p.draft is not None and p.draft.languages == ("da", "de")  # German drafted
    assert p.save is not None and p.save.language == "de"  # and German later too


def test_their_answer_says_their_language_before_their_note() -> None:
    current = replace(conversation(), language="fr")
    p = run(
        email_answer("Nein, wir kennen uns nicht, ich möchte nur mein Netzwerk erweitern."),
        MemoryView([current], [ask_draft()]),
    )
    assert p.draft is not None and p.draft.languages == ("de", "fr")
    assert p.save is not None and p.save.language == "de"


# -- an answer comes from the person of the conversation (issue 24) -----------------------


@pytest.mark.parametrize(
    "text", ["No, and what a pompous question. Forget it.", "No, we have never met."]
)
def test_a_third_partys_mail_threaded_to_a_conversation_is_no_answer(text: str) -> None:
    """Our drafts' Message-IDs can be computed: anyone can thread a mail to them. From
    another address than the person's, it is shown to the owner (skipped, listed by
    `mailbot status`) and the conversation stays exactly as it was."""
    current = replace(conversation(), email="jane@mail.example")
    ours = replace(ask_draft(), recipient="jane@mail.example")
    forged = replace(email_answer(text), sender="mallory@pitch.example")
    p = run(forged, MemoryView([current], [ours]))
    assert (p.decision, p.draft, p.save, p.withdraw) == (SKIP, None, None, ())
    assert "mallory@pitch.example" in p.reason and "not their answer" in p.reason
    # our draft's recipient is theirs too, when the conversation has no address
    p = run(forged, MemoryView([conversation()], [ours]))
    assert (p.decision, p.save) == (SKIP, None)
    # their own answer still counts, the address written in any case
    theirs = replace(email_answer(text), sender="Jane@Mail.Example")
    p = run(theirs, MemoryView([current], [ours]))
    assert p.decision != SKIP and p.save is not None


def test_a_network_message_from_another_profile_is_no_answer() -> None:
    """Tied by the invitation id, but from another profile than the conversation's."""
    n = replace(message("Jane Doe", "No, and what a pompous question.", profile=IMPOSTER), key=INV)
    view = MemoryView([conversation()], [ask_draft()], invitations={INV: "linkedin:jane-doe-1"})
    p = run(n, view)
    assert (p.decision, p.draft, p.save, p.withdraw) == (SKIP, None, None, ())
    assert IMPOSTER in p.reason
