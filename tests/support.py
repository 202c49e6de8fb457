"""Helpers for the end-to-end tests: seed a mailbox, run the real CLI, read what landed."""

from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import fixture_bytes
from dovecot import Account


def seed_raw(account: Account, *messages: bytes, folder: str = "INBOX") -> None:
    with account.client() as client:
        for raw in messages:
            client.append(folder, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))


def seed(account: Account, *names: str, folder: str = "INBOX") -> None:
    seed_raw(account, *(fixture_bytes(name) for name in names), folder=folder)


def folder_messages(account: Account, folder: str) -> dict[int, dict[bytes, object]]:
    with account.client() as client:
        client.select_folder(folder, readonly=True)
        uids = client.search(["ALL"])
        return client.fetch(uids, ["FLAGS", "BODY.PEEK[]"]) if uids else {}


def drafts(account: Account, folder: str = "Drafts") -> list[email.message.EmailMessage]:
    messages = folder_messages(account, folder)
    return [
        email.message_from_bytes(data[b"BODY[]"], policy=email.policy.default)  # type: ignore[arg-type]
        for data in messages.values()
    ]


def write_env(tmp_path: Path, account: Account, **extra: str) -> dict[str, str]:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("name,email\nDaniel O'Brien,\nAda Lovelace,ada@example.org\n")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        **account.env(),
        "MAILBOT_STATE": str(tmp_path / "state.sqlite3"),
        "MAILBOT_CONTACTS": str(contacts),
        "MAILBOT_OWNER_NAME": "Robin Owner",
        "MAILBOT_OWNER_EMAIL": "robin@owner.example",
        "MAILBOT_OWNER_PHONE": "+44 20 7946 0000",
    }
    env.update(extra)
    return env


def mailbot(
    tmp_path: Path, env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The real `mailbot` command, run once in `tmp_path` with exactly `env`."""
    return subprocess.run(
        [sys.executable, "-m", "mailbot", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_json(tmp_path: Path, env: dict[str, str], *args: str) -> dict[str, list[dict[str, object]]]:
    result = mailbot(tmp_path, env, "--run-once", "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def start_daemon(cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """The real `mailbot` daemon as a child process, its output captured."""
    return subprocess.Popen(
        [sys.executable, "-m", "mailbot"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop_daemon(daemon: subprocess.Popen[str]) -> tuple[int, str]:
    """SIGTERM, and its exit code and stderr (killed if it does not stop within 10 s)."""
    if daemon.poll() is None:
        daemon.send_signal(signal.SIGTERM)
    try:
        _, err = daemon.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        daemon.kill()
        _, err = daemon.communicate()
    return daemon.returncode, err


def wait_for(condition: Callable[[], object], seconds: float = 30) -> float:
    """Seconds until condition() held; the test fails if it never does."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if condition():
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"not true within {seconds}s")


def body(msg: email.message.EmailMessage) -> str:
    """The plain text of a draft as a format=flowed-aware client shows it (RFC 3676):
    soft line breaks joined, space-stuffing removed, so each paragraph is one line."""
    part = msg.get_body(("plain",))
    assert isinstance(part, email.message.EmailMessage)
    text = str(part.get_content()).replace("\r\n", "\n")
    if part.get_param("format") != "flowed":
        return text
    lines: list[str] = []
    for line in text.split("\n"):
        line = line[1:] if line.startswith(" ") else line
        if lines and lines[-1].endswith(" ") and lines[-1] != "-- ":
            lines[-1] += line
        else:
            lines.append(line)
    return "\n".join(lines)


def a_day_passes(tmp_path: Path) -> None:
    """Our drafts found missing were found missing a day and a half ago."""
    with sqlite3.connect(tmp_path / "state.sqlite3") as db:
        db.execute(
            "UPDATE drafts SET missing_since = ? WHERE state = 'missing'",
            ((datetime.now(UTC) - timedelta(hours=36)).isoformat(timespec="seconds"),),
        )


def decisions(report: dict[str, list[dict[str, object]]]) -> list[tuple[object, object, object]]:
    """(requester, decision, draft stored) of each message a --run-once --json handled."""
    return [(p["requester"], p["decision"], p["draft"]) for p in report["processed"]]


def status_json(tmp_path: Path, env: dict[str, str]) -> dict[str, list[dict[str, object]]]:
    result = mailbot(tmp_path, env, "status", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def decide_json(tmp_path: Path, env: dict[str, str], who: str, verdict: str) -> dict[str, object]:
    result = mailbot(tmp_path, env, "decide", who, "--as", verdict, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def delete_message(account: Account, folder: str, message_id: str) -> None:
    """What a mail client does when the owner deletes a message."""
    with account.client() as client:
        client.select_folder(folder)
        uids = client.search(["HEADER", "Message-ID", message_id])
        assert uids
        client.delete_messages(uids)
        client.expunge()


def who_json(tmp_path: Path, env: dict[str, str], name: str) -> dict[str, object]:
    """`mailbot who NAME --json`, which must succeed without a traceback."""
    result = mailbot(tmp_path, env, "who", name, "--json")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def outcomes(report: dict[str, list[dict[str, object]]]) -> dict[object, tuple[object, object]]:
    """requester -> (decision, first reason) of a --run-once --json report."""
    return {p["requester"]: (p["decision"], p["reasons"][0]) for p in report["processed"]}  # type: ignore[index]
