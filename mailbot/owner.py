"""The owner's word on what mailbot leaves to them: `mailbot decide` and `mailbot review`.

Both settle one conversation at a time through `settle_one`: under the cycle lock (so a
running daemon's cycle and the owner's decision never interleave), what became of our
drafts is looked at first, the plan is made by the pure planner (plan.settle) and carried
out by the one executor (act.Executor), exactly as a cycle would.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from mailbot.config import Settings
from mailbot.conversation import VERDICTS
from mailbot.errors import UsageError
from mailbot.identity import loose, normalise_email, normalise_name, profile_key
from mailbot.records import Conversation
from mailbot.report import Processed
from mailbot.rules import ASK, EXPLAIN, IGNORE, KNOWN, REVIEW
from mailbot.store import Store
from mailbot.terminal import shown

KEYS = {"k": KNOWN, "a": ASK, "e": EXPLAIN, "i": IGNORE}
SAID = {
    KNOWN: "known: remembered, their later messages and invitations are known",
    ASK: "ask: the 'have we met?' draft",
    EXPLAIN: "explain: the explanation of your rule",
    IGNORE: "ignore: closed, reminders add nothing",
}


def find_person(conversations: Sequence[Conversation], who: str) -> list[Conversation]:
    """The conversations `who` names: a profile link, an address, or a name (the full name
    as mailbot shows it, else every word of it, e.g. a first name)."""
    text = who.strip()
    if not text:
        return []
    if same := [c for c in conversations if text in (c.person, c.link)]:
        return same  # as `status` or an ambiguity message showed it
    if "/in/" in text or "/profile/" in text or text.lower().startswith(("http", "www.")):
        key = profile_key(text)
        return [
            c
            for c in conversations
            if c.person == key or (c.profile_url and profile_key(c.profile_url) == key)
        ]
    if "@" in text:
        address = normalise_email(text)
        return [c for c in conversations if c.email and normalise_email(c.email) == address]
    name = normalise_name(text)
    exact = [c for c in conversations if c.name_key == name]
    if exact:
        return exact
    words = loose(name).split()
    return [c for c in conversations if words and set(words) <= set(loose(c.name_key).split())]


def one_person(conversations: Sequence[Conversation], who: str) -> Conversation:
    found = find_person(conversations, who)
    if not found:
        raise UsageError(
            f"no conversation with {who!r}: give a name, address or profile link as "
            "`mailbot status` shows it"
        )
    if len(found) > 1:
        listed = "; ".join(
            f"{shown(c.name)} ({shown(c.link or c.email or c.network)})" for c in found[:10]
        )
        raise UsageError(
            f"{who!r} names {len(found)} people: {listed}. Give the profile link or address"
        )
    return found[0]


def settle_one(settings: Settings, state: Store, person: str, verdict: str) -> Processed:
    """Carry out the owner's verdict on one conversation (see the module's docstring)."""
    from mailbot.act import Executor
    from mailbot.lock import CycleLock
    from mailbot.mailboxes import open_mailbox
    from mailbot.pipeline import follow_drafts
    from mailbot.plan import settle
    from mailbot.replies import Renderer

    today = date.today().isoformat()
    notice = "mailbot: waiting for the running cycle to finish..."
    with CycleLock(settings.state_path, notice=notice), open_mailbox(settings, state) as mailbox:
        executor = Executor(mailbox, state, settings, Renderer.for_settings(settings))
        follow_drafts(executor, mailbox, state, settings, today)
        current = state.conversation(person)  # again, under the lock: it may have moved on
        if current is None:
            raise UsageError(f"the conversation {person} is gone from the state database")
        return executor.carry_out(settle(verdict, current, state, today))


def decide(settings: Settings, who: str, verdict: str, *, as_json: bool) -> int:
    """`mailbot decide WHO --as VERDICT`."""
    if verdict not in VERDICTS:
        raise UsageError(f"--as takes one of {', '.join(VERDICTS)}, not {verdict!r}")
    if not settings.state_path.exists():
        raise UsageError(
            f"no conversation with {who!r}: mailbot has not run yet ({settings.state_path})"
        )
    with Store(settings.state_path) as state:
        person = one_person(state.everyone(), who)
        done = settle_one(settings, state, person.person, verdict)
    if as_json:
        from mailbot.commands import print_json

        print_json(done.as_json())
    else:
        print(outcome(done))
    return 0


def outcome(done: Processed) -> str:
    lines = [
        f"{shown(done.requester)}: {done.decision}"
        + (f" ({shown(done.reasons[0])})" if done.reasons else "")
    ]
    if done.draft:
        lines.append("  draft stored in Drafts")
    elif done.found:
        lines.append("  that draft is in Drafts already: not adding another")
    lines.extend(
        f"  withdrew our earlier {step} draft (you had not edited it)" for step in done.withdrawn
    )
    return "\n".join(lines)


def card(c: Conversation, index: int, total: int) -> str:
    """One person waiting for the owner, as `mailbot review` shows them."""
    network = {"linkedin": "LinkedIn", "xing": "XING"}.get(c.network or "", c.network or "")
    lines = [f"[{index}/{total}] {shown(c.name)}" + (f" - {shown(network)}" if network else "")]
    lines.extend(f"  {shown(text)}" for text in (c.headline, c.common) if text)
    if c.profile_url or c.link:
        lines.append(f"  {shown(c.profile_url or c.link)}")
    if c.email:
        lines.append(f"  {shown(c.email)}")
    lines.append(f"  why: {shown(c.reason)}")
    lines.extend(f"  {shown(line)}" for line in c.details.splitlines() if line.strip())
    return "\n".join(lines)


PROMPT = "  [k]nown  [a]sk  [e]xplain  [i]gnore  [s]kip  [q]uit > "


def review(settings: Settings) -> int:
    """`mailbot review`: on a terminal, one person at a time, one key each; otherwise the
    list and how to settle each with `mailbot decide`."""
    with Store(settings.state_path, scratch=True) as state:
        waiting = state.conversations(REVIEW)
    if not waiting:
        print("Nothing waits for you.")
        return 0
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        for number, c in enumerate(waiting, 1):
            print(card(c, number, len(waiting)))
        print(
            "Not a terminal: settle each with `mailbot decide WHO --as known|ask|explain|ignore`."
        )
        return 0
    print(f"{len(waiting)} waiting for you.")
    with Store(settings.state_path) as state, _keys() as read_key:
        for number, listed in enumerate(waiting, 1):
            c = state.conversation(listed.person) or listed
            if c.status != REVIEW:  # a cycle (or another `decide`) settled it meanwhile
                print(
                    f"\n[{number}/{len(waiting)}] {shown(c.name)}: no longer waiting ({c.status})"
                )
                continue
            print()
            print(card(c, number, len(waiting)))
            key = _ask(read_key)
            if key == "q":
                print("quit")
                break
            if key == "s":
                print("skipped")
                continue
            verdict = KEYS[key]
            print(SAID[verdict])
            print(outcome(settle_one(settings, state, c.person, verdict)))
    return 0


def _ask(read_key: Callable[[], str]) -> str:
    while True:
        print(PROMPT, end="", flush=True)
        key = read_key().lower()
        if key in (*KEYS, "s", "q"):
            return key
        print(f"{key!r}? ", end="")


@contextmanager
def _keys() -> Iterator[Callable[[], str]]:
    """Single key presses from the terminal (no Enter needed), each read after the prompt
    (type-ahead is dropped); end of input quits."""
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)

    def read_key() -> str:
        termios.tcflush(fd, termios.TCIFLUSH)  # keys typed before the card: not for it
        data = os.read(fd, 8)
        text = data.decode("utf-8", "replace")[:1]
        if not text or text == "\x04":  # end of input, Ctrl-D (Ctrl-C: KeyboardInterrupt)
            return "q"
        print(text)
        return text

    try:
        tty.setcbreak(fd)
        yield read_key
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
