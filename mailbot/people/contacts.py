"""The owner's records listed in MAILBOT_CONTACTS: contacts files (generic CSV, LinkedIn's
Connections.csv, Google and Outlook exports, vCard), LinkedIn's data export
(messages.csv, Invitations.csv: people.exports), and applicant tracking exports
(people.ats). A CSV is recognised by its header row, never by its name.

An entry may be a file, an unpacked LinkedIn export folder, or the export's .zip: of a
folder or a zip only Connections.csv, messages.csv, Invitations.csv and Profile.csv (the
owner's own name) are read; a zip is read member by member, never unpacked, and no
member is read past MAX_BYTES. A file that cannot be read at all is a ConfigError naming
it; rows, cards or members that cannot be read are left out and listed as problems
(`mailbot check` shows them; the daemon logs them), the rest is used.

Every file is streamed: a row or a card at a time, never the whole text in memory, so a
60 MB file costs the people it holds, not several copies of its text (bench/records.py).
What was read is kept for the next cycle while every entry's size and modification time
stay the same (an unchanged file costs nothing); running out of memory is one line.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import os
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from mailbot.errors import ConfigError
from mailbot.identity import normalise_email, normalise_name, profile_key, profile_link
from mailbot.people import ats, exports

log = logging.getLogger(__name__)

MAX_BYTES = 64 * 1024 * 1024  # one file or zip member; LinkedIn's messages.csv is a few MB
_CHUNK = 64 * 1024  # read at a time: memory stays a few chunks, whatever the file
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


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    email: str | None
    profile: str | None  # the profile link's identity.profile_key: one string, also the key
    source: str
    kind: str = CONTACT
    detail: str = ""  # what the source says: "4 LinkedIn messages, last 2025-03-01"

    @classmethod
    def of(
        cls,
        name: str,
        email: str | None,
        profile_url: str | None,
        source: str,
        kind: str = CONTACT,
        detail: str = "",
    ) -> Contact:
        """A contact as a file gives it: its profile link kept as the link's key."""
        return cls(
            name, email, profile_key(profile_url) if profile_url else None, source, kind, detail
        )

    @property
    def profile_url(self) -> str | None:
        return profile_link(self.profile) if self.profile else None

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
    cached: bool = False  # read from the cache file, not from the entries themselves
    # While the entries are read with a cache file: every add, as a JSON line, to replay
    journal: IO[str] | None = field(default=None, repr=False, compare=False)

    def add(self, contact: Contact) -> None:
        email = normalise_email(contact.email) if contact.email else ""
        if email == contact.email:
            email = contact.email  # one string, not two equal ones (a big file has many)
        keys = (normalise_name(contact.name), email, contact.profile or "")
        self.put(contact, *keys)
        if self.journal is not None:
            self.journal.write(_json_line([*_fields(contact), *keys]))

    def put(self, contact: Contact, name: str, email: str, profile: str) -> None:
        """`contact` under the keys given (the first one under a key stays)."""
        if name:
            self.by_name.setdefault(name, contact)
        if email:
            self.by_email.setdefault(email, contact)
        if profile:
            self.by_profile.setdefault(profile, contact)

    def add_weak(self, name: str, profile_url: str | None, fact: str) -> None:
        keys = (normalise_name(name), profile_key(profile_url) if profile_url else "")
        self.put_weak(*keys, fact)
        if self.journal is not None:
            self.journal.write(_json_line(["weak", *keys, fact]))

    def put_weak(self, name: str, profile: str, fact: str) -> None:
        if name:
            self.weak_by_name.setdefault(name, []).append(fact)
        if profile:
            self.weak_by_profile.setdefault(profile, []).append(fact)

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


@dataclass(frozen=True)
class _Source:
    """Where a table's bytes are: a file, or a member of a zip; and their encoding."""

    path: Path
    member: str | None = None  # the zip member's name
    encoding: str = "utf-8-sig"


@dataclass
class _Table:
    """One CSV or vCard file (a file, or a member of an export folder or zip) and what it
    is; read again from its source each time its rows are wanted."""

    listed: Path  # the MAILBOT_CONTACTS entry it came from
    label: str  # "messages.csv in linkedin-export.zip"
    kind: str  # contacts | messages | invitations | profile | ats | vcard
    source: _Source
    header: int = 0  # the header row's line (0-based): LinkedIn's "Notes:" preamble
    system: str = ""  # the applicant tracking system


class _TooBig(Exception):
    """A zip member that unpacks to more than MAX_BYTES, whatever its header said."""


class _Bounded(io.RawIOBase):
    """A binary stream that fails (_TooBig) past `limit` bytes."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        super().__init__()
        self._raw, self._left = raw, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(min(len(buffer), self._left + 1))
        if len(data) > self._left:
            raise _TooBig
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)


@contextmanager
def _binary(source: _Source) -> Iterator[IO[bytes]]:
    with ExitStack() as stack:
        if source.member is None:
            raw: IO[bytes] = stack.enter_context(source.path.open("rb"))
        else:
            archive = stack.enter_context(zipfile.ZipFile(source.path))
            raw = stack.enter_context(archive.open(source.member))
        yield io.BufferedReader(_Bounded(raw, MAX_BYTES), buffer_size=_CHUNK)


@contextmanager
def _lines(source: _Source) -> Iterator[IO[str]]:
    """The source as text, line by line: its encoding (see _encoding), the line endings of
    every system read as \n (old Mac: CR alone)."""
    with _binary(source) as raw:
        yield io.TextIOWrapper(raw, encoding=source.encoding, errors="replace", newline=None)


def _encoding(source: _Source) -> str:
    """A contacts file's encoding, whatever its exporter wrote: UTF-16 (with its BOM),
    UTF-8, else Windows-1252 (Outlook and Excel on Windows: "José Müller" must stay that,
    or a contact becomes a stranger). Read once through, a chunk at a time (this also
    finds a zip member bigger than its header said before any of it is used)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with _binary(source) as raw:
        head = raw.read(2)
        if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            while raw.read(_CHUNK):
                pass
            return "utf-16"
        chunk = head
        while chunk:
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            chunk = raw.read(_CHUNK)
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return "utf-8-sig" if utf8 else "cp1252"


# The last result of load_contacts, by what it read: each entry's files with their size
# and modification time, and the owner's name. A daemon's next cycle costs nothing while
# nothing changed; a changed, added or removed file reads everything again.
_LOADED: dict[tuple[object, ...], Contacts] = {}


def _fingerprint(paths: Iterable[Path], owner_name: str | None) -> tuple[object, ...] | None:
    parts: list[object] = [owner_name]
    try:
        for path in paths:
            files = export_files(path) if path.is_dir() else []
            for f in [path, *files]:  # a folder's own time changes as files come and go
                st = f.stat()
                parts.append((str(f.resolve()), st.st_size, st.st_mtime_ns))
    except OSError:
        return None  # reading it says what is wrong
    return tuple(parts)


def load_contacts(
    paths: Iterable[Path], owner_name: str | None = None, *, cache: Path | None = None
) -> Contacts:
    """Every person the listed files, folders and zips know; an unreadable entry is a
    ConfigError naming it. `owner_name` (MAILBOT_OWNER_NAME) helps find the owner in
    LinkedIn's messages.csv. Unchanged entries are not read again: the last result is
    kept in memory (see _LOADED) and, with `cache`, in that JSON file (next to the
    state), for the next process."""
    paths = list(paths)
    key = _fingerprint(paths, owner_name)
    if key is not None and (known := _LOADED.get(key)) is not None:
        return known
    _LOADED.clear()  # the old people go before the new are read, not after
    try:
        contacts = None
        if cache is not None and key is not None and paths:  # no entries: nothing to keep
            contacts = _read_cache(cache, key) or _load_into_cache(cache, key, paths, owner_name)
        if contacts is None:
            contacts = _load(paths, owner_name)
    except MemoryError:
        listed = ", ".join(str(p) for p in paths)
        raise ConfigError(
            "MAILBOT_CONTACTS",
            f"ran out of memory reading {listed}: split the file, or give mailbot more memory",
        ) from None
    if key is not None:
        _LOADED[key] = contacts
    return contacts


# The cache file: JSON lines, never pickle (a cache is data, not code). The first line
# says what was read (CACHE_FORMAT, the entries' fingerprint); then every add and weak
# fact of the load, in order, with the keys it was filed under; the last line the counts
# and problems. Replaying it files the same people under the same keys, without reading
# or normalising anything.
CACHE_FORMAT = 2  # 2: profile links kept as their keys


def _json_line(value: object) -> str:
    import json  # here: only a load with a cache file needs it

    return json.dumps(value, ensure_ascii=False, default=str) + "\n"


def _fields(c: Contact) -> list[str | None]:
    return [c.name, c.email, c.profile, c.source, c.kind, c.detail]


def _load_into_cache(
    cache: Path, key: tuple[object, ...], paths: list[Path], owner_name: str | None
) -> Contacts | None:
    """Read the entries, writing the cache file as it goes (aside, renamed when whole).
    None when the cache cannot be written: the caller reads without one."""
    partial = cache.with_name(f"{cache.name}.partial")
    try:
        descriptor = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as journal:  # user-only, as the state
            journal.write(_json_line({"format": CACHE_FORMAT, "key": key}))
            contacts = _load(paths, owner_name, journal)
            contacts.journal = None
            end = {"counts": contacts.counts, "problems": contacts.problems}
            journal.write(_json_line(["end", end | {"problems_of": contacts.problems_of}]))
        partial.replace(cache)
        return contacts
    except OSError as exc:
        partial.unlink(missing_ok=True)
        log.info("cannot write the contacts cache %s: %s", cache, exc)
        return None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _read_cache(cache: Path, key: tuple[object, ...]) -> Contacts | None:
    """The contacts the cache file holds, if it was written whole for exactly these
    entries (the same files, sizes, modification times and owner); else None."""
    import json

    try:
        with cache.open(encoding="utf-8") as lines:
            header = json.loads(lines.readline())
            wanted = json.loads(_json_line(key))
            if header.get("format") != CACHE_FORMAT or header.get("key") != wanted:
                return None
            contacts = Contacts(cached=True)
            shared: dict[str, str] = {}  # a file's label and the kinds: one string each
            for line in lines:
                row = json.loads(line)
                if row[0] == "end":
                    contacts.counts = row[1]["counts"]
                    contacts.problems = row[1]["problems"]
                    contacts.problems_of = row[1]["problems_of"]
                    return contacts
                if row[0] == "weak":
                    contacts.put_weak(row[1], row[2], row[3])
                    continue
                name, email, url, source, kind, detail, *keys = row
                source, kind = shared.setdefault(source, source), shared.setdefault(kind, kind)
                contact = Contact(name, email, url, source, kind, shared.setdefault(detail, detail))
                profile = url if keys[2] == url else keys[2]  # one string, not two equal ones
                contacts.put(contact, keys[0], email if keys[1] == email else keys[1], profile)
        return None  # cut short: no last line
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None  # damaged: read the entries again


def _load(paths: list[Path], owner_name: str | None, journal: IO[str] | None = None) -> Contacts:
    contacts = Contacts(journal=journal)
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
            reader = (
                _vcards(table, contacts)
                if table.kind == "vcard"
                else _contact_rows(table, contacts)
            )
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
            if (t := _table(path, f"{f.name} in {path.name}", _file(f), contacts, member=True))
        ]
    if path.suffix.lower() == ".zip":
        return _zip(path, contacts)
    if path.suffix.lower() in (".vcf", ".vcard"):
        return [_Table(path, path.name, "vcard", _file(path))]
    table = _table(path, path.name, _file(path), contacts, member=False)
    return [table] if table else []


def _file(path: Path) -> _Source:
    """A file to read (its size checked, its encoding found); a ConfigError if it cannot be."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError(
                "MAILBOT_CONTACTS",
                f"{path} has {size // (1024 * 1024)} MB, more than the {MAX_BYTES // (1024 * 1024)} "
                "MB a contacts file may have",
            )
        source = _Source(path)
        return _Source(path, encoding=_encoding(source))
    except _TooBig:  # it grew while being read
        raise ConfigError(
            "MAILBOT_CONTACTS",
            f"{path} has more than the {MAX_BYTES // (1024 * 1024)} MB a contacts file may have",
        ) from None
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
                source = _member(path, info, label, contacts)
                if source is not None and (t := _table(path, label, source, contacts, member=True)):
                    tables.append(t)
            return tables
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError) as exc:
        raise ConfigError("MAILBOT_CONTACTS", f"{path}: not a readable zip file ({exc})") from None


def _member(path: Path, info: zipfile.ZipInfo, label: str, contacts: Contacts) -> _Source | None:
    """A member to read, its encoding found by reading it through once (bounded)."""
    if info.file_size > MAX_BYTES:
        contacts.problems.append(
            f"{label}: {info.file_size // (1024 * 1024)} MB unpacked, more than "
            f"{MAX_BYTES // (1024 * 1024)} MB: left out"
        )
        return None
    try:
        source = _Source(path, info.filename)
        return _Source(path, info.filename, _encoding(source))
    except _TooBig:  # its header lied about its size
        contacts.problems.append(f"{label}: more than {MAX_BYTES // (1024 * 1024)} MB: left out")
        return None
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


def _table(
    listed: Path, label: str, source: _Source, contacts: Contacts, *, member: bool
) -> _Table | None:
    """What a CSV is, from its header row (within its first 20 lines and 64 kB: LinkedIn's
    Connections.csv has a "Notes:" preamble). A file listed on its own with no header
    mailbot knows is a ConfigError; such a member of an export is a problem, left out."""
    csv.field_size_limit(MAX_BYTES)  # a long LinkedIn message is one field
    seen = 0
    with _lines(source) as text:
        for number in range(20):
            line = text.readline(64 * 1024 - seen)
            if not line:
                break
            seen += len(line)
            try:
                row = next(csv.reader([line.rstrip("\n") + "\n"]), [])
                cells = {c.strip().strip('"').casefold() for c in row}
            except csv.Error:
                cells = set()
            if kind := _kind(cells, label):
                return _Table(listed, label, kind[0], source, number, kind[1])
            if seen >= 64 * 1024:
                break
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


def _rows(
    table: _Table, contacts: Contacts, wanted: frozenset[str] | None = None
) -> Iterator[dict[str, str]]:
    """The rows under the header, keys folded (a row written short is read as it is);
    with `wanted`, only those columns (a big file's other cells are never kept).
    A quote left open swallows every row after it into one cell: such a row is left out
    and the rows after it are read again from the next line, and each problem is listed
    with its line."""
    csv.field_size_limit(MAX_BYTES)  # a long LinkedIn message is one field
    with _lines(table.source) as text:
        for _ in range(table.header):
            text.readline()
        header = text.readline().rstrip("\n")
    names = [c.strip().strip('"').casefold() for c in next(csv.reader([header]), [])]
    if wanted is not None:
        names = [n if n in wanted else "" for n in names]
    before = table.header + 1  # lines up to the header
    bad: list[int] = []
    try:
        for line, cells in _records(table.source, before, before + 1, 0):
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


def _records(
    source: _Source, skip: int, first: int, depth: int
) -> Iterator[tuple[int, list[str] | None]]:
    """(line number, cells) of each record after the first `skip` lines; (line, None) for
    one whose open quote ran to the end of the file, after which the lines below its
    first are read again."""
    quotes = 0

    def counted(text: IO[str]) -> Iterator[str]:
        nonlocal quotes
        for line in text:
            quotes += line.count('"')
            yield line

    with _lines(source) as text:
        for _ in range(skip):
            text.readline()
        reader = csv.reader(counted(text))
        pending: tuple[int, list[str]] | None = None
        line = 0
        for cells in reader:
            if pending is not None:
                yield pending
            pending = (first + line, cells)
            line = reader.line_num
        if pending is None:
            return
        start = pending[0]
        ran_on = reader.line_num - (start - first) > 1 and quotes % 2 == 1
    if not ran_on or depth >= 50:
        yield pending
        return
    yield start, None
    yield from _records(source, skip + (start - first) + 1, start + 1, depth + 1)


# -- the kinds of table -----------------------------------------------------------------------


def _contact_rows(table: _Table, contacts: Contacts) -> Iterator[Contact]:
    for folded in _rows(table, contacts, _CONTACT_COLUMNS):
        name = _first(folded, _NAME_COLUMNS) or " ".join(
            p for p in (_first(folded, _FIRST_COLUMNS), _first(folded, _LAST_COLUMNS)) if p
        )
        name = " ".join(name.split())  # a quoted cell may hold line breaks: one line
        email = _first(folded, _EMAIL_COLUMNS)
        if name or email:
            yield Contact.of(name, email or None, _first(folded, _URL_COLUMNS) or None, table.label)


_CONTACT_COLUMNS = frozenset(
    _NAME_COLUMNS + _FIRST_COLUMNS + _LAST_COLUMNS + _EMAIL_COLUMNS + _URL_COLUMNS
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
            contacts.add(Contact.of(p.name, None, p.url, table.label, MESSAGED, detail))
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
                Contact.of(
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
            contacts.add(Contact.of(c.name, email, c.profile_url, table.label, APPLIED, export))
    what = f"{table.system} candidates"
    counts[what] = counts.get(what, 0) + found


def _vcards(table: _Table, contacts: Contacts) -> Iterator[Contact]:
    """Card by card, as the file streams past: the name (FN), every address (EMAIL) and
    the first LinkedIn link (URL). Plain cards are read here; a card with encoded values
    (vCard 2.1 quoted-printable, a charset) is read by vobject. A card that cannot be
    read is left out and counted as a problem; a file with no card at all is refused."""
    cards = bad = 0
    for lines in _cards(table):
        cards += 1
        try:
            name, emails, urls = _card(lines)
        except Exception:  # vobject raises many kinds; one card, not the file
            bad += 1
            continue
        profile = next((u for u in urls if "linkedin.com/" in u), None)
        for email in emails or [""]:
            if name or email:
                yield Contact.of(name, email or None, profile, table.label)
    if not cards:
        raise ConfigError(
            "MAILBOT_CONTACTS", f"{table.label}: not a readable vCard file (no BEGIN:VCARD)"
        )
    if bad:
        contacts.problems.append(
            f"{table.label}: {bad} card{'s' * (bad != 1)} of {cards} could not be read: left out"
        )


def _cards(table: _Table) -> Iterator[list[str]]:
    """The lines of each card (BEGIN:VCARD to END:VCARD, both left out), as written."""
    card: list[str] | None = None
    with _lines(table.source) as text:
        for line in text:
            line = line.rstrip("\n")
            marker = line.strip().upper()
            if marker == "BEGIN:VCARD":
                card = []
            elif marker == "END:VCARD":
                if card is not None:
                    yield card
                card = None
            elif card is not None:
                card.append(line)
                if len(card) > 10_000:  # no END:VCARD: not one card
                    yield card
                    card = None


_ENCODED = re.compile(r"^[^:]*;[^:]*(?:ENCODING|CHARSET)=", re.I)
_VCARD_ESCAPES = re.compile(r"\\(.)")


def _card(lines: list[str]) -> tuple[str, list[str], list[str]]:
    """(FN, the EMAIL values, the URL values) of one card."""
    if any(_ENCODED.match(line) for line in lines):
        return _card_by_vobject(lines)
    unfolded: list[str] = []
    for line in lines:
        if line[:1] in (" ", "\t") and unfolded:
            unfolded[-1] += line[1:]  # a folded line goes on
        elif line.strip():
            unfolded.append(line)
    name, emails, urls = "", [], []
    for line in unfolded:
        head, colon, value = line.partition(":")
        if not colon:
            continue
        prop = head.split(";", 1)[0].rpartition(".")[2].strip().upper()  # item1.EMAIL
        if prop == "FN" and not name:
            name = " ".join(_unescape(value).split())  # one line, whatever it held
        elif prop == "EMAIL":
            emails.append(_unescape(value))
        elif prop == "URL":
            urls.append(_unescape(value))
    return name, emails, urls


def _unescape(value: str) -> str:
    """A vCard text value: \\n a line break, \\, \\; \\\\ the character itself."""
    if "\\" not in value:
        return value
    return _VCARD_ESCAPES.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _card_by_vobject(lines: list[str]) -> tuple[str, list[str], list[str]]:
    import vobject  # here, not at the top: only encoded vCards need it

    card = vobject.readOne("\r\n".join(["BEGIN:VCARD", *lines, "END:VCARD", ""]))
    name = str(card.fn.value) if hasattr(card, "fn") else ""
    emails = [str(e.value) for e in card.contents.get("email", [])]
    urls = [str(u.value) for u in card.contents.get("url", [])]
    return name, emails, urls
