"""Known only by what the owner did (issue 24): what a stranger can write into a mail they
send the owner — a From: naming the owner, an "application" subject, a file name, a
Message-ID shaped like one of mailbot's drafts — makes nobody known."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from mailbot.identity import draft_message_id
from mailbot.mailboxes.maildir import MaildirMailbox
from mailbot.notifications import Requester
from mailbot.people.history import MANY, RECEIVED, SENT, entries, is_application, is_cv_file
from mailbot.people.index import CorrespondenceIndex
from mailbot.people.known import KnownPeople
from mailbot.store import Store

OWNER = frozenset({"robin@owner.example"})
ROBIN = "Robin Owner <robin@owner.example>"


def message(
    sender: str,
    to: str,
    subject: str = "Project",
    *,
    results: tuple[str, ...] = (),
    attachment: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
) -> bytes:
    """A real-shaped mail; `results`: Authentication-Results headers, topmost first."""
    msg = EmailMessage()
    for result in results:
        msg["Authentication-Results"] = result
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = "Tue, 04 Mar 2025 10:00:00 +0000"
    msg["Message-ID"] = message_id or make_msgid(domain="mail.example")
    if in_reply_to:
        msg["In-Reply-To"] = msg["References"] = in_reply_to
    msg.set_content("Hello,\n\nsee below.\n")
    if attachment:
        msg.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename=attachment)
    return msg.as_bytes()


def head(raw: bytes) -> bytes:
    return raw.partition(b"\n\n")[0] + b"\n\n"


def directions(raw: bytes, **kwargs: object) -> list[tuple[str, str]]:
    found = entries(head(raw), (), OWNER, **kwargs)  # type: ignore[arg-type]
    return [(e.address, e.direction) for e in found]


# -- 2. the owner's mail: Sent, or authenticated by the owner's server ---------------------

MX = "mx.owner.example"
PASS = (
    f"{MX}; dkim=pass header.d=owner.example; spf=pass smtp.mailfrom=owner.example;"
    " dmarc=pass header.from=owner.example"
)
FAIL = (
    f"{MX}; dkim=none; spf=fail smtp.mailfrom=owner.example; dmarc=fail header.from=owner.example"
)


def test_a_from_naming_the_owner_outside_sent_is_not_the_owners_mail() -> None:
    forged = message(ROBIN, "Mallory <mallory@pitch.example>", results=(FAIL,))
    assert directions(forged) == []  # not sent by the owner, nor anyone's received mail
    assert directions(message(ROBIN, "mallory@pitch.example")) == []  # no verdict at all
    # a forged "pass" below the server's own fail came with the mail
    assert directions(message(ROBIN, "mallory@pitch.example", results=(FAIL, PASS))) == []
    spoofed_pass = PASS.replace("owner.example", "pitch.example")  # passes for another domain
    assert directions(message(ROBIN, "mallory@pitch.example", results=(spoofed_pass,))) == []


def test_the_owners_mail_is_theirs_in_sent_or_when_their_server_vouches_for_it() -> None:
    to = "Jane Doe <jane@acme.example>"
    mx = frozenset({MX})
    assert directions(message(ROBIN, to), sent=True) == [("jane@acme.example", SENT)]
    assert directions(message(ROBIN, to, results=(PASS,)), authserv=mx) == [
        ("jane@acme.example", SENT)
    ]
    # only the server MAILBOT_AUTHSERV_ID names is believed, wherever its header stands
    other = "mx.pitch.example; dkim=pass header.d=owner.example"
    both = message(ROBIN, to, results=(other, PASS))
    assert directions(both, authserv=mx) == [("jane@acme.example", SENT)]
    assert directions(message(ROBIN, to, results=(FAIL, other)), authserv=mx) == []
    assert directions(message(ROBIN, to, results=(other,)), authserv=mx) == []


def test_a_forged_header_with_the_owners_server_id_below_its_real_one_is_not_believed() -> None:
    """The sender can write a header bearing the owner's server's id; it comes below the
    one the server added on delivery. Only the topmost such header can say yes."""
    to = "Jane Doe <jane@acme.example>"
    real = f"{MX}; spf=pass smtp.mailfrom=evil.example"  # the server: nothing for owner.example
    forged = f"{MX}; dkim=pass header.d=owner.example"
    mx = frozenset({MX})
    assert directions(message(ROBIN, to, results=(real, forged)), authserv=mx) == []
    # and below a real pass, a (forged or older) fail with that id still says no
    assert directions(message(ROBIN, to, results=(PASS, FAIL)), authserv=mx) == []
    assert directions(message(ROBIN, to, results=(PASS, forged)), authserv=mx) == [
        ("jane@acme.example", SENT)
    ]


def test_without_authserv_id_no_header_is_believed() -> None:
    """A server that adds no Authentication-Results of its own leaves the topmost header
    to the sender: a forged "pass" there must not make the mail the owner's."""
    to = "Jane Doe <jane@acme.example>"
    assert directions(message(ROBIN, to, results=(PASS,))) == []
    assert directions(message(ROBIN, to, results=(PASS, PASS))) == []


def test_one_mail_to_many_people_is_evidence_only(tmp_path: Path) -> None:
    many = ", ".join(f"p{i}@list.example" for i in range(500))
    found = directions(message(ROBIN, many), sent=True)
    assert len(found) == 500 and {d for _, d in found} == {MANY}
    twenty = ", ".join(f"p{i}@team.example" for i in range(20))
    assert {d for _, d in directions(message(ROBIN, twenty), sent=True)} == {SENT}
    root = _maildir(tmp_path, sent=[message(ROBIN, "Pia Many <p7@list.example>, " + many)])
    with Store(tmp_path / "state.sqlite3") as state:
        index = CorrespondenceIndex(state)
        index.refresh(MaildirMailbox(root, state), ["Sent"], OWNER, lambda *_: None, sent="Sent")
        verdict = KnownPeople(index=index).assess(Requester(name="Pia Many"))
    assert verdict.known is None
    assert verdict.evidence == (
        "not enough to count as known: p7@list.example was among the many recipients of 1 "
        "mail of yours",
    ), verdict


def test_the_owners_forged_mail_in_the_inbox_makes_nobody_known(tmp_path: Path) -> None:
    recipients = ", ".join(f"p{i}@victims.example" for i in range(500))
    forged = message(ROBIN, f"Mallory Seller <mallory@pitch.example>, {recipients}")
    root = _maildir(tmp_path, inbox=[forged])
    with Store(tmp_path / "state.sqlite3") as state:
        index = CorrespondenceIndex(state)
        box = MaildirMailbox(root, state)
        index.refresh(box, ["Sent", "INBOX"], OWNER, lambda *_: None, sent="Sent")
        people = KnownPeople(index=index)
        assert people.assess(Requester(name="Mallory Seller")).known is None
        assert index.by_address("p3@victims.example") is None


# -- 3. applications: a CV and an application subject, both -------------------------------


@pytest.mark.parametrize(
    ("subject", "attachment", "application"),
    [
        ("Application for the Data Engineer role", "Ada_Lovelace_CV.pdf", True),
        ("Bewerbung als Data Engineer", "Lebenslauf Max Muster.docx", True),
        ("Candidature au poste d'ingénieur", "CV-Claire-Dubois.pdf", True),
        ("Candidatura para ingeniero", "curriculum_vitae.pdf", True),
        ("Sollicitatie data engineer", "cv_jan.pdf", True),
        ("Ansökan: dataingenjör", "CV Sven.odt", True),
        ("Aplikacja na stanowisko inżyniera", "cv.pdf", True),
        ("Applying for your open position", "Résumé - Jane Doe.pdf", True),
        # a pitch: the word "application" is no application
        ("Mobile application development for your company", "Ada_Lovelace_CV.pdf", False),
        ("Application for the Data Engineer role", "resume-of-services.pdf", False),
        ("Application for partnership", "Résumé des prestations.pdf", False),
        ("Application for the Data Engineer role", "cv.jpg", False),
        ("Application for the Data Engineer role", None, False),
        ("Hello", "Ada_Lovelace_CV.pdf", False),
        ("Our CV-parsing app", "acvtivity.pdf", False),
    ],
)
def test_an_application_is_a_cv_and_an_application_subject(
    subject: str, attachment: str | None, application: bool
) -> None:
    assert is_application(subject, (attachment,) if attachment else ()) is application
    raw = message("Sam Sender <sam@sales.example>", ROBIN, subject, attachment=attachment)
    [entry] = entries(head(raw), (attachment,) if attachment else (), OWNER)
    assert entry.direction == RECEIVED and entry.application is application


def test_cv_file_names() -> None:
    assert is_cv_file("Ada_Lovelace_CV.pdf") and is_cv_file("RESUME.DOCX")
    assert not is_cv_file("resume-of-services.pdf")
    assert not is_cv_file("cvs-receipt.pdf") and not is_cv_file("CV.png")


def test_a_sales_mail_never_makes_its_sender_a_known_applicant(tmp_path: Path) -> None:
    pitch = message(
        "Sam Sender <sam@sales.example>",
        ROBIN,
        "Mobile application development – 30% off",
        attachment="resume-of-services.pdf",
    )
    root = _maildir(tmp_path, inbox=[pitch])
    with Store(tmp_path / "state.sqlite3") as state:
        index = CorrespondenceIndex(state)
        index.refresh(MaildirMailbox(root, state), ["INBOX"], OWNER, lambda *_: None)
        verdict = KnownPeople(index=index).assess(Requester(name="Sam Sender"))
    assert verdict.known is None
    assert verdict.evidence and "received only" in verdict.evidence[0]


# -- 4. our drafts are told by what they are, not by the shape of a Message-ID -----------


def test_a_message_id_shaped_like_a_draft_is_still_correspondence() -> None:
    lookalike = draft_message_id("0123456789abcdef" * 2, "colleague@acme.example", "20250304100000")
    colleague = message("Cleo Colleague <cleo@acme.example>", ROBIN, message_id=lookalike)
    assert directions(colleague) == [("cleo@acme.example", RECEIVED)]
    reply_all = message(
        ROBIN, "cleo@acme.example, Dan <dan@acme.example>", "Re: Project", in_reply_to=lookalike
    )
    assert directions(reply_all, sent=True) == [
        ("cleo@acme.example", SENT),
        ("dan@acme.example", SENT),
    ]
    # one of ours (its Message-ID, or its token, recorded in the state) is not
    assert directions(reply_all, sent=True, ours=frozenset({lookalike})) == []
    assert directions(reply_all, sent=True, ours=frozenset({"0123456789abcdef" * 2})) == []


def _maildir(
    tmp_path: Path,
    *,
    inbox: tuple[bytes, ...] | list[bytes] = (),
    sent: tuple[bytes, ...] | list[bytes] = (),
) -> Path:
    root = tmp_path / "mail"
    for folder, messages in ((root, inbox), (root / ".Sent", sent)):
        for sub in ("cur", "new", "tmp"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        for i, raw in enumerate(messages):
            (folder / "cur" / f"{i:03}.host:2,S").write_bytes(raw)
    return root


def test_check_names_the_authserv_id_the_inbox_mail_carries(tmp_path: Path) -> None:
    """`mailbot check` suggests an id only when every one of at least ten recent messages
    carries it on top, says whose word counts when one is set, and is an ERR when the one
    set is on none of them (a typo would quietly turn it off)."""
    from types import SimpleNamespace
    from typing import cast

    from mailbot.check import _authenticated
    from mailbot.config import Settings
    from mailbot.errors import MailbotError
    from mailbot.mailboxes.maildir import MaildirMailbox

    jane = "Jane Doe <jane@acme.example>"
    agreeing = [message(jane, ROBIN, results=(PASS,)) for _ in range(10)]
    settings = SimpleNamespace(authserv=(), inbox="INBOX")

    def line(name: str, inbox: list[bytes]) -> str:
        root = _maildir(tmp_path / name, inbox=inbox)
        with Store(tmp_path / f"{name}.sqlite3") as state:
            return _authenticated(MaildirMailbox(root, state), cast(Settings, settings))

    (tmp_path / "a").mkdir()
    assert line("a", agreeing) == (
        "counted from the Sent folder only (MAILBOT_AUTHSERV_ID is not set); every recent "
        f"message carries {MX} on top: if that is your own server, set "
        f"MAILBOT_AUTHSERV_ID={MX} to count mail from you it authenticated"
    )
    (tmp_path / "b").mkdir()
    mixed = [*agreeing, message(jane, ROBIN, results=("mx.forged.example; dkim=pass",))]
    assert line("b", mixed) == "counted from the Sent folder only (MAILBOT_AUTHSERV_ID is not set)"
    (tmp_path / "c").mkdir()
    assert line("c", agreeing[:3]).endswith("(MAILBOT_AUTHSERV_ID is not set)")  # too few
    settings.authserv = (MX,)
    (tmp_path / "d").mkdir()
    assert line("d", agreeing).startswith(f"outside Sent, mail from you counts when {MX} vouches")
    settings.authserv = ("mx.owner.exmaple",)
    (tmp_path / "e").mkdir()
    with pytest.raises(MailbotError, match="none of the newest 10 messages in INBOX carries it"):
        line("e", agreeing)
