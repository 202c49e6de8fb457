"""Mutating real-shaped messages: cuts, insertions of MIME trouble, byte flips, truncation
and splices of other messages. One mutator, driven by hypothesis or by a seeded random."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from conftest import FIXTURES

T = TypeVar("T")
SEEDS = [p.read_bytes() for p in sorted(FIXTURES.glob("*.eml"))]
TROUBLE = (
    b"\r\n",
    b"\r\n\r\n",
    b"=?utf-8?b?",
    b"=?x-unknown?q?=FF?=",
    b"--",
    b"=",
    b"\x00",
    b"\xff\xfe",
    b'Content-Type: multipart/mixed; boundary=""\r\n',
    b"Content-Transfer-Encoding: base64\r\n",
    b"charset=utf-7",
    b"<a href=",
    b"invitationId=",
    b"https://www.linkedin.com/comm/in/",
    b"{{ 7*7 }}",
)


def mutate(
    choose: Callable[[Sequence[T]], T],
    number: Callable[[int, int], int],
    noise: Callable[[int], bytes],
) -> bytes:
    """A fixture with 1 to 6 mutations; `choose`, `number` (a..b) and `noise` (at most n
    random bytes) supply the randomness."""
    data = bytearray(choose(SEEDS))  # type: ignore[arg-type]
    for _ in range(number(1, 6)):
        at = number(0, len(data))
        action = choose(("cut", "insert", "flip", "truncate", "splice"))  # type: ignore[arg-type]
        if action == "cut":
            del data[at : at + number(1, 400)]
        elif action == "insert":
            data[at:at] = choose(TROUBLE) + noise(20)  # type: ignore[operator]
        elif action == "flip" and data:
            data[min(at, len(data) - 1)] = number(0, 255)
        elif action == "truncate":
            del data[at:]
        elif action == "splice":
            other: bytes = choose(SEEDS)  # type: ignore[arg-type,assignment]
            start = number(0, len(other))
            data[at:at] = other[start : start + 2000]
    return bytes(data)
