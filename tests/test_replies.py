"""Rendering drafts: threaded, signed once, and immune to hostile names and notes."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest
from conftest import fixture_bytes

from mailbot.config import Owner
from mailbot.errors import TemplateProblem
from mailbot.identity import draft_mark, draft_message_id, key_token, mark_of, token_of
from mailbot.mailboxes.base import message_id_in, token_in
from mailbot.notifications import Notification, Requester, parse
from mailbot.records import Parent
from mailbot.replies import Renderer, _flowed, _references, _reply_subject, _wrap

OWNER = Owner(
    name="Robin Owner", email="robin@owner.example", phone="+44 20 7946 0000", twitter=None
)
LONG_ID = "<3246945005.3663867.1470827101873.JavaMail.app@lva1-app9434.prod.linkedin.com>"


def invitation(name: str = "Priya Raman", **fields: object) -> Notification:
    base: dict[str, object] = {
        "kind": "invitation",
        "network": "linkedin",
        "requester": Requester(name=name),
        "key": "linkedin:invitation:7",
        "message_id": LONG_ID,
        "subject": "I want to connect",
    }
    base.update(fields)
    return Notification(**base)  # type: ignore[arg-type]


def render(n: Notification, step: str = "ask", renderer: Renderer | None = None) -> bytes:
    assert n.requester is not None
    draft = (renderer or Renderer()).draft(
        step,
        n.requester,
        n.network,
        Parent(n.message_id, n.subject),
        OWNER,
        token=key_token(n.key or ""),
        languages=(n.language,) if n.language else (),
    )
    return draft.as_bytes()


def reparse(raw: bytes) -> email.message.EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    return msg


def test_a_draft_to_paste_is_threaded_keyed_and_is_exactly_the_reply() -> None:
    raw = render(invitation())
    msg = reparse(raw)
    assert msg["In-Reply-To"] == LONG_ID and msg["References"] == LONG_ID  # never 2047-encoded
    assert (
        msg["Subject"] == "Paste into LinkedIn: reply to Priya Raman"
    )  # where no one else sees it
    assert token_of(msg["Message-ID"]) == key_token("linkedin:invitation:7")
    assert msg["Message-ID"].endswith("@owner.example>")
    assert msg["To"] is None and msg["From"] == "Robin Owner <robin@owner.example>"
    body = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert body.startswith("Hi Priya,")  # nothing above the reply, no separator line
    assert body.count("Robin Owner") == 1 and "-- " not in body  # a paste has no "-- "
    assert "Twitter" not in body  # not configured: no empty line for it
    assert b"mailbot" not in raw.lower()


def test_personal_address_becomes_the_recipient_and_nothing_names_the_tool() -> None:
    n = invitation(requester=Requester(name="Priya Raman", email="priya@acme.example"))
    raw = render(n)
    msg = reparse(raw)
    assert msg["To"] == "Priya Raman <priya@acme.example>"
    assert msg["Subject"] == "Re: I want to connect"  # their subject, nothing added
    body = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Hi Priya," in body and "[mailbot]" not in body
    assert "Robin Owner\n-- \n+44 20 7946 0000\nrobin@owner.example" in body.replace("\r\n", "\n")
    assert body.count("Robin Owner") == 1
    assert b"mailbot" not in raw.lower() and not any(k.lower().startswith("x-") for k in msg)


def test_an_email_subject_is_theirs_and_never_names_the_recipient() -> None:
    for subject, note, expected in [
        ("Priya Raman wants to connect", None, "Re: Priya Raman wants to connect"),
        ("Re: Have we met?", None, "Re: Have we met?"),
        ("RE: priya, quick question", None, "RE: priya, quick question"),
        ("", None, "Your LinkedIn invite"),  # theirs had none: in the reply's language
        (
            "",
            "Hola Robin, vi tu perfil y me gustaría conectar contigo.",
            "Sobre tu invitación en LinkedIn",
        ),
        (
            "",
            "Guten Tag, ich würde mich gerne mit Ihnen vernetzen.",
            "Ihre Kontaktanfrage auf LinkedIn",
        ),
    ]:
        from mailbot.languages import detected

        n = invitation(
            requester=Requester(name="Priya Raman", email="priya@acme.example"),
            subject=subject,
            language=detected(note) if note else None,
        )
        assert reparse(render(n))["Subject"] == expected, subject


def test_references_carry_the_whole_chain_then_the_parent() -> None:
    chain = tuple(f"<m{i}@mail.example>" for i in range(3))
    raw = (
        Renderer()
        .draft(
            "explain",
            Requester(name="Priya Raman", email="priya@acme.example"),
            "linkedin",
            Parent("<answer@mail.example>", "Re: Have we met?", chain),
            OWNER,
            token="t",
        )
        .as_bytes()
    )
    msg = reparse(raw)
    assert msg["In-Reply-To"] == "<answer@mail.example>"
    assert msg["References"].split() == [*chain, "<answer@mail.example>"]
    long_chain = tuple(f"<m{i}@mail.example>" for i in range(40))
    raw = (
        Renderer()
        .draft(
            "ask", Requester(name="P R"), None, Parent("<p@x>", "s", long_chain), OWNER, token="t"
        )
        .as_bytes()
    )
    refs = reparse(raw)["References"].split()
    assert len(refs) == 10 and refs[0] == "<m0@mail.example>" and refs[-1] == "<p@x>"
    assert all(len(line) <= 78 for line in raw.split(b"\r\n"))


def test_the_body_is_format_flowed_so_paragraphs_survive_wrapping_and_pasting() -> None:
    raw = render(invitation(), step="explain")
    msg = reparse(raw)
    assert msg.get_content_type() == "text/plain" and msg.get_param("format") == "flowed"
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    lines = text.split("\n")
    assert all(len(line) <= 78 for line in lines)
    soft = [line for line in lines if line.endswith(" ")]
    assert soft, "a long paragraph is wrapped with soft line breaks"
    unflowed: list[str] = []  # what a flowed-aware client (or a paste) shows
    for line in lines:
        if unflowed and unflowed[-1].endswith(" "):
            unflowed[-1] += line
        else:
            unflowed.append(line)
    rule = next(p for p in unflowed if "only connect with people I know" in p)
    assert rule.startswith("Thanks for the invite") and rule.endswith("it's nothing personal.")


def test_flowed_lines_are_space_stuffed_and_the_signature_line_kept() -> None:
    from mailbot.replies import _flowed

    assert _flowed("From here\n> quoted\n x\n-- \nend  ") == " From here\n > quoted\n  x\n-- \nend"
    long = " ".join(["word"] * 40)
    pieces = _flowed(long).split("\n")
    assert all(p.endswith(" ") for p in pieces[:-1]) and not pieces[-1].endswith(" ")
    assert "".join(pieces) == long
    link = "https://example.org/" + "x" * 120
    assert _flowed(f"see {link} now").split("\n") == ["see ", f"{link} ", "now"]


@pytest.mark.parametrize(
    "robot",
    [
        "invitations@linkedin.com",
        "no-reply@acme.example",
        "robin@owner.example",
        "MAILER-DAEMON@acme.example",
    ],
)
def test_never_addressed_to_a_robot_or_the_owner(robot: str) -> None:
    n = invitation(requester=Requester(name="Priya Raman", email=robot))
    assert reparse(render(n))["To"] is None


@pytest.mark.parametrize(
    "address",
    [
        "x" * 310 + "@evil.example.real.com",  # too long: never cut down to another one
        "a@b.example\u200b.evil.io",  # an invisible character: never dropped
        "a@x.com (Bcc)",
        ".a..b.@q.example",
        "tom\u00e1s@example.org",  # a plain header cannot carry it as it is
    ],
)
def test_an_address_not_plain_as_received_is_not_written(address: str) -> None:
    n = invitation(requester=Requester(name="Priya Raman", email=address))
    msg = reparse(render(n))
    assert msg["To"] is None
    assert msg["Subject"] == "Paste into LinkedIn: reply to Priya Raman"


def test_every_draft_line_ends_in_crlf_and_is_ascii() -> None:
    """Names and subjects in any script are RFC 2047-encoded; a stray CR from the owner's
    settings becomes a line end, never a bare CR."""
    owner = Owner(name="Robin\rÓwner", email="robin@owner.example", phone="+44\r1", twitter=None)
    n = invitation(
        requester=Requester(name="山田 太郎", email="taro@example.jp"),
        subject="山田さんからの招待 " * 12,
    )
    assert n.requester is not None
    raw = (
        Renderer()
        .draft("ask", n.requester, n.network, Parent(n.message_id, n.subject), owner, token="t")
        .as_bytes()
    )
    raw.decode("ascii")
    lines = raw.split(b"\r\n")
    assert all(b"\r" not in line and b"\n" not in line for line in lines)
    assert all(len(line) <= 998 for line in lines)
    msg = reparse(raw)
    assert msg["To"] == "山田 太郎 <taro@example.jp>"
    assert msg["Subject"] == "Re: " + ("山田さんからの招待 " * 12).strip()
    assert not msg.defects and not msg.get_body(("plain",)).defects  # type: ignore[union-attr]


def test_hostile_name_and_note_change_no_header_and_run_no_template() -> None:
    n = parse(fixture_bytes("hostile-name.eml"))
    hostile = invitation(
        requester=Requester(name="Eve {{ 7*7 }}\r\nBcc: victim@example.org"),
        note="{% raw %}x{% endraw %}\r\nBcc: victim@example.org",
        subject="Hi\r\nBcc: victim@example.org",
        message_id="<a@b>\r\nBcc: victim@example.org",
    )
    for candidate in (n, hostile):
        msg = reparse(render(candidate))
        assert msg["Bcc"] is None and msg["Cc"] is None
        assert set(msg.keys()) <= {
            "From",
            "Subject",
            "Date",
            "Message-ID",
            "In-Reply-To",
            "References",
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version",
        }
        body = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        shown = msg["Subject"] + body
        assert "Eve {{ 7*7 }}" in msg["Subject"] and "Eve 49" not in shown  # never evaluated


def test_owner_templates_override_and_strict_undefined(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir(exist_ok=True)
    (tmp_path / "en" / "ask.txt.j2").write_text(
        "Dear {{ requester.name }}, who are you? {{ owner.name }}"
    )
    msg = reparse(render(invitation(), renderer=Renderer(tmp_path)))
    assert "Dear Priya Raman, who are you? Robin Owner" in msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    (tmp_path / "en" / "ask.txt.j2").write_text("Hi {{ requester.nickname }}")
    with pytest.raises(TemplateProblem, match="nickname"):
        render(invitation(), renderer=Renderer(tmp_path))


def test_an_encoded_word_inside_a_decoded_subject_is_shown_not_decoded_again() -> None:
    """The notification's subject was decoded once; text in it that looks like an
    encoded-word must reach the draft as those characters, not be decoded a second time."""
    priya = Requester(name="Priya Raman", email="priya@acme.example")
    for subject in ("Lunch =?utf-8?q?=E2=9C=85_Click?= now", "=?utf-8?b?SGVsbG8=?="):
        msg = reparse(render(invitation(subject=subject, requester=priya)))
        assert msg["Subject"] == f"Re: {subject}"
    for name in ("=?utf-8?q?Mallory?= Evil", "Ann =?x?q?y?="):
        raw = (
            Renderer()
            .draft(
                "ask",
                Requester(name=name, email="ann@mail.example"),
                "linkedin",
                Parent(LONG_ID, "I want to connect"),
                OWNER,
                token="t",
                languages=("en",),
            )
            .as_bytes()
        )
        assert reparse(raw)["To"].addresses[0].display_name == name


# -- the pure helpers, table-tested (found by mutation testing) ----------------------------

TOKEN = "0123456789abcdef" * 2


@pytest.mark.parametrize(
    ("owner", "domain"),
    [
        ("robin@owner.example", "owner.example"),
        ('"robin@home"@owner.example', "owner.example"),  # the domain is after the last @
        ("robin@", "localhost"),
        ("", "localhost"),
    ],
)
def test_our_message_ids_carry_the_token_and_the_owners_mark(owner: str, domain: str) -> None:
    mid = draft_message_id(TOKEN, owner, "20261206120000")
    assert mid == f"<20261206120000.{TOKEN}.{draft_mark(owner)}@{domain}>"
    assert (token_of(mid), mark_of(mid)) == (TOKEN, draft_mark(owner))
    assert draft_mark(owner) == draft_mark(owner.upper()) != draft_mark(owner + "x")


@pytest.mark.parametrize(
    "mid",
    [
        "<inv-1@linkedin.com>",
        f"<2026120612000.{TOKEN}.abcdef@x>",  # a stamp one digit short
        f"<20261206120000.{TOKEN[:-1]}.abcdef@x>",
        f"<20261206120000.{TOKEN}.abcdeg@x>",
        "",
    ],
)
def test_other_message_ids_have_no_token_nor_mark(mid: str) -> None:
    assert (token_of(mid), mark_of(mid)) == (None, None)


@pytest.mark.parametrize(
    ("raw", "message_id", "token"),
    [
        (b"Subject: x\r\nMessage-ID: <a@b>\r\n\r\nbody", "<a@b>", None),
        (b"message-id:\t<a@b>\n\nbody", "<a@b>", None),  # any case, bare LF
        (b"Subject: x\r\nMessage-ID:\r\n <a@b>\r\n\r\n", "<a@b>", None),  # folded
        (b"Subject: x\r\n\r\nMessage-ID: <a@b>\r\n", None, None),  # in the body only
        (b"Subject: x\r\n\r\nMessage-ID: <a@b>\r\n\r\nmore", None, None),
        (b"Subject: x\r\n\r\nX-Mailbot-Key: 00ff\r\n\r\nmore", None, None),
        (b"X-Message-ID: <a@b>\r\n\r\n", None, None),
        (b"Message-ID: <\xe9@b>\r\n\r\n", "<\ufffd@b>", None),
        (
            f"Message-ID: <20261206120000.{TOKEN}.abcdef@owner.example>\r\n\r\n".encode(),
            f"<20261206120000.{TOKEN}.abcdef@owner.example>",
            TOKEN,
        ),
        (
            f"Subject: x\r\nMessage-ID:\r\n <20261206120000.{TOKEN}.abcdef@o>\r\n\r\n".encode(),
            f"<20261206120000.{TOKEN}.abcdef@o>",
            TOKEN,
        ),
        # drafts of earlier releases: the key header, before the Message-ID
        (b"X-Mailbot-Key: 00ff\r\nMessage-ID: <a@b>\r\n\r\n", "<a@b>", "00ff"),
        (
            f"x-mailbot-key:\r\n 00ff\r\nMessage-ID: <20261206120000.{TOKEN}.abcdef@o>\r\n\r\n".encode(),
            f"<20261206120000.{TOKEN}.abcdef@o>",
            "00ff",
        ),
        (b"Subject: x\r\n\r\nX-Mailbot-Key: 00ff\r\n", None, None),  # in the body only
        (b"", None, None),
    ],
)
def test_the_message_id_and_token_are_read_from_the_header(
    raw: bytes, message_id: str | None, token: str | None
) -> None:
    assert (message_id_in(raw), token_in(raw)) == (message_id, token)


@pytest.mark.parametrize(
    ("line", "pieces"),
    [
        ("x" * 72, ["x" * 72]),
        ("x" * 70 + " y " + "z" * 10, ["x" * 70 + " y ", "z" * 10]),  # 72 and a space: fits
        ("x" * 71 + " y " + "z" * 10, ["x" * 71 + " ", "y " + "z" * 10]),  # 73: cut
        ("x" * 80 + " y", ["x" * 80 + " ", "y"]),  # a long first word stays whole
        ("a  b " + "c" * 70, ["a  b ", "c" * 70]),  # spaces kept as they are
    ],
)
def test_wrapping_cuts_at_72(line: str, pieces: list[str]) -> None:
    assert _wrap(line) == pieces


@pytest.mark.parametrize(
    ("text", "flowed"),
    [
        ("BOX  \nend", "BOX\nend"),  # trailing spaces only
        ("tab\t", "tab\t"),
        # a piece that would be "-- " joins the next, even two pieces in
        (
            "a" * 70 + " " + "c" * 70 + " -- " + "b" * 72,
            "\n".join(["a" * 70 + " ", "c" * 70 + " ", "-- " + "b" * 72]),
        ),
    ],
)
def test_flowed_text(text: str, flowed: str) -> None:
    assert _flowed(text) == flowed


@pytest.mark.parametrize(
    ("parent", "references"),
    [
        (Parent("<p@x>", "s", ("<a@x>", "<p@x>")), "<a@x>\r\n <p@x>"),  # the parent once
        (Parent("<p@x>", "s", ("<a@x>", "not an id", "")), "<a@x>\r\n <p@x>"),
        (
            Parent("<p@x>", "s", tuple(f"<m{i}@x>" for i in range(9))),
            "\r\n ".join([*(f"<m{i}@x>" for i in range(9)), "<p@x>"]),
        ),
    ],
)
def test_references(parent: Parent, references: str) -> None:
    assert _references(parent, "<p@x>") == references


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("", ""),  # none: the template subject.txt.j2 says what the reply answers
        ("  \r\n ", ""),
        ("Hi", "Re: Hi"),
        ("Hi Ed Miller", "Re: Hi Ed Miller"),
        ("RE: Hi Ed", "RE: Hi Ed"),
        ("re : Hi", "re : Hi"),
        ("Ré: Hi", "Re: Ré: Hi"),
        ("x" * 250, "Re: " + "x" * 200),
    ],
)
def test_reply_subjects(subject: str, expected: str) -> None:
    assert _reply_subject(subject) == expected
