"""Who a person is (mailbot/identity.py), as tables: profile links, addresses, names,
near matches, person keys and our drafts' Message-IDs. Mutation testing (mutmut, see
pyproject.toml) runs these with tests/test_names.py and tests/test_addresses.py."""

from __future__ import annotations

import pytest

from mailbot.identity import (
    canonical_profile,
    draft_mark,
    draft_message_id,
    key_token,
    loose,
    mark_of,
    near_match,
    normalise_email,
    normalise_name,
    person_key,
    profile_key,
    same_profile,
    token_of,
)

# -- profile links ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.linkedin.com/in/jane-doe", "linkedin:jane-doe"),
        ("https://www.linkedin.com/in/Jane-Doe/", "linkedin:jane-doe"),  # capitals, slash
        ("http://de.linkedin.com/in/jane-doe?trk=x#top", "linkedin:jane-doe"),
        ("https://www.linkedin.com/comm/in/jane-doe", "linkedin:jane-doe"),
        ("https://LINKEDIN.COM/IN/JANE-DOE", "linkedin:jane-doe"),
        ("linkedin.com/in/JMUELLER", "linkedin:jmueller"),  # as the owner types it
        ("www.linkedin.com/in/jmueller/", "linkedin:jmueller"),
        ("  <https://www.linkedin.com/in/jane>  ", "linkedin:jane"),
        ("https://www.linkedin.com/in/jane/details/skills", "linkedin:jane"),
        # the old member-id links: the id is case-sensitive
        ("https://www.linkedin.com/profile/view?id=AbC123", "linkedin:id:AbC123"),
        ("https://www.linkedin.com/profile/view/?trk=x&id=AbC123", "linkedin:id:AbC123"),
        ("https://www.linkedin.com/comm/profile/view?id=AbC123&x=1", "linkedin:id:AbC123"),
        ("https://www.linkedin.com/profile/view?xid=9", "https://www.linkedin.com/profile/view"),
        ("https://www.linkedin.com/profile/edit?id=9", "https://www.linkedin.com/profile/edit"),
        ("https://www.xing.com/profile/Jane_Doe", "xing:jane_doe"),
        ("https://www.xing.com/profile/Jane_Doe/cv?sc=x", "xing:jane_doe"),
        ("xing.com/profile/Jane_Doe", "xing:jane_doe"),
        # a LinkedIn link that mentions XING stays LinkedIn's
        ("https://www.linkedin.com/in/jane?ref=xing.com", "linkedin:jane"),
        ("https://www.xing.com/profile/jane?ref=linkedin.com/in/x", "xing:jane"),
        # another host's /in/ or /profile/ is no profile of the networks
        ("https://evil.example/in/jane", "https://evil.example/in/jane"),
        ("https://evil.example/linkedin.com/in/jane", "https://evil.example/linkedin.com/in/jane"),
        ("https://notlinkedin.com/in/jane", "https://notlinkedin.com/in/jane"),
        ("https://linkedin.com.evil.example/in/jane", "https://linkedin.com.evil.example/in/jane"),
        ("https://evil.example/?u=https://www.linkedin.com/in/jane", "https://evil.example"),
        (
            "https://www.linkedin.com/profile/view?id=1".replace("linkedin", "linkedln"),
            "https://www.linkedln.com/profile/view",
        ),
        ("https://notxing.com/profile/jane", "https://notxing.com/profile/jane"),
        ("https://www.xing.com/in/jane", "https://www.xing.com/in/jane"),
        ("https://www.linkedin.com/profile/jane", "https://www.linkedin.com/profile/jane"),
        ("https://www.linkedin.com/company/in/jane", "https://www.linkedin.com/company/in/jane"),
        ("https://[broken/in/jane", "https://[broken/in/jane"),
        ("HTTPS://Example.com/Path/?q=1#f", "https://example.com/path"),
        ("https://example.com/Path#f", "https://example.com/path"),
        ("https://example.com/ABX/", "https://example.com/abx"),
        ("https:///in/jane", "https:///in/jane"),  # no host
        ("//www.linkedin.com/in/jane", "linkedin:jane"),  # scheme-relative
        ("XING.COM/profile/Jane", "xing:jane"),
    ],
)
def test_profile_key(url: str, key: str) -> None:
    assert profile_key(url) == key


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://de.linkedin.com/in/jane-doe/?trk=x", "https://www.linkedin.com/in/jane-doe"),
        ("https://linkedin.com/comm/in/Jane", "https://www.linkedin.com/in/Jane"),
        (
            "https://www.linkedin.com/profile/view?id=AbC&trk=1",
            "https://www.linkedin.com/profile/view?id=AbC",
        ),
        ("https://www.linkedin.com/profile/view?trk=1", None),
        ("https://www.linkedin.com/feed/", None),
        ("https://www.xing.com/profile/Jane_Doe/cv", "https://www.xing.com/profile/Jane_Doe"),
        ("https://xing.com/profile/J", "https://www.xing.com/profile/J"),
        ("https://www.xing.com/contacts", None),
        ("https://evil.example/in/jane", None),  # another host's /in/: never a profile
        ("https://evil-linkedin.com/in/jane", None),
        ("https://linkedin.com.evil.example/in/jane", None),
        ("https://evil.example/profile/jane", None),
        ("https://xing.com.evil.example/profile/jane", None),
        ("https://evilxing.com/profile/jane", None),
        ("https://evil.example/profile/view?id=1", None),
        ("https://[broken/in/jane", None),
        ("not a link", None),
    ],
)
def test_canonical_profile(url: str, canonical: str | None) -> None:
    assert canonical_profile(url) == canonical


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://www.linkedin.com/in/jane", "http://de.linkedin.com/in/JANE/", True),
        ("https://www.linkedin.com/in/jane", "https://www.linkedin.com/in/jane2", False),
        ("https://www.linkedin.com/in/jane", "https://evil.example/in/jane", False),
        ("https://www.linkedin.com/in/jane", "https://www.xing.com/profile/jane", False),
        ("https://www.linkedin.com/in/jane", None, None),
        (None, "https://www.linkedin.com/in/jane", None),
        ("", "https://www.linkedin.com/in/jane", None),
        ("https://www.linkedin.com/in/jane", "", None),
    ],
)
def test_same_profile(a: str | None, b: str | None, same: bool | None) -> None:
    assert same_profile(a, b) is same


# -- person keys ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (
            ("linkedin", "Jane Doe", "https://www.linkedin.com/in/Jane", "linkedin:invitation:1"),
            "linkedin:jane",
        ),
        (("linkedin", "Jane Doe", None, "linkedin:invitation:1"), "linkedin:invitation:1"),
        (("xing", "Jane Doe", None, "xing:request:7"), "xing:request:7"),
        (("linkedin", "Dr. Jane Doe", None, "linkedin:fallback:1"), "linkedin:name:jane doe"),
        (("linkedin", "Jane Doe", "", None), "linkedin:name:jane doe"),
        ((None, "Jane Doe", None, None), "unknown:name:jane doe"),
        (("", "Jane", None, None), "unknown:name:jane"),
    ],
)
def test_person_key(args: tuple[str | None, str, str | None, str | None], key: str) -> None:
    assert person_key(*args) == key


def test_person_key_defaults_to_no_profile_and_no_invitation() -> None:
    assert person_key("linkedin", "Jane Doe") == "linkedin:name:jane doe"


# -- addresses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "normal"),
    [
        ("jane@x.example", "jane@x.example"),
        ("Jane@X.Example", "jane@x.example"),
        ("<jane@x.example>", "jane@x.example"),
        (" <Jane@X.example> ", "jane@x.example"),
        ("Jane Doe <jane@x.example>", "jane@x.example"),
        ('"Doe, Jane <boss@y.example>" <jane@x.example>', "jane@x.example"),
        ("\tjane@x.example\n", "jane@x.example"),
        ("<jane@x.example", "jane@x.example"),
        ("jane@x.example>", "jane@x.example"),
        ("< jane@x.example >", "jane@x.example"),
        ("STRASSE@X.EXAMPLE", "strasse@x.example"),
        ("Xavier@X.example", "xavier@x.example"),
        ("", ""),
    ],
)
def test_normalise_email(address: str, normal: str) -> None:
    assert normalise_email(address) == normal


# -- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Jane Doe", "jane doe"),
        ("jane_doe", "jane doe"),
        ("Jane__Doe", "jane doe"),
        ("Doe, Jane", "jane doe"),
        ("Doe ,Jane", "jane doe"),
        ("Doe,", "doe"),
        (", Jane", "jane"),
        ("van der Berg, Jan", "jan van der berg"),
        ("Jane, Mary, Doe", "jane mary doe"),
        ("Jane Doe, M.B.A.", "jane doe"),
        ("Jane Doe, M.B.A., Ph.D.", "jane doe"),
        ("Jane Doe, MBA, Engineer", "engineer jane doe"),  # a comma followed by a name
        ("Dr", "dr"),  # a name that is only a title is kept
        ("Dr Doe", "doe"),
        ("Dr Prof Doe", "doe"),
        ("MBA", "mba"),
        ("Doe MBA", "doe"),
        ("Doe MBA PhD", "doe"),
        ("Straße", "strasse"),
        ("Ærø Łódź", "aeroe lodz"),
        ("O’Brien", "obrien"),
        ("ﬁona", "fiona"),  # NFKC
        ("Jane Doe - CEO at Acme", "jane doe"),
        ("Jane Doe | Hiring", "jane doe"),
        ("Jane [Hiring] Doe", "jane doe"),
        ("山田 太郎", "山田太郎"),
        ("", ""),
    ],
)
def test_normalise_name(name: str, key: str) -> None:
    assert normalise_name(name) == key


@pytest.mark.parametrize(
    ("key", "folded"),
    [
        ("juergen mueller", "jurgen muller"),
        ("jurgen muller", "jurgen muller"),
        ("baerbel", "barbel"),
        ("sauer", "sauer"),  # "ue" after a vowel is no umlaut
        ("goethe", "gothe"),
        ("joel", "jol"),  # near matches only, never "known": a false fold costs little
    ],
)
def test_loose(key: str, folded: str) -> None:
    assert loose(key) == folded


# -- near matches -------------------------------------------------------------------------

ACCENTS = "the same name spelt with or without its accents (ü / ue / u)"
ORDER = "the same names in another order"
INITIAL = "same surname and first initial"
ONE_LETTER = "one letter apart"


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        ("jane doe", "jane doe", None),  # equal keys are a match, not near
        ("", "jane doe", None),
        ("jane doe", "", None),
        ("", "", None),
        ("", "j", None),
        ("j", "", None),
        ("hans mueller", "hans muller", ACCENTS),
        ("smith john", "john smith", ORDER),
        ("anna maria schmidt", "maria anna schmidt", ORDER),
        ("bob smith", "robert smith", "nickname: bob / robert"),
        ("robert smith", "bob smith", "nickname: robert / bob"),
        ("bob smith", "robert jones", None),  # another surname: no nickname
        ("bob smith", "rob jones", None),
        ("bob smith", "alice smith", None),
        ("j smith", "john smith", INITIAL),
        ("jane doe", "janet doe", INITIAL),
        ("jane doe", "john roe", None),  # the initial alone, another surname
        ("jane mary doe", "jane ann doe", None),  # the same first and last: not near
        ("anna schmidt", "anna schmitt", ONE_LETTER),  # substitution
        ("anna schmidt", "anna schmid", ONE_LETTER),  # deletion
        ("anna schmid", "anna schmidt", ONE_LETTER),  # insertion
        ("anna smith", "anna msith", ONE_LETTER),  # swapped neighbours
        ("anna smith", "anna smiht", ONE_LETTER),  # swapped at the end
        ("nana smith", "anna smith", ONE_LETTER),  # swapped at the start
        ("anna smith", "anna mstih", None),  # two swaps
        ("anna smith", "anna imsth", None),  # swapped, but not neighbours
        ("anna smith", "anna msitx", None),  # swapped, and one changed
        ("jane doe", "jnae doe", INITIAL),  # the surname and first initial say it first
        ("anna schmidt", "anna schmitz", None),
        ("madonna", "madona", ONE_LETTER),  # one-word names
        ("madonna", "madonnas", ONE_LETTER),
        ("madonna", "cher", None),
        ("cher", "madonna", None),
        ("cher", "chre", ONE_LETTER),
        ("cher", "chaer", ONE_LETTER),  # the longer one sorts first
        ("chaer", "cher", ONE_LETTER),
        ("cher", "chaaer", None),
        ("ab", "ba", ONE_LETTER),
        ("abc", "cba", None),
        ("jane doe", "jane doe jr", None),  # three letters more
        ("li wei", "wang fang", None),
    ],
)
def test_near_match(a: str, b: str, why: str | None) -> None:
    assert near_match(a, b) == why


# -- our drafts' Message-IDs ----------------------------------------------------------------

TOKEN = "0123456789abcdef0123456789abcdef"


def test_key_token_is_a_short_stable_hash() -> None:
    assert key_token("linkedin:jane") == key_token("linkedin:jane")
    assert key_token("linkedin:jane") != key_token("linkedin:jane2")
    assert len(key_token("x")) == 32
    assert key_token("") == "e3b0c44298fc1c149afbf4c8996fb924"  # sha256 of nothing


def test_draft_mark_is_per_owner_and_case_blind() -> None:
    assert draft_mark("Robin@Owner.example") == draft_mark("robin@owner.example")
    assert draft_mark("robin@owner.example") != draft_mark("sam@owner.example")
    assert len(draft_mark("robin@owner.example")) == 6
    assert draft_mark("") == "10ac3f"  # sha256("drafts:")


def test_a_draft_message_id_carries_its_token_and_the_owners_mark() -> None:
    mark = draft_mark("robin@owner.example")
    mid = draft_message_id(TOKEN, "robin@owner.example", "20261206103000")
    assert mid == f"<20261206103000.{TOKEN}.{mark}@owner.example>"
    assert token_of(mid) == TOKEN and mark_of(mid) == mark
    assert token_of(f"In-Reply-To: {mid} (x)") == TOKEN  # found inside a header
    odd = draft_message_id(TOKEN, "x@robin@owner.example", "20261206103000")
    odd_mark = draft_mark("x@robin@owner.example")
    assert odd == f"<20261206103000.{TOKEN}.{odd_mark}@owner.example>"  # the last "@"
    nowhere = draft_message_id(TOKEN, "", "20261206103000")
    assert nowhere == f"<20261206103000.{TOKEN}.{draft_mark('')}@localhost>"


@pytest.mark.parametrize(
    "mid",
    [
        "<abc@x.example>",
        f"<2026120610300.{TOKEN}.abcdef@x>",  # 13 digits
        f"<20261206103000.{TOKEN[:-1]}.abcdef@x>",
        f"<20261206103000.{TOKEN}.abcde@x>",
        f"<20261206103000.{TOKEN.upper()}.abcdef@x>",
        f"<20261206103000.{TOKEN}.abcdef@>",
        f"20261206103000.{TOKEN}.abcdef@x",  # no brackets
        "",
    ],
)
def test_other_message_ids_carry_no_token(mid: str) -> None:
    assert token_of(mid) is None and mark_of(mid) is None


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://de.linkedin.com/in/Jane-Doe/?trk=x", "https://www.linkedin.com/in/jane-doe"),
        ("linkedin.com/comm/in/jane-doe", "https://www.linkedin.com/in/jane-doe"),
        (
            "https://www.linkedin.com/profile/view?id=AbC123&trk=x",
            "https://www.linkedin.com/profile/view?id=AbC123",
        ),
        ("https://www.xing.com/profile/Jane_Doe/cv", "https://www.xing.com/profile/jane_doe"),
        ("https://evil.example/in/jane", "https://evil.example/in/jane"),
    ],
)
def test_a_profile_key_gives_back_a_link_to_the_profile(url: str, link: str) -> None:
    """Contacts keep a profile link as its key only (one string per person in a 400,000-row
    export); the link shown to the owner is made from it."""
    from mailbot.identity import profile_link

    assert profile_link(profile_key(url)) == link
    assert profile_key(profile_link(profile_key(url))) == profile_key(url)


def test_a_contacts_profile_is_stored_once() -> None:
    from mailbot.people.contacts import Contact, Contacts

    contacts = Contacts()
    contacts.add(Contact.of("Jane Doe", None, "https://de.linkedin.com/in/jane-doe/", "a.csv"))
    [(key, found)] = contacts.by_profile.items()
    assert key == "linkedin:jane-doe" and found.profile is key
    assert found.profile_url == "https://www.linkedin.com/in/jane-doe"
