"""Questions for `mailbot setup`, answered at the terminal, by a flag, or by default.

Every question has a flag. An answer given by its flag is used as it is (checked like a
typed one: a bad one is a UsageError naming the flag). Otherwise the question is asked
on the terminal, unless the run is non-interactive (then its default is taken, and a
question without one is a UsageError naming its flag) or the owner passed --yes (then a
question with a default is not asked). A secret is read without echo (getpass) on a
terminal, or as one line of piped input.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from mailbot.errors import UsageError
from mailbot.terminal import shown

Check = Callable[[str], str | None]  # an answer -> what is wrong with it, or None


def _read_line(prompt: str) -> str:
    if sys.stdin.isatty():
        return input(prompt)
    return _read_piped(prompt)


def _read_piped(prompt: str) -> str:
    """A line of piped input (answers from a script): the question stays on its own
    line in what is printed."""
    sys.stdout.write(prompt)
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    if prompt:
        sys.stdout.write("\n")
    return line.rstrip("\r\n")


def _read_secret(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return _read_piped(prompt)  # no terminal echo to turn off


@dataclass
class Terminal:
    """Where questions go and answers come from (tests give lists)."""

    read_line: Callable[[str], str] = _read_line
    read_secret: Callable[[str], str] = _read_secret
    write: Callable[[str], object] = print


@dataclass
class Prompter:
    terminal: Terminal = field(default_factory=Terminal)
    interactive: bool = True
    yes: bool = False
    tries: int = 3  # a refused answer asked again at most this often

    def say(self, line: str = "") -> None:
        self.terminal.write(line)

    def text(
        self,
        question: str,
        *,
        flag: str,
        given: str | None = None,
        default: str | None = None,
        required: bool = False,
        check: Check | None = None,
    ) -> str | None:
        """An answer: `given` (from `flag`), else asked, else `default`. Blank is None
        (or `default`); `required` refuses blank."""
        if given is not None:
            return self._checked(given.strip(), flag, required, check)
        if not self.interactive or (self.yes and default is not None):
            if default is None and required:
                raise UsageError(f"{question.rstrip(':?')}: pass {flag} (no questions asked)")
            return default
        shown_default = f" [{shown(default)}]" if default else ""
        for _ in range(self.tries):
            answer = self._ask(f"{question}{shown_default} ", self.terminal.read_line, question)
            answer = answer.strip() or (default or "")
            problem = "an answer is needed" if required and not answer else None
            problem = problem or (check(answer) if check and answer else None)
            if problem is None:
                return answer or None
            self.say(f"  {problem}")
        raise UsageError(f"no usable answer to {question.rstrip(':? ')!r}")

    def secret(self, question: str, *, flag: str, given: str | None = None) -> str:
        """A password or client secret: never echoed, never shown back."""
        if given is not None:
            if not given:
                raise UsageError(f"{flag}: the value is empty")
            return given
        if not self.interactive:
            raise UsageError(f"{question.rstrip(':? ')}: pass {flag} (no questions asked)")
        for _ in range(self.tries):
            answer = self._ask(f"{question} ", self.terminal.read_secret, question)
            if answer:
                return answer
            self.say("  an answer is needed")
        raise UsageError(f"no answer to {question.rstrip(':? ')!r}")

    def confirm(self, question: str, *, default: bool, given: bool | None = None) -> bool:
        if given is not None:
            return given
        if not self.interactive or self.yes:
            return default
        hint = "[Y/n]" if default else "[y/N]"
        for _ in range(self.tries):
            answer = self._ask(f"{question} {hint} ", self.terminal.read_line, question)
            word = answer.strip().lower()
            if not word:
                return default
            if word in ("y", "yes"):
                return True
            if word in ("n", "no"):
                return False
            self.say("  y or n")
        return default

    def choose(self, question: str, options: Sequence[str], *, default: int = 0) -> int:
        """The index of one of `options`, listed 1..n; Enter takes `default`."""
        for number, option in enumerate(options, 1):
            self.say(f"  {number}) {option}")
        if not self.interactive or self.yes or len(options) == 1:
            return default

        def check(answer: str) -> str | None:
            if answer.isdigit() and 1 <= int(answer) <= len(options):
                return None
            return f"a number from 1 to {len(options)}"

        answer = self.text(question, flag="", default=str(default + 1), check=check)
        return int(answer or default + 1) - 1

    def _ask(self, prompt: str, read: Callable[[str], str], question: str) -> str:
        try:
            return read(prompt)
        except EOFError:
            raise UsageError(
                f"the input ended before an answer to {question.rstrip(':? ')!r}"
            ) from None

    def _checked(self, answer: str, flag: str, required: bool, check: Check | None) -> str | None:
        if required and not answer:
            raise UsageError(f"{flag}: the value is empty")
        problem = check(answer) if check and answer else None
        if problem:
            raise UsageError(f"{flag}: {problem}")
        return answer or None
