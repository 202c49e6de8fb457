"""Parsing: every fixture (one per template family, language and negative kind) reads right."""

from __future__ import annotations

import json
from typing import Any

import pytest
from builders import invitation, network_message
from conftest import FIXTURES, fixture_bytes

from mailbot.notifications import parse

EXPECTED: dict[str, dict[str, Any]] = json.loads((FIXTURES / "expected.json").read_text())


def test_every_fixture_has_an_expectation() -> None:
    assert {p.name for p in FIXTURES.glob("*.eml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture(name: str) -> None:
    expected = EXPECTED[name]
    n = parse(fixture_bytes(name))
    assert (n.kind, n.network) == (expected["kind"], expected["network"]), n.reasons
    assert n.reasons, "every result says why"
    if n.kind not in ("invitation", "message"):
        return
    assert n.requester is not None
    assert n.requester.name == expected["name"]
    assert n.note == expected["note"]
    if n.kind == "message":
        return
    assert n.requester.headline == expected["headline"]
    assert n.language == expected["language"]
    if expected["profile_url"] is None:
        assert n.requester.profile_url is None
    else:
        assert n.requester.profile_url is not None
        assert n.requester.profile_url == expected["profile_url"]
    if expected["invitation_id"]:
        assert n.key is not None and n.key.endswith(":" + expected["invitation_id"])
    assert n.requester.email == expected.get("email")  # only a person's own address


def test_reminder_has_the_key_of_the_original() -> None:
    original = parse(fixture_bytes("li-2026-current-default.eml"))
    reminder = parse(fixture_bytes("li-2026-reminder.eml"))
    assert original.key is not None and original.key == reminder.key


def test_default_texts_are_not_notes() -> None:
    for name in (
        "li-2026-current-default.eml",
        "li-2024-please-add-me.eml",
        "li-2016-guest-invite-es.eml",
        "li-2016-guest-invite-id.eml",
    ):
        assert parse(fixture_bytes(name)).note is None, name


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe",
        b"From: x\r\n\r\n",
        b"Subject: =?x?q?\r\n",
        b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n",
    ],
)
def test_garbage_is_other_not_an_exception(raw: bytes) -> None:
    assert parse(raw).kind == "other"


def test_note_without_greeting_is_the_paragraph_above_the_card() -> None:
    note = "We met at the PyCon hiring panel, I would love to stay in touch."
    n = parse(invitation("Nora Quinn", note=note, greeting=False))
    assert n.note == "We met at the PyCon hiring panel, I would love to stay in touch."


def test_links_in_a_note_do_not_steer_the_parse() -> None:
    """A pasted profile is not the requester's; a link after "interview" is no action link."""
    n = parse(
        invitation(
            "Mallory Doe",
            note="Grace's profile: https://www.linkedin.com/in/grace-hopper "
            "- we spoke about the interview: https://github.com/mallory/x",
        )
    )
    assert n.kind == "invitation"
    assert (
        n.requester is not None
        and n.requester.profile_url == "https://www.linkedin.com/in/mallory-doe"
    )


def test_a_message_quoting_an_accept_link_is_a_message() -> None:
    raw = network_message(
        "Jonas Becker",
        "See https://www.linkedin.com/comm/mynetwork/invite-accept/"
        "invitationId/7999999999999999999/sharedKey/x/",
    )
    assert parse(raw).kind == "message"


def test_forged_acceptance_is_suspicious() -> None:
    raw = fixture_bytes("li-acceptance.eml")
    forged = b"Authentication-Results: mx.owner.example; dkim=fail header.d=linkedin.com\r\n" + raw
    assert parse(raw).topic == "accepted"
    assert parse(forged).kind == "suspicious"


def test_raw_utf8_header_is_decoded_not_smuggled() -> None:
    raw = invitation("Priya Raman").replace(b"From: Priya Raman", "From: Priyá Raman".encode())
    n = parse(raw)
    assert n.requester is not None and n.requester.name == "Priyá Raman"


def test_invitation_digest_is_not_one_invitation() -> None:
    raw = invitation("Ann Digest").replace(
        b"email_m2m_invite_single_01", b"email_m2m_invite_digest_02"
    )
    assert parse(raw).kind == "other"


@pytest.mark.parametrize(
    ("name", "common"),
    [
        ("li-2026-you-have-invitation.eml", "12 connections in common"),
        ("li-2026-de-default.eml", "12 gemeinsame Kontakte"),
        ("li-2016-m2m-invitation.eml", None),
    ],
)
def test_connections_in_common_as_the_card_says(name: str, common: str | None) -> None:
    n = parse(fixture_bytes(name))
    assert n.requester is not None and n.requester.common == common


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("3 mutual connections", True),
        ("1 shared connection", True),
        ("Anna Berg and 4 others are mutual connections", True),
        ("12 relations en commun", True),
        ("7 contactos en común", True),
        ("5 collegamenti in comune", True),
        ("2 conexões em comum", True),
        ("9 gemensamma kontakter", True),
        ("4 wspólnych kontaktów", True),
        ("We have 3 mutual connections, so I thought I'd reach out", False),  # a note
        ("connections in common", False),
    ],
)
def test_connections_in_common_in_every_language(line: str, found: bool) -> None:
    from mailbot.notifications.fields import common_connections

    assert (common_connections(["Jane Doe", "CTO", line]) == line) == found


@pytest.mark.parametrize(
    "note",
    [
        "Hi – we were both at the Leeds data meetup, you asked the question about dbt, thanks!",
        "Ciao! Ci siamo visti al Codemotion, allo stand di Bitrock, ricordi?",
        "Hoi! We hebben samen bij Adyen gewerkt, in het payments team, toch?",
        "Hello Robin! Great meeting you at the fair, and thanks for the tip.",
        "Hey Robin we met at the airport lounge, long story, talk soon",
    ],
)
def test_a_greeting_without_a_comma_never_cuts_the_note(note: str) -> None:
    n = parse(invitation("Nora Quinn", note=note, greeting=False))
    assert n.note == note


@pytest.mark.parametrize(
    ("note", "kept"),
    [
        ("Hi Robin, we met at PyCon.", "we met at PyCon."),
        ("Dear Dr. Owner, we met at PyCon.", "we met at PyCon."),
        ("Hallo Herr Dr. Owner, wir kennen uns vom Meetup.", "wir kennen uns vom Meetup."),
        ("Hi, we met at PyCon.", "we met at PyCon."),
    ],
)
def test_a_greeting_with_a_name_and_comma_is_not_part_of_the_note(note: str, kept: str) -> None:
    assert parse(invitation("Nora Quinn", note=note, greeting=False)).note == kept


@pytest.mark.parametrize(
    "note",
    [
        "I attended your workshop last week and would like to connect with you on LinkedIn",
        "We met at the Berlin summit and I would like to connect with you on LinkedIn.",
        "Ich habe Ihren Vortrag gehört und Jonas Weber möchte sich mit Ihnen vernetzen",
        "Nous avons travaillé ensemble chez Thales et je souhaite me connecter avec vous",
    ],
)
def test_a_note_ending_with_the_default_sentence_is_still_a_note(note: str) -> None:
    n = parse(invitation("Nora Quinn", note=note))
    assert n.note == note


def test_the_networks_own_sentence_about_a_name_is_still_chrome() -> None:
    from mailbot.notifications.fields import is_chrome_line

    for line in (
        "Nora Quinn would like to connect with you on LinkedIn.",
        "Dr. Nora van der Quinn, PhD would like to connect on LinkedIn",
        "Jonas Weber möchte sich mit Ihnen vernetzen",
        "Élodie Martin souhaite se connecter avec vous sur LinkedIn",
    ):
        assert is_chrome_line(line), line
