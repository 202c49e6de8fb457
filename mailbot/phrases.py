"""Transparent phrase rules, per language: what a note or an answer says about knowing you.

Two questions, answered by lists a reader can check and extend (a new phrase or a new
language is a line here):

* does the text **claim an acquaintance** ("we met at …", "you interviewed me")?
* does it **deny one** ("we don't know each other", "just widening my network")?

Matching folds case, accents and apostrophes. The matched phrase is returned so the
reason shown to the owner can quote it.
"""

from __future__ import annotations

import re
import unicodedata

CLAIMS: dict[str, tuple[str, ...]] = {
    "en": (
        r"\bwe (?:have |had |'ve )?met\b",
        r"\bmet (?:you )?(?:at|in|during|through)\b",
        r"\bworked (?:together|with you)\b",
        r"\bwe (?:have |'ve )?worked\b",
        r"\byou interviewed me\b",
        r"\binterviewed with you\b",
        r"\bi (?:have )?applied\b",
        r"\bmy application\b",
        r"\bsuggested (?:that )?i (?:contact|reach out|connect)\b",
        r"\bintroduced us\b",
        r"\bwe (?:spoke|talked|chatted)\b",
        r"\bwe were colleagues\b",
        r"\bformer colleague\b",
        r"\bwe studied\b",
        r"\byes,? we\b",
    ),
    "fr": (
        r"\bnous nous sommes (?:rencontres|croises|parle)\b",
        r"\bon s'est (?:rencontres?|croises?|parle)\b",
        r"\brencontres? (?:a|lors|au|pendant)\b",
        r"\btravaille ensemble\b",
        r"\bvous m'avez (?:interviewe|recu)\b",
        r"\bj'ai postule\b",
        r"\bma candidature\b",
        r"\bm'a (?:conseille|suggere) de vous contacter\b",
        r"\bnous etions collegues\b",
        r"\boui,? nous\b",
    ),
    "de": (
        r"\bwir haben uns\b.*\b(?:kennengelernt|getroffen|gesprochen|unterhalten)\b",
        r"\bkennengelernt\b",
        r"\bzusammengearbeitet\b",
        r"\bsie haben mich interviewt\b",
        r"\bvorstellungsgesprach\b",
        r"\bich habe mich\b.*\bbeworben\b",
        r"\bmeine bewerbung\b",
        r"\bhat mir empfohlen\b",
        r"\bwir waren kollegen\b",
        r"\bja,? wir\b",
    ),
}

DENIALS: dict[str, tuple[str, ...]] = {
    "en": (
        r"\b(?:we )?(?:do not|don't|dont) know each other\b",
        r"\bwe (?:have not|haven't|havent) met\b",
        r"\b(?:never|not) met\b",
        r"\bno,? we\b",
        r"\bnot personally\b",
        r"\b(?:widen|widening|grow|growing|expand|expanding|build|building|extend|extending) my (?:professional )?network\b",
        r"\bcame across your profile\b",
        r"\bsaw your profile\b",
        r"\bfound your profile\b",
    ),
    "fr": (
        r"\bon ne se connait pas\b",
        r"\bnous ne nous connaissons pas\b",
        r"\bpas encore rencontres?\b",
        r"\bjamais rencontres?\b",
        r"\b(?:elargir|agrandir|developper|etendre) mon reseau\b",
        r"\bnon,? nous\b",
        r"\bvu votre profil\b",
    ),
    "de": (
        r"\bwir kennen uns (?:noch )?nicht\b",
        r"\bnicht personlich\b",
        r"\bnoch nicht kennengelernt\b",
        r"\bnetzwerk (?:zu )?(?:erweitern|vergrossern|ausbauen)\b",
        r"\bnein,? wir\b",
        r"\bihr profil gesehen\b",
        r"\bauf ihr profil gestossen\b",
    ),
}

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and you i we my to is are of in your with have would like".split()),
    "fr": frozenset("je nous vous et le la les mon ma est sont de des avec votre suis".split()),
    "de": frozenset("ich wir sie und der die das mein ist sind mit ihr ihnen nicht zu".split()),
}


def fold(text: str) -> str:
    """Case, accents and apostrophe styles folded; whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("’", "'").replace("`", "'").split())


def _compile(table: dict[str, tuple[str, ...]]) -> list[tuple[str, re.Pattern[str]]]:
    return [(lang, re.compile(p)) for lang, patterns in table.items() for p in patterns]


_CLAIMS = _compile(CLAIMS)
_DENIALS = _compile(DENIALS)


def _find(text: str, rules: list[tuple[str, re.Pattern[str]]]) -> str | None:
    folded = fold(text)[:4000]
    for _, pattern in rules:
        if match := pattern.search(folded):
            return _quote(text, match.group(0))
    return None


def claim(text: str) -> str | None:
    """The phrase by which the text claims to know the owner, if any."""
    return _find(text, _CLAIMS)


def denial(text: str) -> str | None:
    """The phrase by which the text says they do not know the owner, if any."""
    return _find(text, _DENIALS)


def language(text: str) -> str | None:
    """en, fr or de by common words, when the text says enough to tell."""
    words = re.findall(r"[a-zà-ÿ']+", text.casefold())
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] >= 2 and list(scores.values()).count(scores[best]) == 1 else None


def _quote(text: str, folded_match: str) -> str:
    """The sentence of the original text that holds the match, for the owner to read."""
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    for sentence in sentences:
        if folded_match in fold(sentence):
            return sentence if len(sentence) <= 160 else sentence[:157] + "..."
    return folded_match
