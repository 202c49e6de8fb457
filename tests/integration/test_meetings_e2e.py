"""Meetings in the mailbox, end to end on Dovecot through the real `mailbot` command:
the owner's own invitations and acceptances (in Sent) make people known, calendar data
received from others is evidence for review, and only the calendar part of a message is
ever fetched."""

from __future__ import annotations

import json
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from builders import invitation, mail
from dovecot import Account
from support import mailbot, outcomes, seed_raw, who_json, write_env

from mailbot.config import load_settings
from mailbot.mailboxes import open_mailbox
from mailbot.mailboxes.base import MAX_CALENDAR_BYTES
from mailbot.people.index import CorrespondenceIndex
from mailbot.store import Store

pytestmark = pytest.mark.dovecot
CALENDAR = Path(__file__).parents[1] / "fixtures" / "calendar"
OWNER = "Robin Owner <robin@owner.example>"


def _huge_invitation() -> bytes:
    """An accepted invitation whose calendar part is far over the cap: not read at all."""
    raw = (CALENDAR / "google-update-accepted.eml").read_bytes()
    raw = raw.replace(b"Lena Fischer", b"Hugo Huge").replace(b"lena@", b"hugo@")
    raw = raw.replace(b"Kofi Mensah", b"Kim Partner").replace(b"kofi@partner", b"kim@partner")
    filler = b"X-FILLER:" + b"x" * 70 + b"\r\n"
    return raw.replace(b"SUMMARY:", filler * (MAX_CALENDAR_BYTES // 70) + b"SUMMARY:", 1)


def seed_meetings(account: Account) -> None:
    inbox = [
        "google-update-accepted.eml",
        "reply-accepted.eml",
        "request-unanswered.eml",
        "no-attendees.eml",
        "garbage-calendar.eml",
        "forwarded-invitation.eml",
    ]
    seed_raw(account, *((CALENDAR / n).read_bytes() for n in inbox), _huge_invitation())
    sent = ["outlook-organised-by-owner.eml", "broken-dates.eml"]
    seed_raw(account, *((CALENDAR / n).read_bytes() for n in sent), folder="Sent")


def _forged_acceptance() -> bytes:
    """A stranger's invitation whose calendar says Robin accepted, naming 24 invented
    attendees, as an .ics attached to ordinary mail."""
    calendar = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "METHOD:REQUEST",
            "BEGIN:VEVENT",
            "DTSTART:20250304T100000Z",
            "SUMMARY:Our partnership",
            "ORGANIZER;CN=Mallory Seller:mailto:mallory@pitch.example",
            "ATTENDEE;PARTSTAT=ACCEPTED;CN=Robin Owner:mailto:robin@owner.example",
            *(
                f"ATTENDEE;PARTSTAT=ACCEPTED;CN=Ivan Vented{i}:mailto:iv{i}@x.example"
                for i in range(22)
            ),
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )
    msg = EmailMessage()
    msg["From"], msg["To"] = "Mallory Seller <mallory@pitch.example>", OWNER
    msg["Subject"], msg["Message-ID"] = "Accepted: Our partnership", make_msgid()
    msg.set_content("See you then.\n")
    msg.add_attachment(calendar.encode(), maintype="application", subtype="ics", filename="a.ics")
    return msg.as_bytes()


def test_meetings_in_the_mailbox_make_people_known(account: Account, tmp_path: Path) -> None:
    seed_meetings(account)
    seed_raw(account, _forged_acceptance())
    seed_raw(
        account,
        invitation("Mallory Seller"),  # wrote that Robin accepted her meeting
        invitation("Ivan Vented3"),  # on that meeting, by her word
        invitation("Kofi Mensah"),  # only in Lena's update that says Robin accepted
        invitation("Sven Berg"),  # Robin organised his interview
        invitation("Vic Vendor"),  # sent an invitation Robin never accepted
        invitation("Otto Other"),  # organised a meeting that was only forwarded to Robin
        invitation("Kim Partner"),  # on a meeting whose calendar part is too big to read
    )
    env = write_env(tmp_path, account)
    result = mailbot(tmp_path, env, "--run-once", "--json")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    found = outcomes(json.loads(result.stdout))
    assert found["Mallory Seller"][0] == "review"  # her calendar is evidence, for Robin
    assert "which you did not accept or organise" in found["Mallory Seller"][1]
    assert found["Ivan Vented3"][0] == "ask"
    assert found["Kofi Mensah"][0] == "ask"
    assert found["Sven Berg"][0] == "known"
    assert "a meeting 'Interview: Senior Engineer' on 2025-04-10" in found["Sven Berg"][1]
    assert found["Vic Vendor"][0] == "review"  # his invitation: for Robin to judge
    assert found["Otto Other"][0] == "ask"
    assert found["Kim Partner"][0] == "ask"

    vic = who_json(tmp_path, env, "Vic Vendor")
    assert vic["decision"] == "review"
    assert (
        "invited you to a meeting 'Quick demo of VendorTool' on 2025-05-05, which you did not "
        "accept or organise" in " ".join(vic["reasons"])  # type: ignore[arg-type]
    ), vic
    bea = who_json(tmp_path, env, "Bea Broken")  # a broken DTSTART: known, without a date
    assert bea["decision"] == "known" and "a meeting 'Coffee chat'" in bea["known"]
    assert "Coffee chat' on" not in bea["known"]
    lena = who_json(tmp_path, env, "Lena Fischer")  # her update says Robin accepted
    assert lena["decision"] == "review" and lena["known"] is None, lena


def test_only_the_calendar_part_is_fetched_never_a_body(account: Account, tmp_path: Path) -> None:
    """What the index asks the server for: header fields, BODYSTRUCTURE, and BODY.PEEK of
    the calendar part's section, capped; never BODY[] or BODY[TEXT]."""
    seed_meetings(account)
    seed_raw(account, mail("Ann Plain <ann@mail.example>", OWNER, "Hi"))
    settings = load_settings(None, write_env(tmp_path, account))
    asked: list[str] = []
    with Store(settings.state_path) as state, open_mailbox(settings, state) as mailbox:
        client = mailbox._client  # type: ignore[attr-defined]
        fetch = client.fetch

        def spy(uids: list[int], items: list[str], *args: Any, **kwargs: Any) -> Any:
            asked.extend(str(i) for i in items)
            return fetch(uids, items, *args, **kwargs)

        client.fetch = spy
        index = CorrespondenceIndex(state)
        owner = settings.owner.addresses
        index.refresh(mailbox, ["Sent", "INBOX"], owner, lambda *_: None, sent="Sent")
        sven = index.by_address("sven.berg@mail.example")
        assert sven is not None and sven.meetings == 1
    bodies = sorted({i for i in asked if i.startswith("BODY.PEEK[") and "HEADER" not in i})
    # Google: multipart/mixed > multipart/alternative > text/calendar is part 1.3; Outlook's
    # (base64) and the others' are part 2 or 3; Apple's bare text/calendar reply is part 1
    assert bodies == [
        f"BODY.PEEK[1.3]<0.{MAX_CALENDAR_BYTES}>",
        f"BODY.PEEK[1]<0.{MAX_CALENDAR_BYTES}>",
        f"BODY.PEEK[2]<0.{MAX_CALENDAR_BYTES}>",
        f"BODY.PEEK[3]<0.{MAX_CALENDAR_BYTES}>",
    ], asked
    assert not any(i in ("BODY[]", "BODY.PEEK[]", "RFC822") for i in asked)
