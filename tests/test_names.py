"""Name normalisation and near matches: the same person compares equal, others never do."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailbot.identity import near_match, normalise_name
from mailbot.people.history import RECEIVED, SENT, entries


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("José García", "jose  GARCIA"),
        ("Müller, Hans", "Hans Mueller"),
        ("Seán O'Brien", "Sean OBrien"),
        ("Jan van der Berg", "JAN VAN DER BERG"),
        ("王 小明", "王小明"),
        ("Dr. Jane Doe, MBA, CIPD", "Jane Doe"),
        ("Jane Doe (she/her) 🚀", "jane doe"),
        ("Priya Raman | Hiring Data Engineers", "Priya Raman"),
        ("Doe, Jane", "Jane Doe"),
        ("Prof. Dr. Anna Schmidt PhD", "Anna Schmidt"),
        ("Jean-Luc Picard", "Jean Luc Picard"),
    ],
)
def test_same_person(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Hans Muller", "Hans Müller"), ("Jane Doe", "John Doe"), ("Anna Schmidt", "Anna Schmitt")],
)
def test_different_spellings_are_not_equal(a: str, b: str) -> None:
    assert normalise_name(a) != normalise_name(b)


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        ("Bob Smith", "Robert Smith", "nickname"),
        ("J. Smith", "John Smith", "first initial"),
        ("Anna Schmidt", "Anna Schmitt", "one letter"),
        ("Hans Muller", "Hans Müller", "with or without its accents"),
        ("Jurgen Muller, CIPD", "Jürgen Müller", "with or without its accents"),
        ("Soren Kierkegaard", "Søren Kierkegaard", "with or without its accents"),
        ("Bjorn Ostberg", "Björn Östberg", "with or without its accents"),
        ("Smith John", "John Smith", "order"),
        ("Seán O Brien", "Sean OBrien", "one letter"),
    ],
)
def test_near_matches_say_why(a: str, b: str, why: str) -> None:
    reason = near_match(normalise_name(a), normalise_name(b))
    assert reason is not None and why in reason


@pytest.mark.parametrize(
    ("a", "b"), [("Ana Lee", "Bo Lee"), ("Jane Doe", "Jane Doe"), ("Li Wei", "Wang Fang")]
)
def test_not_near(a: str, b: str) -> None:
    assert near_match(normalise_name(a), normalise_name(b)) is None


OWNER = frozenset({"robin@owner.example"})


def test_sent_mail_counts_each_recipient() -> None:
    raw = (
        b"From: Robin Owner <robin@owner.example>\r\nTo: Jane Doe <Jane@Acme.example>, "
        b"noreply@acme.example\r\nCc: =?utf-8?q?Jos=C3=A9?= <jose@acme.example>\r\n"
        b"Subject: Re: Senior Engineer role\r\nDate: Sun, 02 Mar 2025 10:00:00 +0000\r\n\r\n"
    )
    found = entries(raw, (), OWNER, sent=True)
    assert [(e.address, e.name, e.direction) for e in found] == [
        ("jane@acme.example", "Jane Doe", SENT),
        ("jose@acme.example", "José", SENT),
    ]
    assert found[0].date == "2025-03-02" and found[0].subject == "Re: Senior Engineer role"


def test_received_applications_are_marked() -> None:
    """An application is a CV and an application subject together; either alone is
    ordinary received mail (see test_evidence for the look-alikes)."""
    cv = b"From: Ada <ada@example.org>\r\nTo: robin@owner.example\r\nSubject: Hello\r\n\r\n"
    subject = cv.replace(b"Hello", b"Bewerbung als Data Engineer")
    [entry] = entries(subject, ("Ada_Lovelace_CV.pdf",), OWNER)
    assert entry.direction == RECEIVED and entry.application
    assert not entries(cv, ("Ada_Lovelace_CV.pdf",), OWNER)[0].application
    assert not entries(subject, (), OWNER)[0].application
    assert not entries(subject, ("holiday.jpg",), OWNER)[0].application


@pytest.mark.parametrize(
    "header",
    [
        b"List-Id: <x.lists.example>",
        b"Precedence: bulk",
        b"Auto-Submitted: auto-replied",
        b"X-Spam-Flag: YES",
    ],
)
def test_bulk_and_robots_are_not_correspondence(header: bytes) -> None:
    raw = b"From: Ada <ada@example.org>\r\nSubject: hi\r\n" + header + b"\r\n\r\n"
    assert entries(raw, (), OWNER) == []
    robot = b"From: LinkedIn <invitations@linkedin.com>\r\nSubject: hi\r\n\r\n"
    assert entries(robot, (), OWNER) == []


@settings(max_examples=300, deadline=None)
@given(subject=st.binary(max_size=80), date=st.binary(max_size=40), name=st.binary(max_size=40))
def test_a_readable_sender_is_never_dropped_from_the_history(
    subject: bytes, date: bytes, name: bytes
) -> None:
    """Whatever the subject, date or display name hold, the correspondent is recorded:
    a message dropped from the index turns someone the owner knows into a stranger."""
    clean = [b.replace(b"\r", b"").replace(b"\n", b"") for b in (subject, date, name)]
    raw = (
        b'From: robin@owner.example\r\nTo: "'
        + clean[2].replace(b'"', b"").replace(b"\\", b"")  # a well-formed quoted name
        + b'" <jane@x.example>\r\n'
        b"Subject: " + clean[0] + b"\r\nDate: " + clean[1] + b"\r\n\r\n"
    )
    found = entries(raw, [], frozenset({"robin@owner.example"}), sent=True)
    assert [(e.address, e.direction) for e in found] == [("jane@x.example", SENT)]


@pytest.mark.parametrize(
    "date", ["Mon, 1 Jan 2020 99999999999999:00:00 +0000", "Fri, 1 Jan 99999 00:00:00 +0000", "x"]
)
def test_an_impossible_date_keeps_the_entry(date: str) -> None:
    raw = f"From: robin@owner.example\r\nTo: jane@x.example\r\nDate: {date}\r\n\r\n".encode()
    found = entries(raw, (), OWNER, sent=True)
    assert [(e.address, e.date) for e in found] == [("jane@x.example", None)]


OUR_ASK = "<1749.ask.x7@owner.example>"


@pytest.mark.parametrize(
    ("head", "counted"),
    [
        # the owner sent our draft: its Message-ID, or its key header (state lost)
        (f"From: robin@owner.example\r\nTo: zed@x.example\r\nMessage-ID: {OUR_ASK}\r\n", False),
        ("From: robin@owner.example\r\nTo: zed@x.example\r\nX-Mailbot-Key: 0a1b2c\r\n", False),
        # their answer to it
        (f"From: zed@x.example\r\nTo: robin@owner.example\r\nIn-Reply-To: {OUR_ASK}\r\n", False),
        # what the owner wrote themselves further down that thread is theirs (and the index
        # reads In-Reply-To, not the long References: a first build stays within 1.5x)
        (
            "From: robin@owner.example\r\nTo: zed@x.example\r\nIn-Reply-To: <a@x.example>\r\n"
            f"References: {OUR_ASK} <a@x.example>\r\n",
            True,
        ),
        # what the owner wrote without mailbot counts as before
        (
            "From: robin@owner.example\r\nTo: zed@x.example\r\nMessage-ID: <own@owner.example>\r\n",
            True,
        ),
        (
            "From: zed@x.example\r\nTo: robin@owner.example\r\nIn-Reply-To: <own@owner.example>\r\n",
            True,
        ),
    ],
)
def test_our_drafts_sent_and_their_answers_are_not_correspondence(head: str, counted: bool) -> None:
    found = entries(
        (head + "Subject: Re: hi\r\n\r\n").encode(),
        (),
        OWNER,
        ours=frozenset({OUR_ASK}),
        sent=True,
    )
    assert bool(found) == counted


@pytest.mark.parametrize(
    ("shown", "first", "full"),
    [
        ("Jonas Weber", "Jonas", "Jonas Weber"),
        ("Dr. Jonas Weber, MBA", "Jonas", "Dr. Jonas Weber"),
        ("Prof. Dr. Anna Schmidt PhD", "Anna", "Prof. Dr. Anna Schmidt"),
        ("Weber, Jonas", "Jonas", "Jonas Weber"),
        ("WEBER, JONAS", "Jonas", "Jonas Weber"),
        ("EMILY CARTER", "Emily", "Emily Carter"),
        ("mary-ann o'neil", "Mary-Ann", "Mary-Ann O'Neil"),
        ("JAN VAN DER BERG", "Jan", "Jan van der Berg"),
        ("van der Berg, Jan", "Jan", "Jan van der Berg"),
        ("DeShawn McDonald", "DeShawn", "DeShawn McDonald"),
        ("Jane Doe (she/her) 🚀", "Jane", "Jane Doe"),
        ("Priya Raman | Hiring Data Engineers", "Priya", "Priya Raman"),
        ("Emily Carter, CIPD", "Emily", "Emily Carter"),
        ("Ms. Emily Carter", "Emily", "Emily Carter"),
        ("Dipl.-Ing. Klaus Meier", "Klaus", "Klaus Meier"),  # titles of one language: dropped
        ("mgr inż. Anna Kowalska", "Anna", "Anna Kowalska"),
        ("Dott.ssa Maria Rossi", "Maria", "Maria Rossi"),
        ("Dr. med. Anna Schmidt", "Anna", "Dr. Anna Schmidt"),
        ("Dr. rer. nat. Hans Weber", "Hans", "Dr. Hans Weber"),
        ("Dr.-Ing. Klaus Meier", "Klaus", "Klaus Meier"),
        ("Prof. Dr. Dr. h.c. Hans Müller", "Hans", "Prof. Dr. Hans Müller"),
        ("Univ.-Prof. Eva Huber", "Eva", "Eva Huber"),
        ("Lic. María López", "María", "María López"),
        ("Eng. João Silva", "João", "João Silva"),
        ("DI Anna Berger", "Anna", "Anna Berger"),
        ("Di Stefano, Marco", "Marco", "Marco Di Stefano"),
        ("Ing Larsson", "Ing", "Ing Larsson"),  # a name, not "Ing." the title
        ("Don Johnson", "Don", "Don Johnson"),
        ("Pan Wei", "Pan", "Pan Wei"),
        ("İSMAIL YILMAZ", "İsmail", "İsmail Yilmaz"),
        ("IJSBRAND DE VRIES", "IJsbrand", "IJsbrand de Vries"),
        ("Yan Ma", "Yan", "Yan Ma"),  # a surname, not a Master of Arts
        ("Tom Ba", "Tom", "Tom Ba"),
        ("Anna Schmidt MA", "Anna", "Anna Schmidt"),
        ("Prof. Dr. h. c. Hans Müller", "Hans", "Prof. Dr. Hans Müller"),
        ("Dr. Dr. h. c. mult. Hans Weber", "Hans", "Dr. Hans Weber"),
        ("Dr. habil. Anna Schmidt", "Anna", "Dr. Anna Schmidt"),
        ("Dr.-Ing. E.h. Hans Weber", "Hans", "Hans Weber"),
        ("IJ SMITH", "IJ", "IJ Smith"),  # the Dutch letter (or initials), not "Ij"
        ("LinkedIn Member", "", ""),  # a closed account's placeholder
        ("LinkedIn-Mitglied", "", ""),
        ("O’Brien, Seán", "Seán", "Seán O'Brien"),
        ("Madonna", "Madonna", "Madonna"),
        ("Dr. Weber", "", "Dr. Weber"),  # a title and a surname: no first name
        ("Herr Weber", "", ""),  # a form of address in one language only
        ("Ms Smith", "", ""),
        ("Sig.ra Bianchi", "", ""),
        ("J. Smith", "", "J. Smith"),  # an initial is no first name
        ("Mr. J. R. Smith", "", "J. R. Smith"),
        ("王 小明", "", "王 小明"),  # family name first
        ("(name hidden)", "", ""),
        ("", "", ""),
    ],
)
def test_greeting_names(shown: str, first: str, full: str) -> None:
    from mailbot.identity import greeting_names

    assert greeting_names(shown) == (first, full)
