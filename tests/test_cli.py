"""The commands that need no server: `mailbot parse`, `mailbot demo`, usage errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES


def mailbot(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "mailbot", *args],
        input=stdin,
        cwd=cwd,
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_parse_json_one_object_per_file(tmp_path: Path) -> None:
    invitation = FIXTURES / "li-2026-current-personal-note.eml"
    other = FIXTURES / "li-job-alert.eml"
    result = mailbot("parse", "--json", str(invitation), str(tmp_path / "missing.eml"), str(other))
    assert result.returncode == 2  # one file was unreadable ...
    assert b"missing.eml" in result.stderr and b"Traceback" not in result.stderr
    first, second = (
        json.loads(line) for line in result.stdout.decode().splitlines()
    )  # ... the rest parsed
    assert set(first) == {
        "file",
        "kind",
        "network",
        "requester",
        "note",
        "language",
        "note_language",
        "key",
        "message_id",
        "reasons",
    }
    assert first["kind"] == "invitation" and first["network"] == "linkedin"
    assert first["requester"]["name"] == "Tomás Ortega"
    assert set(first["requester"]) == {"name", "headline", "profile_url", "email", "common"}
    assert first["note"].startswith("we met at the PyCon Berlin")
    assert first["note_language"] == "en"  # the reply's language: theirs
    assert (second["kind"], second["requester"], second["note"]) == ("other", None, None)


def test_parse_reads_stdin_and_prints_a_summary() -> None:
    result = mailbot("parse", "-", stdin=(FIXTURES / "li-2026-current-default.eml").read_bytes())
    assert result.returncode == 0
    out = result.stdout.decode()
    assert "invitation (linkedin)" in out and "Priya Raman" in out and "note:     (none)" in out


def test_demo_shows_the_whole_conversation(tmp_path: Path) -> None:
    """`mailbot demo`: every decision, then the answer and the explanation, on a Maildir."""
    result = mailbot("demo", "--json", "--dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    first, second = (cycle["processed"] for cycle in report["cycles"])
    assert {p["decision"] for p in first} == {"ask", "explain", "known", "review", "ignore"}
    assert any("imitates a LinkedIn invitation" in p["reasons"][0] for p in first)
    assert [(p["requester"], p["decision"], p["draft"]) for p in second] == [
        ("Priya Raman", "explain", True)
    ]
    subjects = sorted(d["subject"] for d in report["drafts"])
    assert subjects == [  # no address is known: a note to the owner, one per person
        "Paste into LinkedIn: reply to Lucía",
        "Paste into LinkedIn: reply to Priya Raman",
        "Paste into LinkedIn: reply to Sam Widener",
    ]  # Priya's "have we met?" was withdrawn
    human = mailbot("demo", "--dir", str(tmp_path))
    assert human.returncode == 0 and b"EXPLAIN  Priya Raman" in human.stdout


def test_dry_run_without_run_once_is_a_usage_error(tmp_path: Path) -> None:
    result = mailbot("--dry-run", cwd=tmp_path)
    assert result.returncode == 2 and b"--dry-run" in result.stderr


def test_demo_creates_the_folder_it_is_given_and_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "new" / "demo"
    made = mailbot("demo", "--dir", str(target))
    assert made.returncode == 0, made.stderr
    assert (target / "Maildir" / ".Drafts" / "cur").is_dir()
    afile = tmp_path / "afile"
    afile.write_text("x")
    refused = mailbot("demo", "--dir", str(afile))
    assert refused.returncode == 2 and b"--dir" in refused.stderr
    assert b"Traceback" not in refused.stderr


def test_output_into_a_closed_pipe_ends_quietly() -> None:
    """`mailbot demo | head`: the reader has gone; no traceback, the shell's SIGPIPE code."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "mailbot", "demo"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 141 and result.stderr == b"", result.stderr


def test_json_alone_does_not_start_the_daemon(tmp_path: Path) -> None:
    result = mailbot("--json", cwd=tmp_path)
    assert result.returncode == 2 and b"--json" in result.stderr


def test_every_command_takes_env_file_after_the_command(tmp_path: Path) -> None:
    fixture = str(FIXTURES / "li-job-alert.eml")
    result = mailbot("parse", fixture, "--env-file", str(tmp_path / "x.env"))
    assert result.returncode == 0, result.stderr


def test_setup_is_a_command_of_mailbot_itself(tmp_path: Path) -> None:
    """`mailbot setup` is wired into the one command line: its help, and its one-line
    usage errors with exit 2 (mailbot/setup/command.py does the work)."""
    shown = mailbot("--help")
    assert shown.returncode == 0 and b"setup" in shown.stdout
    helped = mailbot("setup", "--help")
    assert helped.returncode == 0 and b"ADDRESS" in helped.stdout and b"--login" in helped.stdout
    refused = mailbot("setup", "--non-interactive")
    assert refused.returncode == 2
    assert refused.stderr.strip() == b"mailbot: --non-interactive needs ADDRESS and --name"
