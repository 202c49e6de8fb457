"""Hostile and broken input: thousands of mutated messages through the whole pipeline,
injection attempts in names and notes, and a 50 MB message. Nothing crashes, nothing is
injected, memory stays flat."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import mailbox
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from builders import invitation
from dovecot import Account
from mutations import mutate
from support import body, drafts, mailbot, run_json, seed_raw, write_env

from mailbot.mailboxes.base import token_in

pytestmark = pytest.mark.dovecot
FULL = os.environ.get("MAILBOT_RELIABILITY_FULL") == "1"
MUTANTS = 10_000 if FULL else 2_000
ALLOWED_HEADERS = {
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "content-type",
    "content-transfer-encoding",
    "mime-version",
}


def mutated(rng: random.Random) -> bytes:
    return mutate(rng.choice, rng.randint, lambda most: rng.randbytes(rng.randint(0, most)))


def test_thousands_of_mutated_messages(account: Account, tmp_path: Path) -> None:
    """The whole pipeline over mutated real-shaped mail (a Maildir, for speed)."""
    root = tmp_path / "Maildir"
    box = mailbox.Maildir(str(root), create=True)
    box.add_folder("Drafts")
    rng = random.Random(20261126)  # noqa: S311 - reproducible test data
    for _ in range(MUTANTS):
        box.add(mutated(rng))  # bytes are written as they are
    env = write_env(tmp_path, account, MAILBOT_MAILDIR=str(root))
    result = mailbot(tmp_path, env, "--run-once", "--json", timeout=600)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr[-2000:]
    report = json.loads(result.stdout)
    skipped = [e for e in report["errors"] if "skipped" in e]
    assert len(skipped) == len(
        report["errors"]
    )  # nothing failed but what was skipped, with a reason
    stored = sum(1 for p in report["processed"] if p["draft"])
    found = list((root / ".Drafts" / "cur").iterdir())
    tokens = [token_in(p.read_bytes()) for p in found]
    assert len(set(tokens)) == len(tokens) > 0  # never the same draft twice
    with sqlite3.connect(tmp_path / "state.sqlite3") as db:
        recorded = {t for (t,) in db.execute("SELECT token FROM drafts WHERE state = 'stored'")}
    assert set(tokens) == recorded  # and every draft in Drafts is one the state knows
    print(
        f"{MUTANTS} mutated messages: {len(report['processed'])} looked at, {stored} drafts, "
        f"{len(skipped)} skipped, 0 crashes"
    )


def _encoded(text: str) -> str:
    return f"=?utf-8?b?{base64.b64encode(text.encode()).decode()}?="


HOSTILE_NAMES = [
    "Eve\r\nBcc: victim@example.org",
    "Eve {{ 7*7 }} {% include '/etc/passwd' %}",
    "Eve <script>alert(1)</script>",
    "Eve \u202egnp.exe\u202c \u200bZero\u200dWidth",
    "Eve\x00Null",
]
HOSTILE_NOTES = [
    "Growing my network.\r\nBcc: victim@example.org\r\n\r\n{{ config }} {% raw %}x{% endraw %}",
    "<script>document.location='https://evil.example'</script> widening my network",
    "\u202eeviL\u202c reading order \u200b\u200c\u200d widening my network \x00 nul",
    "A" * 1_000_000,
]


def hostile_invitation(i: int, name: str, note: str | None) -> bytes:
    body = (
        f"Hi Robin, {note}\n\n"
        if note
        else "Hi Robin, I’d like to join your professional network\n\n"
    )
    body += (
        f"Eve Attacker\nRed Team\n\nAccept:https://www.linkedin.com/comm/mynetwork/invite-accept/"
        f"invitationId/77{i:016d}/sharedKey/x/?trk=eml-email_m2m_invite_single_01-x\n\n"
        f"View profile:https://www.linkedin.com/comm/in/eve-{i}?trk=x\n"
    )
    return (
        f"From: {_encoded(name)} <invitations@linkedin.com>\r\n"
        f"Subject: {_encoded('I want to connect' + chr(13) + chr(10) + 'Bcc: x@example.org')}\r\n"
        f"Message-ID: <hostile-{i}@linkedin.com>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode() + base64.encodebytes(body.encode())


def test_injection_attempts_change_no_header_and_run_no_template(
    account: Account, tmp_path: Path
) -> None:
    cases = [(n, None) for n in HOSTILE_NAMES] + [("Eve Attacker", note) for note in HOSTILE_NOTES]
    seed_raw(account, *(hostile_invitation(i, name, note) for i, (name, note) in enumerate(cases)))
    report = run_json(tmp_path, write_env(tmp_path, account))
    assert len(report["processed"]) == len(cases) and report["errors"] == []
    stored = drafts(account)
    assert len(stored) == sum(1 for p in report["processed"] if p["draft"]) >= len(HOSTILE_NAMES)
    for draft in stored:
        assert {key.lower() for key in draft} <= ALLOWED_HEADERS, draft.keys()
        assert draft["Bcc"] is None and not draft.defects
        assert all(not getattr(draft[key], "defects", ()) for key in draft)
        raw = draft.as_bytes(policy=email.policy.SMTP)
        assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
        text = body(draft)
        assert "49" not in text.replace("+44 20 7946 0000", "")  # {{ 7*7 }} never evaluated
        assert "root:" not in text and "\x00" not in text


def test_a_50_mb_message_is_not_fetched_whole(account: Account, tmp_path: Path) -> None:
    huge = email.message.EmailMessage()
    huge["From"] = "LinkedIn <jobs-noreply@linkedin.com>"
    huge["Subject"] = "Your weekly report"
    huge.set_content("See the attachment.")
    huge.add_attachment(
        os.urandom(50 * 1024 * 1024),
        maintype="application",
        subtype="octet-stream",
        filename="report.bin",
    )
    seed_raw(account, huge.as_bytes(), invitation("Small Stranger"))
    del huge
    env = write_env(tmp_path, account)
    # A small parent measures mailbot's peak: a child forked from this big test process
    # would report our memory as its own.
    measure = (
        "import json, resource, subprocess, sys; "
        "r = subprocess.run([sys.executable, '-m', 'mailbot', '--run-once', '--json'], "
        "capture_output=True, text=True); "
        "print(json.dumps([r.returncode, r.stdout, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", measure],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    code, stdout, peak_kb = json.loads(result.stdout)
    assert code == 0
    peak_mb = peak_kb / 1024
    report = json.loads(stdout)
    assert [p["decision"] for p in report["processed"]] == ["ignore", "ask"]
    print(f"peak RSS with a 50 MB message in the inbox: {peak_mb:.0f} MB")
    assert peak_mb < 150, (
        peak_mb
    )  # the message is 50 MB, base64 70 MB: fetched whole it would not fit
