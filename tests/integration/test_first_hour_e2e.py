"""The first hour (issue 25) against a real Dovecot: `check` with a mistake in the
configuration still checks the server; an invitation LinkedIn sent on the inviter's
behalf is not their correspondence."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import mail, on_behalf
from dovecot import Account
from support import mailbot, seed_raw, who_json, write_env

pytestmark = pytest.mark.dovecot


def test_check_with_a_missing_contacts_file_still_checks_the_server(
    account: Account, tmp_path: Path
) -> None:
    missing = tmp_path / "Connections.csv"
    env = write_env(tmp_path, account)
    env["MAILBOT_CONTACTS"] += f",{missing}"
    result = mailbot(tmp_path, env, "check")
    assert result.returncode == 2, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"ERR  config       MAILBOT_CONTACTS: no such file: {missing}"
    items = {line[:3].strip() + " " + line[5:17].strip() for line in lines[1:]}
    assert {"OK connect", "OK login", "OK inbox", "OK drafts", "OK state", "OK contacts"} <= items
    assert "2 people" in result.stdout  # the contacts file that is there
    assert not [line for line in lines[1:] if line.startswith("ERR")], result.stdout


def test_an_invitation_on_the_inviters_behalf_is_not_mail_from_them(
    account: Account, tmp_path: Path
) -> None:
    """The 2013 invitation LinkedIn sent From Marta's own address sits in the inbox:
    `who` does not say she wrote to the owner; her own mail does."""
    env = write_env(tmp_path, account)
    seed_raw(account, on_behalf("Marta Nowak", "marta.nowak@post.example", "<inv-1@x>", 57420))
    assert who_json(tmp_path, env, "Marta Nowak")["evidence"] == []
    seed_raw(account, mail("Marta Nowak <marta.nowak@post.example>", "robin@owner.example", "Hi"))
    [evidence] = who_json(tmp_path, env, "Marta Nowak")["evidence"]
    assert isinstance(evidence, str) and "wrote to you 1 time" in evidence, evidence
    assert "Invitation to connect" not in evidence
