"""More of the owner's records: LinkedIn's data export (a folder, its zip, or its files),
and candidate exports of applicant tracking systems. Fixtures in fixtures/records/."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from mailbot.config import load_settings
from mailbot.errors import ConfigError
from mailbot.notifications import Notification, Requester
from mailbot.people import contacts as contacts_module
from mailbot.people.contacts import load_contacts
from mailbot.people.known import KnownPeople
from mailbot.rules import ASK, KNOWN, REVIEW, Context, decide

RECORDS = Path(__file__).parent / "fixtures" / "records"
EXPORT = RECORDS / "linkedin-export"
OWNER = frozenset({"robin@owner.example"})
P = "https://www.linkedin.com/in/"


def verdict(paths: list[Path], name: str, **requester: str) -> tuple[str, tuple[str, ...]]:
    people = KnownPeople(contacts=load_contacts(paths, "Robin Owner"))
    invitation = Notification(
        kind="invitation",
        network="linkedin",
        requester=Requester(name=name, **requester),
        key="linkedin:invitation:1",
    )
    decision = decide(invitation, Context(people, OWNER))
    return decision.action, decision.reasons


def export_zip(tmp_path: Path, *, folder: str = "") -> Path:
    """The export as LinkedIn sends it: one zip, the files at its root (or in a folder)."""
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / "Basic_LinkedInDataExport_03-01-2026.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for f in EXPORT.iterdir():
            archive.write(f, folder + f.name)
    return path


# -- messages.csv ---------------------------------------------------------------------------


def test_message_partners_are_known_by_profile_with_the_count_and_last_date() -> None:
    action, reasons = verdict([EXPORT], "Priya R.", profile_url=f"{P}priya-raman-4b1a")
    assert action == KNOWN
    assert "4 LinkedIn messages, last 2025-03-01" in reasons[0]
    assert "messages.csv in linkedin-export, matched by profile URL" in reasons[0]


def test_then_by_name_and_the_same_name_on_another_profile_is_for_the_owner() -> None:
    """A namesake, or a link the person changed since: review, never known, never asked."""
    assert verdict([EXPORT], "Priya Raman")[0] == KNOWN
    action, reasons = verdict([EXPORT], "Priya Raman", profile_url=f"{P}priya-raman-99")
    assert action == REVIEW, reasons
    assert "Priya Raman in messages.csv in linkedin-export, with another profile link" in reasons[0]
    cut_short = verdict([EXPORT], "Priya Raman", profile_url=f"{P[:-3]}comm/profile/view")
    assert cut_short[0] == KNOWN  # a link the notification cut short proves nothing


def test_someone_the_owner_wrote_to_is_known_even_unanswered() -> None:
    action, reasons = verdict([EXPORT], "Tomás Ortega")
    assert action == KNOWN and "1 LinkedIn message, last 2025-01-15" in reasons[0]


def test_a_group_conversation_the_owner_wrote_in_makes_everyone_in_it_known() -> None:
    assert verdict([EXPORT], "Mei Lin")[0] == KNOWN
    action, reasons = verdict([EXPORT], "Jonas Becker", profile_url=f"{P}jonas-becker-phd")
    assert action == KNOWN and "2 LinkedIn messages" in reasons[0]


def test_messages_the_owner_never_answered_are_evidence_only() -> None:
    people = KnownPeople(contacts=load_contacts([EXPORT], "Robin Owner"))
    found = people.assess(Requester(name="Carl Cold", profile_url=f"{P}carl-cold-sales"))
    assert found.known is None
    assert found.evidence == (
        "2 LinkedIn messages from them, last 2025-02-08, never answered "
        "(messages.csv in linkedin-export)",
    )
    assert verdict([EXPORT], "Carl Cold")[0] == ASK


@pytest.mark.parametrize(
    "name", ["Spammy Sam", "Dana Draft", "Acme Cloud", "LinkedIn Member", "Coach"]
)
def test_spam_drafts_sponsored_mail_closed_accounts_and_other_files_count_for_nothing(
    name: str,
) -> None:
    assert verdict([EXPORT], name)[0] == ASK


def test_the_owner_is_not_their_own_contact() -> None:
    contacts = load_contacts([EXPORT], None)
    assert "robin owner" not in contacts.by_name
    assert "linkedin:robin-owner" not in contacts.by_profile


def test_an_export_from_before_mid_2023_without_recipient_links() -> None:
    """9 columns, nothing quoted, CRLF; the owner found as the participant of every
    conversation (by name where a recipient has no link); "Aiko Tanaka, MBA" is one name."""
    old = [RECORDS / "messages-2022.csv"]
    assert verdict(old, "Lukas Weber")[0] == KNOWN
    assert verdict(old, "Aiko Tanaka")[0] == KNOWN
    assert verdict(old, "Vera Vendor")[0] == ASK


def test_the_owner_is_found_without_the_configured_name(tmp_path: Path) -> None:
    """By being in every conversation; a one-conversation file is a tie between its two
    people, settled by MAILBOT_OWNER_NAME or the export's Profile.csv, else nobody."""
    assert len(load_contacts([EXPORT / "messages.csv"], None).by_profile) == 4
    one = tmp_path / "messages.csv"
    one.write_text(
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,"
        "DATE,SUBJECT,CONTENT,FOLDER\n"
        f"c1,,Robin Owner,{P}robin-owner,Kim Lee,{P}kim-lee,2025-01-01 10:00:00 UTC,,Hi,INBOX\n"
        f"c1,,Kim Lee,{P}kim-lee,Robin Owner,{P}robin-owner,2025-01-02 10:00:00 UTC,,Hi,INBOX\n"
    )
    assert "kim lee" in load_contacts([one], "Robin Owner").by_name
    unsure = load_contacts([one], None)
    assert not unsure.by_name
    assert unsure.problems == [
        "messages.csv: cannot tell which participant is you (set MAILBOT_OWNER_NAME to your "
        "name as LinkedIn shows it): nobody taken from it"
    ]
    (tmp_path / "Profile.csv").write_text(
        "First Name,Last Name,Maiden Name,Headline,Summary\nRobin,Owner,,Talent,Hi\n"
    )
    assert "kim lee" in load_contacts([tmp_path], None).by_name  # Profile.csv names the owner


def test_the_owners_link_from_invitations_settles_who_the_owner_is(tmp_path: Path) -> None:
    """Invitations.csv's own links name the owner, whatever name the messages show."""
    one = tmp_path / "messages.csv"
    one.write_text(
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,"
        "DATE,SUBJECT,CONTENT,FOLDER\n"
        f"c1,,R. O.,{P}robin-owner,Kim Lee,{P}kim-lee,2025-01-01 10:00:00 UTC,,Hi,INBOX\n"
    )
    shutil.copy(EXPORT / "Invitations.csv", tmp_path / "Invitations.csv")
    assert "kim lee" in load_contacts([tmp_path], "Someone Else").by_name


# -- Invitations.csv ------------------------------------------------------------------------


def test_an_invitation_the_owner_sent_makes_known() -> None:
    action, reasons = verdict([EXPORT], "Nadia Haddad", profile_url=f"{P}nadia-haddad")
    assert action == KNOWN
    assert reasons[0] == (
        "Nadia Haddad: you invited them on LinkedIn on 2026-01-29 "
        "(Invitations.csv in linkedin-export, matched by profile URL)"
    )


def test_an_earlier_invitation_from_them_is_evidence_only() -> None:
    people = KnownPeople(contacts=load_contacts([EXPORT], "Robin Owner"))
    found = people.assess(Requester(name="Omar Farouk"))
    assert found.known is None
    assert found.evidence == (
        "an earlier invitation from them on LinkedIn on 2026-03-05, not a tie "
        "(Invitations.csv in linkedin-export)",
    )


def test_invitations_before_late_2023_without_links() -> None:
    old = [RECORDS / "Invitations-2022.csv"]
    action, reasons = verdict(old, "Lukas Weber")
    assert action == KNOWN and "you invited them on LinkedIn on 2022-03-03" in reasons[0]
    assert verdict(old, "Vera Vendor")[0] == ASK


# -- the export as a folder, a zip, or its files ------------------------------------------------


def test_a_folder_a_zip_and_the_files_themselves_give_the_same_people(tmp_path: Path) -> None:
    files = [EXPORT / n for n in ("Connections.csv", "messages.csv", "Invitations.csv")]
    by_files = load_contacts(files, "Robin Owner")
    for entry in (EXPORT, export_zip(tmp_path), export_zip(tmp_path / "sub", folder="x/")):
        found = load_contacts([entry], "Robin Owner")
        assert set(found.by_profile) == set(by_files.by_profile), entry
        assert found.summary(entry) == (
            f"{entry}: 2 connections, 4 message partners, 1 invitation sent; "
            "not counted: 1 unanswered sender, 1 invitation received"
        )
        assert not found.problems


def test_a_folder_or_zip_without_an_export_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ConfigError, match=r"is a folder with no LinkedIn export in it"):
        load_contacts([tmp_path])
    empty = tmp_path / "photos.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    with pytest.raises(ConfigError, match=r"photos.zip holds no LinkedIn export"):
        load_contacts([empty])
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ConfigError, match=r"broken.zip: not a readable zip file"):
        load_contacts([broken])


def test_config_keeps_refusing_a_folder_that_holds_no_export(tmp_path: Path) -> None:
    env = {
        "MAILBOT_MAILDIR": "",
        "MAILBOT_IMAP_HOST": "127.0.0.1",
        "MAILBOT_IMAP_USER": "robin",
        "MAILBOT_IMAP_PASSWORD": "secret",
        "MAILBOT_IMAP_SECURITY": "plain",
        "MAILBOT_OWNER_NAME": "Robin Owner",
        "MAILBOT_OWNER_EMAIL": "robin@owner.example",
        "HOME": str(tmp_path),
    }
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    with pytest.raises(ConfigError, match=r"MAILBOT_CONTACTS: .* is a folder"):
        load_settings(env_file, {**env, "MAILBOT_CONTACTS": str(tmp_path)})
    settings = load_settings(env_file, {**env, "MAILBOT_CONTACTS": str(EXPORT)})
    assert settings.contacts == (EXPORT,)


def test_a_zip_bomb_member_is_left_out_and_the_rest_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member that unpacks past the bound is never read whole: left out, listed as a
    problem; the other members still count."""
    monkeypatch.setattr(contacts_module, "MAX_BYTES", 1024 * 1024)
    bomb = tmp_path / "export.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(EXPORT / "Invitations.csv", "Invitations.csv")
        with archive.open("messages.csv", "w") as member:
            member.write(b"CONVERSATION ID,FROM\n")
            for _ in range(3):
                member.write(b"\0" * (1024 * 1024))
    assert bomb.stat().st_size < 20_000
    found = load_contacts([bomb], "Robin Owner")
    assert "linkedin:nadia-haddad" in found.by_profile
    assert found.problems == ["messages.csv in export.zip: 3 MB unpacked, more than 1 MB: left out"]


def test_a_member_that_cannot_be_unpacked_is_left_out(tmp_path: Path) -> None:
    """A member whose data is damaged (its CRC fails): left out, the others used."""
    path = export_zip(tmp_path)
    data = bytearray(path.read_bytes())
    name = b"Connections.csv"
    at = data.index(name) + len(name) + 40  # inside that member's compressed data
    data[at : at + 8] = b"\x00" * 8
    path.write_bytes(bytes(data))
    found = load_contacts([path], "Robin Owner")
    assert any(p.startswith("Connections.csv in ") for p in found.problems), found.problems
    assert "linkedin:priya-raman-4b1a" in found.by_profile


def test_a_stray_quote_loses_one_row_and_says_where() -> None:
    found = load_contacts([RECORDS / "malformed-contacts.csv"])
    assert set(found.by_name) == {"ada lovelace", "nia long", "zoe quote"}
    assert found.problems == [
        "malformed-contacts.csv: 1 row with a quote left open (line 3), left out"
    ]


def test_a_huge_message_is_one_field_not_an_error(tmp_path: Path) -> None:
    """Python's csv refuses fields over 128 kB by default; a long LinkedIn message is one."""
    path = tmp_path / "messages.csv"
    path.write_text(
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,"
        "DATE,SUBJECT,CONTENT,FOLDER\n"
        f'c1,,Robin Owner,{P}robin-owner,Kim Lee,{P}kim-lee,2025-01-01 10:00:00 UTC,,"'
        + "long line\n"
        * 30_000
        + '",INBOX\n'
        f"c2,,Robin Owner,{P}robin-owner,Al Ng,{P}al-ng,2025-01-01 10:00:00 UTC,,Hi,INBOX\n"
    )
    found = load_contacts([path], "Robin Owner")
    assert {"kim lee", "al ng"} <= set(found.by_name) and not found.problems


def test_a_file_with_no_header_mailbot_knows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "Reactions.csv"
    path.write_text("Date,Type,Link\n2025-01-01 10:00:00,LIKE,https://www.linkedin.com/feed/1\n")
    with pytest.raises(ConfigError, match=r"Reactions.csv: no header row with a name or email"):
        load_contacts([path])


# -- applicant tracking exports -------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "system", "name", "requester"),
    [
        (
            "greenhouse-candidates.csv",
            "Greenhouse",
            "Wanjiru Kamau",
            {"profile_url": f"{P}wanjiru-kamau"},
        ),
        ("greenhouse-candidates.csv", "Greenhouse", "Pedro Alves", {}),
        ("lever-export.csv", "Lever", "Sofia Conti", {"email": "s.conti@work.example"}),
        ("workable-candidates.csv", "Workable", "E. Obi", {"profile_url": f"{P}emeka-obi"}),
        ("bullhorn-candidates.csv", "Bullhorn", "Hanna Virtanen", {}),
    ],
)
def test_candidates_of_an_applicant_tracking_export_are_known_as_applicants(
    file: str, system: str, name: str, requester: dict[str, str]
) -> None:
    action, reasons = verdict([RECORDS / file], name, **requester)
    assert action == KNOWN, reasons
    assert f"applied: in your {system} export {file} (matched by" in reasons[0]


def test_the_system_comes_from_a_column_when_the_file_name_does_not_say(tmp_path: Path) -> None:
    path = tmp_path / "export-2025-03.csv"
    shutil.copy(RECORDS / "lever-export.csv", path)
    action, reasons = verdict([path], "Jun Park")
    assert action == KNOWN and "your Lever export export-2025-03.csv" in reasons[0]
    plain = tmp_path / "candidates.csv"
    plain.write_text("Name,Email,Job\nKai Blue,kai@mail.example,Designer\n")
    assert "your applicant tracking export candidates.csv" in verdict([plain], "Kai Blue")[1][0]


def test_an_ordinary_contacts_file_is_not_an_applicant_export() -> None:
    """Connections.csv has a name, an email and a link, but no candidate column."""
    action, reasons = verdict([EXPORT / "Connections.csv"], "Grace Hopper")
    assert action == KNOWN and "is in your contacts (Connections.csv" in reasons[0]


def test_a_near_name_in_an_export_is_review_not_known() -> None:
    action, reasons = verdict([RECORDS / "greenhouse-candidates.csv"], "Wanjiru Kamaw")
    assert action == REVIEW and "Wanjiru Kamau" in reasons[0]


def test_check_reads_the_entries_together_and_names_the_one_with_problems(
    tmp_path: Path,
) -> None:
    """As a cycle reads them: the owner's link in an Invitations.csv listed on its own
    settles who the owner is in a messages.csv listed on its own."""
    from mailbot.check import _contacts

    messages = tmp_path / "messages.csv"
    messages.write_text(
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,"
        "DATE,SUBJECT,CONTENT,FOLDER\n"
        f"c1,,R. O.,{P}robin-owner,Kim Lee,{P}kim-lee,2025-01-01 10:00:00 UTC,,Hi,INBOX\n"
    )
    invitations = EXPORT / "Invitations.csv"
    broken = RECORDS / "malformed-contacts.csv"
    lines = [str(line) for line in _contacts((messages, invitations, broken), "Someone Else")]
    assert lines == [
        f"OK   contacts     {messages}: 1 message partner",
        f"OK   contacts     {invitations}: 1 invitation sent; not counted: 1 invitation received",
        f"ERR  contacts     {broken}: 3 people; malformed-contacts.csv: 1 row with a quote "
        "left open (line 3), left out",
    ]
    missing = tmp_path / "gone.csv"
    lines = [str(line) for line in _contacts((invitations, missing), "Robin Owner")]
    assert lines[0].startswith("OK   contacts") and lines[1].startswith("ERR  contacts")
    assert "cannot read" in lines[1]
