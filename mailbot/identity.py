"""Who a person is: names, addresses and profile links normalised so that the same person
compares equal, the person key that ties a conversation together, and how close two
different spellings of a name are. Depends on nothing else in mailbot.

"Dr. José O'Brien-Smith, MBA (he/him) 🚀" and "o'brien-smith, jose" both become
"jose obrien smith". Near matches (a nickname, a first initial, one typo) are reported
separately: they go to the owner, never to "known".
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import SplitResult, parse_qs, urlsplit

_TRANSLITERATE = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "æ": "ae",
        "ø": "oe",
        "œ": "oe",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
    }
)
_BRACKETS = re.compile(r"[(\[{][^)\]}]*[)\]}]")  # (she/her), [Hiring], {x}
_TAGLINE = re.compile(r"\s[|•·/]\s.*$|\s[-–—]\s.*$")  # "Jane Doe | Recruiter", "Jane Doe - CEO"
_APOSTROPHES = re.compile(r"['’`´ʼ]")
_SEPARATORS = re.compile(r"[\W_]+")  # punctuation, spaces, and "_" (a word character)
_HONORIFICS = frozenset(
    "mr mrs ms miss mx dr prof professor sir dame lord lady rev herr frau fr hr mme mlle m dott ing sr sra srta dona don".split()
)
_POST_NOMINALS = frozenset(
    "mba phd dphil msc bsc ma ba meng beng llb llm jd md cpa cfa acca aca cima cipd chrp shrm shrmcp shrmscp pmp csm cspo frsa mbe obe cbe fca jr sr ii iii iv esq rn pe ceng mcipd assoc fcipd dipl".split()
)
_CJK = re.compile(
    r"(?<=[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]) (?=[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])"
)
_NICKNAMES: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "robert rob bob bobby robbie",
        "william will bill billy liam",
        "elizabeth liz beth betty lisa eliza",
        "katherine catherine kate katie kathy cathy kat",
        "michael mike mick mikey",
        "james jim jimmy jamie",
        "thomas tom tommy",
        "david dave davey",
        "alexander alex alec sasha",
        "alexandra alex sandra",
        "christopher chris kit",
        "christine chris tina",
        "daniel dan danny",
        "samuel sam sammy",
        "samantha sam",
        "benjamin ben benny",
        "joseph joe joey",
        "nicholas nick nicky",
        "matthew matt",
        "andrew andy drew",
        "anthony tony",
        "steven stephen steve",
        "peter pete",
        "jennifer jen jenny",
        "margaret maggie meg peggy",
        "richard rick rich dick",
        "edward ed eddie ted",
        "jonathan jon",
        "john jack johnny",
        "patrick pat paddy",
        "patricia pat patty trish",
        "susan sue susie",
        "deborah debbie deb",
        "rebecca becky",
        "victoria vicky tori",
        "charles charlie chuck",
        "francis frank",
        "frances fran",
        "gregory greg",
        "jacob jake",
        "joshua josh",
        "kenneth ken kenny",
        "lawrence larry",
        "leonard leo len",
        "nathaniel nathan nate",
        "timothy tim",
        "vincent vince",
        "zachary zach",
        "johannes hans",
        "wolfgang wolf",
        "friedrich fritz",
        "giuseppe beppe pino",
        "francesco checco",
        "alejandro alex",
        "jose pepe",
        "francisco paco pancho",
    )
)


def normalise_name(name: str) -> str:
    """A comparison key: case, accents, punctuation, order, titles and decorations folded."""
    text = unicodedata.normalize("NFKC", name).casefold().translate(_TRANSLITERATE)
    text = _TAGLINE.sub("", _BRACKETS.sub(" ", text))
    text = _swap_last_first(_drop_post_nominals(text))
    decomposed = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", text))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = [w for w in _SEPARATORS.split(letters) if w]
    while len(words) > 1 and words[0] in _HONORIFICS:
        words.pop(0)
    while len(words) > 1 and words[-1] in _POST_NOMINALS:
        words.pop()
    return _CJK.sub("", " ".join(words))


_KEPT_TITLES = ("dr", "prof")  # the academic titles a formal greeting keeps, in any language
# Titles and forms of address before a name, in the languages mailbot reads. Those that are
# also names ("Ing", "Eng", "Mag", "Don", "Pan") count only written with their dot.
_TITLES = frozenset(
    "mr mrs ms miss mx dr prof professor sir dame lord lady rev herr frau mme mlle dott "
    "dott.ssa mgr inż hab mudr phdr drs sig sig.ra sig.na sra srta dña sr.ª dhr mevr meneer "
    "mevrouw".split()
)
_DOTTED_TITLES = frozenset(
    "med rer nat pol oec phil jur dent vet h.c ing dipl kfm inf univ mag lic eng ir dra "
    "arch avv geom sr don habil".split()
)
_PLACEHOLDER_NAMES = frozenset(  # what a network shows for a closed or hidden account
    "linkedin member;linkedin-mitglied;membre de linkedin;miembro de linkedin;"
    "membro do linkedin;lid van linkedin;xing member;xing-mitglied".split(";")
)
_PARTICLES = frozenset("van der den de del della la le von zu du da das dos di ten ter".split())
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # Thai, CJK
_NAME_WORD = re.compile(r"[^\W\d_](?:[\w'.-]*\w)?\.?")


def greeting_names(display: str) -> tuple[str, str]:
    """(first name, full name) to greet someone by, from the name a network shows:
    "Dr. med. Jonas Weber, MBA" -> ("Jonas", "Dr. Jonas Weber"), "Weber, Jonas" ->
    ("Jonas", "Jonas Weber"), "EMILY CARTER" -> ("Emily", "Emily Carter"). The first name
    is "" where none can be told: a title before a surname, an initial ("J. Smith"), a
    name in a script written family name first (Chinese, Japanese, Korean, Thai), a
    network's placeholder ("LinkedIn Member"), or no name. The full name keeps only the
    titles every language writes (Dr., Prof.) and is "" for a form of address and a
    surname ("Herr Weber", "Ms Smith": a reply in another language cannot say it)."""
    text = _TAGLINE.sub("", _BRACKETS.sub(" ", unicodedata.normalize("NFKC", display)))
    if " ".join(text.casefold().split()) in _PLACEHOLDER_NAMES:
        return "", ""
    text = _swap_last_first(_drop_post_nominals(text.replace("\u2019", "'")))
    words = _NAME_WORD.findall(text)
    titles: list[str] = []
    while words and (_is_title(words[0]) or (titles and _bare(words[0]) in _HONORIS_CAUSA)):
        titles.append(words.pop(0))
    while len(words) > 1 and _post_nominal(words[-1]):
        words.pop()
    if not words:
        return "", ""
    one_case = all(w.isupper() for w in words) or all(w.islower() for w in words)
    if one_case:
        words = [
            w.lower() if i and w.lower() in _PARTICLES else _capitalised(w)
            for i, w in enumerate(words)
        ]
    kept = list(dict.fromkeys(t for t in titles if _bare(t) in _KEPT_TITLES))
    surname_only = len(words) == 1 and bool(titles)
    if surname_only and not kept:  # "Herr Weber": a form of address in one language only
        return "", ""
    full = " ".join([*kept, *words])
    first = words[0]
    if _UNSPACED.search(text) or surname_only or len(first.rstrip(".")) < 2 or first.endswith("."):
        return "", full
    return first, full


_HONORIS_CAUSA = frozenset("h c e e.h mult".split())  # "Dr. h. c. mult.", "Dr.-Ing. E.h."
_SURNAMES_LIKE_DEGREES = frozenset({"ma", "ba"})  # "Yan Ma", "Tom Ba": names, not degrees


def _post_nominal(word: str) -> bool:
    """A degree or suffix after a name ("PhD", "MBA", "Jr"); "Ma" or "Ba" written as a
    name is a surname."""
    bare = _bare(word)
    if bare in _SURNAMES_LIKE_DEGREES and word[:1].isupper() and word[1:].islower():
        return False
    return bare in _POST_NOMINALS


def _is_title(word: str) -> bool:
    """A title or form of address before a name: "Dr.", "med.", "Dr.-Ing.", "h.c.",
    "Univ.-Prof.", "Herr", "Sig.ra"; Austrian "DI" only in capitals ("Di" is a surname)."""
    bare = _bare(word)
    if bare in _TITLES or (word.endswith(".") and bare in _DOTTED_TITLES) or word == "DI":
        return True
    parts = [p for p in re.split(r"[.-]", bare) if p]
    known = _TITLES | _DOTTED_TITLES | {"h", "c"}
    return len(parts) > 1 and "." in word and all(p in known for p in parts)


def _bare(word: str) -> str:
    return word.casefold().rstrip(".")


def _capitalised(word: str) -> str:
    """A name word written in one case, as a name is written: "EMILY" -> "Emily",
    "mary-ann" -> "Mary-Ann", "o'neil" -> "O'Neil", "İSMAIL" -> "İsmail", Dutch
    "IJSBRAND" -> "IJsbrand"."""
    return "".join(_capital(part) for part in re.split(r"([-' ])", word))


def _capital(part: str) -> str:
    if part.lower().startswith("ij") and len(part) >= 2:
        return "IJ" + part[2:].lower()
    return part[:1].upper() + part[1:].lower()


def _drop_post_nominals(text: str) -> str:
    """ "jane doe, mba, phd" -> "jane doe"; a comma followed by a name is kept."""
    head, *tails = text.split(",")
    kept = [t for t in tails if not _all_post_nominals(t)]
    return ",".join([head, *kept])


def _all_post_nominals(part: str) -> bool:
    words = [w.casefold() for w in _SEPARATORS.split(part.replace(".", "")) if w]
    return bool(words) and all(w in _POST_NOMINALS or w in _HONORIFICS for w in words)


def _swap_last_first(text: str) -> str:
    """ "doe, jane" -> "jane doe" (one comma, a name on each side); any other comma
    separates words like all punctuation."""
    last, comma, first = text.partition(",")
    if comma and "," not in first and last.strip() and first.strip():
        return f"{first} {last}"
    return text


def normalise_email(addr: str) -> str:
    """One spelling per address: "<Jane@X.example>", "Jane Doe <jane@x.example>" and
    " jane@x.example" all become "jane@x.example"."""
    text = addr.strip()
    if text.endswith(">") and "<" in text:
        text = text[text.rindex("<") + 1 : -1]
    return text.strip("<> \t").casefold()


def key_token(key: str) -> str:
    """A short header-safe, search-safe token for a draft's identity."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


# Our drafts' Message-IDs look like any machine-made one and carry the draft's token:
# <20261206103000.<32 hex token>.<6 hex mark>@owner.example>. The mark is the same for
# every draft of one owner (answers to our drafts are searched on the server by it) and
# names nothing; the token is how a draft is found again, whatever a mail client did to
# its other headers when it re-saved or sent it.
_DRAFT_ID = re.compile(r"<\d{14}\.([0-9a-f]{32})\.([0-9a-f]{6})@[^<>\s]+>")


def draft_mark(owner_email: str) -> str:
    return hashlib.sha256(f"drafts:{owner_email.casefold()}".encode()).hexdigest()[:6]


def draft_message_id(token: str, owner_email: str, stamp: str) -> str:
    """`stamp`: the time as YYYYmmddHHMMSS (a re-made draft gets another Message-ID)."""
    domain = owner_email.rpartition("@")[2] or "localhost"
    return f"<{stamp}.{token}.{draft_mark(owner_email)}@{domain}>"


def mark_of(message_id: str) -> str | None:
    """The owner mark in one of our Message-IDs, else None."""
    match = _DRAFT_ID.search(message_id)
    return match.group(2) if match else None


def token_of(message_id: str) -> str | None:
    """The draft token in one of our Message-IDs, else None."""
    match = _DRAFT_ID.search(message_id)
    return match.group(1) if match else None


INVITATION_KEYS = ("linkedin:invitation:", "xing:request:")  # real invitation ids


def canonical_profile(url: str) -> str | None:
    """The one URL of a LinkedIn or XING profile (country subdomains, /comm/, scheme,
    query and tracking dropped); None for anything else, e.g. an opaque redirect."""
    parts = _split(url)
    if _on(parts, "linkedin.com"):
        if match := re.search(r"/in/([^/?#]+)", parts.path):
            return f"https://www.linkedin.com/in/{match.group(1)}"
        if "/profile/view" in parts.path and (ids := parse_qs(parts.query).get("id")):
            return f"https://www.linkedin.com/profile/view?id={ids[0]}"
    if _on(parts, "xing.com") and (match := re.search(r"/profile/([^/?#]+)", parts.path)):
        return f"https://www.xing.com/profile/{match.group(1)}"
    return None


def person_key(
    network: str | None, name: str, profile_url: str | None = None, invitation: str | None = None
) -> str:
    """Who this is, across invitations, reminders and messages: the profile; else the
    invitation id (guest invitations show a first name only); else the name."""
    if profile_url:
        return profile_key(profile_url)
    if invitation and invitation.startswith(INVITATION_KEYS):  # a real id, not a fallback
        return invitation
    return f"{network or 'unknown'}:name:{normalise_name(name)}"


def same_profile(a: str | None, b: str | None) -> bool | None:
    """Whether two profile links name the same profile; None when either is unknown."""
    if not a or not b:
        return None
    return profile_key(a) == profile_key(b)


_LINKEDIN_PROFILE = re.compile(r"/(?:comm/)?in/([^/?#\s]+)", re.I)
_LINKEDIN_VIEW = re.compile(r"/(?:comm/)?profile/view/?$", re.I)
_MEMBER_ID = re.compile(r"(?:^|&)id=([^&#\s]+)")
_XING_PROFILE = re.compile(r"/profile/([^/?#\s]+)", re.I)
# The usual spelling, read without splitting the URL (a contacts file holds 100,000s):
# an optional scheme, LinkedIn's host or a subdomain of it, /in/ or /comm/in/.
_PLAIN_LINKEDIN = re.compile(
    r"(?:https?://)?(?:[a-z0-9-]+\.)*linkedin\.com/(?:comm/)?in/([^/?#\s]+)", re.I
)


def profile_key(url: str) -> str:
    """One spelling per profile: "linkedin:jane-doe", "linkedin:id:ABC", "xing:jane_doe".
    Country subdomains, /comm/, scheme, a trailing slash, query and case are ignored; a
    link is a profile only on LinkedIn's or XING's own hosts (evil.example/in/jane is no
    LinkedIn profile). Anything else is the link itself, without query and fragment."""
    text = url.strip().strip("<>")
    if match := _PLAIN_LINKEDIN.match(text):
        return f"linkedin:{match.group(1).casefold()}"
    parts = _split(text if "://" in text else f"https://{text.lstrip('/')}")
    if _on(parts, "linkedin.com"):
        if match := _LINKEDIN_PROFILE.match(parts.path):
            return f"linkedin:{match.group(1).casefold()}"
        if _LINKEDIN_VIEW.match(parts.path) and (match := _MEMBER_ID.search(parts.query)):
            return f"linkedin:id:{match.group(1)}"  # member ids are case-sensitive
    if _on(parts, "xing.com") and (match := _XING_PROFILE.match(parts.path)):
        return f"xing:{match.group(1).casefold()}"
    return text.split("?")[0].split("#")[0].rstrip("/").casefold()


def profile_link(key: str) -> str:
    """A link to the profile a `profile_key` names (the key itself for any other link)."""
    network, _, name = key.partition(":")
    if network == "linkedin":
        member = name.removeprefix("id:")
        if member != name:
            return f"https://www.linkedin.com/profile/view?id={member}"
        return f"https://www.linkedin.com/in/{name}"
    if network == "xing" and name:
        return f"https://www.xing.com/profile/{name}"
    return key


_NOWHERE = urlsplit("")


def _split(url: str) -> SplitResult:
    """The parts of a URL (its hostname in lower case); none of a malformed one."""
    try:
        return urlsplit(url)
    except ValueError:  # "https://[x/in/jane": an invalid IPv6 host
        return _NOWHERE


def _on(parts: SplitResult, domain: str) -> bool:
    """Whether the link's host is `domain` or one of its subdomains (not
    "evil-linkedin.com", not "linkedin.com.evil.example")."""
    host = parts.hostname
    return host is not None and (host == domain or host.endswith(f".{domain}"))


_UMLAUT_SPELLING = re.compile(r"(?<![aeiou])(?:ae|oe|ue)")


def loose(key: str) -> str:
    """A normalised name with the German/Nordic transliterations folded further (ue, oe,
    ae -> u, o, a), so "juergen mueller" (Jürgen Müller) and "jurgen muller" (Jurgen
    Muller, as many systems write it) meet. Used for near matches only, never "known"."""
    return _UMLAUT_SPELLING.sub(lambda m: m.group(0)[0], key)


def near_match(a: str, b: str) -> str | None:
    """Why two *different* normalised names may be the same person, or None.

    Same surname and first initial, a nickname, the same words in another order, or one
    typo apart. Equal keys are not "near": they are a match.
    """
    if not a or not b or a == b:
        return None
    if loose(a) == loose(b):
        return "the same name spelt with or without its accents (ü / ue / u)"
    a, b = loose(a), loose(b)  # the rest compares the folded forms
    first_a, *_, last_a = a.split() if " " in a else (a, a)
    first_b, *_, last_b = b.split() if " " in b else (b, b)
    if sorted(a.split()) == sorted(b.split()):
        return "the same names in another order"
    if last_a == last_b and first_a != first_b:
        if any(first_a in group and first_b in group for group in _NICKNAMES):
            return f"nickname: {first_a} / {first_b}"
        if first_a[0] == first_b[0]:
            return "same surname and first initial"
    if _one_edit_apart(a, b):
        return "one letter apart"
    return None


def _one_edit_apart(a: str, b: str) -> bool:
    """One letter changed, inserted or dropped, or two neighbours swapped. (Lengths two
    or more apart fail the insertion test; a change in the last letter passes the
    substitution test before the swap test would look past the end.)"""
    a, b = sorted((a, b), key=len)
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    if len(a) == len(b):
        return (
            a[i + 1 :] == b[i + 1 :]
            or (  # substitution, or a swap of neighbours
                a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
            )
        )
    return a[i:] == b[i + 1 :]  # insertion
