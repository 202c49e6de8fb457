"""Tables that pin the deciding modules' edges (issue 22): the learned scorer's features,
probabilities and model file, the thresholds' boundaries in note_says and answer_says,
and the exact steps and reasons the mutation run found unchecked. Models here are made
by hand (scorer.installed), so every threshold is one the test controls."""

from __future__ import annotations

import math
import zlib

import pytest
from test_conversation import conv

from mailbot import scorer
from mailbot.conversation import (
    ASKED,
    EXPLAINED,
    NO,
    PLAIN,
    RUDE,
    RUDE_WORDS,
    SHORT,
    UNSURE,
    YES,
    Reading,
    Step,
    answer_says,
    on_answer,
    on_connected,
    read,
)
from mailbot.notifications import Notification
from mailbot.people.known import KnownPeople
from mailbot.rules import (
    ASK,
    EXPLAIN,
    KNOWN,
    NONE,
    REVIEW,
    TIE,
    UNCLEAR,
    Context,
    decide,
    note_says,
)
from mailbot.scorer import BUCKETS, MODELS, Model, Scores, features, from_json

# p = 0.5 exactly for any text: no weights and a zero bias.
HALF = 0.0


def bucket(feature: str) -> int:
    return zlib.crc32(feature.encode()) & (BUCKETS - 1)


def model(bias: float = -60.0, threshold: float = 0.9, low: float = 0.6) -> Model:
    return Model(bias=bias, weights={}, threshold=threshold, low=low)


def models(**by_name: Model) -> scorer.Models:
    """Every model sure of nothing (p ~ 0), except those given."""
    return {name: by_name.get(name, model()) for name in MODELS}


def scores(threshold: float = 0.9, low: float = 0.6, **values: float) -> Scores:
    """Scores with the given probabilities (others 0.0), all models at one threshold pair."""
    names = MODELS
    return Scores(
        {n: values.get(n, 0.0) for n in names},
        {n: model(threshold=threshold, low=low) for n in names},
    )


# --- scorer.features ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "Hello", "We met at PyCon 2024 in Berlin!", "NEIN DANKE", "hi 🙂 https://x.io/a"],
)
def test_features_are_sorted_distinct_stable_buckets(text: str) -> None:
    found = features(text)
    assert found == sorted(set(found))
    assert all(0 <= b < BUCKETS for b in found)
    assert features(text) == found
    assert features(f"  {text}\n") == found  # whitespace is folded first


def test_features_of_empty_text_are_the_no_letters_and_length_marks() -> None:
    assert features("") == sorted({bucket("s:noletters"), bucket("s:len0")})


@pytest.mark.parametrize(
    ("text", "caps", "emoji", "noletters", "length"),
    [
        ("HELLO WORLD", True, False, False, 1),  # 10 capitals, 2 words
        ("HELLO", False, False, False, 1),  # 5 letters: too short to shout
        ("Hello World", False, False, False, 1),
        ("ABC DEF 123", True, False, False, 1),  # digits: neither capitals nor words
        ("hi 🙂", False, True, False, 1),
        ("123 456", False, False, True, 0),
        ("one two three four five six seven", False, False, False, 3),
        (" ".join(["word"] * 200), False, False, False, 6),  # the length mark is capped
    ],
)
def test_features_shape_marks(
    text: str, caps: bool, emoji: bool, noletters: bool, length: int
) -> None:
    found = set(features(text))
    assert (bucket("s:caps") in found) is caps
    assert (bucket("s:emoji") in found) is emoji
    assert (bucket("s:noletters") in found) is noletters
    marks = {n for n in range(7) if bucket(f"s:len{n}") in found}
    assert marks == {length}


def test_features_words_pairs_and_character_grams() -> None:
    found = set(features("Hello there"))
    for f in ("w:hello", "w:there", "b:hello there", "c: he", "c:lo ", "c: hell", "c:hello"):
        assert bucket(f) in found, f


# --- scorer.Model and from_json -----------------------------------------------------------


@pytest.mark.parametrize(
    ("bias", "expected"),
    [(0.0, 0.5), (math.log(3), 0.75), (-math.log(3), 0.25)],
)
def test_probability_of_no_features_is_the_bias_alone(bias: float, expected: float) -> None:
    assert Model(bias, {1: 5.0}, 0.5).probability([]) == pytest.approx(expected)


def test_probability_weighs_buckets_over_the_root_of_their_count() -> None:
    m = Model(0.0, {1: math.sqrt(2) * math.log(3), 2: 0.0}, 0.5)
    assert m.probability([1, 2]) == pytest.approx(0.75)
    assert m.probability([1, 3]) == pytest.approx(0.75)  # an unknown bucket weighs nothing
    assert m.probability([1]) == pytest.approx(1 / (1 + math.exp(-math.sqrt(2) * math.log(3))))


def test_probability_is_clamped() -> None:
    assert Model(1000.0, {}, 0.5).probability([1]) == 1.0 / (1.0 + math.exp(-60.0))
    assert Model(-1000.0, {}, 0.5).probability([1]) == 1.0 / (1.0 + math.exp(60.0))


def packed(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        name: {
            "bias": i - 2,
            "buckets": [i, 100 + i],
            "weights": [0.5 * i, -1.25],
            "threshold": 0.5 + i / 10,
            "low": 0.25 + i / 10,
        }
        for i, name in enumerate(MODELS)
    }
    data.update(overrides)
    return data


def test_from_json_reads_every_model() -> None:
    loaded = from_json(packed())
    assert set(loaded) == set(MODELS)
    for i, name in enumerate(MODELS):
        assert loaded[name] == Model(
            bias=float(i - 2),
            weights={i: 0.5 * i, 100 + i: -1.25},
            threshold=0.5 + i / 10,
            low=0.25 + i / 10,
        )
        assert isinstance(loaded[name].bias, float)


def test_from_json_without_a_low_threshold_never_uses_it() -> None:
    raw = {"bias": 1, "buckets": [], "weights": [], "threshold": 0.7}
    loaded = from_json(packed(answer_no=raw))
    assert loaded["answer_no"] == Model(1.0, {}, 0.7, 1.0)


def test_from_json_round_trips_the_shipped_models() -> None:
    shipped = scorer._shipped()
    data = {
        name: {
            "bias": m.bias,
            "buckets": list(m.weights),
            "weights": list(m.weights.values()),
            "threshold": m.threshold,
            "low": m.low,
        }
        for name, m in shipped.items()
    }
    assert from_json(data) == shipped


@pytest.mark.parametrize(
    ("broken", "error"),
    [
        ({"bias": 0, "buckets": [1, 2], "weights": [1.0], "threshold": 0.5}, ValueError),
        ({"bias": 0, "buckets": (1,), "weights": [1.0], "threshold": 0.5}, AssertionError),
        ({"bias": 0, "buckets": [1], "weights": (1.0,), "threshold": 0.5}, AssertionError),
        ([0, [1], [1.0], 0.5], AssertionError),
    ],
)
def test_from_json_rejects_malformed_models(broken: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        from_json(packed(answer_yes=broken))


def test_from_json_needs_every_model() -> None:
    data = packed()
    del data["answer_auto"]
    with pytest.raises(KeyError):
        from_json(data)


# --- scorer.Scores and installed ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "confident", "likely"),
    [(0.59, False, False), (0.6, False, True), (0.89, False, True), (0.9, True, True)],
)
def test_thresholds_are_inclusive(value: float, confident: bool, likely: bool) -> None:
    s = scores(answer_no=value)
    assert s["answer_no"] == value
    assert s.confident("answer_no") is confident
    assert s.likely("answer_no") is likely


def test_installed_models_judge_for_a_while_then_the_shipped_ones_again() -> None:
    shipped = scorer.answer("Thanks for the message, I will think about it.")
    with scorer.installed(models(answer_no=model(bias=HALF, threshold=0.5, low=0.5))):
        inside = scorer.answer("Thanks for the message, I will think about it.")
        assert inside.values == {
            "answer_no": 0.5,
            "answer_yes": pytest.approx(0.0),
            "answer_rude": pytest.approx(0.0),
            "answer_auto": pytest.approx(0.0),
        }
        assert inside.confident("answer_no") and inside.likely("answer_no")
        assert scorer.note("anything").values == {"note_none": pytest.approx(0.0)}
    assert scorer.answer("Thanks for the message, I will think about it.") == shipped


# --- rules.note_says ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "no_tie", "note_none", "says"),
    [
        ("we met", None, 1.0, TIE),  # a rule's claim is never overruled
        ("we met", "growing my network", 1.0, TIE),
        (None, None, 0.9, NONE),  # confident alone
        (None, None, 0.89, UNCLEAR),
        (None, "growing my network", 0.6, NONE),  # fairly sure, and a phrase agrees
        (None, "growing my network", 0.59, UNCLEAR),
        (None, None, 0.6, UNCLEAR),  # fairly sure alone is not enough
        (None, "", 0.6, UNCLEAR),
        (None, None, 0.0, UNCLEAR),
    ],
)
def test_note_says(claim: str | None, no_tie: str | None, note_none: float, says: str) -> None:
    assert note_says(claim, no_tie, scores(note_none=note_none)) == says


# --- conversation.answer_says -------------------------------------------------------------


def reading(
    rude: str | None = None,
    claim: str | None = None,
    denial: str | None = None,
    words: int = SHORT + 1,
    sentences: int = 2,
    sorry: bool = False,
    **values: float,
) -> Reading:
    return Reading(rude, claim, denial, scores(**values), words, sentences, sorry)


@pytest.mark.parametrize(
    ("r", "says"),
    [
        # rude: a rule's insult, or the scorer confident of one in a few words, unless
        # they apologise
        (reading(rude="idiot", claim="we met", denial="no", words=1), RUDE),
        (reading(answer_rude=0.9), RUDE),
        (reading(answer_rude=0.9, words=RUDE_WORDS, denial="no"), RUDE),
        (reading(answer_rude=0.9, words=RUDE_WORDS - 1, denial="no"), NO),
        (reading(answer_rude=0.9, sorry=True, denial="no", words=SHORT), NO),
        (reading(answer_rude=0.89), UNSURE),
        # a claim: a rule's, or the scorer confident of one past SHORT words
        (reading(claim="we met", denial="no", words=1), YES),
        (reading(answer_yes=0.9), YES),
        (reading(answer_yes=0.9, words=SHORT, denial="no"), NO),
        (reading(answer_yes=0.9, words=SHORT), UNSURE),
        # a rule's "no", short or one plain sentence
        (reading(denial="no", words=SHORT, sentences=3), NO),
        (reading(denial="no", words=PLAIN, sentences=1), NO),
        (reading(denial="no", words=PLAIN + 1, sentences=1), UNSURE),
        (reading(denial="no", words=SHORT + 1, sentences=2), UNSURE),
        # longer: any hint of rudeness or a tie means the owner reads it
        (reading(denial="no", answer_no=1.0, answer_rude=0.6), UNSURE),
        (reading(denial="no", answer_no=1.0, answer_yes=0.6), UNSURE),
        (reading(answer_no=1.0, answer_rude=0.59, answer_yes=0.59), NO),
        # the scorer confident of a no, or fairly sure of it with a rule's "no"
        (reading(answer_no=0.9), NO),
        (reading(answer_no=0.89), UNSURE),
        (reading(denial="no", answer_no=0.6), NO),
        (reading(denial="no", answer_no=0.59), UNSURE),
        (reading(answer_no=0.6), UNSURE),
        (reading(), UNSURE),
    ],
)
def test_answer_says(r: Reading, says: str) -> None:
    assert answer_says(r) == says


LONG = "The weather in Lisbon was lovely this whole week, thanks for asking."  # no phrase


@pytest.mark.parametrize(
    ("confident", "says"),
    [("answer_rude", RUDE), ("answer_yes", YES), ("answer_no", NO), ("answer_auto", UNSURE)],
)
def test_read_answers_with_installed_models(confident: str, says: str) -> None:
    sure = models(**{confident: model(bias=HALF, threshold=0.5, low=0.5)})
    with scorer.installed(sure):
        r = read(LONG)
    assert (r.rude, r.claim, r.denial, r.words, r.sentences) == (None, None, None, 12, 1)
    assert r.scores.models is sure
    assert answer_says(r) == says


def test_on_answer_follows_the_installed_scorer() -> None:
    with scorer.installed(models(answer_no=model(bias=HALF, threshold=0.5))):
        step = on_answer(LONG, conv(ASKED), thanks=True)
    assert (step.decision, step.status, step.draft, step.withdraw) == (
        EXPLAIN,
        EXPLAINED,
        EXPLAIN,
        True,
    )
    assert step.reason == f"Zed Stranger says you have not met: \u201c{LONG}\u201d"
    with scorer.installed(models()):
        unsure = on_answer(LONG, conv(ASKED), thanks=True)
    assert unsure == Step(
        REVIEW, f"Zed Stranger answered, unclear: \u201c{LONG}\u201d", status=REVIEW, withdraw=True
    )


# --- conversation.on_connected and the last rule ------------------------------------------


def test_on_connected() -> None:
    assert on_connected(conv(KNOWN)) == Step(KNOWN, "connected with Zed Stranger (already known)")
    assert on_connected(conv(ASKED)) == Step(
        KNOWN, "you are now connected with Zed Stranger", status=KNOWN, withdraw=True
    )


def test_a_stranger_without_a_name_or_note_is_someone() -> None:
    invitation = Notification(kind="invitation", network="linkedin", key="linkedin:invitation:9")
    decision = decide(invitation, Context(KnownPeople(), frozenset()))
    assert (decision.action, decision.rule) == (ASK, "stranger-without-note")
    assert decision.reasons == ("someone is not someone you know and sent no personal note",)


# -- packed weights (scorer.pack / Packed), the shipped format ---------------------------


def test_packed_weights_round_trip_through_from_json() -> None:
    weights = {7: 0.25, 3: -1.5, 1048575: 2.0, 0: 0.001}
    data = {
        name: {"bias": 0.5, "threshold": 0.7, "low": 0.3, **scorer.pack(weights)}
        for name in scorer.MODELS
    }
    model = scorer.from_json(data)["note_none"]
    assert isinstance(model.weights, scorer.Packed)
    assert dict(model.weights) == weights
    assert list(model.weights) == [0, 3, 7, 1048575] and len(model.weights) == 4
    assert model.weights.get(4, 9.0) == 9.0 and model.weights.get(1048575) == 2.0
    with pytest.raises(KeyError):
        model.weights[1048576]
    assert model.probability([3, 7]) == scorer.Model(0.5, weights, 0.7).probability([3, 7])


def test_packed_weights_of_unequal_length_are_refused() -> None:
    good, other = scorer.pack({1: 1.0, 2: 2.0}), scorer.pack({1: 1.0})
    data = {
        name: {
            "bias": 0.0,
            "threshold": 0.5,
            "buckets": good["buckets"],
            "weights": other["weights"],
        }
        for name in scorer.MODELS
    }
    with pytest.raises(ValueError, match="differ in length"):
        scorer.from_json(data)


def test_packed_weights_are_whole_thousandths_little_endian() -> None:
    import base64
    import struct

    packed = scorer.pack({5: -0.0124, 2: 1.2346})
    assert struct.unpack("<2I", base64.b64decode(packed["buckets"])) == (2, 5)
    assert struct.unpack("<2i", base64.b64decode(packed["weights"])) == (1235, -12)


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode()) & (scorer.BUCKETS - 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi", {"s:len1", "w:hi", "c: hi", "c:hi ", "c: hi "}),
        (
            "jo@x.com",
            {"s:len1", "w:zzemail", "c: zz", "c:zze", "c:zem", "c:ema", "c:mai", "c:ail", "c:il "}
            | {"c: zze", "c:zzem", "c:zema", "c:emai", "c:mail", "c:ail "}
            | {"c: zzem", "c:zzema", "c:zemai", "c:email", "c:mail "},
        ),
        (
            "www.x.io",
            {"s:len1", "w:zzlink", "c: zz", "c:zzl", "c:zli", "c:lin", "c:ink", "c:nk "}
            | {"c: zzl", "c:zzli", "c:zlin", "c:link", "c:ink "}
            | {"c: zzli", "c:zzlin", "c:zlink", "c:link "},
        ),
    ],
)
def test_the_exact_features_of_tiny_texts(text: str, expected: set[str]) -> None:
    assert scorer.features(text) == sorted({_bucket(f) for f in expected})


def test_features_read_the_first_2000_characters_only() -> None:
    base = "a " * 1000  # 2,000 characters
    assert scorer.features(base + "zebra") == scorer.features(base)
    assert scorer.features(base[:-1] + "zebra") != scorer.features(base)


def test_packed_lookups_name_the_missing_bucket_and_refuse_mixed_formats() -> None:
    packed = scorer.Packed(*_arrays({2: 0.5}))
    with pytest.raises(KeyError) as missing:
        packed[3]
    assert missing.value.args == (3,)
    mixed = {"bias": 0.0, "threshold": 0.5, "buckets": "AAAA", "weights": [1.0]}
    with pytest.raises(AssertionError):
        scorer.from_json({name: dict(mixed) for name in scorer.MODELS})
    good, other = scorer.pack({1: 1.0, 2: 2.0}), scorer.pack({1: 1.0})
    bad = {"bias": 0.0, "threshold": 0.5, "buckets": good["buckets"], "weights": other["weights"]}
    with pytest.raises(ValueError, match=r"^scorer weights: buckets and weights differ in length$"):
        scorer.from_json({name: dict(bad) for name in scorer.MODELS})


def _arrays(weights: dict[int, float]) -> tuple[object, object]:
    from array import array

    keys = sorted(weights)
    return array("I", keys), array("i", (round(weights[k] * scorer.SCALE) for k in keys))
