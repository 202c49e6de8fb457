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


ELSEWHERE = [
    replace(person("Jana Novak"), person="xing:jana_novak", network="xing"),
    replace(person("Opaque Link"), person="https://lnkd.in/abc", link="https://lnkd.in/abc"),
    replace(person("Www Link"), person="www.example.org/ww", link="www.example.org/ww"),
]


@pytest.mark.parametrize(
    ("who", "found"),
    [
        ("xing.com/profile/Jana_Novak", ["Jana Novak"]),  # a XING profile, without a scheme
        ("HTTPS://LNKD.IN/ABC?trk=1", ["Opaque Link"]),  # a link that is no profile
        ("WWW.example.org/WW#top", ["Www Link"]),
        ("https://lnkd.in/abc", ["Opaque Link"]),  # as `status` shows it
    ],
)
def test_a_link_names_the_conversation_it_is_the_key_of(who: str, found: list[str]) -> None:
    assert [c.name for c in find_person(ELSEWHERE, who)] == found


def test_several_are_listed_by_link_else_address_else_network_ten_at_most() -> None:
    people = [
        replace(person("Sam Lee"), link=None, email="sam@mail.example"),
        replace(person("Sam Lee"), link=None),
        *(person("Sam Lee", f"https://www.linkedin.com/in/sam-{i}") for i in range(10)),
    ]
    with pytest.raises(UsageError) as several:
        one_person(people, "Sam")
    listed = "; ".join(
        ["Sam Lee (sam@mail.example)", "Sam Lee (linkedin)"]
        + [f"Sam Lee (https://www.linkedin.com/in/sam-{i})" for i in range(8)]
    )
    assert str(several.value) == (
        f"'Sam' names 12 people: {listed}. Give the profile link or address"
    )
    with pytest.raises(UsageError) as none:
        one_person(people, "Nobody")
    assert str(none.value) == (
        "no conversation with 'Nobody': give a name, address or profile link as "
        "`mailbot status` shows it"
    )


@pytest.mark.parametrize(
    ("network", "profile", "link", "email", "first", "lines"),
    [
        ("xing", None, "xing:request:1", None, "[1/1] Jana Novak - XING", ["  xing:request:1"]),
        (
            "mastodon",
            "https://p.example/@j",
            "x",
            None,
            "[1/1] Jana Novak - mastodon",
            ["  https://p.example/@j"],
        ),
        (None, None, None, "j@mail.example", "[1/1] Jana Novak", ["  j@mail.example"]),
    ],
)
def test_the_card_names_the_network_and_the_best_link(
    network: str | None,
    profile: str | None,
    link: str | None,
    email: str | None,
    first: str,
    lines: list[str],
) -> None:
    c = replace(person("Jana Novak"), network=network, profile_url=profile, link=link, email=email)
    assert card(c, 1, 1).splitlines() == [
        first,
        *lines,
        "  why: their note says you know each other",
    ]
