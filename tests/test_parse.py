"""Parsing: every fixture (one per template family, language and negative kind) reads right."""

from __future__ import annotations

import json
from typing import Any

import pytest
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
