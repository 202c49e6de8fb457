"""What mail clients do to our drafts, on a local Maildir (no server): the shapes are
those neomutt 20220429 (Debian 12) really gives them (tests/integration/test_neomutt_e2e.py
drives it against Dovecot).

- Recalling a postponed draft takes it out of Drafts at once (flagged \\Deleted and
  expunged when the client leaves the folder), long before it is sent or postponed again.
- Postponing stores it again under a new UID with the same Message-ID, flagged \\Draft
  only, the headers rewritten (a new Date, the subject's encoded word for the en dash only,
  `X-Mutt-Fcc`, `Content-Disposition: inline`) and the body re-encoded (quoted-printable
  UTF-8 -> 7bit us-ascii, format=flowed kept).
- Sending keeps the Message-ID, In-Reply-To and References (the copy in Sent).
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import mailbox
import shutil
from email.message import EmailMessage
from pathlib import Path

import pytest
from builders import invitation, mail, network_message, on_behalf, reply
from support import a_day_passes, mailbot

from mailbot.notifications import Requester
from mailbot.replies import _encoded_digest, digest, unchanged


def neomutt_resave(raw: bytes, *, body: str | None = None) -> bytes:
    """A draft as neomutt postpones (or sends) it again: same Message-ID and threading,
    everything else written anew, as it does: the text in the first charset of
    us-ascii:iso-8859-1:utf-8 that fits, 8bit; encoded words only where needed. `body`
    replaces the text (an edit)."""
    old = email.message_from_bytes(raw, policy=email.policy.default)
    text = body if body is not None else old.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    text = text.replace("\r\n", "\n")
    charset = next(c for c in ("us-ascii", "iso-8859-1", "utf-8") if _fits(text, c))
    heads = [
        ("Date", "Sun, 6 Dec 2026 03:18:22 +0000"),
        ("From", old["From"]),
        ("To", old["To"]),
        ("Subject", old["Subject"]),
        ("Message-ID", old["Message-ID"]),
        ("References", old["References"]),
        ("MIME-Version", "1.0"),
        ("Content-Type", f"text/plain; charset={charset}; delsp=no; format=flowed"),
        ("Content-Disposition", "inline"),
        ("Content-Transfer-Encoding", "8bit" if charset != "us-ascii" else None),
        ("In-Reply-To", old["In-Reply-To"]),
        ("X-Mutt-Fcc", "+Sent"),
    ]
    lines = [f"{name}: {_words(str(value))}" for name, value in heads if value is not None]
    return "\n".join(lines).encode("ascii") + b"\n\n" + text.encode(charset)


def _fits(text: str, charset: str) -> bool:
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def _words(value: str) -> str:
    """The words from the first that is not ASCII to the last as one encoded word, as
    neomutt writes "Re: Invitation to connect on LinkedIn =?utf-8?B?...?=" (what a reader
    sees is the same)."""
    words = value.split(" ")
    wide = [i for i, w in enumerate(words) if not w.isascii()]
    if not wide:
        return value
    span = " ".join(words[wide[0] : wide[-1] + 1]).encode()
    encoded = f"=?utf-8?B?{base64.b64encode(span).decode()}?="
    return " ".join([*words[: wide[0]], encoded, *words[wide[-1] + 1 :]])


class Mailboxes:
    """The owner's Maildir: INBOX, Drafts and Sent, and mailbot run on it."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.root = tmp_path / "Maildir"
        self.box = mailbox.Maildir(str(self.root), create=True)
        self.box.add_folder("Drafts")
        self.box.add_folder("Sent")
        self.env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "MAILBOT_MAILDIR": str(self.root),
            "MAILBOT_STATE": str(tmp_path / "state.sqlite3"),
            "MAILBOT_OWNER_NAME": "Robin Owner",
            "MAILBOT_OWNER_EMAIL": "robin@owner.example",
        }

    def deliver(self, raw: bytes) -> None:
        self.box.add(mailbox.MaildirMessage(raw))

    def run(self) -> list[tuple[str, str, bool]]:
        result = mailbot(self.tmp, self.env, "--run-once", "--json")
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        return [(p["requester"], p["decision"], p["draft"]) for p in report["processed"]]

    def status(self) -> dict[str, list[dict[str, object]]]:
        result = mailbot(self.tmp, self.env, "status", "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    def drafts(self) -> list[Path]:
        return sorted((self.root / ".Drafts" / "cur").iterdir())

    def put(self, folder: str, raw: bytes, flags: str) -> None:
        message = mailbox.MaildirMessage(raw)
        message.set_subdir("cur")
        message.set_flags(flags)
        self.box.get_folder(folder).add(message)


def draft_of(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


@pytest.mark.parametrize("then", ["postponed", "sent"])
def test_a_draft_open_in_a_mail_client_is_not_taken_for_deleted(tmp_path: Path, then: str) -> None:
    """A cycle that runs while the owner has our email draft open in neomutt finds it gone
    from Drafts and not sent: missing, not deleted; the conversation stays open. When the
    client postpones it again or sends it, the next cycle finds it there."""
    owner = Mailboxes(tmp_path)
    owner.deliver(on_behalf("Marta Nowak", "marta.nowak@post.example", "<i1@prod>", 5742011981))
    assert owner.run() == [("Marta Nowak", "ask", True)]
    [path] = owner.drafts()
    raw = path.read_bytes()
    shutil.move(path, tmp_path / "open-in-neomutt")  # recalled: out of Drafts at once

    owner.deliver(mail("Ann Other <ann@other.example>", "robin@owner.example", "lunch?"))
    assert owner.run() == []  # new mail: the drafts are looked at
    [waiting] = owner.status()["open"]
    assert waiting["draft"] == {"step": "ask", "state": "missing"}

    edited = neomutt_resave(raw, body="Hi Marta,\n\nhave we met? I can't place you.\n")
    if then == "postponed":
        owner.put("Drafts", edited, "D")
    else:
        owner.put("Sent", edited, "S")
    owner.deliver(on_behalf("Marta Nowak", "marta.nowak@post.example", "<r1@prod>", 5742011981))
    assert owner.run() == [("Marta Nowak", "ask", False)]  # a reminder: already asked
    after = owner.status()
    assert after["ignored"] == []
    [marta] = after["open"]
    assert marta["status"] == "asked"
    assert marta["draft"] == {"step": "ask", "state": "stored" if then == "postponed" else "sent"}
    if then == "sent":  # the conversation goes on: her answer is followed
        owner.deliver(
            reply(
                "Marta Nowak <marta.nowak@post.example>",
                draft_of(raw)["Message-ID"],
                "No, we have never met.",
            )
        )
        assert owner.run() == [("Marta Nowak", "explain", True)]


def test_a_draft_deleted_in_the_client_stays_deleted(tmp_path: Path) -> None:
    """The other side: deleted for good, nothing turns up for a day: the conversation
    closes, and stays closed."""
    owner = Mailboxes(tmp_path)
    owner.deliver(on_behalf("Lena Fischer", "lena.fischer@post.example", "<i3@prod>", 5742011983))
    owner.run()
    [path] = owner.drafts()
    path.unlink()
    owner.deliver(on_behalf("Lena Fischer", "lena.fischer@post.example", "<r@p>", 5742011983))
    assert owner.run() == [("Lena Fischer", "ask", False)]  # missing: maybe being edited
    a_day_passes(tmp_path)
    for n in range(2):
        owner.deliver(
            on_behalf("Lena Fischer", "lena.fischer@post.example", f"<r{n}@p>", 5742011983)
        )
        assert owner.run() == [("Lena Fischer", "ignore", False)]
    [lena] = owner.status()["ignored"]
    assert lena["draft"] == {"step": "ask", "state": "discarded"}


def test_a_draft_back_after_it_was_taken_for_deleted_reopens_nothing(tmp_path: Path) -> None:
    """A draft missing for a day was deleted: it is not looked for at every cycle ever
    after (an answer to it would still be followed: test_owner_e2e)."""
    owner = Mailboxes(tmp_path)
    owner.deliver(on_behalf("Marta Nowak", "marta.nowak@post.example", "<i1@prod>", 5742011981))
    owner.run()
    [path] = owner.drafts()
    raw = path.read_bytes()
    path.unlink()
    owner.deliver(mail("Ann Other <ann@other.example>", "robin@owner.example", "lunch?"))
    owner.run()
    a_day_passes(tmp_path)
    owner.deliver(mail("Ann Other <ann@other.example>", "robin@owner.example", "later"))
    owner.run()
    owner.put("Sent", neomutt_resave(raw), "S")
    owner.deliver(mail("Ann Other <ann@other.example>", "robin@owner.example", "again"))
    owner.run()
    [marta] = owner.status()["ignored"]
    assert marta["draft"] == {"step": "ask", "state": "discarded"}


def test_a_paste_draft_back_in_drafts_is_waiting_again(tmp_path: Path) -> None:
    """A draft without a recipient (to paste into LinkedIn) gone from Drafts may have been
    pasted: nothing closes. Postponed back by the client, it is waiting again."""
    owner = Mailboxes(tmp_path)
    owner.deliver(invitation("Priya Raman"))
    assert owner.run() == [("Priya Raman", "ask", True)]
    [path] = owner.drafts()
    raw = path.read_bytes()
    path.unlink()
    owner.deliver(mail("Ann Other <ann@other.example>", "robin@owner.example", "lunch?"))
    owner.run()
    assert owner.status()["open"][0]["draft"] == {"step": "ask", "state": "missing"}
    owner.put("Drafts", neomutt_resave(raw), "D")
    owner.deliver(mail("Ann Other <ann@other.example>", "robin@owner.example", "again"))
    owner.run()
    [priya] = owner.status()["open"]
    assert priya["draft"] == {"step": "ask", "state": "stored"}


def rendered_email_draft(name: str = "Jürgen Müller") -> bytes:
    """An email draft as mailbot writes it (quoted-printable UTF-8, an encoded subject)."""
    from mailbot.config import Owner
    from mailbot.records import Parent
    from mailbot.replies import Renderer

    owner = Owner(name="Robin Owner", email="robin@owner.example", phone=None, twitter=None)
    requester = Requester(name=name, email="jm@post.example")
    parent = Parent("<i1@prod>", "Invitation to connect on LinkedIn")
    return Renderer().draft("ask", requester, "linkedin", parent, owner, token="0" * 32).as_bytes()


def test_a_draft_stored_again_unchanged_by_a_client_is_not_edited() -> None:
    """neomutt re-encodes a draft it postpones again: another Date, subject encoding,
    charset and transfer encoding, the same text. Not an edit: still ours to withdraw
    when the conversation moves on. Any change the owner makes is an edit."""
    raw = rendered_email_draft()
    baseline = digest(raw)
    again = neomutt_resave(raw.replace(b"\r\n", b"\n"))
    assert b"quoted-printable" in raw and b"quoted-printable" not in again
    assert unchanged(again, baseline) and unchanged(raw, baseline)
    text = draft_of(raw).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert not unchanged(neomutt_resave(raw, body=text.replace("Hi", "Hello")), baseline)
    assert not unchanged(neomutt_resave(raw, body=text + "\nP.S. see you\n"), baseline)
    other = raw.replace(b"jm@post.example", b"someone@else.example")
    assert not unchanged(other, baseline)
    resubject = draft_of(raw)
    resubject.replace_header("Subject", "Hello Jürgen")
    assert not unchanged(resubject.as_bytes(), baseline)


def test_a_digest_stored_by_an_earlier_release_still_recognises_its_draft() -> None:
    raw = rendered_email_draft()
    assert unchanged(raw, _encoded_digest(raw))
    assert not unchanged(raw.replace(b"Hi ", b"Hello "), _encoded_digest(raw))


@pytest.mark.parametrize("edited", [False, True])
def test_a_draft_postponed_again_is_withdrawn_only_if_edited(tmp_path: Path, edited: bool) -> None:
    """The owner recalls our ask draft and postpones it again (edited or not); then the
    person answers on LinkedIn and the explanation is drafted: the ask draft is stale.
    Unchanged, it is withdrawn; edited, it is the owner's and stays."""
    owner = Mailboxes(tmp_path)
    owner.deliver(on_behalf("Marta Nowak", "marta.nowak@post.example", "<i1@prod>", 5742011981))
    owner.run()
    [path] = owner.drafts()
    raw = path.read_bytes()
    path.unlink()
    text = draft_of(raw).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    owner.put("Drafts", neomutt_resave(raw, body=text + "PS\n" if edited else None), "D")
    owner.deliver(network_message("Marta Nowak", "No, we have never met. Just networking."))
    assert owner.run() == [("Marta Nowak", "explain", True)]
    ids = [draft_of(p.read_bytes())["Message-ID"] for p in owner.drafts()]
    assert len(ids) == (2 if edited else 1)
    assert (draft_of(raw)["Message-ID"] in ids) == edited
