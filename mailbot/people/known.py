"""Do I know this person? Every source of "known", consulted in one place.

Exact matches with enough evidence make a person known; near matches and namesakes are
reported for the owner to judge. Nothing here ever guesses "known".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from mailbot.identity import near_match, normalise_email, normalise_name, profile_key
from mailbot.notifications import Requester
from mailbot.people.contacts import Contact, Contacts
from mailbot.people.index import CorrespondenceIndex, Correspondent
from mailbot.records import Verdict


@dataclass(frozen=True)
class OwnerLists:
    """MAILBOT_KNOWN (names, addresses, profile URLs) and MAILBOT_KNOWN_DOMAINS."""

    names: frozenset[str] = frozenset()
    addresses: frozenset[str] = frozenset()
    profiles: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, known: Iterable[str], domains: Iterable[str]) -> OwnerLists:
        names, addresses, profiles = set(), set(), set()
        for item in (k.strip() for k in known):
            if "://" in item or item.lower().startswith(("linkedin.com/", "www.")):
                profiles.add(profile_key(item))
            elif "@" in item:
                addresses.add(normalise_email(item))
            elif item:
                names.add(normalise_name(item))
        return cls(
            frozenset(names),
            frozenset(addresses),
            frozenset(profiles),
            frozenset(d.strip().lstrip("@").lower() for d in domains if d.strip()),
        )


@dataclass
class KnownPeople:
    contacts: Contacts = field(default_factory=Contacts)
    index: CorrespondenceIndex | None = None
    lists: OwnerLists = field(default_factory=OwnerLists)
    min_sent: int = 1

    def assess(self, requester: Requester) -> Verdict:
        key = normalise_name(requester.name)
        if reason := self._owner_lists(requester, key):
            return Verdict(known=reason)
        if match := self._contact(requester, key):
            contact, how = match
            return Verdict(known=contact.reason(requester.name, how))
        history = self._history(requester, key)
        if history.known:
            return history
        near = (*self._namesake(requester, key), *history.near, *self._near_contacts(key))
        weak = tuple(self.contacts.weak(requester.name, requester.profile_url)[:3])
        return Verdict(near=near, evidence=(*history.evidence, *weak), doubt=history.doubt)

    def _owner_lists(self, requester: Requester, key: str) -> str | None:
        email = normalise_email(requester.email) if requester.email else None
        if key and key in self.lists.names:
            return f"{requester.name} is on your MAILBOT_KNOWN list"
        if email and email in self.lists.addresses:
            return f"{email} is on your MAILBOT_KNOWN list"
        if requester.profile_url and profile_key(requester.profile_url) in self.lists.profiles:
            return f"{requester.profile_url} is on your MAILBOT_KNOWN list"
        if email and email.rpartition("@")[2] in self.lists.domains:
            return f"{email} is in a MAILBOT_KNOWN_DOMAINS domain"
        return None

    def _contact(self, requester: Requester, key: str) -> tuple[Contact, str] | None:
        c = self.contacts
        if requester.profile_url and (hit := c.by_profile.get(profile_key(requester.profile_url))):
            return hit, "profile URL"
        if requester.email and (hit := c.by_email.get(normalise_email(requester.email))):
            return hit, "email address"
        if key and (hit := c.by_name.get(key)):
            if _other_profile(hit.profile_url, requester.profile_url):
                return None  # the same name on another profile: for the owner (_namesake)
            return hit, "full name"
        return None

    def _namesake(self, requester: Requester, key: str) -> list[str]:
        """A contact of the same name whose profile link is another one: maybe a namesake,
        maybe a changed link. The owner's to judge (review), never known, never a stranger."""
        hit = self.contacts.by_name.get(key) if key else None
        if hit is None or not _other_profile(hit.profile_url, requester.profile_url):
            return []
        return [f"{hit.name} in {hit.source}, with another profile link ({hit.profile_url})"]

    def _history(self, requester: Requester, key: str) -> Verdict:
        if self.index is None:
            return Verdict()
        person = self.index.by_address(requester.email) if requester.email else None
        if person is not None and self._enough(person):
            return Verdict(known=f"{requester.name}: {person.evidence()}")
        people = self.index.by_name(requester.name) if key else []
        enough = [p for p in people if self._enough(p)]
        if len(enough) == 1:
            return Verdict(known=f"{requester.name}: {enough[0].evidence()}")
        if len(enough) > 1:
            listed = "; ".join(p.evidence() for p in enough[:3])
            return Verdict(
                near=(
                    f"{len(enough)} different people named {requester.name} in your mail: {listed}",
                )
            )
        invited = [p for p in (*([person] if person else []), *people) if p.invited]
        doubt = tuple(dict.fromkeys(p.evidence() for p in invited))
        weak = tuple(
            f"{'' if p.many else 'received only, '}not enough to count as known: {p.evidence()}"
            for p in people
            if not p.invited
        )
        near = tuple(
            f"{' / '.join(p.names) or p.address} ({why}): {p.evidence()}"
            for p, why in self.index.near(requester.name)
            if self._enough(p)
        )
        return Verdict(near=near[:3], evidence=weak[:3], doubt=doubt[:3])

    def _enough(self, person: Correspondent) -> bool:
        return person.sent >= self.min_sent or person.applications > 0 or person.meetings > 0

    def _near_contacts(self, key: str) -> list[str]:
        return [
            f"{contact.name} in {contact.source} ({why})"
            for other, contact in self.contacts.by_name.items()
            if (why := near_match(key, other))
        ][:3]


def _other_profile(known: str | None, asking: str | None) -> bool:
    """Two vanity profile links (linkedin.com/in/..., xing.com/profile/...) that differ.
    Member-id links and links cut short by a notification prove nothing either way."""
    if not known or not asking:
        return False
    a, b = profile_key(known), profile_key(asking)
    return _vanity(a) and _vanity(b) and a != b


def _vanity(key: str) -> bool:
    return key.startswith(("linkedin:", "xing:")) and not key.startswith("linkedin:id:")
