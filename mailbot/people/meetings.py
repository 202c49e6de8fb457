"""Meetings from calendar invitations and replies in the mailbox (text/calendar parts).

Pure: a calendar part's text and the owner's addresses in, entries out. Read with the
`icalendar` library (RFC 5545), imported only when a message carries a calendar part.

Whom a meeting makes known, and why: only what the owner did counts, never what a
calendar part received from someone else says (anyone can write "PARTSTAT=ACCEPTED" for
the owner, or name the owner as ORGANIZER, in an invitation, a forged reply or an .ics
attached to any mail; calendar spam exists). The caller says whether the message is the
owner's own (`by_owner`: in the Sent folder, or authenticated as the owner's: history):
- the owner's invitation (the owner is its ORGANIZER): every person invited;
- the owner's REPLY accepting it (ACCEPTED or TENTATIVE on the owner's ATTENDEE line):
  the organiser and the other attendees;
- any other calendar part (received from others, or the owner's mail that neither
  invites nor accepts) is evidence of its organiser only (INVITED), shown to the owner,
  never "known"; nobody else on it is anything;
- a meeting of more than MAX_PEOPLE people (a town hall, a webinar) makes nobody known;
- rooms and resources (CUTYPE ROOM, RESOURCE, GROUP; calendar robots), robots and the
  networks' addresses are not people; the owner must be on the invitation.
A calendar that cannot be read (broken lines, broken dates, no attendees) adds nothing
and stops nothing: a broken DTSTART only loses the date.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from mailbot.identity import normalise_email
from mailbot.notifications.message import one_line

log = logging.getLogger(__name__)

MEETING = "meeting"  # the owner met them, or arranged to: known
INVITED = "meeting-invited"  # calendar data from them, not the owner's act: evidence only
MAX_PEOPLE = 25
MAX_EVENTS = 50  # a recurring meeting's exceptions come as more VEVENTs of the same UID
_ACCEPTED = frozenset({"ACCEPTED", "TENTATIVE"})
_NOT_PEOPLE = frozenset({"ROOM", "RESOURCE", "GROUP", "UNKNOWN"})
_CALENDAR_ROBOTS = ("calendar.google.com", "resource.calendar.google.com")

# What calendar clients put before the title of a reply ("Accepted: Interview").
_REPLY_PREFIX = re.compile(
    r"^(?:accepted|tentative(?:ly accepted)?|declined|angenommen|mit vorbehalt angenommen"
    r"|abgelehnt|accepté|provisoire|refusé|aceptado|provisional|rechazado|accettato"
    r"|provvisorio|rifiutato|geaccepteerd|voorlopig|geweigerd)\s*:\s*",
    re.IGNORECASE,
)

_KEEP_UNFOLD = re.compile(r"\r?\n[ \t]")  # RFC 5545 folding: a line break and one blank
_NAME = re.compile(r"[A-Za-z0-9-]+")
_TZID = re.compile(r';TZID=(?:"[^"]*"|[^;:]*)', re.IGNORECASE)
_READ = frozenset({"METHOD", "ORGANIZER", "ATTENDEE", "DTSTART", "SUMMARY"})

IsPerson = Callable[[str, frozenset[str]], bool]
Row = tuple[str, str, str, str | None, str]  # address, name, MEETING or INVITED, date, summary


def meetings(
    text: str, owner: frozenset[str], is_person: IsPerson, *, by_owner: bool = False
) -> list[Row]:
    """(address, name, MEETING or INVITED, ISO date, summary) for each person the
    calendar part shows meeting the owner; [] for anything else or anything unreadable.
    `is_person(address, owner)` excludes robots and networks (people.history).
    `by_owner`: the message is the owner's own (sent by them); else nobody is MEETING."""
    try:
        from icalendar import Calendar

        calendars = Calendar.from_ical(_essentials(text), multiple=True)
    except Exception as exc:  # ValueError for broken content lines; anything from hostile input
        log.info("a calendar part could not be read (%s)", one_line(str(exc), 200))
        return []
    found: dict[tuple[str, str], Row] = {}
    events = [(cal, e) for cal in calendars for e in cal.walk("VEVENT")][:MAX_EVENTS]
    for cal, event in events:
        try:
            reply = str(cal.get("METHOD", "")).upper() == "REPLY"
            rows = _event(event, owner, is_person, reply=reply, by_owner=by_owner)
        except Exception as exc:  # one odd event must not hide the others
            log.info("a calendar event could not be read (%s)", one_line(str(exc), 200))
            continue
        for row in rows:
            found.setdefault((row[0], row[2]), row)
    return list(found.values())


def _essentials(text: str) -> str:
    """Only what is read (METHOD; each VEVENT's ORGANIZER, ATTENDEE, DTSTART, SUMMARY):
    time zones, alarms, descriptions (Outlook's X-ALT-DESC is a whole HTML page) and the
    rest are dropped before parsing, so its cost does not grow with them. DTSTART loses
    its TZID: the date is read as the invitation wrote it, with no time zone to look up."""
    kept: list[str] = []
    skipping = 0  # depth inside a component that is not read (VTIMEZONE, VALARM, ...)
    for line in _KEEP_UNFOLD.sub("", text).splitlines():
        name = _NAME.match(line)
        word = name.group(0).upper() if name else ""
        if word in ("BEGIN", "END"):
            component = line.partition(":")[2].strip().upper()
            if skipping or component not in ("VCALENDAR", "VEVENT"):
                skipping += 1 if word == "BEGIN" else -1 if skipping else 0
                continue
            kept.append(f"{word}:{component}")
        elif not skipping and word == "DTSTART":
            kept.append(_TZID.sub("", line, count=1))  # its local date is what is shown
        elif not skipping and word in _READ:
            kept.append(line)
    return "\r\n".join(kept) + "\r\n"


def _event(
    event: Any, owner: frozenset[str], is_person: IsPerson, *, reply: bool, by_owner: bool
) -> list[Row]:
    organiser = _person(event.get("ORGANIZER"))
    attendees = [p for p in (_person(a) for a in _many(event.get("ATTENDEE"))) if p]
    everyone = ([organiser] if organiser else []) + attendees
    if not any(addr in owner for addr, _, _, _ in everyone):
        return []  # the owner is not on it: someone else's meeting, forwarded
    people = [p for p in everyone if p[2] not in _NOT_PEOPLE and not _robot(p[0])]
    if len({addr for addr, _, _, _ in people}) > MAX_PEOPLE:
        return []
    owner_organises = organiser is not None and organiser[0] in owner
    if reply:  # the owner's answer to an invitation: whether they accepted it
        owner_accepted = by_owner and any(
            addr in owner and status in _ACCEPTED for addr, _, _, status in attendees
        )
    else:  # the owner's own invitation
        owner_accepted = by_owner and owner_organises
    when, summary = _date(event.get("DTSTART")), _text(event.get("SUMMARY"))
    if reply:  # "Accepted: Interview" is the meeting "Interview"
        summary = _REPLY_PREFIX.sub("", summary) or summary
    rows: list[Row] = []
    for addr, name, _, _ in people:
        if addr in owner or not is_person(addr, owner):
            continue
        if owner_accepted:
            rows.append((addr, name, MEETING, when, summary))
        elif organiser is not None and addr == organiser[0]:
            rows.append((addr, name, INVITED, when, summary))
    return rows


def _person(value: object) -> tuple[str, str, str, str] | None:
    """(address, name, CUTYPE, PARTSTAT) of an ORGANIZER or ATTENDEE value."""
    value = _one(value)
    if value is None:
        return None
    uri = str(value).strip()
    if uri.lower().startswith("mailto:"):
        uri = uri[7:]
    addr = normalise_email(uri)
    if "@" not in addr or len(addr) > 254 or any(c.isspace() for c in addr):
        return None
    params = getattr(value, "params", {}) or {}
    name = one_line(str(params.get("CN", "")).strip().strip('"'), 120)
    if name.lower().startswith("mailto:") or "@" in name:
        name = ""  # many clients repeat the address as the name
    cutype = str(params.get("CUTYPE", "INDIVIDUAL")).upper()
    status = str(params.get("PARTSTAT", "NEEDS-ACTION")).upper()
    return addr, name, cutype, status


def _many(value: object) -> Iterable[object]:
    if value is None:
        return []
    if isinstance(value, list):
        return value[: MAX_PEOPLE * 8]
    return [value]


def _robot(addr: str) -> bool:
    domain = addr.rpartition("@")[2]
    return any(domain == d or domain.endswith("." + d) for d in _CALENDAR_ROBOTS)


def _one(value: object) -> object:
    """A property given twice comes as a list: the first counts."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _date(value: object) -> str | None:
    """The ISO date of a DTSTART; None when it is missing or broken."""
    value = _one(value)
    if value is None:
        return None
    try:
        when = value.dt  # type: ignore[attr-defined]
    except Exception:  # icalendar's BrokenCalendarProperty, or no .dt at all
        return None
    if isinstance(when, datetime):
        return when.date().isoformat()
    if isinstance(when, date):
        return when.isoformat()
    return None


def _text(value: object) -> str:
    value = _one(value)
    if value is None:
        return ""
    return one_line(str(value), 200)
