"""Learned judgement of a note or an answer: how likely it says there is no tie, or says
no, claims a tie, is rude or automatic. A linear model over word and character n-grams.

Phrase lists describe the writing of whoever wrote them; people outside the project write
differently (issue 22). These models are trained in bench/train_scorer.py (scikit-learn,
a development dependency only) on notes and answers by many independent writers, and
shipped as one small gzipped JSON file of hashed feature weights that the few lines below
evaluate: deterministic, offline, no runtime dependency. The rules stay the safety net:
a claim, a rude or an automatic answer that a rule finds is never overruled here.

Features (the same function at training and at run time, so the two never drift):
the folded text's words and word pairs, each word's character 3- to 5-grams, a few
shape marks (all capitals, emoji, a link, the length), each hashed with CRC-32 into
2**20 buckets, present or absent, scaled to unit length.
"""

from __future__ import annotations

import base64
import bisect
import functools
import gzip
import itertools
import json
import math
import re
import sys
import zlib
from array import array
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources

from mailbot.phrases import fold

BUCKETS = 1 << 20
MODELS = ("note_none", "answer_no", "answer_yes", "answer_rude", "answer_auto")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|io|ai|co|de|fr|nl|se|pl|es|it|pt)/\S*")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_DIGITS = re.compile(r"\d+")
_TOKEN = re.compile(r"[^\W\d_]+|[^\w\s]")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]")


def features(text: str) -> list[int]:
    """The sorted, distinct feature buckets of a text."""
    raw = " ".join(text.split())[:2000]
    found: set[str] = set()
    letters = [c for c in raw if c.isalpha()]
    if len(letters) >= 6 and all(not c.islower() for c in letters):
        found.add("s:caps")
    if _EMOJI.search(raw):
        found.add("s:emoji")
    if not letters:
        found.add("s:noletters")
    plain = _EMAIL.sub(" zzemail ", _URL.sub(" zzlink ", fold(raw)))
    plain = _DIGITS.sub(" 0 ", plain)
    words = _TOKEN.findall(plain)
    found.add(f"s:len{min(6, int(math.log2(len(words) + 1)))}")
    found.update(f"w:{w}" for w in words)
    found.update(f"b:{a} {b}" for a, b in itertools.pairwise(words))
    for word in words:
        if not word[0].isalpha():
            continue
        padded = f" {word} "
        for n in (3, 4, 5):
            found.update(f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1))
    return sorted({zlib.crc32(f.encode()) & (BUCKETS - 1) for f in found})


@dataclass(frozen=True)
class Model:
    """One binary model: a bias, weights by bucket and the threshold chosen on validation
    data (bench/train_scorer.py; never on the writer measured)."""

    bias: float
    weights: Mapping[int, float]
    threshold: float
    low: float = 1.0  # a lower threshold, used only together with a rule's finding

    def probability(self, buckets: list[int]) -> float:
        if not buckets:
            return 1.0 / (1.0 + math.exp(-self.bias))
        total = sum(self.weights.get(b, 0.0) for b in buckets) / math.sqrt(len(buckets))
        z = max(-60.0, min(60.0, self.bias + total))
        return 1.0 / (1.0 + math.exp(-z))


Models = dict[str, Model]
SCALE = 1000  # weights are stored as whole thousandths


class Packed(Mapping[int, float]):
    """Weights as two arrays, buckets sorted: loaded in milliseconds (a dict of 180,000
    entries took 0.3 s to build), looked up by bisection."""

    def __init__(self, buckets: array[int], weights: array[int]) -> None:
        self._buckets, self._weights = buckets, weights

    def __getitem__(self, bucket: int) -> float:
        i = bisect.bisect_left(self._buckets, bucket)
        if i < len(self._buckets) and self._buckets[i] == bucket:
            return self._weights[i] / SCALE
        raise KeyError(bucket)

    def __iter__(self) -> Iterator[int]:
        return iter(self._buckets)

    def __len__(self) -> int:
        return len(self._buckets)


def pack(weights: Mapping[int, float]) -> dict[str, str]:
    """Weights as base64 little-endian arrays (bench/train_scorer.py writes them)."""
    keys = sorted(weights)
    buckets, values = array("I", keys), array("i", (round(weights[k] * SCALE) for k in keys))
    if sys.byteorder == "big":
        buckets.byteswap()
        values.byteswap()
    return {
        "buckets": base64.b64encode(buckets.tobytes()).decode(),
        "weights": base64.b64encode(values.tobytes()).decode(),
    }


def _unpack(raw: dict[str, object]) -> Mapping[int, float]:
    buckets, weights = raw["buckets"], raw["weights"]
    if isinstance(buckets, list) and isinstance(weights, list):  # written out as numbers
        return dict(zip(buckets, weights, strict=True))
    assert isinstance(buckets, str) and isinstance(weights, str)
    keys, values = array("I"), array("i")
    keys.frombytes(base64.b64decode(buckets))
    values.frombytes(base64.b64decode(weights))
    if sys.byteorder == "big":
        keys.byteswap()
        values.byteswap()
    if len(keys) != len(values):
        raise ValueError("scorer weights: buckets and weights differ in length")
    return Packed(keys, values)


def from_json(data: dict[str, object]) -> Models:
    models: Models = {}
    for name in MODELS:
        raw = data[name]
        assert isinstance(raw, dict)
        models[name] = Model(
            bias=float(raw["bias"]),
            weights=_unpack(raw),
            threshold=float(raw["threshold"]),
            low=float(raw.get("low", 1.0)),
        )
    return models


@functools.cache
def _shipped() -> Models:
    """Loaded at first use, like the language detector: an idle poll never pays for it."""
    packed = resources.files("mailbot").joinpath("data/scorer.json.gz").read_bytes()
    return from_json(json.loads(gzip.decompress(packed)))


_installed: list[Models] = []


@contextmanager
def installed(models: Models) -> Iterator[None]:
    """Judge with other models for a while (bench/train_scorer.py: the model trained
    without the writer it measures)."""
    _installed.append(models)
    try:
        yield
    finally:
        _installed.pop()


def _models() -> Models:
    return _installed[-1] if _installed else _shipped()


@dataclass(frozen=True)
class Scores:
    """Probabilities, and whether each is past its model's thresholds."""

    values: dict[str, float]
    models: Models

    def __getitem__(self, name: str) -> float:
        return self.values[name]

    def confident(self, name: str) -> bool:
        return self.values[name] >= self.models[name].threshold

    def likely(self, name: str) -> bool:
        """Past the lower threshold: enough together with a rule's own finding."""
        return self.values[name] >= self.models[name].low


def note(text: str) -> Scores:
    models = _models()
    buckets = features(text)
    return Scores({"note_none": models["note_none"].probability(buckets)}, models)


def answer(text: str) -> Scores:
    models = _models()
    buckets = features(text)
    names = ("answer_no", "answer_yes", "answer_rude", "answer_auto")
    return Scores({n: models[n].probability(buckets) for n in names}, models)
