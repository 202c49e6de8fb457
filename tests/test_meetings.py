"""Meetings in the mailbox: calendar invitations and replies make people known, read from
the calendar part alone. Fixtures in fixtures/calendar/ (Google, Outlook, Apple shapes,
and broken ones)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mailbot.mailboxes.base import MAX_CALENDAR_BYTES, Wanted
from mailbot.mailboxes.maildir import MaildirMailbox
from mailbot.notifications import Requester
from mailbot.people.history import Entry, entries
from mailbot.people.index import CorrespondenceIndex
from mailbot.people.known import KnownPeople
from mailbot.people.meetings import INVITED, MEETING, meetings
from mailbot.store import Store

CALENDAR = Path(__file__).parent / "fixtures" / "calendar"
OWNER = frozenset({"robin@owner.example"})


def person(addr: str, owner: frozenset[str]) -> bool:
    return addr not in owner


def ics(*event: str, method: str = "REQUEST") -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"METHOD:{method}", "BEGIN:VEVENT", *event]
    return "\r\n".join([*lines, "END:VEVENT", "END:VCALENDAR", ""])


ROBIN_ACCEPTED = "ATTENDEE;PARTSTAT=ACCEPTED;CN=Robin Owner:mailto:robin@owner.example"


def test_a_meeting_the_owner_accepted_makes_the_organiser_and_attendees_known() -> None:
    text = ics(
        "DTSTART;TZID=Europe/Berlin:20250304T100000",
        "SUMMARY:Quarterly review",
        "ORGANIZER;CN=Lena Fischer:mailto:lena@partner.example",
        ROBIN_ACCEPTED,
        "ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=Kofi Mensah:mailto:KOFI@partner.example",
        "ATTENDEE;CUTYPE=ROOM;CN=Spree:mailto:spree@rooms.partner.example",
        "ATTENDEE;CN=Room:mailto:c_1@resource.calendar.google.com",
    )
    assert sorted(meetings(text, OWNER, person)) == [
        ("kofi@partner.example", "Kofi Mensah", MEETING, "2025-03-04", "Quarterly review"),
        ("lena@partner.example", "Lena Fischer", MEETING, "2025-03-04", "Quarterly review"),
    ]


def test_a_meeting_the_owner_organised_makes_every_invitee_known() -> None:
    text = ics(
        "DTSTART;VALUE=DATE:20250410",
        "SUMMARY:Interview",
        "ORGANIZER;CN=Robin Owner:mailto:robin@owner.example",
        "ATTENDEE;PARTSTAT=DECLINED;CN=Sven Berg:mailto:sven@mail.example",
    )
    assert meetings(text, OWNER, person) == [
        ("sven@mail.example", "Sven Berg", MEETING, "2025-04-10", "Interview")
    ]


def test_an_invitation_the_owner_never_accepted_is_evidence_of_its_organiser_only() -> None:
    for status in ("NEEDS-ACTION", "DECLINED"):
        text = ics(
            "DTSTART:20250505T140000Z",
            "SUMMARY:Demo",
            "ORGANIZER;CN=Vic Vendor:mailto:vic@vendor.example",
            f"ATTENDEE;PARTSTAT={status}:mailto:robin@owner.example",
            "ATTENDEE;CN=Cora:mailto:cora@else.example",
        )
        assert meetings(text, OWNER, person) == [
            ("vic@vendor.example", "Vic Vendor", INVITED, "2025-05-05", "Demo")
        ]


def test_someone_elses_meeting_and_big_meetings_make_nobody_known() -> None:
    others = ics(
        "DTSTART:20250601T090000Z",
        "ORGANIZER:mailto:otto@other.example",
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:fay@other.example",
    )
    assert meetings(others, OWNER, person) == []
    town_hall = ics(
        "DTSTART:20250601T090000Z",
        "SUMMARY:Town hall",
        "ORGANIZER:mailto:ceo@owner.example",
        ROBIN_ACCEPTED,
        *(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:p{i}@owner.example" for i in range(30)),
    )
    assert meetings(town_hall, OWNER, person) == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "garbage",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n",  # cut off
        "\udcff\x00BEGIN:VCALENDAR",
        ics("SUMMARY:No people at all"),  # no organiser, no attendees
        ics("ORGANIZER:mailto:", "ATTENDEE:mailto:not an address", ROBIN_ACCEPTED),
        ics("ORGANIZER:urn:uuid:1234", ROBIN_ACCEPTED),
    ],
)
def test_unreadable_calendars_add_nothing_and_raise_nothing(text: str) -> None:
    assert meetings(text, OWNER, person) == []


def test_a_broken_date_loses_only_the_date() -> None:
    text = ics(
        "DTSTART:2025-13-45T25:61",
        "SUMMARY:Coffee",
        "ORGANIZER:mailto:robin@owner.example",
        "ATTENDEE;CN=Bea Broken:mailto:bea@broken.example",
    )
    assert meetings(text, OWNER, person) == [
        ("bea@broken.example", "Bea Broken", MEETING, None, "Coffee")
    ]


def test_only_what_is_read_is_parsed() -> None:
    """Alarms (whose ATTENDEE is the one to e-mail), time zones and descriptions are not
    read: an unknown or Windows TZID keeps its date, a 1 MB HTML description costs nothing,
    and sloppy line ends (CR CR LF) do not break the parse."""
    text = ics(
        "DTSTART;TZID=W. Europe Standard Time:20250304T100000",
        "SUMMARY:Review",
        "ORGANIZER:mailto:robin@owner.example",
        "ATTENDEE;CN=Ann:mailto:ann@mail.example",
        "X-ALT-DESC;FMTTYPE=text/html:" + "<p>x</p>" * 125_000,
        "BEGIN:VALARM",
        "ACTION:EMAIL",
        "ATTENDEE:mailto:alarm-robot@mail.example",
        "END:VALARM",
    )
    expected = [("ann@mail.example", "Ann", MEETING, "2025-03-04", "Review")]
    assert meetings(text, OWNER, person) == expected
    assert meetings(text.replace("\r\n", "\r\r\n"), OWNER, person) == expected
    folded = text.replace("SUMMARY:Review", "SUMMARY:Rev\r\n iew")  # RFC 5545 folding
    assert meetings(folded, OWNER, person) == expected


def test_history_entries_add_meetings_to_the_mail_itself() -> None:
    head = b"From: Lena Fischer <lena@partner.example>\r\nTo: robin@owner.example\r\n\r\n"
    calendar = ics(
        "DTSTART:20250304T100000Z",
        "SUMMARY:Quarterly review",
        "ORGANIZER;CN=Lena Fischer:mailto:lena@partner.example",
        ROBIN_ACCEPTED,
        "ATTENDEE;CN=LinkedIn:mailto:invitations@linkedin.com",  # a network: never a person
        "ATTENDEE;CN=Bot:mailto:noreply@partner.example",  # a robot: never a person
    )
    found = entries(head, (), OWNER, calendar)
    assert [(e.address, e.direction) for e in found] == [
        ("lena@partner.example", "received"),
        ("lena@partner.example", MEETING),
    ]
    bulk = b"From: Lena <lena@partner.example>\r\nList-Id: <x.partner.example>\r\n\r\n"
    assert entries(bulk, (), OWNER, calendar) == []  # a list's invitation is nobody's tie


def maildir(tmp_path: Path, names: list[str]) -> Path:
    root = tmp_path / "mail"
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True)
    for i, name in enumerate(names):
        shutil.copy(CALENDAR / name, root / "cur" / f"{i:03}.host:2,S")
    return root


def read(tmp_path: Path, names: list[str]) -> dict[str, list[Entry]]:
    """Each fixture's entries, as the index reads a Maildir (headers + calendar part)."""
    root = maildir(tmp_path, names)
    with Store(tmp_path / "state.sqlite3") as state:
        box = MaildirMailbox(root, state)
        top = box.select("INBOX").uidnext - 1
        heads = list(box.headers(box.search(1, top, None, Wanted()), calendars=True))
        assert [h.uid for h in heads] == list(range(1, len(names) + 1))
        return {
            name: entries(h.header, h.attachments, OWNER, h.calendar)
            for name, h in zip(names, heads, strict=True)
        }


def meetings_of(found: list[Entry]) -> list[tuple[str, str, str | None, str]]:
    return [(e.address, e.direction, e.date, e.subject) for e in found if "meeting" in e.direction]


def test_the_fixtures_as_a_maildir_reads_them(tmp_path: Path) -> None:
    names = sorted(p.name for p in CALENDAR.glob("*.eml"))
    found = read(tmp_path, names)
    assert meetings_of(found["google-update-accepted.eml"]) == [
        ("lena@partner.example", MEETING, "2025-03-04", "Quarterly review"),
        ("kofi@partner.example", MEETING, "2025-03-04", "Quarterly review"),
    ]
    assert meetings_of(found["outlook-organised-by-owner.eml"]) == [  # base64
        ("sven.berg@mail.example", MEETING, "2025-04-10", "Interview: Senior Engineer")
    ]
    assert meetings_of(found["reply-accepted.eml"]) == [  # a bare text/calendar, QP
        ("sven.berg@mail.example", MEETING, "2025-04-10", "Interview: Senior Engineer")
    ]
    assert meetings_of(found["request-unanswered.eml"]) == [
        ("vic@vendor.example", INVITED, "2025-05-05", "Quick demo of VendorTool")
    ]
    assert meetings_of(found["broken-dates.eml"]) == [
        ("bea@broken.example", MEETING, None, "Coffee chat")
    ]
    for nothing in ("no-attendees.eml", "garbage-calendar.eml", "forwarded-invitation.eml"):
        assert meetings_of(found[nothing]) == [], nothing
        assert len(found[nothing]) == 1, nothing  # the mail itself is still correspondence


def test_a_huge_calendar_part_is_not_read(tmp_path: Path) -> None:
    big = (CALENDAR / "request-unanswered.eml").read_text()
    filler = "DESCRIPTION:" + "x" * 70 + "\r\n"
    big = big.replace("SUMMARY:", filler * (MAX_CALENDAR_BYTES // 80 + 10) + "SUMMARY:")
    (tmp_path / "big.eml").write_text(big)
    root = maildir(tmp_path, [])
    shutil.copy(tmp_path / "big.eml", root / "cur" / "big.host:2,S")
    with Store(tmp_path / "state.sqlite3") as state:
        box = MaildirMailbox(root, state)
        box.select("INBOX")
        [head] = list(box.headers([1], calendars=True))
    assert head.calendar is None
    assert [e.direction for e in entries(head.header, (), OWNER, head.calendar)] == ["received"]


def test_the_index_counts_meetings_and_says_so(tmp_path: Path) -> None:
    """A meeting is enough to be known; its evidence names it; an unaccepted invitation
    is evidence only; the mail counts stay the mail's."""
    root = maildir(
        tmp_path,
        ["google-update-accepted.eml", "request-unanswered.eml", "broken-dates.eml"],
    )
    with Store(tmp_path / "state.sqlite3") as state:
        box = MaildirMailbox(root, state)
        index = CorrespondenceIndex(state)
        index.refresh(box, ["INBOX"], OWNER, lambda *_: None)
        people = KnownPeople(index=index)
        kofi = people.assess(Requester(name="Kofi Mensah"))
        assert kofi.known == (
            "Kofi Mensah: kofi@partner.example: a meeting 'Quarterly review' on 2025-03-04"
        )
        lena = people.assess(Requester(name="Lena Fischer"))
        assert lena.known is not None and lena.known.startswith(
            "Lena Fischer: lena@partner.example wrote to you 1 time, last 2025-03-01: "
            "'Updated invitation: Quarterly review"
        )
        assert lena.known.endswith("; a meeting 'Quarterly review' on 2025-03-04")
        bea = people.assess(Requester(name="Bea Broken"))
        assert bea.known is not None and "a meeting 'Coffee chat'" in bea.known
        vic = people.assess(Requester(name="Vic Vendor"))
        assert vic.known is None
        assert vic.evidence == (
            "received only, not enough to count as known: vic@vendor.example wrote to you 1 "
            "time, last 2025-04-30: 'Invitation: Quick demo of VendorTool @ Mon 5 May 2025 "
            "16:00 - 16:30 (CEST)'; invited you to a meeting 'Quick demo of VendorTool' on "
            "2025-05-05, which you did not accept",
        )
