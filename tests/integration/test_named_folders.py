"""A folder the owner named that does not exist is an error naming the key (issue 16):
`check` says ERR (exit 1), every other command exits 2 in one line. A typo in
MAILBOT_SENT must never quietly turn people the owner wrote to into strangers."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import invitation
from dovecot import Account
from support import drafts, mailbot, seed_raw, write_env

from mailbot.errors import ConfigError
from mailbot.mailboxes.base import pick_folder

pytestmark = pytest.mark.dovecot


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("MAILBOT_SENT", "Sentt"),
        ("MAILBOT_INBOX", "Inbocks"),
        ("MAILBOT_DRAFTS", "Draftz"),
        ("MAILBOT_HISTORY_FOLDERS", "Sent,Archiv"),
    ],
)
def test_a_named_folder_that_does_not_exist_is_one_line_naming_the_key(
    account: Account, tmp_path: Path, key: str, value: str
) -> None:
    seed_raw(account, invitation("Priya Raman"))
    env = write_env(tmp_path, account, **{key: value})
    once = mailbot(tmp_path, env, "--run-once")
    assert once.returncode == 2, (once.stdout, once.stderr)
    assert key in once.stderr and "Traceback" not in once.stderr
    assert len(once.stderr.strip().splitlines()) == 1, once.stderr
    assert drafts(account) == []
    check = mailbot(tmp_path, env, "check")
    assert check.returncode == 1
    assert any(line.startswith("ERR") and key in line for line in check.stdout.splitlines()), (
        check.stdout
    )


def test_check_is_ok_with_the_folders_that_exist(account: Account, tmp_path: Path) -> None:
    env = write_env(tmp_path, account, MAILBOT_SENT="Sent", MAILBOT_DRAFTS="Drafts")
    check = mailbot(tmp_path, env, "check")
    assert check.returncode == 0, check.stdout


@pytest.mark.parametrize(
    ("special", "common", "expected"),
    [
        ("INBOX", ("Drafts",), "Drafts"),  # a server that marks INBOX \Drafts
        ("inbox", (), None),
        ("Entwürfe", ("Drafts",), "Entwürfe"),
    ],
)
def test_drafts_never_go_to_the_watched_folder(
    special: str, common: tuple[str, ...], expected: str | None
) -> None:
    existing = {"INBOX", "Drafts", "Entwürfe", "Sent"}
    assert pick_folder("MAILBOT_DRAFTS", None, existing, (special, *common), "INBOX") == expected


def test_a_folder_name_with_control_characters_is_shown_escaped() -> None:
    with pytest.raises(ConfigError) as raised:
        pick_folder("MAILBOT_SENT", "Se\x1b[31mnt", {"INBOX", "Bad\x07Name"}, (), "INBOX")
    text = str(raised.value)
    assert "\x1b" not in text and "\x07" not in text and "\\x1b" in text


def test_tls_to_a_plaintext_port_says_what_to_try(account: Account, tmp_path: Path) -> None:
    """WRONG_VERSION_NUMBER, in the user's language: which setting to change."""
    env = write_env(tmp_path, account, MAILBOT_IMAP_SECURITY="ssl", MAILBOT_IMAP_HOST="localhost")
    result = mailbot(tmp_path, env, "--run-once")
    assert result.returncode == 3, result.stderr
    assert "does not speak TLS on this port" in result.stderr
    assert "MAILBOT_IMAP_SECURITY=starttls" in result.stderr and "Traceback" not in result.stderr
