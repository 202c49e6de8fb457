"""Any bytes at all, and especially broken copies of real notifications: never an exception."""

from __future__ import annotations

import os

from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailbot.notifications import KINDS, parse

SEEDS = [p.read_bytes() for p in sorted(FIXTURES.glob("*.eml"))]
EXAMPLES = int(os.environ.get("MAILBOT_FUZZ_EXAMPLES", "3000"))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A fixture with a few random cuts, insertions and byte flips."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(("cut", "insert", "flip", "truncate", "splice")))
        if action == "cut":
            del data[at : at + draw(st.integers(1, 400))]
        elif action == "insert":
            data[at:at] = draw(
                st.sampled_from(
                    (
                        b"\r\n",
                        b"\r\n\r\n",
                        b"=?utf-8?b?",
                        b"=?x-unknown?q?=FF?=",
                        b"--",
                        b"=",
                        b'Content-Type: multipart/mixed; boundary=""\r\n',
                        b"\x00",
                        b"\xff\xfe",
                        b"Content-Transfer-Encoding: base64\r\n",
                        b"charset=utf-7",
                        b"<a href=",
                        b"invitationId=",
                        b"https://www.linkedin.com/comm/in/",
                    )
                )
            ) + draw(st.binary(max_size=20))
        elif action == "flip" and data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
        elif action == "truncate":
            del data[at:]
        else:
            other = draw(st.sampled_from(SEEDS))
            data[at:at] = other[draw(st.integers(0, len(other))) :][:2000]
    return bytes(data)


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
