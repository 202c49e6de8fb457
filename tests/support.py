"""Helpers for the end-to-end tests: seed a mailbox, run the real CLI, read what landed."""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
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


def mailbot(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mailbot", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_json(tmp_path: Path, env: dict[str, str], *args: str) -> dict[str, list[dict[str, object]]]:
    result = mailbot(tmp_path, env, "--run-once", "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]
