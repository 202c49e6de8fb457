"""More of the owner's records, end to end on Dovecot through the real `mailbot` command:
LinkedIn's data export (zip and folder) and an applicant tracking export."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from builders import invitation
from dovecot import Account
from support import mailbot, outcomes, run_json, seed_raw, who_json, write_env

pytestmark = pytest.mark.dovecot
FIXTURES = Path(__file__).parents[1] / "fixtures"
EXPORT = FIXTURES / "records" / "linkedin-export"


def export_zip(tmp_path: Path) -> Path:
    path = tmp_path / "Complete_LinkedInDataExport_03-01-2026.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for f in EXPORT.iterdir():
            archive.write(f, f.name)
    return path


def test_the_linkedin_export_zip_knows_message_partners_and_people_the_owner_invited(
    account: Account, tmp_path: Path
) -> None:
    env = write_env(tmp_path, account, MAILBOT_CONTACTS=str(export_zip(tmp_path)))
    seed_raw(
        account,
        invitation("Priya Raman", vanity="priya-raman-4b1a"),
        invitation("Nadia Haddad", vanity="nadia-haddad"),
        invitation("Omar Farouk", vanity="omar-farouk"),  # invited the owner before: no tie
        invitation("Carl Cold", vanity="carl-cold-sales"),  # InMails never answered
    )
    found = outcomes(run_json(tmp_path, env))
    zip_name = "Complete_LinkedInDataExport_03-01-2026.zip"
    assert found["Priya Raman"] == (
        "known",
        f"Priya Raman: 4 LinkedIn messages, last 2025-03-01 (messages.csv in {zip_name}, "
        "matched by profile URL)",
    )
    assert found["Nadia Haddad"] == (
        "known",
        f"Nadia Haddad: you invited them on LinkedIn on 2026-01-29 (Invitations.csv in "
        f"{zip_name}, matched by profile URL)",
    )
    assert found["Omar Farouk"][0] == "ask"
    assert found["Carl Cold"][0] == "ask"

    priya = who_json(tmp_path, env, "Priya Raman")
    assert priya["decision"] == "known" and "4 LinkedIn messages" in priya["known"]
    omar = who_json(tmp_path, env, "Omar Farouk")
    assert omar["decision"] == "ask" and omar["known"] is None
    assert omar["evidence"] == [
        f"an earlier invitation from them on LinkedIn on 2026-03-05, not a tie "
        f"(Invitations.csv in {zip_name})"
    ]

    check = mailbot(tmp_path, env, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    [line] = [ln for ln in check.stdout.splitlines() if " contacts " in f" {ln} "]
    assert line == (
        f"OK   contacts     {tmp_path / zip_name}: 2 connections, 4 message partners, "
        "1 invitation sent; not counted: 1 unanswered sender, 1 invitation received"
    )


def test_an_export_folder_and_a_greenhouse_export_together(
    account: Account, tmp_path: Path
) -> None:
    folder = tmp_path / "linkedin"
    shutil.copytree(EXPORT, folder)
    greenhouse = tmp_path / "greenhouse-candidates.csv"
    shutil.copy(FIXTURES / "records" / "greenhouse-candidates.csv", greenhouse)
    env = write_env(tmp_path, account, MAILBOT_CONTACTS=f"{folder},{greenhouse}")
    seed_raw(
        account,
        invitation("Wanjiru Kamau", vanity="wanjiru-kamau"),
        invitation("Tomás Ortega", vanity="tomas-ortega"),
        invitation("Grace Hopper", vanity="grace-hopper-1906"),
        invitation("Zed Stranger"),
    )
    found = outcomes(run_json(tmp_path, env))
    assert found["Wanjiru Kamau"] == (
        "known",
        "Wanjiru Kamau applied: in your Greenhouse export greenhouse-candidates.csv "
        "(matched by profile URL)",
    )
    assert found["Tomás Ortega"][0] == "known"
    assert "1 LinkedIn message, last 2025-01-15" in found["Tomás Ortega"][1]
    assert found["Grace Hopper"][0] == "known"
    assert found["Zed Stranger"][0] == "ask"
    pedro = who_json(tmp_path, env, "Pedro Alves")
    assert pedro["decision"] == "known" and "Greenhouse export" in pedro["known"]

    check = mailbot(tmp_path, env, "check").stdout.splitlines()
    contacts = [ln for ln in check if ln.split()[1:2] == ["contacts"]]
    assert contacts == [
        f"OK   contacts     {folder}: 2 connections, 4 message partners, 1 invitation sent; "
        "not counted: 1 unanswered sender, 1 invitation received",
        f"OK   contacts     {greenhouse}: 2 Greenhouse candidates",
    ]


def test_broken_records_are_named_by_check_and_the_rest_still_counts(
    account: Account, tmp_path: Path
) -> None:
    """A stray quote in a contacts file, a damaged member in the zip: `check` says ERR with
    what was left out; a cycle still knows everyone else, with no traceback."""
    broken = tmp_path / "people.csv"
    shutil.copy(FIXTURES / "records" / "malformed-contacts.csv", broken)
    archive = export_zip(tmp_path)
    data = bytearray(archive.read_bytes())
    at = data.index(b"Connections.csv") + len(b"Connections.csv") + 40
    data[at : at + 8] = b"\x00" * 8
    archive.write_bytes(bytes(data))
    env = write_env(tmp_path, account, MAILBOT_CONTACTS=f"{broken},{archive}")
    check = mailbot(tmp_path, env, "check")
    lines = [ln for ln in check.stdout.splitlines() if ln.split()[1:2] == ["contacts"]]
    assert lines[0] == (
        f"ERR  contacts     {broken}: 3 people; people.csv: 1 row with a quote left open "
        "(line 3), left out"
    )
    assert lines[1].startswith("ERR  contacts") and "Connections.csv in " in lines[1]
    assert "cannot be unpacked" in lines[1] and "4 message partners" in lines[1]
    assert "Traceback" not in check.stderr

    seed_raw(account, invitation("Zoe Quote"), invitation("Priya Raman", vanity="priya-raman-4b1a"))
    result = mailbot(tmp_path, env, "--run-once", "--json")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "quote left open" in result.stderr  # logged for the owner
    found = outcomes(json.loads(result.stdout))
    assert found["Zoe Quote"][0] == "known" and found["Priya Raman"][0] == "known"


def test_a_contacts_folder_without_an_export_is_still_refused(
    account: Account, tmp_path: Path
) -> None:
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    result = mailbot(tmp_path, write_env(tmp_path, account, MAILBOT_CONTACTS=str(empty)), "check")
    assert result.returncode != 0
    assert f"MAILBOT_CONTACTS: {empty} is a folder" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
