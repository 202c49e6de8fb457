"""The networks' default invitation texts, per language. A default text is not a note.

Adding a language's default is a one-line change: append the text to its language.
Comparison ignores case, quote style, spacing and trailing punctuation.
"""

from __future__ import annotations

import html
import re
import unicodedata

DEFAULT_NOTES: dict[str, tuple[str, ...]] = {
    "en": (
        "I'd like to add you to my professional network on LinkedIn.",  # 2011-2015
        "I'd like to connect with you on LinkedIn.",  # 2015 member invitation
        "I'd like to join your LinkedIn network.",  # 2016-2024
        "I’d like to join your professional network",  # 2024- (curly apostrophe, no stop)
        "I'd like to add you to my professional network.",
        "I'd like to add you to my network on XING.",
    ),
    "es": (
        "Me gustaría añadirte a mi red profesional en LinkedIn.",
        "Me gustaría unirme a tu red de LinkedIn.",
        "Me gustaría unirme a tu red profesional",
    ),
    "id": ("Saya ingin menambahkan Anda ke jaringan profesional saya di LinkedIn.",),
    "ja": (
        "LinkedInのネットワークにあなたを追加したいと思います。",
        "LinkedInでつながりを申請します。",
    ),
    "fr": (
        "Je souhaiterais vous ajouter à mon réseau professionnel sur LinkedIn.",
        "J'aimerais rejoindre votre réseau LinkedIn.",
        "J’aimerais rejoindre votre réseau professionnel",
    ),
    "de": (
        "Ich möchte Sie gerne zu meinem beruflichen Netzwerk auf LinkedIn hinzufügen.",
        "Ich möchte Sie gerne zu meinem beruflichen Netzwerk hinzufügen.",
        "Ich möchte mich gerne mit Ihnen auf LinkedIn vernetzen.",
        "Ich möchte Ihrem beruflichen Netzwerk beitreten",
    ),
    "pt": (
        "Gostaria de adicioná-lo à minha rede profissional no LinkedIn.",
        "Gostaria de participar da sua rede profissional",
    ),
    "it": ("Vorrei aggiungerti alla mia rete professionale su LinkedIn.",),
    "nl": ("Ik wil je graag toevoegen aan mijn professionele netwerk op LinkedIn.",),
}


def fold(text: str) -> str:
    """Case, accent-preserving Unicode form, quotes, spacing and end punctuation folded."""
    text = unicodedata.normalize("NFKC", html.unescape(text)).casefold()
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    text = " ".join(text.split())
    return re.sub(r"[\s.!。…]+$", "", text)


_FOLDED = {fold(text): lang for lang, texts in DEFAULT_NOTES.items() for text in texts}


def default_language(note: str) -> str | None:
    """The language whose default text this is, or None when it is a personal note."""
    return _FOLDED.get(fold(note))
