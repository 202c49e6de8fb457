"""Tables that pin the edges of how a reply greets someone and which language it follows
(the mutation run on identity.greeting_names and languages.detected): the one-word and
two-letter boundaries of a name, initials with and without their dot, compound titles
("Dr.h.c."), the Dutch IJ in a short word, and the three words a language outside the
nine needs before a reply follows it. The detector is the real one (ELD-C)."""

from __future__ import annotations

import pytest

from mailbot.identity import greeting_names
from mailbot.languages import _lead, detected


@pytest.mark.parametrize(
    ("shown", "first", "full"),
    [
        # a surname that spells a degree (Ma, M.A.) is kept when it is the only name left
        ("Dr. Ma", "", "Dr. Ma"),
        # a degree without its comma is dropped, even when one name is left
        ("Dr. Weber MBA", "", "Dr. Weber"),
        ("Jonas Weber MBA", "Jonas", "Jonas Weber"),
        # two letters make a first name; one letter, with or without its dot, does not
        ("Bo Svensson", "Bo", "Bo Svensson"),
        ("Ed Sheeran", "Ed", "Ed Sheeran"),
        ("J Smith", "", "J Smith"),
        ("C. Smith", "", "C. Smith"),
        ("H. C. Andersen", "", "H. C. Andersen"),
        # an abbreviated first name ("Christian", "María") is no name to greet by
        ("Chr. Schmidt", "", "Chr. Schmidt"),
        ("Ma. Cristina Reyes", "", "Ma. Cristina Reyes"),
        # "Dr.h.c." written as one word is a title like "Dr. h.c."; only "Prof." is kept
        ("Prof. Dr.h.c. Hans Müller", "Hans", "Prof. Hans Müller"),
        ("Dr. h.c. Hans Müller", "Hans", "Dr. Hans Müller"),
        # the Dutch IJ is one capital in a three-letter word too
        ("JAN VAN IJK", "Jan", "Jan van IJk"),
    ],
)
def test_greeting_name_edges(shown: str, first: str, full: str) -> None:
    assert greeting_names(shown) == (first, full)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # a language outside the nine is followed from three words, never from two,
        # however sure the detector is of two
        ("Merhaba Robin", None),
        ("Merhaba Robin bey", "tr"),
        ("Kiitos paljon", None),
        ("Kiitos paljon Robin", "fi"),
        ("Moltes gràcies", None),
        ("Moltes gràcies Robin", "ca"),
    ],
)
def test_another_language_needs_three_words(text: str, language: str | None) -> None:
    assert detected(text) == language


@pytest.mark.parametrize(
    ("scores", "lead"),
    [
        ({}, 0.0),  # nothing detected: no lead
        ({"en": 0.75}, 0.75),  # one candidate leads by its whole score
        ({"de": 0.5, "nl": 0.875, "sv": 0.125}, 0.375),  # best minus runner-up, any order
        ({"de": 0.5, "nl": 0.5}, 0.0),
    ],
)
def test_lead_is_best_minus_runner_up(scores: dict[str, float], lead: float) -> None:
    assert _lead(scores) == lead
