"""Which language a note or an answer is written in; which languages replies can be
written in, and in which register.

A language is a folder of templates (`templates/<code>/`), bundled or the owner's
(MAILBOT_TEMPLATES). Each has a default register, chosen as a courteous professional of
that country writes to a stranger on LinkedIn today (templates/README.md says why);
MAILBOT_FORMALITY overrides it for every language.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

READ = ("en", "fr", "de", "es", "it", "pt", "nl", "sv", "pl")  # phrases.py's families
BUNDLED = READ  # templates/<code>/ for each
FORMALITIES = ("formal", "informal")
# True: the formal register (vous, Sie, Lei, Pan/Pani, u) to a stranger by default.
FORMAL_BY_DEFAULT = {
    "en": False,  # one "you": the register is only in the greeting ("Hi" / "Dear")
    "fr": True,  # vous
    "de": True,  # Sie: the safe default to a stranger; du among tech recruiters, on XING
    "es": False,  # tú: the norm on LinkedIn in Spain and increasingly in Latin America
    "it": True,  # Lei
    "pt": False,  # "Olá, Ana", no pronoun: warm in Brazil, still courteous in Portugal
    "nl": False,  # je: the norm on LinkedIn in the Netherlands and Flanders
    "sv": False,  # du: Swedish has no formal "you" in use
    "pl": True,  # polite impersonal forms: no Pan/Pani (it needs the requester's gender)
}


def bundled_templates() -> Path:
    """The default templates: inside the installed package, or templates/ in a checkout."""
    packaged = Path(__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates"


def template_languages(override: Path | None = None) -> tuple[str, ...]:
    """Every language with at least one reply template, bundled or in the owner's folder."""
    found: set[str] = set()
    for folder in (override, bundled_templates()):
        if folder is not None and folder.is_dir():
            found.update(p.parent.name for p in folder.glob("*/*.txt.j2"))
    return tuple(sorted(found))


def is_formal(language: str, formality: str | None) -> bool:
    """The register of a reply in `language`: MAILBOT_FORMALITY when set, else the
    language's default (formal for a language the owner added)."""
    if formality in FORMALITIES:
        return formality == "formal"
    return FORMAL_BY_DEFAULT.get(language, True)


# Between the best and the runner-up score. Measured on 1,086 short texts by two writers
# (tests/data/languages/): with both detectors agreeing, 0.02 is enough for the nine
# languages (every confident answer right, 0.9 % left unsure); a single word, and a
# language mailbot does not read (from three words), need a clear lead.
_MARGIN = 0.02
_MARGIN_OTHER = 0.10
_MIN_WORDS_OTHER = 3


@functools.cache
def _detectors() -> tuple[Any, Any]:
    """ELD-C, restricted to READ and unrestricted (to catch Danish, Catalan, ... that
    the restricted one would file under the nearest language). Loaded at first use: an
    idle poll never pays for it. detect_details is safe from several threads."""
    import eldc

    eldc.init()
    restricted = eldc.instance()
    restricted.set_languages(list(READ))
    restricted.set_scores(2)
    unrestricted = eldc.instance()
    unrestricted.set_scores(2)
    return restricted, unrestricted


def detected(text: str) -> str | None:
    """The language a note or an answer is written in, as a reply should follow it: one
    of READ when both detectors agree; else another language told with confidence
    ("da" for Danish: there may be no templates for it, and `status` says so); else
    None (then MAILBOT_LANGUAGE)."""
    text = " ".join(text.split())[:2000]
    if not any(c.isalpha() for c in text):
        return None
    restricted, unrestricted = _detectors()
    found = restricted.detect_details(text)
    anywhere = unrestricted.detect_details(text)
    if found.language in READ and anywhere.language == found.language:
        margin = _MARGIN if " " in text else _MARGIN_OTHER  # one word says little
        return str(found.language) if _lead(found.scores) >= margin else None
    if (
        anywhere.language
        and anywhere.language not in READ
        and len(text.split()) >= _MIN_WORDS_OTHER
        and _lead(anywhere.scores) >= _MARGIN_OTHER
    ):
        return str(anywhere.language)
    return None


def _lead(scores: dict[str, float]) -> float:
    ranked = [*sorted(scores.values(), reverse=True), 0.0, 0.0]
    return ranked[0] - ranked[1]
