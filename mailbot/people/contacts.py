"""Contacts files: generic CSV (name/email), LinkedIn's Connections.csv, and vCard."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from mailbot.errors import ConfigError
from mailbot.identity import normalise_email, normalise_name, profile_key

_NAME_COLUMNS = ("name", "full name", "display name")
_FIRST_COLUMNS = ("first name", "given name")
_LAST_COLUMNS = ("last name", "family name", "surname")
_EMAIL_COLUMNS = ("email", "e-mail", "email address", "e-mail address", "e-mail 1 - value")
_URL_COLUMNS = ("url", "profile url", "linkedin")


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None
    profile_url: str | None
    source: str


@dataclass
class Contacts:
    """An in-memory index of known people, by normalised name, address and profile."""

    by_name: dict[str, Contact] = field(default_factory=dict)
    by_email: dict[str, Contact] = field(default_factory=dict)
    by_profile: dict[str, Contact] = field(default_factory=dict)

    def add(self, contact: Contact) -> None:
        if key := normalise_name(contact.name):
            self.by_name.setdefault(key, contact)
        if contact.email:
            self.by_email.setdefault(normalise_email(contact.email), contact)
        if contact.profile_url:
            self.by_profile.setdefault(profile_key(contact.profile_url), contact)

    def __len__(self) -> int:
        return len({id(c) for c in (*self.by_name.values(), *self.by_email.values())})


def load_contacts(paths: Iterable[Path]) -> Contacts:
    """Every contact in the given files; an unreadable file is a ConfigError naming it."""
    contacts = Contacts()
    for path in paths:
        try:
            data = path.read_text(encoding="utf-8-sig", errors="replace")
        except OSError as exc:
            raise ConfigError("MAILBOT_CONTACTS", f"cannot read {path}: {exc.strerror}") from None
        reader = _vcards if path.suffix.lower() in (".vcf", ".vcard") else _csv_rows
        try:
            for contact in reader(data, path.name):
                contacts.add(contact)
        except csv.Error as exc:
            raise ConfigError(
                "MAILBOT_CONTACTS", f"{path}: not a readable CSV file ({exc})"
            ) from None
    return contacts


def _csv_rows(data: str, source: str) -> Iterable[Contact]:
    lines = data.splitlines()
    start = _header_line(lines)
    if start is None:
        raise ConfigError(
            "MAILBOT_CONTACTS", f"{source}: no header row with a name or email column"
        )
    for row in csv.DictReader(io.StringIO("\n".join(lines[start:]))):
        folded = {(k or "").strip().casefold(): (v or "").strip() for k, v in row.items()}
        name = _first(folded, _NAME_COLUMNS) or " ".join(
            p for p in (_first(folded, _FIRST_COLUMNS), _first(folded, _LAST_COLUMNS)) if p
        )
        email = _first(folded, _EMAIL_COLUMNS)
        if name or email:
            yield Contact(
                name=name,
                email=email or None,
                profile_url=_first(folded, _URL_COLUMNS) or None,
                source=source,
            )


def _header_line(lines: list[str]) -> int | None:
    """LinkedIn's export puts a few "Notes:" lines before the real header."""
    wanted = set(_NAME_COLUMNS + _FIRST_COLUMNS + _EMAIL_COLUMNS)
    for index, line in enumerate(lines[:20]):
        cells = {c.strip().strip('"').casefold() for c in next(csv.reader([line]), [])}
        if cells & wanted:
            return index
    return None


def _first(row: dict[str, str], columns: tuple[str, ...]) -> str:
    return next((row[c] for c in columns if row.get(c)), "")


def _vcards(data: str, source: str) -> Iterable[Contact]:
    import vobject  # here, not at the top: only vCard files need it

    try:
        cards = list(vobject.readComponents(data, ignoreUnreadable=True))
    except Exception as exc:
        raise ConfigError(
            "MAILBOT_CONTACTS", f"{source}: not a readable vCard file ({exc})"
        ) from None
    for card in cards:
        name = str(card.fn.value) if hasattr(card, "fn") else ""
        emails = [str(e.value) for e in card.contents.get("email", [])]
        urls = [str(u.value) for u in card.contents.get("url", [])]
        profile = next((u for u in urls if "linkedin.com/" in u), None)
        for email in emails or [""]:
            if name or email:
                yield Contact(name=name, email=email or None, profile_url=profile, source=source)
