"""The seed's two-step conversation, end to end on Dovecot."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest
from builders import invitation, network_message, reply
from dovecot import Account
from support import body, drafts, mailbot, run_json, seed, seed_raw, write_env

pytestmark = pytest.mark.dovecot


def by_decision(report: dict[str, list[dict[str, object]]]) -> list[tuple[object, object, object]]:
    return [(p["requester"], p["decision"], p["draft"]) for p in report["processed"]]


def test_conversation_by_network_message(account: Account, tmp_path: Path) -> None:
    """ask -> "never met, growing my network" -> explain; the unedited ask draft is withdrawn."""
    env = write_env(tmp_path, account, MAILBOT_OWNER_TWITTER="@robin_owner")
    seed_raw(account, invitation("Zed Stranger"))
    assert by_decision(run_json(tmp_path, env)) == [("Zed Stranger", "ask", True)]
    [ask] = drafts(account)

    seed_raw(
        account,
        network_message("Zed Stranger", "No, we have never met. Just growing my network."),
        network_message("Una Known", "Hi, are you hiring?"),
    )
    report = run_json(tmp_path, env)
    assert by_decision(report) == [
        ("Zed Stranger", "explain", True),
        ("Una Known", "ignore", False),
    ]
    [explain] = drafts(account)  # the ask draft is gone, the explanation is there
    assert explain["Message-ID"] != ask["Message-ID"]
    text = body(explain)
    assert "I only connect with people I know" in text and "X: @robin_owner" in text
    assert "+44 20 7946 0000" in text and "InMail" not in text
    assert explain["Subject"] == "Paste into LinkedIn: reply to Zed Stranger"

    status = mailbot(tmp_path, env, "status", "--json")
    assert status.returncode == 0, status.stderr
    [open_one] = json.loads(status.stdout)["open"]
    assert open_one["name"] == "Zed Stranger" and open_one["status"] == "explained"
    assert [e["what"] for e in open_one["history"]] == ["ask", "explain"]


def test_conversation_by_email_in_french(account: Account, tmp_path: Path) -> None:
    """An email answer threaded to our draft gets an explanation in its language, to its sender."""
    env = write_env(tmp_path, account)
    seed_raw(account, invitation("Chloé Petit"))
    run_json(tmp_path, env)
    [ask] = drafts(account)
    answer = reply(
        "Chloé Petit <chloe@exemple.fr>",
        ask["Message-ID"],
        "Non, nous ne nous connaissons pas, je souhaite simplement élargir mon réseau.",
    )
    seed_raw(account, answer)
    assert by_decision(run_json(tmp_path, env)) == [("Chloé Petit", "explain", True)]
    [explain] = drafts(account)
    assert explain["To"] == "Chloé Petit <chloe@exemple.fr>"
    parent = email.message_from_bytes(answer, policy=email.policy.default)["Message-ID"]
    assert explain["In-Reply-To"].strip() == parent
    assert "Bonjour Chloé" in body(explain) and "[mailbot]" not in body(explain)


def test_we_met_goes_to_review_and_reminders_add_nothing(account: Account, tmp_path: Path) -> None:
    env = write_env(tmp_path, account)
    seed_raw(account, invitation("Ivo Claim", invitation_id=7500000000000000001))
    run_json(tmp_path, env)
    seed_raw(
        account,
        network_message("Ivo Claim", "Yes, we met at the PyData meetup in Berlin."),
        invitation("Ivo Claim", invitation_id=7500000000000000001),  # a reminder
        invitation("Ivo Claim", invitation_id=7500000000000000002),
    )  # a second invitation
    report = run_json(tmp_path, env)
    assert by_decision(report) == [
        ("Ivo Claim", "review", False),
        ("Ivo Claim", "review", False),
        ("Ivo Claim", "review", False),
    ]
    assert "PyData meetup" in report["processed"][0]["reasons"][0]
    assert drafts(account) == []  # the unedited ask draft was withdrawn; nothing new
    status = json.loads(mailbot(tmp_path, env, "status", "--json").stdout)
    assert [c["name"] for c in status["review"]] == ["Ivo Claim"]


def test_edited_draft_survives_unedited_is_withdrawn(account: Account, tmp_path: Path) -> None:
    env = write_env(tmp_path, account)
    seed_raw(account, invitation("Ann Edit"), invitation("Bo Plain"))
    run_json(tmp_path, env)
    with account.client() as client:  # the owner edits Ann's draft, as a mail client does
        client.select_folder("Drafts")
        for uid, data in client.fetch(client.search(["ALL"]), ["BODY.PEEK[]"]).items():
            raw = data[b"BODY[]"]
            if b"Ann" in raw:
                client.append(
                    "Drafts", raw.replace(b"Thanks for", b"Many thanks for"), flags=[b"\\Draft"]
                )
                client.delete_messages([uid])
                client.expunge()
    seed_raw(
        account,
        network_message("Ann Edit", "Hello, how are you?"),
        network_message("Bo Plain", "Hello, how are you?"),
    )
    report = run_json(tmp_path, env)
    assert [p["decision"] for p in report["processed"]] == ["review", "review"]
    [kept] = drafts(account)
    assert "Many thanks" in body(kept) and "Ann" in body(kept)


def test_known_people_get_no_draft_unless_welcome_is_on(account: Account, tmp_path: Path) -> None:
    seed(account, "li-2024-please-add-me.eml", "li-2026-de-default.eml")
    report = run_json(tmp_path, write_env(tmp_path, account, MAILBOT_WELCOME_KNOWN="true"))
    assert by_decision(report) == [
        ("Daniel O'Brien", "known", True),
        ("Katrin Weißmann", "ask", True),
    ]
    texts = sorted(body(d) for d in drafts(account))
    assert any("Great to be connected" in t and "hope all" in t for t in texts)
    # Katrin's notification is in German (the owner's LinkedIn language), but she wrote
    # nothing: her ask is in the owner's MAILBOT_LANGUAGE (en)
    assert any("Hi Katrin" in t and "remind me" in t for t in texts)
