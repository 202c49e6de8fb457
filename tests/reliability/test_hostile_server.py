"""A broken or hostile IMAP server (issue 16): the real `mailbot` against tests/reliability/
fakeimap.py, one misbehaviour per test. Whatever the server does, the run ends in bounded
time and memory in one readable line (exit 1, or 3 when it cannot even log in), with no
traceback, and nothing is lost: the inbox cursor stays, so a later run against a sane
server still handles the mail."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from builders import invitation
from fakeimap import (
    FakeImap,
    Misbehaviour,
    endless_line,
    endless_untagged,
    huge_literal,
    select_with,
    status_with,
    untagged_then_ok,
    zeros,
)
from support import start_daemon, wait_for

MiB = 2**20
BOUND = 20.0  # seconds: no run may take longer, whatever the server does


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    max_rss: int  # bytes, of the mailbot process itself


def fake_env(tmp_path: Path, server: FakeImap, **extra: str) -> dict[str, str]:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("name,email\nAda Lovelace,ada@example.org\n")
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "MAILBOT_IMAP_HOST": "127.0.0.1",
        "MAILBOT_IMAP_PORT": str(server.port),
        "MAILBOT_IMAP_SECURITY": "plain",
        "MAILBOT_IMAP_USER": "robin",
        "MAILBOT_IMAP_PASSWORD": "secret",
        "MAILBOT_IMAP_TIMEOUT": "2",
        "MAILBOT_STATE": str(tmp_path / "state.sqlite3"),
        "MAILBOT_CONTACTS": str(contacts),
        "MAILBOT_OWNER_NAME": "Robin Owner",
        "MAILBOT_OWNER_EMAIL": "robin@owner.example",
        **extra,
    }


# Runs mailbot as its own child and reports its exit code and peak memory. Not wait4() on
# mailbot straight from pytest: Linux carries the RSS of the process that forks and execs
# into the child's ru_maxrss, and pytest may be large by then; this launcher is small.
LAUNCHER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
with open(sys.argv[1], "w") as out:
    out.write(f"{code} {peak}")
"""


def run(tmp_path: Path, env: dict[str, str], *args: str, bound: float = BOUND) -> Run:
    """The real `mailbot`, killed after `bound` seconds; its exit code and peak memory."""
    report = tmp_path / "run-report"
    report.unlink(missing_ok=True)
    command = [sys.executable, "-c", LAUNCHER, str(report), sys.executable, "-m", "mailbot"]
    started = time.monotonic()
    launcher = subprocess.Popen(
        [*command, *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: killed whole after `bound`
    )
    try:
        out, err = launcher.communicate(timeout=bound)
    except subprocess.TimeoutExpired:
        os.killpg(launcher.pid, signal.SIGKILL)
        out, err = launcher.communicate()
    seconds = time.monotonic() - started
    code, peak = report.read_text().split() if report.exists() else ("-9", "0")
    return Run(int(code), out, err, seconds, int(peak))


def assert_one_line(result: Run, *, codes: tuple[int, ...] = (1,), says: str = "") -> None:
    assert result.seconds < BOUND, f"still running after {result.seconds:.0f}s: {result.stderr}"
    assert result.code in codes, (result.code, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert says in lines[0], lines[0]


def cursor(tmp_path: Path) -> tuple[int, int] | None:
    state = tmp_path / "state.sqlite3"
    if not state.exists():
        return None
    with sqlite3.connect(state) as db:
        row = db.execute("SELECT uidvalidity, last_uid FROM cursors WHERE folder = 'INBOX'")
        found = row.fetchone()
    return (int(found[0]), int(found[1])) if found else None


def assert_nothing_lost(tmp_path: Path, env: dict[str, str], pending: int = 1) -> None:
    """The cursor did not move past the mail, and a sane server now gets it handled."""
    assert cursor(tmp_path) is None
    with FakeImap(messages=[invitation(f"Pending Person{i}") for i in range(pending)]) as sane:
        after = run(tmp_path, {**env, "MAILBOT_IMAP_PORT": str(sane.port)}, "--run-once", "--json")
    assert after.code == 0, after.stderr
    assert len(json.loads(after.stdout)["processed"]) == pending
    assert cursor(tmp_path) is not None


def test_a_sane_fake_server_gets_a_whole_cycle(tmp_path: Path) -> None:
    with FakeImap(messages=[invitation("Pat Stranger")]) as server:
        result = run(tmp_path, fake_env(tmp_path, server), "--run-once", "--json")
        assert result.code == 0, result.stderr
        assert "APPEND" in server.commands  # the "have we met?" draft
    report = json.loads(result.stdout)
    assert [p["decision"] for p in report["processed"]] == ["ask"]


@pytest.mark.parametrize(
    ("command", "misbehaviour", "says"),
    [
        ("UID FETCH", huge_literal(), "literal"),  # 2 GB announced, 512 MB sent if read
        ("UID FETCH", endless_line(), "line"),
    ],
    ids=["2GB-literal", "endless-line"],
)
def test_a_huge_answer_is_refused_and_memory_stays_low(
    tmp_path: Path, command: str, misbehaviour: Misbehaviour, says: str
) -> None:
    with FakeImap({command: misbehaviour}, messages=[invitation("Pat Stranger")]) as server:
        env = fake_env(tmp_path, server)
        result = run(tmp_path, env, "--run-once")
    assert_one_line(result, says=says)
    assert result.max_rss < 200 * MiB, f"peak memory {result.max_rss / MiB:.0f} MiB"
    assert_nothing_lost(tmp_path, env)


def test_a_huge_literal_in_the_greeting_is_refused(tmp_path: Path) -> None:
    """Before any command: the greeting itself announces 2 GB (and sends 512 MB of it)."""
    with FakeImap(greeting="* OK {2147483648}", after_greeting=zeros) as server:
        result = run(tmp_path, fake_env(tmp_path, server), "--run-once")
    assert_one_line(result, codes=(3,), says="literal")
    assert result.max_rss < 200 * MiB, f"peak memory {result.max_rss / MiB:.0f} MiB"


@pytest.mark.parametrize("pause", [0.01, 0.0], ids=["trickle", "flood"])
def test_an_endless_stream_of_untagged_lines_ends_in_time(tmp_path: Path, pause: float) -> None:
    """Data keeps arriving, so the socket timeout never fires: each command's deadline
    (MAILBOT_IMAP_TIMEOUT x a few) and its answer's size limits end it."""
    with FakeImap(
        {"UID SEARCH": endless_untagged(pause=pause)}, messages=[invitation("Pat Stranger")]
    ) as server:
        env = fake_env(tmp_path, server, MAILBOT_IMAP_TIMEOUT="1")
        result = run(tmp_path, env, "--run-once")
    assert_one_line(result, says="IMAP search failed")
    assert result.seconds < 10, result.seconds
    assert result.max_rss < 250 * MiB, f"peak memory {result.max_rss / MiB:.0f} MiB"
    assert_nothing_lost(tmp_path, env)


TOO_BIG = str(2**63)
NUMBERS = [
    ("STATUS", status_with({"UIDNEXT": str(2**64)}), "UIDNEXT"),
    ("STATUS", status_with({"UIDVALIDITY": TOO_BIG}), "UIDVALIDITY"),
    ("STATUS", status_with({"UIDVALIDITY": "abc"}), "UIDVALIDITY"),
    ("STATUS", status_with({"UIDNEXT": "-5"}), "UIDNEXT"),
    ("EXAMINE", select_with({"UIDNEXT": TOO_BIG}), "UIDNEXT"),
    ("EXAMINE", select_with({"UIDVALIDITY": "12abc"}), "UIDVALIDITY"),
]


@pytest.mark.parametrize(
    ("command", "misbehaviour", "says"),
    NUMBERS,
    ids=["status-uidnext-2**64", "status-uidvalidity-2**63", "status-uidvalidity-abc",
         "status-uidnext-negative", "select-uidnext-2**63", "select-uidvalidity-12abc"],
)  # fmt: skip
def test_numbers_out_of_range_or_not_numbers(
    tmp_path: Path, command: str, misbehaviour: Misbehaviour, says: str
) -> None:
    with FakeImap({command: misbehaviour}, messages=[invitation("Pat Stranger")]) as server:
        env = fake_env(tmp_path, server)
        result = run(tmp_path, env, "--run-once")
        checked = run(tmp_path, env, "check")
    assert_one_line(result, says=says)
    assert "Traceback" not in checked.stderr, checked.stderr
    if command == "EXAMINE":  # `check` selects the inbox (it never asks STATUS)
        assert checked.code == 1, checked.stdout
        assert any(line.startswith("ERR") and says in line for line in checked.stdout.splitlines())
    assert_nothing_lost(tmp_path, env)


def test_a_folder_name_in_broken_modified_utf7_is_skipped(tmp_path: Path) -> None:
    folders = [(r"\HasNoChildren", "INBOX"), (r"\HasNoChildren", "&Zm9v-"),
               (r"\HasNoChildren \Drafts", "Drafts"), (r"\HasNoChildren \Sent", "Sent")]  # fmt: skip
    with FakeImap(messages=[invitation("Pat Stranger")], folders=folders) as server:
        env = fake_env(tmp_path, server)
        result = run(tmp_path, env, "--run-once", "--json")
        checked = run(tmp_path, env, "check")
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    assert [p["decision"] for p in json.loads(result.stdout)["processed"]] == ["ask"]
    assert len(result.stderr.strip().splitlines()) <= 1, result.stderr  # one warning at most
    assert "&Zm9v-" in result.stderr
    assert checked.code == 0 and "Traceback" not in checked.stderr, checked.stdout + checked.stderr
    assert "Drafts" in checked.stdout and "Sent" in checked.stdout


def test_folder_names_with_control_characters_are_printed_escaped(tmp_path: Path) -> None:
    """A Drafts folder named with a terminal escape and a Sent folder with a line break (in
    modified UTF-7, as LIST sends them): `check` and the --run-once log show them escaped,
    never as the terminal would act on them or as a forged log line."""
    folders = [(r"\HasNoChildren", "INBOX"), (r"\HasNoChildren \Drafts", "Dr&ABs-[31mafts"),
               (r"\HasNoChildren \Sent", "Se&AAo-nt")]  # fmt: skip
    with FakeImap(messages=[invitation("Pat Stranger")], folders=folders) as server:
        env = fake_env(tmp_path, server, MAILBOT_LOG_LEVEL="debug")
        result = run(tmp_path, env, "--run-once")
        checked = run(tmp_path, env, "check")
    assert result.code == 0 and checked.code == 0, (result.stderr, checked.stdout)
    assert "draft stored" in result.stdout
    for output in (result.stdout + result.stderr, checked.stdout + checked.stderr):
        assert "\x1b" not in output and "Se\nnt" not in output, output
    assert "Dr\\x1b[31mafts" in result.stderr  # where the draft was stored
    assert "Dr\\x1b[31mafts" in checked.stdout and "Se\\nnt" in checked.stdout


def test_a_search_answer_split_over_several_lines_is_read_whole(tmp_path: Path) -> None:
    names = ["Pat Stranger", "Sam Stranger", "Kim Stranger"]
    split = untagged_then_ok("* SEARCH 1", "* SEARCH", "* SEARCH 2 3")
    with FakeImap({"UID SEARCH": split}, messages=[invitation(n) for n in names]) as server:
        result = run(tmp_path, fake_env(tmp_path, server), "--run-once", "--json")
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    assert len(json.loads(result.stdout)["processed"]) == len(names)
    assert cursor(tmp_path) is not None and cursor(tmp_path)[1] == len(names)  # type: ignore[index]


def test_sigterm_stops_a_daemon_stuck_on_an_endless_answer(tmp_path: Path) -> None:
    """The command's own deadline is two minutes away (MAILBOT_IMAP_TIMEOUT=30): only the
    stop handling can end it within seconds."""
    with FakeImap(
        {"UID SEARCH": endless_untagged()}, messages=[invitation("Pat Stranger")]
    ) as server:
        env = fake_env(tmp_path, server, MAILBOT_IMAP_TIMEOUT="30", MAILBOT_POLL_INTERVAL="3600")
        daemon = start_daemon(tmp_path, env)
        try:
            wait_for(lambda: server.asked("UID SEARCH"), seconds=15)
            time.sleep(1)  # well inside the endless answer now
            asked = time.monotonic()
            daemon.send_signal(signal.SIGTERM)
            _, err = daemon.communicate(timeout=10)
            took = time.monotonic() - asked
        finally:
            if daemon.poll() is None:
                daemon.kill()
                daemon.communicate()
    assert daemon.returncode == 0 and "Traceback" not in err, err
    assert took < 10 and "mailbot stopped" in err, (took, err)
    assert cursor(tmp_path) is None


def test_an_answer_nested_thousands_of_levels_deep_is_one_line(tmp_path: Path) -> None:
    """imapclient's parser recurses per parenthesis: 5,000 levels raised RecursionError,
    a traceback. It is a malformed answer like any other."""
    nested = "* 1 FETCH (UID 1 X " + "(" * 5000 + ")" * 5000 + ")"
    with FakeImap(
        {"UID FETCH": untagged_then_ok(nested)}, messages=[invitation("Pat Stranger")]
    ) as server:
        env = fake_env(tmp_path, server)
        result = run(tmp_path, env, "--run-once")
    assert_one_line(result, says="not valid IMAP")
    assert_nothing_lost(tmp_path, env)
