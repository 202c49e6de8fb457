"""Real families end to end (issue 14), through the real `mailbot` command on Dovecot:
an invitation LinkedIn sent on the inviter's behalf gets a draft addressed to them, an
answer in the 2026 messaging digest is followed, a forged one gets nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import invitation
from conftest import fixture_bytes
from dovecot import Account
from support import drafts, run_json, seed_raw, write_env

pytestmark = pytest.mark.dovecot


def test_an_invitation_sent_on_the_inviters_behalf_is_drafted_to_them(
    account: Account, tmp_path: Path
) -> None:
    seed_raw(account, fixture_bytes("li-2013-on-behalf.eml"))
    report = run_json(tmp_path, write_env(tmp_path, account, MAILBOT_LOOKBACK_DAYS="36500"))
    assert [(p["requester"], p["decision"], p["draft"]) for p in report["processed"]] == [
        ("Marta Nowak", "ask", True)
    ]
    [draft] = drafts(account)
    assert draft["To"].addresses[0].addr_spec == "marta.nowak@post.example"


def test_an_answer_in_the_messaging_digest_is_followed(account: Account, tmp_path: Path) -> None:
    env = write_env(tmp_path, account)
    seed_raw(account, invitation("Priya Raman"))
    assert [p["decision"] for p in run_json(tmp_path, env)["processed"]] == ["ask"]
    seed_raw(account, fixture_bytes("li-2026-messaging-digest.eml"))
    answered = run_json(tmp_path, env)["processed"]
    assert [(p["requester"], p["decision"], p["draft"]) for p in answered] == [
        ("Priya Raman", "explain", True)
    ]


@pytest.mark.parametrize(
    "forgery",
    [
        "lookalike-encoded-display.eml",
        "lookalike-two-from.eml",
        "lookalike-on-behalf-spf-fail.eml",
        "xing-auth-fail.eml",
        "xing-links-elsewhere.eml",
    ],
)
def test_a_forgery_gets_no_draft(account: Account, tmp_path: Path, forgery: str) -> None:
    seed_raw(account, fixture_bytes(forgery))
    report = run_json(tmp_path, write_env(tmp_path, account, MAILBOT_LOOKBACK_DAYS="36500"))
    assert [p["decision"] for p in report["processed"]] == ["ignore"]
    assert "look-alike" in str(report["processed"][0]["reasons"])
    assert drafts(account) == []
