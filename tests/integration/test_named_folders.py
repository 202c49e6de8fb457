"""A folder the owner named that does not exist is an error naming the key (issue 16):
`check` says ERR (exit 1), every other command exits 2 in one line. A typo in
MAILBOT_SENT must never quietly turn people the owner wrote to into strangers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import invitation
from conftest import require_dovecot
from dovecot import Account, Dovecot
from support import drafts, folder_messages, mailbot, seed_raw, write_env

from mailbot.errors import ConfigError
from mailbot.identity import token_of
from mailbot.mailboxes.base import pick_folder, token_in

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


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("MAILBOT_SENT", "Sentt"),
        ("MAILBOT_INBOX", "Inbocks"),
        ("MAILBOT_DRAFTS", "Draftz"),
        ("MAILBOT_HISTORY_FOLDERS", "Sent,Archiv"),
    ],
)
def test_a_named_folder_that_does_not_exist_stops_every_command_with_nothing_new(
    account: Account, tmp_path: Path, key: str, value: str
) -> None:
    """Not only when an invitation makes mailbot read the history: a run that finds nothing
    new, a dry run, `who` and the daemon at its start all refuse the typo (exit 2)."""
    good = write_env(tmp_path, account)
    assert mailbot(tmp_path, good, "--run-once").returncode == 0  # the cursor is current
    env = {**good, key: value}
    for args in (("--run-once",), ("--run-once", "--dry-run"), ("who", "Priya Raman"), ()):
        result = mailbot(tmp_path, env, *args, timeout=30)  # () is the daemon: it must not run
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert key in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)


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


def _mailbox(name: str, special_use: str = "") -> str:
    """A Dovecot `mailbox` block: the folder exists from the start, with this flag."""
    flag = f"    special_use = {special_use}\n" if special_use else ""
    return f"  mailbox {name} {{\n{flag}    auto = create\n  }}\n"


@pytest.fixture
def drafts_flag_on(request: pytest.FixtureRequest) -> Iterator[tuple[Dovecot, str]]:
    """A server whose folder list marks the watched folder (the parameter) \\Drafts; a
    plain Drafts folder beside a watched folder that is not INBOX, none beside INBOX."""
    require_dovecot()
    watched: str = request.param
    plain = _mailbox("Drafts") if watched != "INBOX" else ""
    server = Dovecot(mailboxes=_mailbox(watched, "\\Drafts") + plain + _mailbox("Sent", "\\Sent"))
    server.start()
    yield server, watched
    server.stop()


@pytest.mark.parametrize("drafts_flag_on", ["INBOX", "Requests"], indirect=True)
def test_drafts_never_go_to_a_watched_folder_the_server_marks_drafts(
    drafts_flag_on: tuple[Dovecot, str], tmp_path: Path
) -> None:
    """The real command against a server whose LIST says the watched folder is \\Drafts:
    the drafts go to a Drafts folder (created if there is none), the watched folder gets
    nothing appended, on the first run and on the next one."""
    server, watched = drafts_flag_on
    account = server.add_account()
    with account.client() as client:
        flagged = [name for flags, _, name in client.list_folders() if b"\\Drafts" in flags]
    assert flagged == [watched]
    env = write_env(tmp_path, account, MAILBOT_INBOX=watched)
    for seeded, name in enumerate(("Priya Raman", "Jonas Weber"), start=1):
        seed_raw(account, invitation(name), folder=watched)
        result = mailbot(tmp_path, env, "--run-once", "--json")
        assert result.returncode == 0, result.stderr
        inbox = folder_messages(account, watched)
        assert not any(token_in(data[b"BODY[]"]) for data in inbox.values())  # type: ignore[arg-type]
        assert len(inbox) == seeded  # the invitations, nothing appended
        assert [p["draft"] for p in json.loads(result.stdout)["processed"]] == [True]
    stored = drafts(account, "Drafts")
    assert len(stored) == 2 and all(token_of(draft["Message-ID"]) for draft in stored)
    check = mailbot(tmp_path, env, "check")
    assert any(line.split()[1:3] == ["drafts", "Drafts"] for line in check.stdout.splitlines()), (
        check.stdout
    )


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
