"""The conversation rules: phrase rules per language, the state machine, per-language templates."""

from __future__ import annotations

import pytest

from mailbot import phrases
from mailbot.conversation import (
    ASKED,
    DECLINED,
    EXPLAINED,
    IGNORED,
    Step,
    on_answer,
    on_connected,
    on_discarded,
    on_invitation,
    on_owner,
)
from mailbot.records import Conversation
from mailbot.rules import ASK, EXPLAIN, IGNORE, KNOWN, REVIEW, Decision


@pytest.mark.parametrize(
    "text",
    [
        "No, we don't know each other, I'm just widening my network.",
        "We haven't met yet - I came across your profile.",
        "Non, on ne se connaît pas, je souhaite élargir mon réseau.",
        "Nein, wir kennen uns nicht. Ich möchte mein Netzwerk erweitern.",
    ],
)
def test_denials(text: str) -> None:
    assert phrases.denial(text) and not phrases.claim(text)


@pytest.mark.parametrize(
    "text",
    [
        "Yes, we met at the PyData meetup in March.",
        "You interviewed me for the platform role last year.",
        "Anna Schmidt suggested I contact you.",
        "Oui, nous nous sommes rencontrés au salon VivaTech.",
        "Wir haben uns auf der re:publica kennengelernt.",
        "Ich habe mich letztes Jahr bei Ihnen beworben.",
    ],
)
def test_claims_quote_the_sentence(text: str) -> None:
    said = phrases.claim(text)
    assert said and said in text and not phrases.denial(text)


def _answered(text: str) -> str | None:
    """The draft mailbot makes when `text` answers our "have we met?" (None: the owner reads it)."""
    return on_answer(text, conv(ASKED), thanks=False).draft


# Answers that say no, phrased in ways the families in phrases.py cover.
NO_ANSWERS = [
    # "I don't think so" (the text is folded, "don't" reads "do not")
    "I don't think so.",
    "I don't believe so, sorry!",
    "Je ne pense pas, non.",
    "Ich glaube nicht.",
    "Creo que no.",
    "Credo di no, mi dispiace.",
    "Acho que não.",
    "Ik denk het niet.",
    "Jag tror inte det.",
    "Nie sądzę.",
    # a whole-clause no, with what is said around it: a hedge, a laugh, a particle, a dash
    "Sadly not!",
    "I'm afraid not, I found you through a search for CFOs.",
    "Haha no, I just liked your post.",
    "Hi Robin, no – I saw your post.",
    "Ah non, pas du tout.",
    "Ehrlich gesagt nicht – ich habe Ihren Beitrag gelesen.",
    "Hallo, nein – ich habe Ihren Beitrag gelesen.",
    "Pues no 😅",
    "In realtà no.",
    "Na verdade não.",
    "Nee hoor, ik zag je post.",
    "Niet echt.",
    "Nej då.",
    "Faktiskt inte.",
    "Właściwie nie.",
    # "not that I recall", "it doesn't ring a bell"
    "Not to my knowledge.",
    "Not as far as I know.",
    "Your name doesn't ring a bell, sorry.",
    "Pas que je sache.",
    "Meines Wissens nicht.",
    "Soweit ich weiß, nicht.",
    "Que yo recuerde, no.",
    "Non mi risulta.",
    "Que eu saiba, não.",
    "Niet dat ik me kan herinneren.",
    "Inte som jag minns.",
    "Nie kojarzę.",
    # "I don't think we've met", the negation covering the clause it introduces
    "I don't think we've ever met.",
    "I don't believe we've ever met in person.",
    "I don't think we have, sorry – I connect with most people in fintech.",
    "Je ne pense pas que nous nous soyons rencontrés.",
    "Ich glaube nicht, dass wir uns kennengelernt haben.",
    "No creo que nos conozcamos.",
    "Non credo che ci siamo mai visti.",
    "Ik denk niet dat we elkaar kennen.",
    "Jag tror inte att vi har träffats.",
    # paths that never crossed
    "Our paths haven't crossed yet.",
    "Unsere Wege haben sich nie gekreuzt.",
    "Nunca hemos coincidido.",
    "Le nostre strade non si sono mai incrociate.",
    "Onze paden hebben elkaar nooit gekruist.",
    "Nasze drogi się nie skrzyżowały.",
    # not in person
    "Not personally.",
    "Pas personnellement.",
    "Persönlich nicht.",
    "En persona no.",
    "Não nos conhecemos pessoalmente.",
    "Niet persoonlijk.",
    "Inte personligen.",
    "Osobiście nie.",
    # a reason given without the word no: how they found the owner
    "LinkedIn suggested you.",
    "Your name came up in my feed.",
    "Ich bin über Ihren Beitrag auf Sie aufmerksam geworden.",
    "LinkedIn m'a suggéré votre profil.",
    "Me llamó la atención tu publicación sobre logística.",
    "Mi è comparso il suo profilo tra i suggerimenti.",
    "Me deparei com seu perfil.",
    "Ik zag je post over de arbeidsmarkt.",
    "Jag hittade din profil.",
    "Zobaczyłam Pana post o pracy zdalnej.",
]
# Near misses: a tie, a hint of one, mixed signals or doubt. Never the explanation.
NOT_A_NO = [
    "Yes, we met at the PyData meetup in March.",
    "No, but my colleague Anna introduced us.",
    # "no" before a subject is the answer word, it negates nothing
    "No I think we met at PyCon last year.",
    # a denied belief negates its own clause only
    "I don't think we've met, but you interviewed me in 2019.",
    # contact that lapsed
    "We haven't talked since the Oslo offsite!",
    "Ça fait longtemps ! On s'est perdus de vue après Lyon.",
    "Lange nicht gesehen!",
    "Ehrlich gesagt nicht mehr – wir haben uns seit dem Studium nicht gesehen.",
    "Hace años que no hablamos.",
    "Non ci sentiamo da anni!",
    "Não falamos há anos!",
    "We hebben elkaar al jaren niet gesproken.",
    "Vi har inte setts sedan gymnasiet.",
    "Dawno się nie widzieliśmy!",
    # a self-correction or surprise
    "Not that I recall — oh wait, Lisbon 2019!",
    "Nope – hang on, were you at Deloitte?",
    "Je ne crois pas... ah si, au salon VivaTech !",
    "Nicht dass ich wüsste – ach doch, auf der Messe in Hannover!",
    "No que yo recuerde... ¡ah, sí! En Málaga.",
    "Nie przypominam sobie... chwila, czy to nie Pan był na Infoshare?",
    "No way, is that you Tom from Leeds?",
    # together somewhere, the same school or office
    "Nee, maar we zaten samen in de klas.",
    "Não, mas estivemos juntos no Web Summit.",
    "Nej, men vi gick samma utbildning.",
    "No, ma eravamo insieme al master.",
    "Non, mais nous étions dans la même école.",
    # worked together on something, the same project; an introduction by someone
    "Nein, aber wir haben mal zusammen an einem Pitch gearbeitet.",
    "No, pero trabajamos en el mismo proyecto para Iberdrola.",
    "Non, mais nous étions sur le même projet chez Airbus.",
    "Not really – only through Anna's introduction last month.",
    "Non, par l'intermédiaire de Julie seulement.",
    # a positive question that hints at a tie
    "Ik denk het niet, of was jij bij de Rabobank-dag?",
    # a tag question is no answer
    "Tenemos muchos contactos en común, así que puede ser, ¿no?",
    "We were both at Leeds Uni, right, no?",
    # a question that hints at a tie
    "I don't think so... weren't you at the Leeds meetup?",
    "Haven't we met before?",
    "Nein – waren Sie nicht auch bei Siemens?",
    # a doubt about the past, doubt itself
    "Not that I recall, but maybe at the Berlin summit?",
    "Niet dat ik weet, maar misschien op de beurs in Utrecht?",
    "No, although we might have met at a Bitkom event.",
    "No idea, sorry – where would that have been?",
    "No sé, la verdad.",
    # contact at a distance
    "Not personally, but we had a call about the Acme project.",
    "No, we haven't met in person, only on Zoom.",
    "Not in person, but we've exchanged a few emails.",
    # they think the owner won't remember them
    "Sie erinnern sich wahrscheinlich nicht an mich, aber ich habe Ihren Beitrag gelesen.",
    "You probably don't remember me, I saw your post on hiring and replied.",
]


@pytest.mark.parametrize("text", NO_ANSWERS)
def test_no_answers_get_the_explanation(text: str) -> None:
    assert _answered(text) == "explain", (phrases.denial(text), phrases.claim(text))


@pytest.mark.parametrize("text", NOT_A_NO)
def test_near_misses_go_to_the_owner(text: str) -> None:
    assert _answered(text) != "explain", (phrases.denial(text), phrases.claim(text))


# Rude answers: the conversation closes, no draft ever. Polite near misses stay open.
RUDE_ANSWERS = [
    "Franchement, quelle prétention.",
    "What arrogance.",
    "Was für eine Arroganz!",
    "Qué arrogancia.",
    "Wat een arrogantie.",
    "Co za tupet!",
    "Spare me the interrogation.",
    "Épargnez-moi ce petit interrogatoire.",
    "Bespaar me die vragen.",
    "Wow. It's LinkedIn. Just accept or don't.",
    "Akzeptieren Sie oder eben nicht.",
]
POLITE_ANSWERS = [
    "Such a nerve-wracking week, sorry for the late reply. No, we haven't met.",
    "Could you spare me five minutes next week?",
    "Feel free to accept or not, no worries!",
    "Quelle surprise ! Non, on ne se connaît pas.",
]


@pytest.mark.parametrize("text", RUDE_ANSWERS)
def test_rude_answers_close_the_conversation(text: str) -> None:
    step = on_answer(text, conv(ASKED), thanks=False)
    assert (step.status, step.draft) == (DECLINED, None), step.reason


@pytest.mark.parametrize("text", POLITE_ANSWERS)
def test_polite_answers_are_not_rude(text: str) -> None:
    assert not phrases.rude(text)


# Notes from strangers: positive evidence of no tie, and no hint of one.
STRANGER_NOTES = [
    # Italian "collegarmi" (connect) is not "collega" (colleague)
    "Ho letto il suo articolo sulla logistica e mi piacerebbe collegarmi con lei.",
    "Our paths haven't crossed yet; I'm a data engineer in Bristol.",
    "Non la conosco di persona, ma seguo da tempo i suoi articoli.",
    "Ihr Beitrag über Fachkräftesicherung hat mich angesprochen.",
    "LinkedIn me sugirió tu perfil y me gustaría conectar.",
    # looking for a first job or an internship
    "Ich suche ab Herbst meinen Berufseinstieg im Controlling.",
    "Ik ben op zoek naar een afstudeerstage in de logistiek.",
    "Busco mi primer empleo en el sector energético.",
    # a student or graduate asking for advice
    "Final-year student in Leeds here, any advice on breaking into audit?",
    "Jeune diplômée en finance, vos conseils me seraient précieux.",
    # presenting our platform or offer; a sales role
    "Vorrei presentarle la nostra piattaforma per la gestione dei turni.",
    "Chciałbym przedstawić ofertę leasingu floty.",
    "Je suis commercial chez Kerlan et je voudrais vous présenter notre solution.",
    "Ik ben accountmanager bij een uitzendbureau, we helpen bedrijven aan personeel.",
    # following their posts
    "Gerne würde ich Ihre Beiträge weiter verfolgen.",
]
# Notes that hint at a tie, however they are phrased.
TIE_NOTES = [
    "Un mio collega mi ha parlato molto bene di lei.",
    "We haven't talked since the Leeds offsite, but your name popped up in my feed!",
    "Vous ne vous souvenez sans doute pas de moi, j'ai lu votre article sur le BIM.",
    "Our paths crossed briefly at PyCon, I'd love to stay in touch.",
    "Nos hemos escrito por correo varias veces, solo por email.",
    # no-tie evidence next to a tie: the tie wins
    "I don't think we've met, but Anna said I should reach out.",
    "Je ne crois pas qu'on se connaisse, mais Julie m'a donné votre nom.",
    "Ik denk niet dat we elkaar kennen, maar Pieter gaf me je naam.",
    "Not personally, but we're both on the board of the Leeds Tech Trust.",
    "Your name came up in my feed – aren't you the Robin from Deloitte?",
    "LinkedIn suggested you, and I remember you from the Leeds meetup!",
    # the owner taught, supervised or managed them
    "I'm a student in your data course and would love some advice.",
    "Looking for my first job – you supervised my thesis in 2021.",
    "Je cherche mon premier emploi, vous étiez mon tuteur à l'IUT.",
    "Ich suche meinen Berufseinstieg, Sie waren mein Betreuer an der TU.",
    "Busco mi primer empleo; fuiste mi profesor en la UPM.",
    "Sono uno studente del suo corso, le chiedo qualche consiglio.",
    "Procuro o meu primeiro emprego, foi o meu orientador no mestrado.",
    "Ik ben accountmanager bij Flexwerk, we spraken elkaar op de beurs.",
    "Jag söker mitt första jobb, du var min handledare på KTH.",
    "Szukam pierwszej pracy, był Pan moim promotorem.",
    # someone pointed them to the owner
    "Anna Klein gave me your name, I hope that's OK.",
    "Julie m'a donné votre nom, j'espère que cela ne vous dérange pas.",
    "Frau Weber hat mir Ihren Namen gegeben.",
    "Marta me habló muy bien de ti.",
    "Luca mi ha parlato di lei.",
    "A Ana falou-me muito bem de si.",
    "Pieter gaf me je naam.",
    "Anna tipsade om dig.",
    "Kasia poleciła mi Pana kontakt.",
]


# Notes that are no evidence of a stranger either: the owner reads them.
UNREAD_NOTES = [
    # an existing business relation is not a pitch
    "I am your account manager at Acme and wanted to connect here too.",
    "Ich bin Ihr Ansprechpartner im Vertrieb bei Würth.",
]


@pytest.mark.parametrize("text", UNREAD_NOTES)
def test_notes_without_evidence_are_not_explained(text: str) -> None:
    assert phrases.claim(text) or not phrases.no_tie(text), phrases.no_tie(text)


@pytest.mark.parametrize("text", STRANGER_NOTES)
def test_notes_from_strangers(text: str) -> None:
    assert phrases.no_tie(text) and not phrases.claim(text), phrases.claim(text)


@pytest.mark.parametrize("text", TIE_NOTES)
def test_notes_hinting_at_a_tie(text: str) -> None:
    assert phrases.claim(text)


def conv(status: str) -> Conversation:
    return Conversation(
        "linkedin:zed",
        "zed stranger",
        "Zed Stranger",
        "linkedin",
        None,
        None,
        "en",
        status,
        "",
        None,
    )


def test_state_machine() -> None:
    ask = Decision(ASK, "stranger-without-note", ("a stranger",))
    first = on_invitation(ask, None, welcome_known=False)
    assert (first.status, first.draft) == (ASKED, "ask")
    again = on_invitation(ask, conv(ASKED), welcome_known=False)
    assert again.draft is None and again.status is None and "already asked" in again.reason
    assert on_invitation(Decision(IGNORE, "x", ("x",)), None, welcome_known=True).status is None
    welcome = on_invitation(Decision(KNOWN, "known", ("k",)), None, welcome_known=True)
    assert (welcome.status, welcome.draft) == (KNOWN, "welcome")

    no = on_answer("No, we have never met, just growing my network", conv(ASKED), thanks=False)
    assert (no.status, no.draft, no.withdraw) == (EXPLAINED, "explain", True)
    yes = on_answer("Yes, we met at PyCon", conv(ASKED), thanks=True)
    assert (yes.status, yes.draft) == ("review", "thanks") and "PyCon" in yes.reason
    unclear = on_answer("Hello! How are you?", conv(ASKED), thanks=False)
    assert (unclear.status, unclear.draft) == ("review", None) and "unclear" in unclear.reason
    after = on_answer("Thanks, understood", conv(EXPLAINED), thanks=False)
    assert (after.status, after.draft) == ("review", None)
    connected = on_connected(conv(ASKED))
    assert (connected.status, connected.withdraw) == (KNOWN, True)


TODAY = "2026-12-06"


@pytest.mark.parametrize(
    ("verdict", "status", "step"),
    [
        (
            KNOWN,
            "review",
            Step(KNOWN, f"you said you know Zed Stranger ({TODAY})", KNOWN, None, True),
        ),
        (
            IGNORE,
            "asked",
            Step(
                IGNORE,
                f"you chose to leave Zed Stranger's request unanswered ({TODAY})",
                IGNORED,
                None,
                True,
            ),
        ),
        (
            ASK,
            "review",
            Step(
                ASK,
                f"you asked for the 'have we met?' draft for Zed Stranger ({TODAY})",
                ASKED,
                ASK,
                True,
            ),
        ),
        (
            EXPLAIN,
            "asked",
            Step(
                EXPLAIN,
                f"you asked for the explanation of your rule for Zed Stranger ({TODAY})",
                EXPLAINED,
                EXPLAIN,
                True,
            ),
        ),
    ],
)
def test_the_owners_word_moves_the_conversation(verdict: str, status: str, step: Step) -> None:
    assert on_owner(verdict, conv(status), TODAY) == step


def test_the_owner_cannot_decide_review_or_declined() -> None:
    for verdict in (REVIEW, DECLINED, ""):
        with pytest.raises(ValueError, match=f"^{verdict}$"):
            on_owner(verdict, conv(ASKED), TODAY)


@pytest.mark.parametrize(
    ("status", "step", "closes"),
    [
        (ASKED, ASK, True),
        (EXPLAINED, EXPLAIN, True),
        (EXPLAINED, ASK, False),  # moved on since that draft
        (ASKED, EXPLAIN, False),
        (REVIEW, "thanks", False),  # no status of its own
        (KNOWN, "welcome", False),
        (IGNORED, ASK, False),
    ],
)
def test_a_deleted_draft_closes_only_its_own_step(status: str, step: str, closes: bool) -> None:
    expected = Step(
        IGNORE,
        f"you deleted our {step} draft for Zed Stranger without sending it ({TODAY}): "
        "closed, reminders add nothing",
        IGNORED,
        None,
        True,
    )
    assert on_discarded(conv(status), step, TODAY) == (expected if closes else None)


@pytest.mark.parametrize(
    ("decision", "status", "step"),
    [
        # ignored from the first message: nothing remembered, the first reason shown
        (Decision(IGNORE, "rule", ("first", "second")), None, Step(IGNORE, "first")),
        (Decision(IGNORE, "the-rule", ()), None, Step(IGNORE, "the-rule")),
        (Decision(IGNORE, "rule", ("spam",)), ASKED, Step(IGNORE, "spam")),
        (Decision(ASK, "the-rule", ()), None, Step(ASK, "the-rule", ASKED, ASK)),
        # known now, after an open question: our stale drafts go
        (
            Decision(KNOWN, "r", ("in contacts",)),
            ASKED,
            Step(KNOWN, "in contacts", KNOWN, None, True),
        ),
        (
            Decision(KNOWN, "r", ("in contacts",)),
            IGNORED,
            Step(KNOWN, "in contacts", KNOWN, None, True),
        ),
        # a reminder: the conversation's own word, nothing moves
        (
            Decision(KNOWN, "r", ("k",)),
            KNOWN,
            Step(KNOWN, "already known: a reminder or another invitation from Zed Stranger"),
        ),
        (
            Decision(ASK, "r", ("a",)),
            IGNORED,
            Step(IGNORE, "already ignored: a reminder or another invitation from Zed Stranger"),
        ),
        (
            Decision(ASK, "r", ("a",)),
            DECLINED,
            Step(DECLINED, "already declined: a reminder or another invitation from Zed Stranger"),
        ),
        (
            Decision(ASK, "r", ("a",)),
            "odd",
            Step(REVIEW, "already odd: a reminder or another invitation from Zed Stranger"),
        ),
    ],
)
def test_invitations_step_by_step(decision: Decision, status: str | None, step: Step) -> None:
    current = conv(status) if status else None
    assert on_invitation(decision, current, welcome_known=False) == step


@pytest.mark.parametrize(
    ("status", "decision"),
    [(IGNORED, IGNORE), (KNOWN, KNOWN), (DECLINED, DECLINED), (REVIEW, REVIEW), ("odd", REVIEW)],
)
def test_a_message_to_a_settled_conversation_moves_nothing(status: str, decision: str) -> None:
    step = on_answer("No, we never met.", conv(status), thanks=True)
    assert step == Step(
        decision,
        f"another message from Zed Stranger ({status}): \u201cNo, we never met.\u201d",
        status,
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("x" * 160, "x" * 160),
        ("x" * 161, "x" * 157 + "..."),
        ("y" * 157 + "z" * 10, "y" * 157 + "..."),
    ],
)
def test_a_long_message_is_shown_cut(text: str, shown: str) -> None:
    step = on_answer(text, conv(KNOWN), thanks=False)
    assert step.reason == f"another message from Zed Stranger (known): \u201c{shown}\u201d"
    unclear = on_answer(text, conv(ASKED), thanks=False)
    assert unclear.reason == f"Zed Stranger answered, unclear: \u201c{shown}\u201d"


@pytest.mark.parametrize(
    ("text", "status", "thanks", "step"),
    [
        (
            "What arrogance.",
            EXPLAINED,
            False,
            Step(
                DECLINED,
                "Zed Stranger answered the explanation rudely (\u201cWhat arrogance.\u201d): "
                "no reply; the conversation is closed",
                DECLINED,
                None,
                True,
            ),
        ),
        (
            "What arrogance.",
            ASKED,
            False,
            Step(
                DECLINED,
                "Zed Stranger answered rudely (\u201cWhat arrogance.\u201d): no reply, there is "
                "no need to be rude back; the conversation is closed",
                DECLINED,
                None,
                True,
            ),
        ),
        (
            "Thanks, understood",
            EXPLAINED,
            True,
            Step(
                REVIEW,
                "Zed Stranger answered the explanation: \u201cThanks, understood\u201d",
                REVIEW,
                None,
                True,
            ),
        ),
        (
            "Hello! How are you?",
            ASKED,
            True,
            Step(
                REVIEW,
                "Zed Stranger answered, unclear: \u201cHello! How are you?\u201d",
                REVIEW,
                None,
                True,
            ),
        ),
        (
            "No, we have never met.",
            ASKED,
            True,
            Step(
                EXPLAIN,
                "Zed Stranger says you have not met: \u201cNo, we have never met.\u201d",
                EXPLAINED,
                EXPLAIN,
                True,
            ),
        ),
        (
            "Yes, we met at PyCon.",
            ASKED,
            False,
            Step(
                REVIEW,
                "Zed Stranger says you know each other, for you to judge: "
                "\u201cYes, we met at PyCon.\u201d",
                REVIEW,
                None,
                True,
            ),
        ),
    ],
)
def test_answers_step_by_step(text: str, status: str, thanks: bool, step: Step) -> None:
    assert on_answer(text, conv(status), thanks=thanks) == step
