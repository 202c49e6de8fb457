"""Any bytes at all, and especially broken copies of real notifications: never an exception."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import mutate

from mailbot.notifications import KINDS, parse

EXAMPLES = int(os.environ.get("MAILBOT_FUZZ_EXAMPLES", "3000"))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A fixture with a few random cuts, insertions and byte flips."""
    return mutate(
        lambda seq: draw(st.sampled_from(seq)),
        lambda low, high: draw(st.integers(low, high)),
        lambda most: draw(st.binary(max_size=most)),
    )


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_notifications_parse_without_exception(raw: bytes) -> None:
    n = parse(raw)
    assert n.kind in KINDS
    if n.kind == "invitation":
        assert n.key and n.requester is not None and n.requester.name
        assert "\n" not in n.requester.name and "\r" not in n.requester.name


@settings(max_examples=EXAMPLES // 3, deadline=None)
@given(st.binary(max_size=4000))
def test_arbitrary_bytes(raw: bytes) -> None:
    assert parse(raw).kind in KINDS
