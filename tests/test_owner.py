"""Finding the person the owner names in `mailbot decide`, and the card `review` shows."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mailbot.errors import UsageError
from mailbot.identity import normalise_name
from mailbot.owner import card, find_person, one_person
from mailbot.records import Conversation


def person(name: str, profile: str | None = None, email: str | None = None) -> Conversation:
    return Conversation(
        person=f"linkedin:{name.lower().replace(' ', '-')}",
        name_key=normalise_name(name),
        name=name,
        network="linkedin",
        profile_url=profile,
        email=email,
        language="en",
        status="review",
        reason="their note says you know each other",
        link=profile,
    )


PEOPLE = [
    person("Jane Doe", "https://www.linkedin.com/in/jane-doe-1"),
    person("Jane Roe", "https://www.linkedin.com/in/jane-roe", "jane.roe@mail.example"),
    person("Jürgen Müller", "https://www.linkedin.com/in/jmueller"),
    person("Omar Haddad"),
]


@pytest.mark.parametrize(
    ("who", "found"),
    [
        ("Jane Doe", ["Jane Doe"]),
        ("  jane   DOE ", ["Jane Doe"]),
        ("Jane", ["Jane Doe", "Jane Roe"]),  # ambiguous: both listed
        ("Roe", ["Jane Roe"]),
        ("omar", ["Omar Haddad"]),
        ("Jurgen Muller", ["Jürgen Müller"]),  # without the accents
        ("Juergen Mueller", ["Jürgen Müller"]),
        ("https://de.linkedin.com/in/jane-doe-1/?trk=x", ["Jane Doe"]),
        ("linkedin.com/in/JMUELLER", ["Jürgen Müller"]),
        ("https://www.linkedin.com/in/someone-else", []),
        ("Jane.Roe@Mail.example", ["Jane Roe"]),
        ("nobody@mail.example", []),
        ("Jane Smith", []),
        ("", []),
        ("Ja", []),  # a fragment of a word is not a name
    ],
)
def test_the_person_is_found_by_name_address_or_profile(who: str, found: list[str]) -> None:
    assert [c.name for c in find_person(PEOPLE, who)] == found


def test_an_exact_name_wins_over_word_matches() -> None:
    people = [*PEOPLE, person("Jane Doe Smith")]
    assert [c.name for c in find_person(people, "Jane Doe")] == ["Jane Doe"]


def test_none_or_several_is_one_line_naming_them() -> None:
    with pytest.raises(UsageError, match="no conversation with 'Nobody'"):
        one_person(PEOPLE, "Nobody")
    with pytest.raises(UsageError) as several:
        one_person(PEOPLE, "Jane")
    text = str(several.value)
    assert "names 2 people" in text and "Jane Doe" in text and "Jane Roe" in text
    assert "\n" not in text
    assert one_person(PEOPLE, "Jane Roe").name == "Jane Roe"


def test_the_card_shows_what_the_owner_needs_to_judge() -> None:
    c = replace(
        PEOPLE[0],
        headline="CTO at Acme",
        common="12 connections in common",
        details="Jane Doh: one letter apart\nyou wrote to jane@acme.example once",
    )
    text = card(c, 2, 5)
    assert text.splitlines()[0] == "[2/5] Jane Doe - LinkedIn"
    for part in (
        "CTO at Acme",
        "12 connections in common",
        "https://www.linkedin.com/in/jane-doe-1",
        "why: their note says you know each other",
        "Jane Doh: one letter apart",
        "you wrote to jane@acme.example once",
    ):
        assert part in text
