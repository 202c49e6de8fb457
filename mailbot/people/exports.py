"""LinkedIn's data export ("Get a copy of your data"): messages.csv and Invitations.csv.

Pure: rows in, people out. The files are recognised by their header rows (contacts.py);
an unpacked export folder or the export's .zip is read there too.

messages.csv (`CONVERSATION ID, CONVERSATION TITLE, FROM, SENDER PROFILE URL, TO,
RECIPIENT PROFILE URLS, DATE, SUBJECT, CONTENT, FOLDER`; before mid-2023 without the
recipients' URLs; since then sometimes `ATTACHMENTS`, `IS MESSAGE DRAFT`, ...):
- The owner is the participant found in the most conversations (they are in every one
  of their own export): by profile link, else by name; the profile link of the
  owner's own invitations (Invitations.csv), when there is one, settles it, and a tie
  (one conversation has two participants) goes to the name the owner configured
  (MAILBOT_OWNER_NAME) or the one in the export's Profile.csv. No owner found: nobody is
  known from the file, and `mailbot check` says why.
- A person is known when the owner wrote in a conversation with them (as a sent mail
  makes its recipients known): "4 LinkedIn messages, last 2025-03-01". Messages from
  them the owner never answered (an InMail, a pitch, sponsored mail) are evidence only.
- Drafts, the SPAM folder, sponsored messages (no sender link, LinkedIn's campaign
  editor markup) and "LinkedIn Member" (a closed account) are left out.

Invitations.csv (`From, To, Sent At, Message, Direction`, since late 2023 also
`inviterProfileUrl, inviteeProfileUrl`): OUTGOING means the owner invited them: known
("you invited them on LinkedIn on 2026-01-29"). INCOMING is only an earlier request from
them: evidence, never known.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from mailbot import identity

_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2,4})")
_LINKEDIN_URL = re.compile(
    r"(?:https?://)?(?:[\w-]+\.)?linkedin\.com/(?:comm/)?in/[^\s,;\"']+", re.I
)
_SPONSORED = re.compile(r"spinmail|%FIRSTNAME%", re.I)
# A messages.csv names the same few hundred people and links thousands of times.
normalise_name = lru_cache(maxsize=65536)(identity.normalise_name)
profile_key = lru_cache(maxsize=65536)(identity.profile_key)
_CLOSED_ACCOUNT = frozenset({"linkedin member", "linkedin-mitglied", "membre de linkedin", ""})


@dataclass(frozen=True)
class Person:
    """One participant: a profile key ("linkedin:slug") when the export has a link, else
    "name:" and the normalised name."""

    key: str
    name: str
    url: str | None


@dataclass
class Partner:
    """What messages.csv says about one person the owner has conversations with."""

    name: str
    url: str | None
    messages: int = 0  # in conversations the owner wrote in
    unanswered: int = 0  # from them, in conversations the owner never wrote in
    last: str | None = None
    owner_wrote: bool = False


@dataclass
class Messages:
    partners: list[Partner] = field(default_factory=list)
    owner: Person | None = None
    problem: str | None = None  # why nobody could be taken from the file


@lru_cache(maxsize=65536)
def linkedin_url(text: str) -> str | None:
    """The first LinkedIn profile link in a cell (which may hold several links)."""
    match = _LINKEDIN_URL.search(text or "")
    if not match:
        return None
    url = match.group(0)
    return url if url.lower().startswith("http") else f"https://{url}"


def iso_date(text: str) -> str | None:
    """The date of "2025-06-01 14:03:22 UTC", "2024/02/01 ...", "1/29/26, 2:37 PM"."""
    text = (text or "").strip()
    if match := _DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _US_DATE.match(text):  # Invitations.csv: M/D/YY, US style
        month, day, year = (int(g) for g in match.groups())
        year += 2000 if year < 100 else 0
    else:
        return None
    try:
        return datetime(year, month, day).date().isoformat()
    except ValueError:
        return None


def read_messages(
    rows: Iterable[dict[str, str]], owner_urls: set[str], owner_names: set[str]
) -> Messages:
    """Everyone the owner has conversations with, from messages.csv rows (keys folded)."""
    conversations: dict[str, list[tuple[Person, list[Person], str | None]]] = {}
    name_to_url: dict[str, set[str]] = {}
    for row in rows:
        if _left_out(row):
            continue
        sender = _person(row.get("from", ""), row.get("sender profile url", ""))
        if sender is None:
            continue
        if sender.url:
            name_to_url.setdefault(normalise_name(sender.name), set()).add(sender.key)
        recipients = _recipients(row.get("to", ""), row.get("recipient profile urls", ""))
        conversation = row.get("conversation id", "") or f"{sender.key}>{recipients!r}"
        conversations.setdefault(conversation, []).append(
            (sender, recipients, iso_date(row.get("date", "")))
        )
    if not conversations:
        return Messages()
    unique = {n: next(iter(keys)) for n, keys in name_to_url.items() if len(keys) == 1}
    merged = {
        cid: [(_linked(s, unique), [_linked(r, unique) for r in rs], d) for s, rs, d in msgs]
        for cid, msgs in conversations.items()
    }
    owner = _owner(merged, owner_urls, owner_names)
    if owner is None:
        return Messages(problem="cannot tell which participant is you")
    return Messages(partners=_partners(merged, owner.key), owner=owner)


def _left_out(row: dict[str, str]) -> bool:
    """Drafts, spam, and sponsored mail (no sender link, campaign markup)."""
    if row.get("is message draft", "").strip().lower() in ("yes", "true"):
        return True
    if row.get("folder", "").strip().upper() == "SPAM":
        return True
    return not row.get("sender profile url") and bool(_SPONSORED.search(row.get("content", "")))


def _person(name: str, url: str) -> Person | None:
    name = name.strip()
    link = linkedin_url(url)
    if link:
        return Person(profile_key(link), name, link)
    if name.casefold() in _CLOSED_ACCOUNT or not normalise_name(name):
        return None
    return Person(f"name:{normalise_name(name)}", name, None)


def _recipients(names: str, urls: str) -> list[Person]:
    """The TO names joined with ", " (a name may hold ", " itself: "Jane Doe, PhD"), and
    the recipients' links joined with "," (no space), when the export has them."""
    links = [u for u in (linkedin_url(p) for p in re.split(r"[,\s]+", urls or "")) if u]
    split = _split_names(names)
    if len(links) == 1:
        split = [names.strip()]  # one recipient: the whole TO is their name
    if links:
        if len(split) != len(links):
            split = [""] * len(links)  # names cannot be paired: their own rows name them
        return [Person(profile_key(u), n, u) for n, u in zip(split, links, strict=True)]
    return [p for p in (_person(n, "") for n in split) if p is not None]


def _split_names(names: str) -> list[str]:
    """ "Jane Doe, PhD, John Roe" -> ["Jane Doe, PhD", "John Roe"]."""
    parts: list[str] = []
    for piece in (p.strip() for p in names.split(", ")):
        if parts and normalise_name(f"x, {piece}") == "x":  # a post-nominal of the previous
            parts[-1] = f"{parts[-1]}, {piece}"
        elif piece:
            parts.append(piece)
    return parts


def _linked(person: Person, unique: dict[str, str]) -> Person:
    """A participant known by name only, given the link their own messages carry."""
    if person.url is None and (key := unique.get(person.key.removeprefix("name:"))):
        return Person(key, person.name, None)
    return person


Conversations = dict[str, list[tuple[Person, list[Person], str | None]]]


def _owner(conversations: Conversations, urls: set[str], names: set[str]) -> Person | None:
    seen: Counter[str] = Counter()
    people: dict[str, Person] = {}
    for messages in conversations.values():
        here: set[str] = set()
        for sender, recipients, _ in messages:
            for p in (sender, *recipients):
                here.add(p.key)
                if p.name or p.key not in people:
                    people[p.key] = p
        seen.update(here)
    if hinted := [k for k in seen if k in urls]:  # the owner's link, from their invitations
        return people[max(hinted, key=lambda k: seen[k])]
    ranked = seen.most_common()
    top = ranked[0][1]
    if top * 2 < len(conversations):
        return None  # nobody is in most conversations: not one person's export
    tied = [k for k, n in ranked if n == top]
    if len(tied) == 1:
        return people[tied[0]]
    named = [k for k in tied if normalise_name(people[k].name) in names]
    return people[named[0]] if len(named) == 1 else None


def _partners(conversations: Conversations, owner: str) -> list[Partner]:
    partners: dict[str, Partner] = {}
    for messages in conversations.values():
        owner_wrote = any(sender.key == owner for sender, _, _ in messages)
        last = max((d for _, _, d in messages if d), default=None)
        here: dict[str, Person] = {}
        for sender, recipients, _ in messages:
            for p in (sender, *recipients):
                if p.key != owner and (p.key not in here or not here[p.key].name):
                    here[p.key] = p
        for key, person in here.items():
            partner = partners.setdefault(key, Partner(person.name, person.url))
            partner.name = partner.name or person.name
            if owner_wrote:
                partner.owner_wrote = True
                partner.messages += len(messages)
            else:
                partner.unanswered += sum(1 for s, _, _ in messages if s.key == key)
            if last and (partner.last is None or last > partner.last):
                partner.last = last
    return [p for p in partners.values() if p.name or p.url]


@dataclass(frozen=True)
class Invitation:
    name: str
    url: str | None
    date: str | None
    outgoing: bool  # the owner invited them


def read_invitations(
    rows: Iterable[dict[str, str]], unknown: list[str] | None = None
) -> tuple[list[Invitation], set[str]]:
    """The invitations, and the owner's own profile keys (the inviter of OUTGOING ones,
    the invitee of INCOMING ones), when the export has the links. A Direction mailbot
    does not know is added to `unknown` (never dropped without a word)."""
    found: list[Invitation] = []
    owner: set[str] = set()
    for row in rows:
        direction = row.get("direction", "").strip().upper()
        if direction not in ("OUTGOING", "INCOMING"):
            if unknown is not None:
                unknown.append(direction or "(empty)")
            continue
        outgoing = direction == "OUTGOING"
        them = "to" if outgoing else "from"
        url_them, url_mine = (
            ("inviteeprofileurl", "inviterprofileurl")
            if outgoing
            else ("inviterprofileurl", "inviteeprofileurl")
        )
        if own := linkedin_url(row.get(url_mine, "")):
            owner.add(profile_key(own))
        name, url = row.get(them, "").strip(), linkedin_url(row.get(url_them, ""))
        if name or url:
            found.append(Invitation(name, url, iso_date(row.get("sent at", "")), outgoing))
    return found, owner
