"""Records files as real exporters and hostile hands write them (each case failed before
its fix, found by a review): Windows-1252 and UTF-16 exports, old Mac line endings, a
very long line, a zip of many copies, an invitation direction mailbot does not know,
ordinary contact files with a Job or Stage column."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest
from test_records import verdict

from mailbot.errors import ConfigError
from mailbot.identity import normalise_name
from mailbot.people import contacts as contacts_module
from mailbot.people.contacts import APPLIED, CONTACT, load_contacts
from mailbot.rules import KNOWN


@pytest.fixture(autouse=True)
def _restore_csv_limit():
    old = csv.field_size_limit()
    yield
    csv.field_size_limit(old)


def load_or_config_error(path: Path):
    """What the brief asks of a malformed file: read, or one clear ConfigError line.
    Any other exception is a traceback in `mailbot check` (it catches MailbotError only)
    and in the daemon's start."""
    try:
        return load_contacts([path], "Robin Owner")
    except ConfigError:
        return None


# -- encodings: a known person must not become a stranger ------------------------------------


def test_latin1_outlook_export_keeps_accented_names_known(tmp_path: Path) -> None:
    """Outlook on Windows exports contacts as ANSI (cp1252). Decoded as UTF-8 with
    replacement, "José Müller" becomes "Jos� M�ller" (key "jos m ller"): the owner's
    contact is silently not recognised, no problem is listed, and they get the
    "have we met?" draft (ASK), the worst outcome."""
    path = tmp_path / "outlook.csv"
    path.write_bytes(
        '"First Name","Last Name","E-mail Address"\r\n"José","Müller",""\r\n'.encode("cp1252")
    )
    action, reasons = verdict([path], "José Müller")
    assert action == KNOWN, (action, reasons)


def test_utf16_export_is_read(tmp_path: Path) -> None:
    """A UTF-16 file with its BOM (Excel's "Unicode Text", some Outlook/Windows tools) is
    refused as 'no header row with a name or email column': misleading, and every person
    in it is lost."""
    path = tmp_path / "contacts.csv"
    path.write_bytes("Name,Email\r\nJosé Müller,jose@x.example\r\n".encode("utf-16"))
    contacts = load_contacts([path], None)
    assert normalise_name("José Müller") in contacts.by_name


# -- malformed CSVs: one clear line, never a traceback ---------------------------------------


def test_cr_only_line_endings_are_not_a_traceback(tmp_path: Path) -> None:
    """Excel for Mac's "CSV (Macintosh)" ends lines with CR only. _table finds the header
    (str.splitlines splits on CR), but _rows splits the header off at "\\n" and hands the
    whole file to csv.reader([header]) outside its try: _csv.Error escapes load_contacts
    (contacts.py:346)."""
    path = tmp_path / "mac.csv"
    path.write_bytes(b"First Name,Last Name,E-mail Address\rJane,Doe,jane@x.example\r")
    contacts = load_or_config_error(path)
    if contacts is not None:
        assert "jane doe" in contacts.by_name


def test_a_long_line_before_any_rows_are_read_is_not_a_traceback(tmp_path: Path) -> None:
    """_table probes the first 20 lines with csv.reader before _rows ever raises the
    field size limit (csv.field_size_limit(MAX_BYTES) is set only in _rows): in a fresh
    process a line over 128 KiB near the top (a minified JSON listed by mistake, a
    hostile file) raises _csv.Error out of load_contacts (contacts.py:313); a zip member
    the same (_zip does not catch csv.Error)."""
    csv.field_size_limit(131072)  # as in a fresh process (`mailbot check`, daemon start)
    path = tmp_path / "contacts.csv"
    path.write_text("x" * 200_000 + "\nName,Email\nJane Doe,jane@x.example\n")
    load_or_config_error(path)


def test_a_long_line_in_an_export_zip_member_is_not_a_traceback(tmp_path: Path) -> None:
    csv.field_size_limit(131072)
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Connections.csv", "y" * 200_000 + "\nFirst Name,Last Name\nJa,Do\n")
    load_or_config_error(path)


# -- zip: bounded work -------------------------------------------------------------------------


def test_a_zip_with_many_export_members_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each member is capped at MAX_BYTES, but the number of members is not: every
    member named like an export file at the top or in any one folder (a/Connections.csv,
    b/Connections.csv, ... or the same name repeated) is unpacked and its text kept in
    `tables` until the end. A small zip of N such members costs N x 64 MiB of memory,
    and the people in it are counted N times ("600000 connections")."""
    limit = 10_000
    monkeypatch.setattr(contacts_module, "MAX_BYTES", limit)
    read: list[int] = []
    original = contacts_module._table

    def spy(listed, label, source, contacts, *, member):  # type: ignore[no-untyped-def]
        with zipfile.ZipFile(source.path) as archive:  # the member streamed from the zip
            read.append(archive.getinfo(source.member).file_size)
        return original(listed, label, source, contacts, member=member)

    monkeypatch.setattr(contacts_module, "_table", spy)
    path = tmp_path / "export.zip"
    rows = "First Name,Last Name,URL,Email Address\n" + "Jane,Doe,,\n" * 800  # ~8.8 kB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(30):
            archive.writestr(f"f{i}/Connections.csv", rows)
    contacts = load_contacts([path], None)
    # at most one member per export file (Connections, messages, Invitations, Profile)
    assert sum(read) <= 4 * limit, f"{len(read)} members, {sum(read)} bytes unpacked"
    assert contacts.counts[str(path)].get("connections", 0) <= 800


# -- Invitations.csv: a row left out is left out with a reason ---------------------------------


def test_an_unknown_direction_is_not_dropped_silently(tmp_path: Path) -> None:
    """read_invitations skips any Direction other than INCOMING/OUTGOING without a word:
    a localised or otherwise changed value ("Sortante", "AUSGEHEND", "Sent") loses the
    owner's own invitations, `mailbot check` says OK, and the invitee gets "have we met?"."""
    path = tmp_path / "Invitations.csv"
    path.write_text(
        "From,To,Sent At,Message,Direction\n"
        "Robin Owner,Jane Doe,1/29/26 2:37 PM,,Sortante\n"
        "Robin Owner,John Roe,1/29/26 2:37 PM,,OUTGOING\n"
    )
    contacts = load_contacts([path], None)
    assert "jane doe" in contacts.by_name or contacts.problems_of.get(str(path))


# -- applicant tracking: no false positives on ordinary contact files --------------------------


@pytest.mark.parametrize(
    "header,row",
    [
        ("Name,Email,Company,Job", "Jane Doe,jane@x.example,ACME,Engineer"),
        ("Name,Email,Stage", "Jane Doe,jane@x.example,Lead"),  # a sales CRM's contacts
        ("Full Name,Email,Website,Jobs", "Jane Doe,jane@x.example,https://jane.example,2"),
    ],
)
def test_an_ordinary_contacts_csv_is_not_an_applicant_export(
    tmp_path: Path, header: str, row: str
) -> None:
    """'job', 'jobs', 'stage' are ATS markers on their own, so a hand-made or CRM
    contacts file with a Job (title) or Stage column is taken for an applicant tracking
    export: the owner's friend is shown as "Jane Doe applied: in your applicant tracking
    export contacts.csv", and `check` counts "applicant tracking candidates"."""
    path = tmp_path / "contacts.csv"
    path.write_text(f"{header}\n{row}\n")
    contacts = load_contacts([path], None)
    assert contacts.by_name["jane doe"].kind == CONTACT != APPLIED


# -- profile links ---------------------------------------------------------------------------
