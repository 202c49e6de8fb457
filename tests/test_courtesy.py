"""Issue 22's discourtesies, each made impossible by its cause: a namesake of someone the
owner knows, someone who sent the owner a meeting, a claim after a "no", rudeness with a
denial, the explanation's thanks for a message nobody sent."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_plan import (
    IMPOSTER,
    JANE,
    MemoryView,
    People,
    ask_draft,
    conversation,
    email_answer,
    invitation,
    run,
)

from mailbot import conversation as steps
from mailbot.plan import settle
from mailbot.records import Verdict
from mailbot.rules import ASK, DECLINED, EXPLAIN, REVIEW


def test_a_namesake_of_someone_the_owner_knows_is_reviewed_showing_both() -> None:
    known = replace(conversation(status="known"), reason="you said you know Jane Doe (2026-11-02)")
    p = run(invitation(profile=IMPOSTER, key="linkedin:invitation:7003"), MemoryView([known]))
    assert (p.decision, p.draft) == (REVIEW, None)
    assert JANE in p.reason and IMPOSTER in p.reason and "you said you know" in p.reason


def test_a_namesake_of_a_stranger_is_still_asked() -> None:
    asked = conversation(status="asked")
    p = run(invitation(profile=IMPOSTER, key="linkedin:invitation:7003"), MemoryView([asked]))
    assert p.decision == ASK


def test_the_same_profile_of_a_known_person_is_their_conversation_not_a_namesake() -> None:
    known = conversation(status="known")
    p = run(invitation(profile=JANE, key="linkedin:invitation:7003"), MemoryView([known]))
    assert p.decision == "known" and p.draft is None


def test_someone_who_sent_the_owner_a_meeting_is_reviewed_with_the_meeting() -> None:
    meeting = "jane@vendor.example: invited you to a meeting 'Demo' on 2026-10-01, which you did not accept"
    people = People({"Jane Doe": Verdict(doubt=(meeting,))})
    for note in (None, "Growing my network in fintech, happy to connect."):
        p = run(invitation(profile=JANE, note=note), people=people)
        assert (p.decision, p.draft) == (REVIEW, None), note
        assert "invited you to a meeting 'Demo'" in p.reason


def test_the_real_known_people_index_turns_a_meeting_invitation_into_doubt() -> None:
    from mailbot.notifications import Requester
    from mailbot.people.index import Correspondent
    from mailbot.people.known import KnownPeople

    class Index:
        def by_address(self, address: str) -> Correspondent | None:
            return None

        def by_name(self, name: str) -> list[Correspondent]:
            return [
                Correspondent(
                    "jane@vendor.example",
                    ("Jane Doe",),
                    0,
                    1,
                    0,
                    None,
                    None,
                    (),
                    invited=1,
                    meeting=("Demo", "2026-10-01"),
                )
            ]

        def near(self, name: str) -> list[tuple[Correspondent, str]]:
            return []

    verdict = KnownPeople(index=Index()).assess(Requester("Jane Doe"))  # type: ignore[arg-type]
    assert verdict.known is None and verdict.doubt and "did not accept" in verdict.doubt[0]


@pytest.mark.parametrize(
    "text",
    [
        "not in person, no, but you called me about the Product Manager role in January",
        "No we haven't met. But you emailed me about the data team last spring.",
    ],
)
def test_a_claim_after_a_no_is_reviewed_never_explained(text: str) -> None:
    view = MemoryView([conversation()], drafts=[ask_draft()])
    p = run(email_answer(text), view)
    assert p.decision == REVIEW and p.draft is None, p.reason


@pytest.mark.parametrize(
    "text",
    [
        "no we don't know each other, stop wasting my time",
        "No. And frankly this message is pathetic.",
        "Nein, wir kennen uns nicht. Hören Sie auf, meine Zeit zu verschwenden.",
        "No, no nos conocemos. Deja de hacerme perder el tiempo.",
    ],
)
def test_rude_wins_over_a_denial_no_draft_closed_as_declined(text: str) -> None:
    view = MemoryView([conversation()], drafts=[ask_draft()])
    p = run(email_answer(text), view)
    assert p.draft is None, p.reason
    assert p.save is not None and p.save.status == DECLINED, p.reason


def test_the_explanation_thanks_for_a_message_only_when_there_was_one() -> None:
    settled = settle(EXPLAIN, conversation(status="review"), MemoryView(), "2026-12-07")
    assert settled.draft is not None and settled.draft.wrote is False
    noted = run(invitation(profile=JANE, note="Growing my network, let's connect!"))
    if noted.draft is not None:  # explained by the scorer: it thanks them for the note
        assert noted.draft.wrote is True
    answered = run(
        email_answer("No, we have never met."), MemoryView([conversation()], drafts=[ask_draft()])
    )
    assert answered.draft is not None and answered.draft.wrote is True


def test_answer_says_rude_before_a_claim_before_a_no() -> None:
    from mailbot import scorer

    calm = scorer.Model(-5.0, {}, 0.5, 0.2)  # the scorer sees nothing either way
    models = {name: calm for name in scorer.MODELS}
    models["answer_no"] = scorer.Model(-5.0, {}, 0.5, 0.0)  # a rule's "no" is enough
    with scorer.installed(models):
        scores = scorer.answer("whatever")
    cases = [
        (("idiot", "we met", "no"), steps.RUDE),
        ((None, "we met", "no"), steps.YES),
        ((None, None, "no"), steps.NO),
        ((None, None, None), steps.UNSURE),
    ]
    for (rude, claim, denial), says in cases:
        assert steps.answer_says(steps.Reading(rude, claim, denial, scores)) == says


# -- found by the review of this change (each failed before its fix) ---------------------


@pytest.mark.parametrize(
    "note",
    [
        "I'd like to add you to my network as we worked together at Acme.",
        "I'm expanding my network and wanted to connect after our call last week.",
        "I'm expanding my network in fintech; would love to connect because you hired me at Stripe in 2019.",
        "We worked together at Acme years ago, though we never actually met in person. Let's connect!",
        "You were my manager at Acme (remotely), we never actually met in person.",
        "I'm growing my network. You interviewed me a few years before you left Acme.",
        "Wanted to connect after we met at the Berlin meetup.",
        "I miss working together at Acme!",
        "Hi Robin, I saw your talk, maybe we know each other?",
        "Hallo Robin, ich habe Ihren Vortrag gesehen, vielleicht kennen wir uns?",
    ],
)
def test_a_tie_next_to_a_wish_or_a_doubt_is_never_explained(note: str) -> None:
    p = run(invitation(profile=JANE, note=note))
    assert p.decision == REVIEW and p.draft is None, p.reason


@pytest.mark.parametrize(
    "note",
    [
        "Hope to meet you at Web Summit!",
        "Would be great to meet in person if you're going!",
        "Je n'ai pas encore postulé, j'aimerais en savoir plus sur l'équipe.",
        "Non ho ancora inviato la candidatura, vorrei qualche info in più.",
        "If we ever meet at a conference, coffee is on me.",
        "Nice to meet you virtually!",
    ],
)
def test_a_meeting_that_did_not_happen_is_no_claim(note: str) -> None:
    from mailbot import phrases

    assert phrases.claim(note) is None


@pytest.mark.parametrize(
    "greeting",
    [
        "Hi Robin (Rob),",
        "Hi Robin 👋,",
        'Hi Robert "Bob",',
        "Hallo Frau Prof. Dr. Robin Owner,",
        "hi robin,",
    ],
)
def test_the_default_text_after_any_greeting_is_no_note(greeting: str) -> None:
    from builders import invitation as mail

    from mailbot.notifications import parse

    n = parse(
        mail(
            "Nora Quinn",
            note=f"{greeting} I’d like to join your professional network",
            greeting=False,
        )
    )
    assert n.note is None


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Non, désolé pour la perte de temps.", "explained"),
        ("Nein, entschuldigen Sie die Zeitverschwendung.", "explained"),
        ("No sorry, I will withdraw my request then.", "explained"),
        ("No. Don't flatter yourself.", DECLINED),
        ("No. Unbelievable arrogance.", DECLINED),
        ("Non, t'es sérieux ? Ridicule", DECLINED),
        ("Nein.", "explained"),
    ],
)
def test_an_apology_is_no_insult_and_a_short_jab_is_one(text: str, status: str) -> None:
    view = MemoryView([conversation()], drafts=[ask_draft()])
    p = run(email_answer(text), view)
    assert p.save is not None and p.save.status == status, p.reason
    assert (p.draft is not None) == (status == "explained")
