"""Normalise names and addresses so that the same person compares equal."""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.,'’`\"()]+")


def normalise_name(name: str) -> str:
    """Case, accents, punctuation and spacing folded: "José  O'Brien" -> "jose o brien"."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = _SEPARATORS.split(stripped.casefold())
    return " ".join(word for word in words if word)


def normalise_email(addr: str) -> str:
    return addr.strip().strip("<>").casefold()


def profile_key(url: str) -> str:
    """One spelling per profile: country subdomains, /comm/, scheme and query ignored."""
    match = re.search(r"(?:linkedin\.com/(?:comm/)?in|xing\.com/profile)/([^/?#\s]+)", url, re.I)
    if match:
        return f"{'xing' if 'xing.com' in url.lower() else 'linkedin'}:{match.group(1).casefold()}"
    return url.split("?")[0].split("#")[0].rstrip("/").casefold()
