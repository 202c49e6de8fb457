"""Candidate exports of applicant tracking systems (Greenhouse, Lever, Workable, Bullhorn):
everyone in one applied for a role the owner recruits for, and the owner counts
applicants as people they know.

Pure: a header row says whether a CSV is such an export (contacts.py asks), rows give
the candidates. Recognised by the header, never by the file name alone: a name (one
column, or first and last name), an email or a LinkedIn column, and at least one column
only a candidate export has (a candidate or application id, the job or posting, the
stage, the application date, a rejection or disqualification). The system is named from
the file name when it says so, else from a column only that system writes, else the
evidence says "applicant tracking export".

Column spellings are those of the systems' own exports and import templates as far as
they are documented (Greenhouse: First Name, Last Name, Email, Social Media, Candidate
ID, Job, Current Stage; Lever: Name, Email(s), Links, Posting, Opportunity ID; Workable:
Name, Email, Social profiles, Disqualified; Bullhorn: First Name, Last Name, Email,
Bullhorn ID, LinkedIn URL), matched case-insensitively, plus their common variants.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from mailbot.people.exports import linkedin_url

NAME = ("name", "full name", "candidate name", "candidate", "candidate full name")
FIRST = ("first name", "firstname", "given name", "candidate first name")
LAST = ("last name", "lastname", "surname", "family name", "candidate last name")
EMAIL = (
    "email",
    "emails",
    "email address",
    "email addresses",
    "e-mail",
    "e-mail address",
    "candidate email",
    "candidate email address",
    "primary email",
    "personal email",
    "work email",
    "email 1",
    "email1",
    "email 2",
    "email2",
)
LINKS = (
    "linkedin",
    "linkedin url",
    "linkedin profile",
    "linkedin profile url",
    "linkedin (url)",
    "social media",
    "social media addresses",
    "social profiles",
    "links",
    "profile urls",
    "websites",
    "website",
)
_STRONG_MARKERS = frozenset(  # columns only a candidate export has
    {
        "candidate id",
        "candidate name",
        "candidate email",
        "candidate email address",
        "application id",
        "applied on",
        "applied at",
        "applied date",
        "date applied",
        "application date",
        "opportunity id",
        "job applied",
        "requisition id",
        "disqualified",
        "disqualification reason",
        "rejection reason",
        "rejected reason",
        "bullhorn id",
        "Job",
    }
)
# Columns an ordinary contacts or CRM export may have too (a job title, a sales stage):
# they mark a candidate export only in pairs ("Job" is a title even then) or in a file
# named after the system or its candidates.
_WEAK_MARKERS = frozenset(
    {
        "stage",
        "current stage",
        "pipeline stage",
        "posting",
        "posting title",
        "job",
        "jobs",
        "job name",
        "requisition",
        "milestone",
    }
)
_VENDORS = ("Greenhouse", "Lever", "Workable", "Bullhorn")
_VENDOR_COLUMNS = {
    "Lever": frozenset({"opportunity id", "posting", "posting title"}),
    "Workable": frozenset({"disqualified", "disqualification reason"}),
    "Bullhorn": frozenset({"bullhorn id"}),
    "Greenhouse": frozenset({"milestone", "current stage"}),
}
_ADDRESS = re.compile(r"[^\s,;<>\"']+@[^\s,;<>\"']+\.[^\s,;<>\"']+")


@dataclass(frozen=True)
class Candidate:
    name: str
    emails: tuple[str, ...]
    profile_url: str | None


def system(columns: set[str], file_name: str) -> str | None:
    """The system whose candidate export this header is ("applicant tracking" when it
    cannot tell which), or None when it is not one."""
    has_name = bool(columns & set(NAME)) or bool(columns & set(FIRST) and columns & set(LAST))
    has_contact = bool(columns & set(EMAIL) or columns & set(LINKS))
    lowered = file_name.lower()
    vendor_named = any(v.lower() in lowered for v in (*_VENDORS, "candidate", "applicant"))
    weak = columns & _WEAK_MARKERS
    pipeline = weak - {"job", "jobs"}  # a job title is no sign of a candidate
    candidate_export = (
        bool(columns & _STRONG_MARKERS) or len(pipeline) >= 2 or (vendor_named and bool(weak))
    )
    if not (has_name and has_contact and candidate_export):
        return None
    if named := next((v for v in _VENDORS if v.lower() in lowered), None):
        return named
    return next(
        (v for v, marks in _VENDOR_COLUMNS.items() if columns & marks), "applicant tracking"
    )


def candidates(rows: Iterable[dict[str, str]]) -> Iterable[Candidate]:
    for row in rows:
        name = _first(row, NAME) or " ".join(
            p for p in (_first(row, FIRST), _first(row, LAST)) if p
        )
        emails = tuple(
            dict.fromkeys(a for c in EMAIL if row.get(c) for a in _ADDRESS.findall(row[c]))
        )
        url = next((u for c in LINKS if (u := linkedin_url(row.get(c, ""))) is not None), None)
        if name or emails or url:
            yield Candidate(name, emails, url)


def _first(row: dict[str, str], columns: tuple[str, ...]) -> str:
    return next((row[c] for c in columns if row.get(c)), "")
