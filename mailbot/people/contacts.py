"""The owner's records listed in MAILBOT_CONTACTS: contacts files (generic CSV, LinkedIn's
Connections.csv, Google and Outlook exports, vCard), LinkedIn's data export
(messages.csv, Invitations.csv: people.exports), and applicant tracking exports
(people.ats). A CSV is recognised by its header row, never by its name.

An entry may be a file, an unpacked LinkedIn export folder, or the export's .zip: of a
folder or a zip only Connections.csv, messages.csv, Invitations.csv and Profile.csv (the
owner's own name) are read; a zip is read in memory, member by member, never unpacked,
and no member is read past MAX_BYTES. A file that cannot be read at all is a
ConfigError naming it; rows or members that cannot be read are left out and listed as
problems (`mailbot check` shows them; the daemon logs them), the rest is used.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mailbot.errors import ConfigError
from mailbot.identity import normalise_email, normalise_name, profile_key
from mailbot.people import ats, exports

log = logging.getLogger(__name__)

MAX_BYTES = 64 * 1024 * 1024  # one file or zip member; LinkedIn's messages.csv is a few MB
_NAME_COLUMNS = ("name", "full name", "display name")
_FIRST_COLUMNS = ("first name", "given name")
_LAST_COLUMNS = ("last name", "family name", "surname")
_EMAIL_COLUMNS = ("email", "e-mail", "email address", "e-mail address", "e-mail 1 - value")
_URL_COLUMNS = ("url", "profile url", "linkedin")
EXPORT_FILES = ("connections.csv", "messages.csv", "invitations.csv", "profile.csv")

# What `mailbot check` counts per entry (singular, plural); WEAK: evidence only.
_NOUNS = {
    "people": ("person", "people"),
    "connections": ("connection", "connections"),
    "message partners": ("message partner", "message partners"),
    "invitations sent": ("invitation sent", "invitations sent"),
    "unanswered senders": ("unanswered sender", "unanswered senders"),
    "invitations received": ("invitation received", "invitations received"),
}
WEAK = frozenset({"unanswered senders", "invitations received"})

# What a contact is, for the reason shown to the owner.
CONTACT, MESSAGED, INVITED, APPLIED = "contact", "messaged", "invited", "applied"


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None
    profile_url: str | None
    source: str
    kind: str = CONTACT
    detail: str = ""  # what the source says: "4 LinkedIn messages, last 2025-03-01"

    def reason(self, name: str, how: str) -> str:
        """Why `name` is known, for the decision's reason."""
        if self.kind == APPLIED:
            return f"{name} applied: in your {self.detail} (matched by {how})"
        if self.detail:
            return f"{name}: {self.detail} ({self.source}, matched by {how})"
        return f"{name} is in your contacts ({self.source}, matched by {how})"


@dataclass
class Contacts:
    """An in-memory index of known people, by normalised name, address and profile;
    weaker facts (an old request from them, messages they sent that the owner never
    answered) by name and profile, as evidence only."""

    by_name: dict[str, Contact] = field(default_factory=dict)
    by_email: dict[str, Contact] = field(default_factory=dict)
    by_profile: dict[str, Contact] = field(default_factory=dict)
    weak_by_name: dict[str, list[str]] = field(default_factory=dict)
    weak_by_profile: dict[str, list[str]] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # per listed path
    problems: list[str] = field(default_factory=list)
    problems_of: dict[str, list[str]] = field(default_factory=dict)  # per listed path

    def add(self, contact: Contact) -> None:
        if key := normalise_name(contact.name):
            self.by_name.setdefault(key, contact)
        if contact.email:
            self.by_email.setdefault(normalise_email(contact.email), contact)
        if contact.profile_url:
            self.by_profile.setdefault(profile_key(contact.profile_url), contact)

    def add_weak(self, name: str, profile_url: str | None, fact: str) -> None:
        if key := normalise_name(name):
            self.weak_by_name.setdefault(key, []).append(fact)
        if profile_url:
            self.weak_by_profile.setdefault(profile_key(profile_url), []).append(fact)

    def weak(self, name: str, profile_url: str | None) -> list[str]:
        """The weak facts about this requester: by profile link, else by full name."""
        if profile_url and (found := self.weak_by_profile.get(profile_key(profile_url))):
            return found
        return self.weak_by_name.get(normalise_name(name), []) if name else []

    def summary(self, path: Path) -> str:
        """What one listed entry gave, for `mailbot check`: "120 connections, 45 message
        partners, 30 invitations sent; not counted: 2 unanswered senders"."""
        counts = self.counts.get(str(path), {})
        known = [_count(n, what) for what, n in counts.items() if n and what not in WEAK]
        weak = [_count(n, what) for what, n in counts.items() if n and what in WEAK]
        text = ", ".join(known) or "nobody"
        return f"{path}: {text}" + (f"; not counted: {', '.join(weak)}" if weak else "")

    def __len__(self) -> int:
        return len({id(c) for c in (*self.by_name.values(), *self.by_email.values())})


def _count(n: int, what: str) -> str:
    singular, plural = _NOUNS.get(what, (what.removesuffix("s"), what))
    return f"{n} {singular if n == 1 else plural}"


@dataclass
class _Table:
    """One CSV (a file, or a member of an export folder or zip) and what it is."""

    listed: Path  # the MAILBOT_CONTACTS entry it came from
    label: str  # "messages.csv in linkedin-export.zip"
    kind: str  # contacts | messages | invitations | profile | ats | vcard
    text: str
    start: int = 0  # where the header row begins
    system: str = ""  # the applicant tracking system


def load_contacts(paths: Iterable[Path], owner_name: str | None = None) -> Contacts:
    """Every person the listed files, folders and zips know; an unreadable entry is a
    ConfigError naming it. `owner_name` (MAILBOT_OWNER_NAME) helps find the owner in
    LinkedIn's messages.csv."""
    contacts = Contacts()
    tables: list[_Table] = []
    for path in paths:
        contacts.counts.setdefault(str(path), {})
        before = len(contacts.problems)
        tables += _tables(path, contacts)
        contacts.problems_of.setdefault(str(path), []).extend(contacts.problems[before:])
    owner_names = {normalise_name(owner_name)} if owner_name else set()
    owner_urls: set[str] = set()
    invitations: dict[int, list[exports.Invitation]] = {}
    unknowns: dict[int, list[str]] = {}  # Direction values mailbot does not know, per table
    for i, table in enumerate(tables):
        if table.kind == "profile":
            for row in _rows(table, contacts):
                first, last = row.get("first name", ""), row.get("last name", "")
                if name := normalise_name(f"{first} {last}"):
                    owner_names.add(name)
        elif table.kind == "invitations":
            unknowns[i] = []
            invitations[i], own = exports.read_invitations(_rows(table, contacts), unknowns[i])
            owner_urls |= own
    for i, table in enumerate(tables):
        counts = contacts.counts[str(table.listed)]
        before = len(contacts.problems)
        if table.kind == "messages":
            _messages(table, contacts, counts, owner_urls, owner_names)
        elif table.kind == "invitations":
            _invitations(table, invitations[i], contacts, counts)
            if odd := unknowns.get(i):
                values = ", ".join(sorted(set(odd))[:3])
                contacts.problems.append(
                    f"{table.label}: {len(odd)} invitation{'s' * (len(odd) != 1)} "
                    f"with a Direction other than OUTGOING or INCOMING ({values}): left out"
                )
        elif table.kind == "ats":
            _candidates(table, contacts, counts)
        elif table.kind in ("contacts", "vcard"):
            what = "connections" if table.label.lower().startswith("connections.csv") else "people"
            reader = _vcards(table) if table.kind == "vcard" else _contact_rows(table, contacts)
            found = 0
            for contact in reader:
                contacts.add(contact)
                found += 1
            counts[what] = counts.get(what, 0) + found
        contacts.problems_of[str(table.listed)].extend(contacts.problems[before:])
    for problem in contacts.problems:
        log.warning("MAILBOT_CONTACTS: %s", problem)
    return contacts


# -- reading the listed entries -------------------------------------------------------------


def export_files(folder: Path) -> list[Path]:
    """The LinkedIn export files directly in a folder (Connections.csv, messages.csv,
    Invitations.csv, Profile.csv, however the export spells them)."""
    try:
        found = [p for p in folder.iterdir() if _export_name(p.name) and p.is_file()]
    except OSError:
        return []
    return sorted(found, key=lambda p: EXPORT_FILES.index(_export_name(p.name) or ""))


def _export_name(name: str) -> str | None:
    """ "Connections.csv", "messages.csv", "Invitations.csv", "Profile.csv" in any case,
    with or without spaces or underscores -> its canonical name; None for the rest."""
    folded = re.sub(r"[\s_]", "", name.rpartition("/")[2]).casefold()
    return folded if folded in EXPORT_FILES else None


def _tables(path: Path, contacts: Contacts) -> list[_Table]:
    if path.is_dir():
        files = export_files(path)
        if not files:
            raise ConfigError(
                "MAILBOT_CONTACTS",
                f"{path} is a folder with no LinkedIn export in it (Connections.csv, "
                "messages.csv, Invitations.csv); name a file",
            )
        return [
            t
            for f in files
            if (t := _table(path, f"{f.name} in {path.name}", _read(f), contacts, member=True))
        ]
    if path.suffix.lower() == ".zip":
        return _zip(path, contacts)
    if path.suffix.lower() in (".vcf", ".vcard"):
        return [_Table(path, path.name, "vcard", _text(_read(path, listed=True)))]
    table = _table(path, path.name, _read(path, listed=True), contacts, member=False)
    return [table] if table else []


def _read(path: Path, *, listed: bool = False) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError(
                "MAILBOT_CONTACTS",
                f"{path} has {size // (1024 * 1024)} MB, more than the {MAX_BYTES // (1024 * 1024)} "
                "MB a contacts file may have",
            )
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1)[:MAX_BYTES]
    except OSError as exc:
        raise ConfigError("MAILBOT_CONTACTS", f"cannot read {path}: {exc.strerror}") from None


def _zip(path: Path, contacts: Contacts) -> list[_Table]:
    """The export's relevant members, read in memory, each bounded: a member larger than
    MAX_BYTES (whatever its header claims: reading stops there) is left out as a problem."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                info
                for info in archive.infolist()
                if not info.is_dir()
                and info.filename.count("/") <= 1  # at the top, or in one folder
                and _export_name(info.filename)
            ]
            if not members:
                raise ConfigError(
                    "MAILBOT_CONTACTS",
                    f"{path} holds no LinkedIn export (Connections.csv, messages.csv, "
                    "Invitations.csv)",
                )
            # One member of each name (the first, the shallowest): a zip holding many
            # copies would cost MAX_BYTES each and count the same people again.
            chosen: dict[str, zipfile.ZipInfo] = {}
            for info in sorted(members, key=lambda i: i.filename.count("/")):
                name = _export_name(info.filename) or ""
                if name in chosen:
                    contacts.problems.append(
                        f"{info.filename} in {path.name}: another {name}: left out"
                    )
                    continue
                chosen[name] = info
            tables = []
            for info in sorted(
                chosen.values(), key=lambda i: EXPORT_FILES.index(_export_name(i.filename) or "")
            ):
                label = f"{info.filename.rpartition('/')[2]} in {path.name}"
                data = _member(archive, info, label, contacts)
                if data is not None and (t := _table(path, label, data, contacts, member=True)):
                    tables.append(t)
            return tables
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError) as exc:
        raise ConfigError("MAILBOT_CONTACTS", f"{path}: not a readable zip file ({exc})") from None


def _member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, contacts: Contacts
) -> bytes | None:
    if info.file_size > MAX_BYTES:
        contacts.problems.append(
            f"{label}: {info.file_size // (1024 * 1024)} MB unpacked, more than "
            f"{MAX_BYTES // (1024 * 1024)} MB: left out"
        )
        return None
    try:
        with archive.open(info) as member:
            data = member.read(MAX_BYTES + 1)
    except (
        zipfile.BadZipFile,
        zlib.error,
        NotImplementedError,  # a compression method Python does not have
        RuntimeError,  # encrypted
        OSError,
        EOFError,
    ) as exc:
        contacts.problems.append(f"{label}: cannot be unpacked ({exc}): left out")
        return None
    if len(data) > MAX_BYTES:  # its header lied about its size
        contacts.problems.append(f"{label}: more than {MAX_BYTES // (1024 * 1024)} MB: left out")
        return None
    return data


def _text(data: bytes) -> str:
    """A contacts file's text, whatever its exporter wrote: UTF-16 (with its BOM), UTF-8,
    else Windows-1252 (Outlook and Excel on Windows: "José Müller" must stay that, or a
    contact becomes a stranger), line endings of every system (old Mac: CR alone)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _table(
    listed: Path, label: str, data: bytes, contacts: Contacts, *, member: bool
) -> _Table | None:
    """What a CSV is, from its header row (within its first 20 lines: LinkedIn's
    Connections.csv has a "Notes:" preamble). A file listed on its own with no header
    mailbot knows is a ConfigError; such a member of an export is a problem, left out."""
    text = _text(data)
    csv.field_size_limit(MAX_BYTES)  # a long LinkedIn message is one field
    offset = 0
    for line in text[: 64 * 1024].split("\n")[:20]:
        line += "\n"
        try:
            cells = {c.strip().strip('"').casefold() for c in next(csv.reader([line]), [])}
        except csv.Error:
            cells = set()
        if kind := _kind(cells, label):
            return _Table(listed, label, kind[0], text, offset, kind[1])
        offset += len(line)
    problem = f"{label}: no header row with a name or email column"
    if member:
        contacts.problems.append(f"{problem}: left out")
        return None
    raise ConfigError("MAILBOT_CONTACTS", problem)


def _kind(cells: set[str], label: str) -> tuple[str, str] | None:
    if "conversation id" in cells and "from" in cells:
        return "messages", ""
    if {"from", "to", "direction"} <= cells and "sent at" in cells:
        return "invitations", ""
    if {"first name", "last name", "headline", "summary"} <= cells:
        return "profile", ""
    if system := ats.system(cells, label):
        return "ats", system
    if cells & set(_NAME_COLUMNS + _FIRST_COLUMNS + _EMAIL_COLUMNS):
        return "contacts", ""
    return None


def _rows(table: _Table, contacts: Contacts) -> Iterator[dict[str, str]]:
    """The rows under the header, keys folded (a row written short is read as it is).
    A quote left open swallows every row after it into one cell: such a row is left out
    and the rows after it are read again from the next line, and each problem is listed
    with its line."""
    csv.field_size_limit(MAX_BYTES)  # a long LinkedIn message is one field
    text = table.text[table.start :]
    header, _, body = text.partition("\n")
    names = [c.strip().strip('"').casefold() for c in next(csv.reader([header]), [])]
    before = table.text.count("\n", 0, table.start) + 1  # lines up to the header
    bad: list[int] = []
    try:
        for line, cells in _records(body, before + 1, 0):
            if cells is None:
                bad.append(line)
            elif any(c.strip() for c in cells):
                yield {n: c.strip() for n, c in zip(names, cells, strict=False) if n}
    except csv.Error as exc:
        contacts.problems.append(f"{table.label}: not readable ({exc}): the rest is left out")
    if bad:
        lines = ", ".join(str(n) for n in bad[:3]) + (", ..." if len(bad) > 3 else "")
        contacts.problems.append(
            f"{table.label}: {len(bad)} row{'s' * (len(bad) != 1)} with a quote left open "
            f"(line {lines}), left out"
        )


def _records(body: str, first: int, depth: int) -> Iterator[tuple[int, list[str] | None]]:
    """(line number, cells) of each record; (line, None) for one whose open quote ran to
    the end of the file, after which the lines below its first are read again."""
    reader = csv.reader(io.StringIO(body, newline=""))
    pending: tuple[int, list[str]] | None = None
    line = 0
    for cells in reader:
        if pending is not None:
            yield pending
        pending = (first + line, cells)
        line = reader.line_num
    if pending is None:
        return
    start, cells = pending
    ran_on = reader.line_num - (start - first) > 1 and body.count('"') % 2 == 1
    if not ran_on or depth >= 50:
        yield pending
        return
    yield start, None
    lines = io.StringIO(body, newline="").readlines()
    yield from _records("".join(lines[start - first + 1 :]), start + 1, depth + 1)


# -- the kinds of table -----------------------------------------------------------------------


def _contact_rows(table: _Table, contacts: Contacts) -> Iterator[Contact]:
    for folded in _rows(table, contacts):
        name = _first(folded, _NAME_COLUMNS) or " ".join(
            p for p in (_first(folded, _FIRST_COLUMNS), _first(folded, _LAST_COLUMNS)) if p
        )
        email = _first(folded, _EMAIL_COLUMNS)
        if name or email:
            yield Contact(
                name=name,
                email=email or None,
                profile_url=_first(folded, _URL_COLUMNS) or None,
                source=table.label,
            )


def _first(row: dict[str, str], columns: tuple[str, ...]) -> str:
    return next((row[c] for c in columns if row.get(c)), "")


def _messages(
    table: _Table,
    contacts: Contacts,
    counts: dict[str, int],
    owner_urls: set[str],
    owner_names: set[str],
) -> None:
    found = exports.read_messages(_rows(table, contacts), owner_urls, owner_names)
    if found.problem:
        contacts.problems.append(
            f"{table.label}: {found.problem} (set MAILBOT_OWNER_NAME to your name as LinkedIn "
            "shows it): nobody taken from it"
        )
    partners = unanswered = 0
    for p in found.partners:
        if p.owner_wrote:
            partners += 1
            last = f", last {p.last}" if p.last else ""
            detail = f"{p.messages} LinkedIn message{'s' * (p.messages != 1)}{last}"
            contacts.add(Contact(p.name, None, p.url, table.label, MESSAGED, detail))
        elif p.unanswered:
            unanswered += 1
            last = f", last {p.last}" if p.last else ""
            contacts.add_weak(
                p.name,
                p.url,
                f"{p.unanswered} LinkedIn message{'s' * (p.unanswered != 1)} from them{last}, "
                f"never answered ({table.label})",
            )
    counts["message partners"] = counts.get("message partners", 0) + partners
    counts["unanswered senders"] = counts.get("unanswered senders", 0) + unanswered


def _invitations(
    table: _Table, found: list[exports.Invitation], contacts: Contacts, counts: dict[str, int]
) -> None:
    sent = received = 0
    for inv in found:
        on = f" on {inv.date}" if inv.date else ""
        if inv.outgoing:
            sent += 1
            contacts.add(
                Contact(
                    inv.name,
                    None,
                    inv.url,
                    table.label,
                    INVITED,
                    f"you invited them on LinkedIn{on}",
                )
            )
        else:
            received += 1
            contacts.add_weak(
                inv.name,
                inv.url,
                f"an earlier invitation from them on LinkedIn{on}, not a tie ({table.label})",
            )
    counts["invitations sent"] = counts.get("invitations sent", 0) + sent
    counts["invitations received"] = counts.get("invitations received", 0) + received


def _candidates(table: _Table, contacts: Contacts, counts: dict[str, int]) -> None:
    export = f"{table.system} export {table.label}"
    found = 0
    for c in ats.candidates(_rows(table, contacts)):
        found += 1
        for email in c.emails or (None,):
            contacts.add(Contact(c.name, email, c.profile_url, table.label, APPLIED, export))
    what = f"{table.system} candidates"
    counts[what] = counts.get(what, 0) + found


def _vcards(table: _Table) -> Iterator[Contact]:
    import vobject  # here, not at the top: only vCard files need it

    try:
        cards = list(vobject.readComponents(table.text, ignoreUnreadable=True))
    except Exception as exc:
        raise ConfigError(
            "MAILBOT_CONTACTS", f"{table.label}: not a readable vCard file ({exc})"
        ) from None
    for card in cards:
        name = str(card.fn.value) if hasattr(card, "fn") else ""
        emails = [str(e.value) for e in card.contents.get("email", [])]
        urls = [str(u.value) for u in card.contents.get("url", [])]
        profile = next((u for u in urls if "linkedin.com/" in u), None)
        for email in emails or [""]:
            if name or email:
                yield Contact(
                    name=name, email=email or None, profile_url=profile, source=table.label
                )
