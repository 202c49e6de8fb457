"""The owner's side, end to end on Dovecot: `mailbot decide`, what the owner does with our
drafts in the mailbox (deleted unsent, sent), and what `mailbot status` shows."""

from __future__ import annotations

import email
import email.policy
import sys
from pathlib import Path

import pytest
from builders import invitation, marta_invitation, network_message, reply
from dovecot import Account
from support import (
    a_day_passes,
    body,
    decide_json,
    decisions,
    delete_message,
    drafts,
    mailbot,
    run_json,
    seed_raw,
    status_json,
    write_env,
)

pytestmark = pytest.mark.dovecot

TIE = "Hi Robin, we met at PyCon Lisbon last year, great to see you again"


def test_known_is_remembered_for_reminders_and_new_invitations(
    account: Account, tmp_path: Path
) -> None:
    env = write_env(tmp_path, account)
    seed_raw(account, invitation("Priya Raman", note=TIE, invitation_id=7400000000000000777))
    assert decisions(run_json(tmp_path, env)) == [("Priya Raman", "review", False)]
    [waiting] = status_json(tmp_path, env)["review"]
    assert waiting["headline"] == "Engineer at Example Co"
    assert waiting["profile"] == "https://www.linkedin.com/in/priya-raman"

    done = decide_json(tmp_path, env, "Priya Raman", "known")
    assert done["decision"] == "known" and not done["draft"]
    assert "you said you know Priya Raman" in done["reasons"][0]  # type: ignore[index]
    assert status_json(tmp_path, env)["review"] == []

    seed_raw(
        account,
        invitation("Priya Raman", invitation_id=7400000000000000777),  # a reminder
        invitation("Priya Raman", invitation_id=7400000000000000999),  # a new invitation
        network_message("Priya Raman", "No, I don't think we have met", vanity="priya-raman"),
    )
    report = run_json(tmp_path, env)
    assert [d for _, d, _ in decisions(report)] == ["known", "known", "known"]
    assert drafts(account) == []


def test_ask_threads_to_the_invitation_once_and_the_answer_is_followed(
    account: Account, tmp_path: Path
) -> None:
    env = write_env(tmp_path, account)
    raw = invitation("Omar Haddad", note="Maybe we crossed paths at some point?")
    seed_raw(account, raw)
    assert decisions(run_json(tmp_path, env)) == [("Omar Haddad", "review", False)]

    first = decide_json(tmp_path, env, "omar", "ask")  # a first name is enough when it is unique
    assert first["decision"] == "ask" and first["draft"]
    again = decide_json(tmp_path, env, "https://www.linkedin.com/in/omar-haddad/", "ask")
    assert not again["draft"] and again["draft_found"]
    [ask] = drafts(account)
    parent = email.message_from_bytes(raw, policy=email.policy.default)
    assert ask["In-Reply-To"].strip() == parent["Message-ID"].strip()
    assert "my memory" in body(ask).lower()  # type: ignore[union-attr]
    assert [c["name"] for c in status_json(tmp_path, env)["open"]] == ["Omar Haddad"]

    seed_raw(
        account, network_message("Omar Haddad", "No, we have never met. Just growing my network.")
    )
    assert decisions(run_json(tmp_path, env)) == [("Omar Haddad", "explain", True)]
    [explain] = drafts(account)  # the unedited ask draft was withdrawn
    assert explain["Message-ID"] != ask["Message-ID"]


def test_explain_withdraws_our_ask_draft(account: Account, tmp_path: Path) -> None:
    env = write_env(tmp_path, account)
    seed_raw(account, invitation("Zed Stranger"))
    assert decisions(run_json(tmp_path, env)) == [("Zed Stranger", "ask", True)]
    done = decide_json(tmp_path, env, "Zed Stranger", "explain")
    assert done["draft"] and done["withdrawn"] == ["ask"]
    [explain] = drafts(account)
    assert "I only connect with people I know" in body(explain)  # type: ignore[union-attr]


def test_ignore_closes_withdraws_and_reminders_add_nothing(
    account: Account, tmp_path: Path
) -> None:
    env = write_env(tmp_path, account)
    seed_raw(account, invitation("Kai Berg", invitation_id=7400000000000000555))
    run_json(tmp_path, env)
    assert len(drafts(account)) == 1
    done = decide_json(tmp_path, env, "Kai Berg", "ignore")
    assert done["decision"] == "ignore" and done["withdrawn"] == ["ask"]
    assert drafts(account) == []
    closed = status_json(tmp_path, env)
    assert closed["open"] == [] and [c["name"] for c in closed["ignored"]] == ["Kai Berg"]

    seed_raw(account, invitation("Kai Berg", invitation_id=7400000000000000555))
    assert decisions(run_json(tmp_path, env)) == [("Kai Berg", "ignore", False)]
    assert drafts(account) == []


def test_decide_errors_name_the_problem(account: Account, tmp_path: Path) -> None:
    env = write_env(tmp_path, account)
    seed_raw(
        account,
        invitation("Jane Doe", note=TIE),
        invitation("Jane Roe", note=TIE),
    )
    run_json(tmp_path, env)
    ambiguous = mailbot(tmp_path, env, "decide", "Jane", "--as", "known")
    assert ambiguous.returncode == 2
    assert "Jane Doe" in ambiguous.stderr and "Jane Roe" in ambiguous.stderr
    assert "Traceback" not in ambiguous.stderr and len(ambiguous.stderr.splitlines()) == 1
    unknown = mailbot(tmp_path, env, "decide", "Nobody Here", "--as", "known")
    assert unknown.returncode == 2 and "no conversation with 'Nobody Here'" in unknown.stderr
    wrong = mailbot(tmp_path, env, "decide", "Jane Doe", "--as", "friend")
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr
    assert len(status_json(tmp_path, env)["review"]) == 2  # nothing changed


def test_review_without_a_terminal_lists_and_points_to_decide(
    account: Account, tmp_path: Path
) -> None:
    env = write_env(tmp_path, account)
    seed_raw(account, invitation("Priya Raman", note=TIE))
    run_json(tmp_path, env)
    result = mailbot(tmp_path, env, "review")
    assert result.returncode == 0, result.stderr
    assert "[1/1] Priya Raman - LinkedIn" in result.stdout
    assert "we met at PyCon Lisbon" in result.stdout
    assert "mailbot decide WHO --as known|ask|explain|ignore" in result.stdout


def test_an_email_draft_deleted_unsent_closes_the_conversation(
    account: Account, tmp_path: Path
) -> None:
    env = write_env(tmp_path, account)
    seed_raw(account, marta_invitation("<first@ela4-app0133.prod>"))
    assert decisions(run_json(tmp_path, env)) == [("Marta Nowak", "ask", True)]
    [ask] = drafts(account)
    assert "marta.nowak@post.example" in ask["To"]
    delete_message(account, "Drafts", ask["Message-ID"])

    # Gone from Drafts, not in Sent: maybe open in a mail client (mutt removes a draft
    # while it is edited). Missing, not yet deleted: the conversation stays open.
    seed_raw(account, marta_invitation("<reminder@ela4-app0133.prod>"))
    assert decisions(run_json(tmp_path, env)) == [("Marta Nowak", "ask", False)]
    [marta] = status_json(tmp_path, env)["open"]
    assert marta["draft"] == {"step": "ask", "state": "missing"}

    a_day_passes(tmp_path)  # still in neither folder a day later: deleted
    seed_raw(account, marta_invitation("<reminder-2@ela4-app0133.prod>"))
    assert decisions(run_json(tmp_path, env)) == [("Marta Nowak", "ignore", False)]
    assert drafts(account) == []
    closed = status_json(tmp_path, env)
    [marta] = closed["ignored"]
    assert "without sending it" in str(marta["reason"])
    assert marta["draft"] == {"step": "ask", "state": "discarded"}

    # Yet an answer to it arrives (sent from another device after all): it is followed.
    answer = reply(
        "Marta Nowak <marta.nowak@post.example>", ask["Message-ID"], "No, we have not met."
    )
    seed_raw(account, answer)
    assert decisions(run_json(tmp_path, env)) == [("Marta Nowak", "explain", True)]


def test_a_sent_draft_carries_the_conversation_on(account: Account, tmp_path: Path) -> None:
    env = write_env(tmp_path, account)
    seed_raw(account, marta_invitation("<first@ela4-app0133.prod>"))
    run_json(tmp_path, env)
    [ask] = drafts(account)
    seed_raw(account, ask.as_bytes(), folder="Sent")  # the client sends it: a copy in Sent
    delete_message(account, "Drafts", ask["Message-ID"])

    seed_raw(account, marta_invitation("<reminder@ela4-app0133.prod>"))
    assert decisions(run_json(tmp_path, env)) == [("Marta Nowak", "ask", False)]
    [marta] = status_json(tmp_path, env)["open"]
    assert marta["draft"] == {"step": "ask", "state": "sent"}

    answer = reply(
        "Marta Nowak <marta.nowak@post.example>", ask["Message-ID"], "No, we have not met."
    )
    seed_raw(account, answer)
    assert decisions(run_json(tmp_path, env)) == [("Marta Nowak", "explain", True)]


def test_review_in_a_terminal_one_key_each(account: Account, tmp_path: Path) -> None:
    """`mailbot review` driven in a real terminal (a pty): a key per person, through the
    same code as `decide`; an unknown key asks again."""
    import pexpect

    env = write_env(tmp_path, account)
    seed_raw(
        account,
        invitation("Priya Raman", note=TIE),
        invitation("Omar Haddad", note="Maybe we crossed paths at some point?"),
    )
    run_json(tmp_path, env)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "mailbot", "review"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    child.expect("2 waiting for you")
    child.expect(r"\[1/2\] (\w+ \w+) - LinkedIn")
    first = child.match.group(1)
    child.expect(r"\[q\]uit > ")
    child.send("k")
    child.expect("known: remembered")
    child.expect(r"\[2/2\] (\w+ \w+) - LinkedIn")
    second = child.match.group(1)
    child.expect(r"\[q\]uit > ")
    child.send("x")
    child.expect(r"'x'\? .*\[q\]uit > ")
    child.send("a")
    child.expect("draft stored in Drafts")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    after = status_json(tmp_path, env)
    assert after["review"] == [] and [c["name"] for c in after["open"]] == [second]
    assert first != second and {first, second} == {"Priya Raman", "Omar Haddad"}
    [ask] = drafts(account)
    assert f"Hi {second.split()[0]}," in body(ask)


def test_review_quits_on_q_and_changes_nothing_else(account: Account, tmp_path: Path) -> None:
    import pexpect

    env = write_env(tmp_path, account)
    seed_raw(account, invitation("Priya Raman", note=TIE), invitation("Jane Doe", note=TIE))
    run_json(tmp_path, env)
    child = pexpect.spawn(
        sys.executable, ["-m", "mailbot", "review"], cwd=str(tmp_path), env=env, encoding="utf-8"
    )
    child.expect(r"\[q\]uit > ")
    child.send("s")
    child.expect("skipped")
    child.expect(r"\[q\]uit > ")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert len(status_json(tmp_path, env)["review"]) == 2 and drafts(account) == []


def test_a_draft_a_client_saved_again_is_still_ours_edited(
    account: Account, tmp_path: Path
) -> None:
    """A recalled and postponed draft comes back under a new UID (same Message-ID, only
    \\Draft): the same draft, edited. It is waiting, never taken for deleted, and kept
    when the conversation moves on."""
    env = write_env(tmp_path, account)
    seed_raw(account, marta_invitation("<first@ela4-app0133.prod>"))
    run_json(tmp_path, env)
    [ask] = drafts(account)
    edited = ask.as_bytes().replace(b"Hi Marta,", b"Dear Marta,")
    assert edited != ask.as_bytes()
    delete_message(account, "Drafts", ask["Message-ID"])
    with account.client() as client:
        client.append("Drafts", edited, flags=[b"\\Draft"])
    with account.client() as client:  # the client's copy is the only one left
        client.select_folder("Drafts")
        assert len(client.search(["ALL"])) == 1

    seed_raw(account, marta_invitation("<reminder@ela4-app0133.prod>"))
    assert decisions(run_json(tmp_path, env)) == [("Marta Nowak", "ask", False)]
    [marta] = status_json(tmp_path, env)["open"]
    assert marta["draft"] == {"step": "ask", "state": "stored"}  # waiting, not discarded

    answer = reply(
        "Marta Nowak <marta.nowak@post.example>", ask["Message-ID"], "No, we have not met."
    )
    seed_raw(account, answer)
    assert decisions(run_json(tmp_path, env)) == [("Marta Nowak", "explain", True)]
    kept = sorted(body(d).split(",")[0] for d in drafts(account))
    assert kept == ["Dear Marta", "Hi Marta"]  # the edited ask kept, the explanation added


def test_drafts_in_a_folder_that_is_gone_do_not_stall_the_inbox(
    account: Account, tmp_path: Path
) -> None:
    env = write_env(tmp_path, account, MAILBOT_DRAFTS="Entwürfe")
    with account.client() as client:
        client.create_folder("Entwürfe")
    seed_raw(account, invitation("Zed Stranger"))
    run_json(tmp_path, env)
    assert len(drafts(account, "Entwürfe")) == 1
    with account.client() as client:  # the owner moves to another drafts folder
        client.rename_folder("Entwürfe", "Old drafts")
    env["MAILBOT_DRAFTS"] = "Drafts"
    seed_raw(account, invitation("Kai Berg"))
    assert decisions(run_json(tmp_path, env)) == [("Kai Berg", "ask", True)]
    [zed] = [c for c in status_json(tmp_path, env)["open"] if c["name"] == "Zed Stranger"]
    assert zed["draft"] == {"step": "ask", "state": "gone"}


def test_only_the_person_answers_their_conversation(account: Account, tmp_path: Path) -> None:
    """Our draft's Message-ID can be computed: a third party who threads a rude mail to it
    closes nothing. It is listed for the owner; Marta's own answer is still followed."""
    env = write_env(tmp_path, account)
    seed_raw(account, marta_invitation("<first@ela4-app0133.prod>"))
    assert decisions(run_json(tmp_path, env)) == [("Marta Nowak", "ask", True)]
    [ask] = drafts(account)
    forged = reply(
        "Mallory <mallory@pitch.example>", ask["Message-ID"], "No, and what a pompous question."
    )
    seed_raw(account, forged)
    report = run_json(tmp_path, env)
    assert decisions(report) == [("Marta Nowak", "skip", False)], report
    status = status_json(tmp_path, env)
    [marta] = status["open"]
    assert marta["draft"] == {"step": "ask", "state": "stored"}
    [shown] = status["skipped"]
    assert "mallory@pitch.example" in str(shown["reason"]) and "not their answer" in str(
        shown["reason"]
    )
    assert len(drafts(account)) == 1  # our ask draft is where it was

    answer = reply(
        "Marta Nowak <marta.nowak@post.example>", ask["Message-ID"], "No, we have not met."
    )
    seed_raw(account, answer)
    assert decisions(run_json(tmp_path, env)) == [("Marta Nowak", "explain", True)]


def test_a_draft_sent_under_a_new_message_id_carries_the_conversation_on(
    account: Account, tmp_path: Path
) -> None:
    """Outlook stamps a new Message-ID on sending: the copy in Sent is still our draft (its
    recipient and text), so the conversation goes on and Marta stays a stranger."""
    env = write_env(tmp_path, account)
    seed_raw(account, marta_invitation("<first@ela4-app0133.prod>"))
    run_json(tmp_path, env)
    [ask] = drafts(account)
    sent = email.message_from_bytes(ask.as_bytes(), policy=email.policy.compat32)
    del sent["Message-ID"]
    sent["Message-ID"] = "<AM0PR01MB1234.5678@AM0PR01MB1234.eurprd01.prod.outlook.com>"
    seed_raw(account, sent.as_bytes(), folder="Sent")
    delete_message(account, "Drafts", ask["Message-ID"])

    a_day_passes(tmp_path)
    seed_raw(account, marta_invitation("<reminder@ela4-app0133.prod>"))
    assert decisions(run_json(tmp_path, env)) == [("Marta Nowak", "ask", False)]
    [marta] = status_json(tmp_path, env)["open"]
    assert marta["draft"] == {"step": "ask", "state": "sent"}
