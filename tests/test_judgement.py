"""The courtesy promises, on the whole labelled set of notes and answers (tune and
holdout alike): never the explanation of the rule to someone who claims a tie, never a
draft to a rude or an automatic answer. The figures per split are bench/judgement.py's."""

from __future__ import annotations

import pytest
from judgement import DATA, Item, items, judge

from mailbot.rules import EXPLAIN

pytestmark = pytest.mark.skipif(not DATA.exists(), reason="no labelled set")
ALL = list(items()) if DATA.exists() else []


def _ids(item: Item) -> str:
    return f"{item.kind}-{item.lang}-{item.label}-{item.text[:30]}"


def test_the_set_is_broad() -> None:
    notes = [i for i in ALL if i.kind == "note"]
    answers = [i for i in ALL if i.kind == "answer"]
    assert len(notes) >= 200 and len(answers) >= 80
    assert len({i.lang for i in ALL}) >= 7
    assert {i.split for i in ALL} == {"tune", "holdout"}


@pytest.mark.parametrize(
    "item", [i for i in ALL if i.kind == "note" and i.label == "tie"], ids=_ids
)
def test_a_note_claiming_a_tie_never_gets_the_explanation(item: Item) -> None:
    p = judge(item)
    assert p.decision != EXPLAIN and (p.draft is None or p.draft.step != "explain"), p.reason


@pytest.mark.parametrize(
    "item", [i for i in ALL if i.kind == "answer" and i.label == "yes"], ids=_ids
)
def test_an_answer_claiming_a_tie_never_gets_the_explanation(item: Item) -> None:
    p = judge(item)
    assert p.draft is None or p.draft.step != "explain", p.reason


@pytest.mark.parametrize(
    "item", [i for i in ALL if i.kind == "answer" and i.label in ("rude", "auto")], ids=_ids
)
def test_rude_and_automatic_answers_never_get_a_draft(item: Item) -> None:
    p = judge(item)
    assert p.draft is None, p.reason
    if item.label == "auto":  # the conversation stays as it was: their real answer counts
        assert p.save is None and p.withdraw == (), p.reason
