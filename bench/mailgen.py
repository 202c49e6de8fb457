"""Realistic mailboxes, made fast: tests/builders.py messages, MULTIAPPENDed in chunks.

An inbox of N messages holds N/100 LinkedIn invitations from distinct strangers; the
rest is ordinary mail from a pool of correspondents. The Sent folder holds N/5 messages
from the owner to that pool. Building a message with the stdlib `email` package costs
~1.5 ms, so messages are built in worker processes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import builders  # tests/builders.py: run.py puts tests/ on sys.path
from imapclient import IMAPClient
from imapclient.imapclient import SEEN

OWNER = "Robin Owner <robin@owner.example>"
INVITATION_EVERY = 100  # 1% of the inbox
SENT_SHARE = 5  # Sent holds inbox / 5
APPEND_CHUNK = 100  # messages per MULTIAPPEND: measured fastest (~0.75 ms/message)
_FIRST = (
    "Alice Bruno Chloe Dmitri Elena Farid Grace Hiro Ines Jonas Keiko Liam Maya Noor Oscar "
    "Priya Quentin Rosa Sven Tara Umar Vera Wen Ximena Yusuf Zoe"
).split()
_LAST = (
    "Anders Baker Castillo Dubois Eriksen Fischer Garcia Haddad Ivanova Jensen Kowalski Larsen "
    "Moreau Nakamura Okafor Petrov Quinn Rossi Schmidt Tanaka Ueda Varga Weber Xu Young Zimmer"
).split()
_CONSONANTS = "bdfgklmnprstvz"
_VOWELS = "aeiou"
_strangers = itertools.count(1)
_INVITATION_ID = 7500000000000000000


@dataclass(frozen=True)
class Message:
    raw: bytes
    date: datetime
    flags: tuple[bytes, ...] = ()  # history is read (\\Seen); new invitations are not


def stranger(number: int) -> str:
    """A distinct name per number that never nearly matches another one (or anyone in the
    history): first name and surname each differ from any other stranger's, so two names
    are never "one letter apart", namesakes or the same words reordered."""
    syllables = []
    for _ in range(3):
        number, digit = divmod(number, len(_CONSONANTS) * len(_VOWELS))
        syllables.append(_CONSONANTS[digit // len(_VOWELS)] + _VOWELS[digit % len(_VOWELS)])
    a, b, c = syllables
    return f"{(a + b + c).capitalize()} {(c + a + b).capitalize()}son"


def invitations(count: int) -> list[Message]:
    """`count` invitations from new strangers (distinct names and invitation ids)."""
    now = datetime.now(UTC)
    numbers = [next(_strangers) for _ in range(count)]
    return [
        Message(_crlf(builders.invitation(stranger(n), invitation_id=_INVITATION_ID + n)), now)
        for n in numbers
    ]


def ordinary(count: int, first: int, pool: int) -> list[Message]:
    """`count` ordinary messages from the correspondents of a mailbox whose history has
    `pool` of them, numbered from `first` (past the history, so the mail is new)."""
    return [
        Message(_ordinary((i, pool, False)), _date_of(0), (SEEN,))
        for i in range(first, first + count)
    ]


def _person(i: int) -> str:
    first, last = _FIRST[i % len(_FIRST)], _LAST[(i // len(_FIRST)) % len(_LAST)]
    return f"{first} {last} <{first.lower()}.{last.lower()}{i}@mail{i % 7}.example>"


def _ordinary(args: tuple[int, int, bool]) -> bytes:
    i, pool, sent = args
    person = _person(i * 7919 % pool)
    attachment = f"cv-{i}.pdf" if not sent and i % 200 == 3 else None
    subject = f"Application for the role {i}" if attachment else f"Project update {i}"
    sender, to = (OWNER, person) if sent else (person, OWNER)
    return _crlf(builders.mail(sender, to, subject, attachment=attachment, date=_date_of(i)))


def _crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def correspondents(size: int) -> int:
    """How many people an inbox of `size` messages has corresponded with."""
    return max(50, size // 20)


def history(size: int, pool: ProcessPoolExecutor) -> tuple[list[Message], list[Message]]:
    """(inbox, sent) for an inbox of `size` messages, built in `pool`."""
    people = correspondents(size)
    inbox_args = [(i, people, False) for i in range(size)]
    sent_args = [(i, people, True) for i in range(size // SENT_SHARE)]
    ordinary = list(pool.map(_ordinary, inbox_args + sent_args, chunksize=250))
    invites = invitations(size // INVITATION_EVERY)
    inbox: list[Message] = []
    for i, raw in enumerate(ordinary[:size]):
        if i % INVITATION_EVERY == INVITATION_EVERY // 2 and invites:
            inbox.append(invites.pop())
        else:
            inbox.append(Message(raw, _date_of(i), (SEEN,)))
    sent = [Message(raw, _date_of(i), (SEEN,)) for i, raw in enumerate(ordinary[size:])]
    return inbox, sent


def _date_of(i: int) -> datetime:
    return datetime.now(UTC) - timedelta(hours=i % (2 * 365 * 24))


def append_all(client: IMAPClient, folder: str, messages: Iterable[Message]) -> int:
    """MULTIAPPEND in chunks, with each message's date as its INTERNALDATE."""
    count = 0
    for chunk in _chunks(messages, APPEND_CHUNK):
        client.multiappend(
            folder, [{"msg": m.raw, "date": m.date, "flags": m.flags} for m in chunk]
        )
        count += len(chunk)
    return count


def _chunks(items: Iterable[Message], size: int) -> Iterator[list[Message]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
