"""Meetings in the mailbox: the owner's own invitations and acceptances make people known,
read from the calendar part alone; calendar data received from others is evidence only.
Fixtures in fixtures/calendar/ (Google, Outlook, Apple shapes, and broken ones)."""

from __future__ import annotations

import shutil
from email.message import EmailMessage
from email.utils import make_msgid
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
    """The owner's own REPLY (from their Sent folder) accepting it; the same calendar
    received from the organiser is evidence of the organiser only."""
    text = ics(
        "DTSTART;TZID=Europe/Berlin:20250304T100000",
        "SUMMARY:Quarterly review",
        "ORGANIZER;CN=Lena Fischer:mailto:lena@partner.example",
        ROBIN_ACCEPTED,
        "ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=Kofi Mensah:mailto:KOFI@partner.example",
        "ATTENDEE;CUTYPE=ROOM;CN=Spree:mailto:spree@rooms.partner.example",
        "ATTENDEE;CN=Room:mailto:c_1@resource.calendar.google.com",
        method="REPLY",
    )
    assert sorted(meetings(text, OWNER, person, by_owner=True)) == [
        ("kofi@partner.example", "Kofi Mensah", MEETING, "2025-03-04", "Quarterly review"),
        ("lena@partner.example", "Lena Fischer", MEETING, "2025-03-04", "Quarterly review"),
    ]
    assert meetings(text, OWNER, person) == [
        ("lena@partner.example", "Lena Fischer", INVITED, "2025-03-04", "Quarterly review")
    ]
    update = ics(
        "DTSTART;TZID=Europe/Berlin:20250304T100000",
        "SUMMARY:Quarterly review",
        "ORGANIZER;CN=Lena Fischer:mailto:lena@partner.example",
        ROBIN_ACCEPTED,
        "ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=Kofi Mensah:mailto:KOFI@partner.example",
        "ATTENDEE;CUTYPE=ROOM;CN=Spree:mailto:spree@rooms.partner.example",
        "ATTENDEE;CN=Room:mailto:c_1@resource.calendar.google.com",
    )  # the organiser's update saying the owner accepted: theirs to write, not the owner's
    assert meetings(update, OWNER, person) == [
        ("lena@partner.example", "Lena Fischer", INVITED, "2025-03-04", "Quarterly review")
    ]
    assert meetings(update, OWNER, person, by_owner=True) == [  # the owner forwarding it
        ("lena@partner.example", "Lena Fischer", INVITED, "2025-03-04", "Quarterly review")
    ]


def test_a_meeting_the_owner_organised_makes_every_invitee_known() -> None:
    text = ics(
        "DTSTART;VALUE=DATE:20250410",
        "SUMMARY:Interview",
        "ORGANIZER;CN=Robin Owner:mailto:robin@owner.example",
        "ATTENDEE;PARTSTAT=DECLINED;CN=Sven Berg:mailto:sven@mail.example",
    )
    assert meetings(text, OWNER, person, by_owner=True) == [
        ("sven@mail.example", "Sven Berg", MEETING, "2025-04-10", "Interview")
    ]
    assert meetings(text, OWNER, person) == []  # naming the owner ORGANIZER proves nothing


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
        method="REPLY",
    )
    assert meetings(town_hall, OWNER, person, by_owner=True) == []


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
    assert meetings(text, OWNER, person, by_owner=True) == [
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
    assert meetings(text, OWNER, person, by_owner=True) == expected
    assert meetings(text.replace("\r\n", "\r\r\n"), OWNER, person, by_owner=True) == expected
    folded = text.replace("SUMMARY:Review", "SUMMARY:Rev\r\n iew")  # RFC 5545 folding
    assert meetings(folded, OWNER, person, by_owner=True) == expected


def test_history_entries_add_meetings_to_the_mail_itself() -> None:
    head = b"From: Lena Fischer <lena@partner.example>\r\nTo: robin@owner.example\r\n\r\n"
    mine = b"From: Robin Owner <robin@owner.example>\r\nTo: lena@partner.example\r\n\r\n"
    calendar = ics(
        "DTSTART:20250304T100000Z",
        "SUMMARY:Quarterly review",
        "ORGANIZER;CN=Lena Fischer:mailto:lena@partner.example",
        ROBIN_ACCEPTED,
        "ATTENDEE;CN=LinkedIn:mailto:invitations@linkedin.com",  # a network: never a person
        "ATTENDEE;CN=Bot:mailto:noreply@partner.example",  # a robot: never a person
        method="REPLY",
    )
    found = entries(head, (), OWNER, calendar)
    assert [(e.address, e.direction) for e in found] == [
        ("lena@partner.example", "received"),
        ("lena@partner.example", INVITED),
    ]
    found = entries(mine, (), OWNER, calendar, sent=True)  # the owner's reply, in Sent
    assert [(e.address, e.direction) for e in found] == [
        ("lena@partner.example", "sent"),
        ("lena@partner.example", MEETING),
    ]
    bulk = b"From: Lena <lena@partner.example>\r\nList-Id: <x.partner.example>\r\n\r\n"
    assert entries(bulk, (), OWNER, calendar) == []  # a list's invitation is nobody's tie


def maildir(tmp_path: Path, names: list[str], sent: tuple[str, ...] = ()) -> Path:
    """A Maildir whose inbox holds `names` and whose .Sent folder holds `sent`."""
    root = tmp_path / "mail"
    for folder, files in ((root, names), (root / ".Sent", sent)):
        for sub in ("cur", "new", "tmp"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        for i, name in enumerate(files):
            shutil.copy(CALENDAR / name, folder / "cur" / f"{i:03}.host:2,S")
    return root


SENT_FIXTURES = ("outlook-organised-by-owner.eml", "broken-dates.eml")  # Robin's, in Sent


def read(tmp_path: Path, names: list[str]) -> dict[str, list[Entry]]:
    """Each fixture's entries, as the index reads a Maildir (headers + calendar part);
    the owner's fixtures as if in their Sent folder."""
    root = maildir(tmp_path, names)
    with Store(tmp_path / "state.sqlite3") as state:
        box = MaildirMailbox(root, state)
        top = box.select("INBOX").uidnext - 1
        heads = list(box.headers(box.search(1, top, None, Wanted()), calendars=True))
        assert [h.uid for h in heads] == list(range(1, len(names) + 1))
        return {
            name: entries(h.header, h.attachments, OWNER, h.calendar, sent=name in SENT_FIXTURES)
            for name, h in zip(names, heads, strict=True)
        }


def meetings_of(found: list[Entry]) -> list[tuple[str, str, str | None, str]]:
    return [(e.address, e.direction, e.date, e.subject) for e in found if "meeting" in e.direction]


def test_the_fixtures_as_a_maildir_reads_them(tmp_path: Path) -> None:
    names = sorted(p.name for p in CALENDAR.glob("*.eml"))
    found = read(tmp_path, names)
    assert meetings_of(found["google-update-accepted.eml"]) == [  # Lena's word, not Robin's
        ("lena@partner.example", INVITED, "2025-03-04", "Quarterly review"),
    ]
    assert meetings_of(found["outlook-organised-by-owner.eml"]) == [  # base64
        ("sven.berg@mail.example", MEETING, "2025-04-10", "Interview: Senior Engineer")
    ]
    # Sven's acceptance (a bare text/calendar, QP) of Robin's invitation: Robin's own
    # invitation in Sent is what counts, not an answer anyone could send
    assert meetings_of(found["reply-accepted.eml"]) == []
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
    """A meeting the owner organised (in Sent) is enough to be known, its evidence names
    it; a received invitation, even one saying the owner accepted, is evidence for the
    owner to judge (doubt: review), and the people it lists are nobody; the mail counts
    stay the mail's."""
    root = maildir(
        tmp_path,
        ["google-update-accepted.eml", "request-unanswered.eml"],
        sent=("broken-dates.eml",),
    )
    with Store(tmp_path / "state.sqlite3") as state:
        box = MaildirMailbox(root, state)
        index = CorrespondenceIndex(state)
        index.refresh(box, ["Sent", "INBOX"], OWNER, lambda *_: None, sent="Sent")
        people = KnownPeople(index=index)
        kofi = people.assess(Requester(name="Kofi Mensah"))
        assert kofi.known is None and kofi.doubt == () and kofi.evidence == ()
        lena = people.assess(Requester(name="Lena Fischer"))
        assert lena.known is None
        assert lena.doubt == (
            "lena@partner.example wrote to you 1 time, last 2025-03-01: 'Updated invitation: "
            "Quarterly review @ Tue 4 Mar 2025 10:00 - 11:00 (CET) (robin@owner.example)'; "
            "invited you to a meeting 'Quarterly review' on 2025-03-04, which you did not "
            "accept or organise",
        )
        bea = people.assess(Requester(name="Bea Broken"))
        assert bea.known is not None and "a meeting 'Coffee chat'" in bea.known
        vic = people.assess(Requester(name="Vic Vendor"))
        assert vic.known is None
        assert vic.doubt == (
            "vic@vendor.example wrote to you 1 time, last 2025-04-30: 'Invitation: Quick demo "
            "of VendorTool @ Mon 5 May 2025 16:00 - 16:30 (CEST)'; invited you to a meeting "
            "'Quick demo of VendorTool' on 2025-05-05, which you did not accept or organise",
        )


STRANGER = "Mallory Seller <mallory@pitch.example>"


def _calendar_mail(sender: str, calendar: str, *, attached: bool = False) -> bytes:
    """A real-shaped invitation mail: text, and the calendar as an alternative part
    (Google, Outlook) or as an .ics attachment of ordinary mail."""
    msg = EmailMessage()
    msg["From"], msg["To"] = sender, "Robin Owner <robin@owner.example>"
    msg["Subject"] = "Invitation: Catch-up"
    msg["Date"] = "Mon, 03 Mar 2025 09:00:00 +0000"
    msg["Message-ID"] = make_msgid(domain="pitch.example")
    msg.set_content("Let us meet.\n")
    if attached:
        msg.add_attachment(
            calendar.encode(), maintype="application", subtype="ics", filename="invite.ics"
        )
    else:
        msg.add_alternative(calendar, subtype="calendar", params={"method": "REQUEST"})
    return msg.as_bytes()


INVENTED = tuple(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:p{i}@invented.example" for i in range(22))
ATTACKS = {
    "the owner accepted, says the invitation": ics(
        "DTSTART:20250304T100000Z",
        "ORGANIZER;CN=Mallory Seller:mailto:mallory@pitch.example",
        ROBIN_ACCEPTED,
        *INVENTED,
    ),
    "tentatively": ics(
        "DTSTART:20250304T100000Z",
        "ORGANIZER;CN=Mallory Seller:mailto:mallory@pitch.example",
        "ATTENDEE;PARTSTAT=TENTATIVE:mailto:robin@owner.example",
        *INVENTED,
    ),
    "a forged accepted REPLY": ics(
        "DTSTART:20250304T100000Z",
        "ORGANIZER;CN=Mallory Seller:mailto:mallory@pitch.example",
        ROBIN_ACCEPTED,
        *INVENTED,
        method="REPLY",
    ),
    "the owner as ORGANIZER": ics(
        "DTSTART:20250304T100000Z",
        "ORGANIZER;CN=Robin Owner:mailto:robin@owner.example",
        "ATTENDEE;PARTSTAT=ACCEPTED;CN=Mallory Seller:mailto:mallory@pitch.example",
        *INVENTED,
    ),
    "a third party as organiser": ics(
        "DTSTART:20250304T100000Z",
        "ORGANIZER;CN=Lena Fischer:mailto:lena@partner.example",
        ROBIN_ACCEPTED,
        "ATTENDEE;PARTSTAT=ACCEPTED;CN=Mallory Seller:mailto:mallory@pitch.example",
        *INVENTED,
    ),
}


@pytest.mark.parametrize("attached", [False, True], ids=["alternative", "ics-attachment"])
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_calendar_data_a_stranger_sends_makes_nobody_known(
    tmp_path: Path, attack: str, attached: bool
) -> None:
    """Whatever a received calendar part says the owner did, it is the sender's word: the
    sender and the people it lists are never known; its organiser is evidence (doubt)."""
    root = maildir(tmp_path, [])
    raw = _calendar_mail(STRANGER, ATTACKS[attack], attached=attached)
    (root / "cur" / "attack.host:2,S").write_bytes(raw)
    (root / ".Sent" / "cur").mkdir(parents=True, exist_ok=True)
    with Store(tmp_path / "state.sqlite3") as state:
        box = MaildirMailbox(root, state)
        index = CorrespondenceIndex(state)
        index.refresh(box, ["Sent", "INBOX"], OWNER, lambda *_: None, sent="Sent")
        people = KnownPeople(index=index)
        for name in ("Mallory Seller", "Lena Fischer"):
            assert people.assess(Requester(name=name)).known is None, name
        mallory = people.assess(Requester(name="Mallory Seller"))
        if "ORGANIZER" in attack or "third party" in attack:
            assert mallory.doubt == (), mallory  # organised by someone else
        else:  # her invitation is for the owner to judge (rules: invited-you, review)
            assert "which you did not accept or organise" in mallory.doubt[0], mallory
        for i in range(22):
            invented = index.by_address(f"p{i}@invented.example")
            assert invented is None or not KnownPeople(index=index)._enough(invented)


def test_the_owners_own_invitation_and_acceptance_in_sent_make_known(tmp_path: Path) -> None:
    """The same calendar parts, sent by the owner (in Sent), are the owner's acts."""
    root = maildir(tmp_path, [])
    (root / ".Sent" / "cur").mkdir(parents=True, exist_ok=True)
    owner = "Robin Owner <robin@owner.example>"
    few = "\r\n".join(INVENTED[:3]) + "\r\n"
    reply = ATTACKS["a forged accepted REPLY"].replace("mallory@pitch", "mia@partner")
    invite = ATTACKS["the owner as ORGANIZER"].replace("mallory@pitch", "ola@partner")
    reply, invite = (c.replace("\r\n".join(INVENTED) + "\r\n", few) for c in (reply, invite))
    (root / ".Sent" / "cur" / "1.host:2,S").write_bytes(_calendar_mail(owner, reply))
    (root / ".Sent" / "cur" / "2.host:2,S").write_bytes(_calendar_mail(owner, invite))
    with Store(tmp_path / "state.sqlite3") as state:
        index = CorrespondenceIndex(state)
        index.refresh(MaildirMailbox(root, state), ["Sent"], OWNER, lambda *_: None, sent="Sent")
        for address in ("mia@partner.example", "ola@partner.example"):
            found = index.by_address(address)
            assert found is not None and found.meetings == 1, address
