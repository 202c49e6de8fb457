"""Every reply template rendered in every language, register and shape, for the checks
of tests/test_templates.py and for a writer to read them:

    python -m tests.template_matrix de            # each step, both registers, one shape
    python -m tests.template_matrix de --all      # every combination
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from mailbot.config import Owner
from mailbot.languages import BUNDLED
from mailbot.notifications import Requester
from mailbot.replies import Renderer

STEPS = ("ask", "explain", "welcome", "thanks")
SUBJECTS = ("paste_subject", "subject")
NAMES = (  # what a network may show as a requester's name
    "Jonas Weber",
    "Dr. Anna Schmidt, MBA",
    "WEBER, JONAS",
    "Herr Weber",
    "J. Smith",
    "王小明",
    "",
)


@dataclass(frozen=True)
class Rendered:
    language: str
    step: str
    formal: bool
    email_reply: bool
    wrote: bool
    name: str
    owner: Owner
    text: str

    def label(self) -> str:
        fields = [f for f in ("phone", "twitter", "coffee") if getattr(self.owner, f)]
        return (
            f"{self.language}/{self.step} {'formal' if self.formal else 'informal'} "
            f"{'email' if self.email_reply else 'paste'} wrote={self.wrote} "
            f"name={self.name!r} owner={'+'.join(fields) or 'email only'}"
        )


def owners(name: str = "Robin Owner") -> Iterator[Owner]:
    """The owner with every combination of the optional details."""
    for phone, twitter, coffee in itertools.product(
        (None, "+44 20 7946 0000"), (None, "@robin"), (None, "central Leeds")
    ):
        yield Owner(name, "robin@owner.example", phone, twitter, coffee=coffee)


def rendered(languages: tuple[str, ...] = BUNDLED, *, every: bool = True) -> Iterator[Rendered]:
    """Each step in each language and register; with `every`, for every name, owner,
    recipient and wrote combination (else one of each)."""
    renderers = {
        formal: Renderer(formality="formal" if formal else "informal") for formal in (True, False)
    }
    names = NAMES if every else NAMES[:1]
    owner_list = list(owners()) if every else [list(owners())[-1]]
    for language, step, formal in itertools.product(languages, STEPS + SUBJECTS, (True, False)):
        renderer = renderers[formal]
        shapes = itertools.product(names, owner_list, (True, False), (True, False))
        for name, owner, email_reply, wrote in (
            shapes if every else [(names[0], owner_list[0], False, True)]
        ):
            variables = renderer.variables(Requester(name=name), "linkedin", owner, language)
            variables |= {"email_reply": email_reply, "wrote": wrote}
            text = renderer.render(f"{language}/{step}.txt.j2", variables)
            yield Rendered(language, step, formal, email_reply, wrote, name, owner, text)


def main(argv: list[str]) -> int:
    languages = tuple(a for a in argv if not a.startswith("-")) or BUNDLED
    for item in rendered(languages, every="--all" in argv):
        print(f"===== {item.label()}")
        print(item.text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
