"""The owner's mail client, for real: neomutt (Debian's) in a pty, over plain IMAP to the
test's own Dovecot, with `sendmail` a script that writes the message to a file (never a
mail server). mailbot drafts three email replies; in neomutt the owner recalls A, edits and
sends it, recalls B and postpones it again, deletes C; mailbot also runs while A and B are
open in neomutt. Then mailbot does the right thing for each.

What neomutt 20220429 (Debian 12) does to our drafts, as observed with this setup:
- `R` (recall) takes the draft out of Drafts at once, before it is edited, sent or
  postponed (flagged \\Deleted and expunged as neomutt leaves the folder; when the owner
  is in the Drafts folder itself, only at the next sync, so for a while the re-postponed
  copy and the old one are both there), and runs $editor on the body right away.
- Postponing stores it again under a new UID with the same Message-ID, In-Reply-To and
  References, flagged \\Draft only (no \\Seen); every other header written anew (Date,
  the subject with an encoded word for its non-ASCII part only, `X-Mutt-Fcc: +Sent`,
  `Content-Disposition: inline`), the text re-encoded (quoted-printable UTF-8 -> 7bit
  us-ascii, or 8bit iso-8859-1 when it fits), format=flowed; delsp=no kept.
- Sending keeps the Message-ID, In-Reply-To and References and adds no User-Agent; the
  copy in Sent (\\Seen) is what went to `sendmail`.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
from email.message import EmailMessage
from pathlib import Path

import pytest
from builders import mail, network_message, on_behalf, reply
from dovecot import Account
from support import (
    a_day_passes,
    drafts,
    folder_messages,
    mailbot,
    run_json,
    seed_raw,
    wait_for,
    write_env,
)

pytestmark = pytest.mark.dovecot

EDIT = "s/Can you remind me?/Can you remind me where we met?/"
EDITED = "Can you remind me where we met?"
PEOPLE = {  # who: (name, address, invitation id)
    "A": ("Marta Nowak", "marta.nowak@post.example", 5742011981),
    "B": ("Jonas Berg", "jonas.berg@post.example", 5742011982),
    "C": ("Lena Fischer", "lena.fischer@post.example", 5742011983),
}


def neomutt_binary() -> str:
    found = shutil.which("neomutt")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("neomutt is not installed, and CI must run this test (apt-get install neomutt)")
    pytest.skip("neomutt is not installed (apt-get install neomutt)")


def muttrc(tmp_path: Path, account: Account) -> Path:
    """neomutt against the test's Dovecot only: plain IMAP on loopback, no caches, nothing
    that waits for a key, `sendmail` a script writing into tmp_path/outbox, an editor
    that edits the body without a terminal (and notes each time it runs)."""
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    sendmail = tmp_path / "sendmail"
    sendmail.write_text(
        "#!/bin/sh\n"
        f'n=$(ls "{outbox}" | grep -c "\\.eml$")\n'
        f'printf "%s\\n" "$*" > "{outbox}/$n.args"\n'
        f'cat > "{outbox}/$n.eml"\n'
    )
    editor = tmp_path / "editor"
    editor.write_text(
        f'#!/bin/sh\necho "$1" >> "{tmp_path}/editor.log"\nexec sed -i "{EDIT}" "$1"\n'
    )
    for script in (sendmail, editor):
        script.chmod(0o755)
    rc = tmp_path / "muttrc"
    rc.write_text(
        f"set imap_user={account.user}\n"
        f"set imap_pass={account.password}\n"
        f"set folder=imap://{account.host}:{account.port}/\n"
        "set spoolfile=+INBOX\n"
        "set postponed=+Drafts\n"
        "set record=+Sent\n"
        "set ssl_starttls=no\n"
        "set ssl_force_tls=no\n"
        f"set sendmail={sendmail}\n"
        f"set editor={editor}\n"
        f"set tmpdir={tmp_path}\n"
        'set header_cache=""\n'
        'set message_cachedir=""\n'
        'set from="Robin Owner <robin@owner.example>"\n'
        "set use_from=yes\n"
        "set charset=utf-8\n"
        "set confirmappend=no\n"
        "set confirmcreate=no\n"
        "set delete=yes\n"
        "set move=no\n"
        "set quit=yes\n"
        "set recall=no\n"
        "set abort_unmodified=no\n"
        "set wait_key=no\n"
        "set sleep_time=0\n"
        "set beep=no\n"
        "set mark_old=no\n"
        "set help=no\n"
    )
    return rc


def ids_in(account: Account, folder: str) -> list[str]:
    """The Message-IDs in a folder, one per message."""
    with account.client() as client:
        client.select_folder(folder, readonly=True)
        uids = client.search(["ALL"])
        found = client.fetch(uids, ["ENVELOPE"]) if uids else {}
    return [data[b"ENVELOPE"].message_id.decode() for data in found.values()]  # type: ignore[union-attr]


def status(tmp_path: Path, env: dict[str, str]) -> dict[str, list[dict[str, object]]]:
    result = mailbot(tmp_path, env, "status", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_drafts_recalled_sent_postponed_and_deleted_in_neomutt(
    account: Account, tmp_path: Path
) -> None:
    import pexpect

    binary = neomutt_binary()
    env = write_env(tmp_path, account)
    seed_raw(
        account, *(on_behalf(n, a, f"<inv-{k}@ela4.prod>", i) for k, (n, a, i) in PEOPLE.items())
    )
    report = run_json(tmp_path, env)
    assert [(p["requester"], p["decision"], p["draft"]) for p in report["processed"]] == [
        (name, "ask", True) for name, _, _ in PEOPLE.values()
    ]
    ours = {k: next(d for d in drafts(account) if a in d["To"]) for k, (_, a, _) in PEOPLE.items()}
    mid = {k: d["Message-ID"].strip() for k, d in ours.items()}

    def another_mail(subject: str) -> None:  # new mail: a cycle looks at our drafts
        seed_raw(account, mail("Ann Other <ann@other.example>", "robin@owner.example", subject))

    def edits() -> int:
        log = tmp_path / "editor.log"
        return len(log.read_text().splitlines()) if log.exists() else 0

    child = pexpect.spawn(
        binary,
        ["-n", "-F", str(muttrc(tmp_path, account))],
        cwd=str(tmp_path),
        env={"PATH": env["PATH"], "HOME": str(tmp_path), "TERM": "xterm", "LANG": "C.UTF-8"},
        dimensions=(40, 160),
        encoding="utf-8",
        codec_errors="replace",
        timeout=30,
    )
    screen = (tmp_path / "screen.log").open("w")  # what neomutt drew, to read on failure
    child.logfile_read = screen
    try:
        child.expect("Invitation to connect")  # the inbox is listed

        # A: recall, edit, send; mailbot runs while it is open in neomutt
        child.send("R")
        child.expect("Postponed Messages")
        child.send("/")
        child.expect("Search for")
        child.send("Marta\r")
        child.send("\r")
        child.expect("Compose")  # (20220429 runs $editor on recall already)
        assert mid["A"] not in ids_in(account, "Drafts"), "neomutt keeps a recalled draft"
        another_mail("lunch?")
        assert run_json(tmp_path, env)["processed"] == []
        done = edits()
        child.send("e")  # edit (the same change again, if the recall made it already)
        wait_for(lambda: edits() == done + 1)
        child.expect("Compose")
        child.send("y")
        wait_for(lambda: (tmp_path / "outbox" / "0.eml").exists())
        wait_for(lambda: mid["A"] in ids_in(account, "Sent"))
        child.expect("Mail sent")

        # B: recall, postpone again; mailbot runs while it is open in neomutt
        child.send("R")
        child.expect("Postponed Messages")
        child.send("/")
        child.expect("Search for")
        child.send("Jonas\r")
        child.send("\r")
        child.expect("Compose")
        assert mid["B"] not in ids_in(account, "Drafts"), "neomutt keeps a recalled draft"
        another_mail("coffee?")
        assert run_json(tmp_path, env)["processed"] == []
        done = edits()
        child.send("e")
        wait_for(lambda: edits() == done + 1)
        child.expect("Compose")
        child.send("P")
        wait_for(lambda: mid["B"] in ids_in(account, "Drafts"))
        child.expect("postponed")

        # C: delete it in the Drafts folder, and expunge
        child.send("c")
        child.expect("Open mailbox")
        child.send("+Drafts\r")
        child.expect("Lena Fischer")
        child.send("/")
        child.expect("Search for")
        child.send("~t lena\r")  # by recipient: the subject is theirs, "Re: ..." alone
        child.send("d")
        child.send("$")
        wait_for(lambda: mid["C"] not in ids_in(account, "Drafts"))
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
        screen.close()

    # What neomutt stored: B again, same Message-ID, edited; the copy of A in Sent
    [resaved] = [d for d in drafts(account) if d["Message-ID"].strip() == mid["B"]]
    assert EDITED in resaved.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert resaved["In-Reply-To"].strip() == "<inv-B@ela4.prod>"
    assert len(drafts(account)) == 1
    assert ids_in(account, "Sent") == [mid["A"]]

    # What the recipient got: the reply, threaded, flowed, signed, nothing names the tool
    sent_raw = (tmp_path / "outbox" / "0.eml").read_bytes()
    [copy] = folder_messages(account, "Sent").values()
    assert copy[b"BODY[]"].replace(b"\r\n", b"\n") == sent_raw  # type: ignore[union-attr]
    assert (tmp_path / "outbox" / "0.args").read_text().split()[-1] == PEOPLE["A"][1]
    assert b"mailbot" not in sent_raw.lower()
    sent: EmailMessage = email.message_from_bytes(sent_raw, policy=email.policy.default)  # type: ignore[assignment]
    assert not [k for k in sent if k.lower().startswith("x-mailbot")]
    assert sent["Message-ID"].strip() == mid["A"]
    assert sent["In-Reply-To"].strip() == "<inv-A@ela4.prod>"
    assert "<inv-A@ela4.prod>" in sent["References"]
    assert sent.get_content_type() == "text/plain" and sent.get_param("format") == "flowed"
    text = sent.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert EDITED in text and "Hi Marta," in text
    assert "\nRobin Owner\n-- \n" in text.replace("\r\n", "\n")

    # mailbot: A sent, B waiting, C missing (it could be open in a client) ...
    seed_raw(account, mail("Ann Other <ann@other.example>", "robin@owner.example", "lunch?"))
    run_json(tmp_path, env)
    waiting = {c["name"]: c["draft"] for c in status(tmp_path, env)["open"]}
    assert waiting["Lena Fischer"] == {"step": "ask", "state": "missing"}
    a_day_passes(tmp_path)  # ... and still missing a day later: deleted unsent
    # with a reminder for each
    seed_raw(
        account, *(on_behalf(n, a, f"<rem-{k}@ela4.prod>", i) for k, (n, a, i) in PEOPLE.items())
    )
    report = run_json(tmp_path, env)
    assert [(p["requester"], p["decision"], p["draft"]) for p in report["processed"]] == [
        ("Marta Nowak", "ask", False),
        ("Jonas Berg", "ask", False),
        ("Lena Fischer", "ignore", False),
    ]
    after = status(tmp_path, env)
    assert {c["name"]: c["draft"] for c in after["open"]} == {
        "Marta Nowak": {"step": "ask", "state": "sent"},
        "Jonas Berg": {"step": "ask", "state": "stored"},
    }
    [lena] = after["ignored"]
    assert lena["name"] == "Lena Fischer" and "without sending it" in str(lena["reason"])
    assert lena["draft"] == {"step": "ask", "state": "discarded"}
    assert [d["Message-ID"].strip() for d in drafts(account)] == [mid["B"]]  # not doubled

    # The conversations go on: Marta answers the mail she got, Jonas answers on LinkedIn
    seed_raw(
        account,
        reply("Marta Nowak <marta.nowak@post.example>", mid["A"], "No, we have never met."),
        network_message("Jonas Berg", "No, we have not met. Just growing my network."),
    )
    report = run_json(tmp_path, env)
    assert [(p["requester"], p["decision"], p["draft"]) for p in report["processed"]] == [
        ("Marta Nowak", "explain", True),
        ("Jonas Berg", "explain", True),
    ]
    now = drafts(account)
    assert mid["B"] in [d["Message-ID"].strip() for d in now]  # edited: kept, not withdrawn
    explain = next(d for d in now if "marta.nowak@post.example" in d["To"])
    assert mid["A"] in explain["References"]  # threaded to her answer, which answered ours
    who = mailbot(tmp_path, env, "who", "Marta Nowak", "--json")
    assert who.returncode == 0, who.stderr
    assert json.loads(who.stdout)["decision"] != "known"  # our sent ask is not correspondence
