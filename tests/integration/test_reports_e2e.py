"""Issue 22 on Dovecot: reports on our draft (a bounce, a read receipt) are found by the
server search like answers (they thread to it), yet change nothing; `status` names the
address that bounced, and the person's real answer later still counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import on_behalf, reply
from conftest import FIXTURES
from dovecot import Account
from support import decisions, drafts, mailbot, run_json, seed_raw, status_json, write_env

pytestmark = pytest.mark.dovecot

FIXTURE_DRAFT = b"<20261207150028.a343ff802608da129c3cb0cf51d2910d.f4885a@owner.example>"
MARTA = "marta.nowak@post.example"


def report(name: str, draft_id: str) -> bytes:
    raw = (FIXTURES / "reports" / name).read_bytes()
    return raw.replace(FIXTURE_DRAFT, draft_id.encode())


def test_reports_on_our_draft_change_nothing_and_status_shows_the_bounce(
    account: Account, tmp_path: Path
) -> None:
    env = write_env(tmp_path, account)
    seed_raw(account, on_behalf("Marta Nowak", MARTA, "<i1@prod>", 5742011987))
    assert decisions(run_json(tmp_path, env)) == [("Marta Nowak", "ask", True)]
    [ask] = drafts(account)
    draft_id = ask["Message-ID"].strip()
    assert ask["To"] == f"Marta Nowak <{MARTA}>"

    seed_raw(
        account,
        report("exchange-ndr.eml", draft_id),  # no Return-Path, no Auto-Submitted
        report("exim-bounce.eml", draft_id),  # plain text
        report("mdn-read-receipt.eml", draft_id),  # from Marta's own address
    )
    found = run_json(tmp_path, env)
    assert decisions(found) == [("Marta Nowak", "ignore", False)] * 3
    assert all(p["withdrawn"] == [] for p in found["processed"])
    assert [d["Message-ID"].strip() for d in drafts(account)] == [draft_id]
    state = status_json(tmp_path, env)
    [marta] = state["open"]
    assert (marta["status"], marta["draft"]) == ("asked", {"step": "ask", "state": "stored"})
    assert [b["address"] for b in marta["bounced"]] == [MARTA, MARTA]  # type: ignore[union-attr, index]
    assert state["review"] == []
    text = mailbot(tmp_path, env, "status").stdout
    assert f"their address {MARTA} bounced (" in text

    answer = reply(f"Marta Nowak <{MARTA}>", draft_id, "No, we have never met.")
    seed_raw(account, answer)
    assert decisions(run_json(tmp_path, env)) == [("Marta Nowak", "explain", True)]
