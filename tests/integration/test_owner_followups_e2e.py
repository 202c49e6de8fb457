"""The owner's side, the hard cases a review found (each failed before its fix): a draft
open in a mail client is not a deleted one, asking again stores once, answers to drafts
made under an older owner address are read, `decide` says when it waits, `review` takes
no type-ahead, and a fault between "deleted" and "closed" loses nothing."""

from __future__ import annotations

import email
import email.policy
import fcntl
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import invitation, marta_invitation, reply
from dovecot import Account
from support import (
    a_day_passes,
    decide_json,
    decisions,
    delete_message,
    drafts,
    run_json,
    seed_raw,
    status_json,
    write_env,
)
from test_neomutt_e2e import neomutt_binary

pytestmark = pytest.mark.dovecot

TIE = "Hi Robin, we met at PyCon Lisbon last year, great to see you again"


def _send(account: Account, draft: email.message.EmailMessage) -> None:
    """What a client does when the owner sends a draft: a copy in Sent, the draft removed."""
    seed_raw(account, draft.as_bytes(), folder="Sent")
    delete_message(account, "Drafts", draft["Message-ID"])


# -- 1. A draft being edited in mutt/neomutt is taken for "deleted unsent" ------------------


def test_a_draft_recalled_in_neomutt_and_sent_is_not_taken_for_deleted(
    account: Account, tmp_path: Path
) -> None:
    """neomutt (and mutt) delete a postponed message from the IMAP Drafts folder the moment
    it is recalled, and append the sent copy to Sent only when the owner presses `y`. A
    mailbot cycle that runs while the owner is still composing (any new mail in the inbox
    triggers one) marks the email draft DISCARDED and closes the conversation as `ignored`
    for good: the draft then lands in Sent, but a discarded draft is never looked at again,
    and the stranger's "no, we have never met" gets no explanation."""
    import pexpect

    env = write_env(tmp_path, account)
    seed_raw(account, marta_invitation("<first@ela4-app0133.prod>"))
    assert decisions(run_json(tmp_path, env)) == [("Marta Nowak", "ask", True)]
    [ask] = drafts(account)

    sendmail = tmp_path / "sendmail.sh"
    sendmail.write_text(f"#!/bin/sh\ncat > {tmp_path}/outbox.eml\n")
    sendmail.chmod(0o755)
    (tmp_path / "muttrc").write_text(
        f'set folder="imap://{account.user}@{account.host}:{account.port}/"\n'
        f'set imap_user="{account.user}"\nset imap_pass="{account.password}"\n'
        'set spoolfile="+INBOX"\nset postponed="+Drafts"\nset record="+Sent"\n'
        f'set sendmail="{sendmail}"\nset ssl_starttls=no\nset ssl_force_tls=no\n'
        'set editor="true"\nset header_cache=""\nset message_cachedir=""\n'
        'set from="robin@owner.example"\nset realname="Robin Owner"\n'
    )
    mutt = pexpect.spawn(
        neomutt_binary(),
        ["-n", "-F", str(tmp_path / "muttrc"), "-p"],  # -p: recall the postponed draft
        env={**os.environ, "HOME": str(tmp_path), "TERM": "xterm"},
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )
    try:
        mutt.expect("y:Send")  # the compose screen: the owner is editing the draft
        assert drafts(account) == []  # neomutt has already removed it from Drafts

        # Meanwhile, any new mail makes a cycle run (here: a reminder of the invitation).
        seed_raw(account, marta_invitation("<reminder@ela4-app0133.prod>"))
        run_json(tmp_path, env)

        mutt.send("y")  # the owner sends it
        mutt.expect("Mail sent")
        mutt.send("q")
        mutt.expect(pexpect.EOF)
    finally:
        mutt.close(force=True)
    with account.client() as client:
        client.select_folder("Sent", readonly=True)
        assert len(client.search(["HEADER", "Message-ID", ask["Message-ID"]])) == 1

    answer = reply(
        "Marta Nowak <marta.nowak@post.example>", ask["Message-ID"], "No, we have not met."
    )
    seed_raw(account, answer)
    report = run_json(tmp_path, env)
    assert decisions(report) == [("Marta Nowak", "explain", True)]
    with sqlite3.connect(tmp_path / "state.sqlite3") as db:
        states = dict(db.execute("SELECT step, state FROM drafts").fetchall())
    assert states == {"ask": "sent", "explain": "stored"}


def test_a_draft_being_edited_then_postponed_again_is_not_taken_for_deleted(
    account: Account, tmp_path: Path
) -> None:
    """The same gap without a real client: recall (gone from Drafts), a cycle runs, the
    owner postpones it again (back in Drafts, same Message-ID, only \\Draft). The draft is
    waiting in Drafts, yet the conversation stays closed and the draft `discarded`."""
    env = write_env(tmp_path, account)
    seed_raw(account, marta_invitation("<first@ela4-app0133.prod>"))
    run_json(tmp_path, env)
    [ask] = drafts(account)
    delete_message(account, "Drafts", ask["Message-ID"])  # recalled into the composer
    seed_raw(account, marta_invitation("<reminder@ela4-app0133.prod>"))
    run_json(tmp_path, env)  # a cycle while the owner edits
    with account.client() as client:  # postponed again
        client.append("Drafts", ask.as_bytes().replace(b"Hi Marta,", b"Dear Marta,"), [b"\\Draft"])
    seed_raw(account, marta_invitation("<reminder2@ela4-app0133.prod>"))
    run_json(tmp_path, env)
    assert len(drafts(account)) == 1
    status = status_json(tmp_path, env)
    assert [c["name"] for c in status["open"]] == ["Marta Nowak"], status["ignored"]
    assert status["open"][0]["draft"] == {"step": "ask", "state": "stored"}


# -- 2. `decide --as ask` re-uses its token, but the record is INSERT OR IGNORE -------------


def test_asking_twice_after_the_first_was_sent_stores_it_once(
    account: Account, tmp_path: Path
) -> None:
    """README: "Asking twice stores it once". After the owner sent the first ask draft,
    `decide --as ask` again appends a second identical "have we met?" (the Drafts folder is
    checked, the state's record of the same token is not)."""
    env = write_env(tmp_path, account)
    seed_raw(account, invitation("Omar Haddad", note="Maybe we crossed paths at some point?"))
    run_json(tmp_path, env)
    first = decide_json(tmp_path, env, "Omar Haddad", "ask")
    assert first["draft"]
    [ask] = drafts(account)
    _send(account, ask)
    again = decide_json(tmp_path, env, "Omar Haddad", "ask")
    assert not again["draft"], "a second 'have we met?' for the same invitation"
    assert drafts(account) == []


def test_a_draft_asked_for_again_after_deleting_it_is_followed(
    account: Account, tmp_path: Path
) -> None:
    """The owner deletes the ask draft by mistake and asks for it again: a draft with the
    same token is appended, but the state keeps the old row (INSERT OR IGNORE, state
    `discarded`): `status` says "deleted without being sent" while it waits in Drafts,
    and it is never followed (sent / deleted) nor withdrawn again."""
    env = write_env(tmp_path, account)
    seed_raw(account, marta_invitation("<first@ela4-app0133.prod>"))
    run_json(tmp_path, env)
    decide_json(tmp_path, env, "Marta Nowak", "ignore")  # withdraws the pipeline's ask
    decide_json(tmp_path, env, "Marta Nowak", "ask")
    [ask] = drafts(account)
    delete_message(account, "Drafts", ask["Message-ID"])
    done = decide_json(tmp_path, env, "Marta Nowak", "ask")
    assert done["draft"]
    assert len(drafts(account)) == 1
    [marta] = status_json(tmp_path, env)["open"]
    assert marta["draft"] == {"step": "ask", "state": "stored"}


# -- 3. The reply mark depends on MAILBOT_OWNER_EMAIL ---------------------------------------


def test_answers_to_drafts_made_before_the_owner_address_changed_are_still_read(
    account: Account, tmp_path: Path
) -> None:
    """The server is asked for answers by the mark in our Message-IDs, and the mark is a
    hash of MAILBOT_OWNER_EMAIL (identity.draft_mark). Once the owner changes that address
    (the contact address the templates show), answers to every draft sent before are no
    longer fetched: the cursor moves past them, the request is lost."""
    env = write_env(tmp_path, account)
    seed_raw(account, marta_invitation("<first@ela4-app0133.prod>"))
    run_json(tmp_path, env)
    [ask] = drafts(account)
    _send(account, ask)
    env["MAILBOT_OWNER_EMAIL"] = "robin@new-owner.example"
    msg = email.message.EmailMessage()
    msg["From"] = "Marta Nowak <marta.nowak@post.example>"
    msg["To"] = "Robin Owner <robin@owner.example>"
    msg["Subject"] = "Re: Invitation to connect"
    msg["Message-ID"] = "<answer-1@post.example>"
    msg["In-Reply-To"] = ask["Message-ID"]
    msg["References"] = ask["Message-ID"]
    msg.set_content("No, we have not met.\n")  # a reply that does not quote
    seed_raw(account, msg.as_bytes())
    assert decisions(run_json(tmp_path, env)) == [("Marta Nowak", "explain", True)]


# -- 4. `mailbot decide` waits silently for a running cycle ---------------------------------


def test_decide_says_it_waits_for_a_running_cycle(account: Account, tmp_path: Path) -> None:
    """The daemon holds the cycle lock for a whole cycle (after the schema-4 upgrade the
    first one rebuilds the history index: minutes on a large mailbox). `decide` then blocks
    with no word at all: it looks hung."""
    env = write_env(tmp_path, account)
    seed_raw(account, invitation("Priya Raman", note=TIE))
    run_json(tmp_path, env)
    lock = tmp_path / "state.sqlite3.cycle.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a daemon's cycle in progress
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "mailbot", "decide", "Priya Raman", "--as", "known"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(5)
        still_running = child.poll() is None
        child.terminate()
        out, err = child.communicate(timeout=10)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    assert still_running
    assert "wait" in (out + err).lower(), "no word while blocked on the cycle lock"


# -- 5. `mailbot review` takes keys typed before a card is shown ---------------------------


def test_review_does_not_take_a_key_typed_before_the_card_was_shown(
    account: Account, tmp_path: Path
) -> None:
    """A key pressed twice (or typed ahead while `decide` works on the previous card, which
    takes an IMAP login and a look at the drafts) settles the NEXT person, whom the owner
    has not seen yet. The prompt should discard type-ahead (termios.tcflush)."""
    import pexpect

    env = write_env(tmp_path, account)
    seed_raw(
        account,
        invitation("Priya Raman", note=TIE),
        invitation("Omar Haddad", note="Maybe we crossed paths at some point?"),
    )
    run_json(tmp_path, env)
    child = pexpect.spawn(
        sys.executable, ["-m", "mailbot", "review"], cwd=str(tmp_path), env=env, encoding="utf-8"
    )
    child.expect(r"\[1/2\] (\w+ \w+) - LinkedIn")
    child.expect(r"\[q\]uit > ")
    child.send("i")
    child.expect("ignore: closed")  # printed before the decision is carried out
    child.send("i")  # a bounce / double press, before card 2 is shown
    child.expect(r"\[2/2\] (\w+ \w+) - LinkedIn")
    second = child.match.group(1)
    child.expect(r"\[q\]uit > ")
    if child.expect(["ignore: closed", pexpect.TIMEOUT], timeout=5) == 1:
        child.send("q")  # the prompt waited for a fresh key: quit
    child.expect(pexpect.EOF)
    child.close()
    waiting = [c["name"] for c in status_json(tmp_path, env)["review"]]
    assert waiting == [second], f"{second} was settled without being shown"


# -- 6. A crash between "draft discarded" and "conversation closed" loses the closing -------


def test_a_fault_after_a_draft_is_found_discarded_does_not_lose_the_closing(
    account: Account, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Executor.follow_drafts writes DISCARDED at once (autocommit), and the closing plan is
    carried out afterwards (pipeline.follow_drafts). If the cycle ends in between (the
    state database locked past its timeout, a kill), the draft is no longer `stored`, so it
    is never looked at again: the conversation stays `asked` for ever (no 90-day afresh, no
    "closed" in status). "Whatever crashes midway" must not lose the owner's action."""
    from mailbot import pipeline
    from mailbot.config import load_settings
    from mailbot.runner import run_once
    from mailbot.store import StorageError

    env = write_env(tmp_path, account)
    seed_raw(account, marta_invitation("<first@ela4-app0133.prod>"))
    run_json(tmp_path, env)
    [ask] = drafts(account)
    delete_message(account, "Drafts", ask["Message-ID"])
    seed_raw(account, marta_invitation("<reminder@ela4-app0133.prod>"))
    run_json(tmp_path, env)  # found missing
    a_day_passes(tmp_path)  # and still missing a day later: deleted
    seed_raw(account, marta_invitation("<reminder-2@ela4-app0133.prod>"))

    real = pipeline.discarded
    calls = {"n": 0}

    def fault_once(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise StorageError("database is locked")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "discarded", fault_once)
    settings = load_settings(None, env)
    with pytest.raises(StorageError):
        run_once(settings)  # the cycle ends: nothing is lost, it is read again next time
    run_once(settings)  # the next cycle
    closed = status_json(tmp_path, env)
    assert [c["name"] for c in closed["ignored"]] == ["Marta Nowak"], closed["open"]
