"""Our drafts are told by what they are, not by one header (issue 24, part 6): a client
that sends a draft under a new Message-ID (Outlook desktop stamps one on sending) or saves
it again under a new one still holds our draft: same recipient, same text (the digest
mailbot already keeps). On a local Maildir, through the real command."""

from __future__ import annotations

import email
import email.policy
from email.utils import make_msgid
from pathlib import Path

from builders import on_behalf
from support import a_day_passes
from test_drafts_in_clients import Mailboxes


def restamped(raw: bytes) -> bytes:
    """The draft with a new Message-ID of the client's, nothing else changed."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    del msg["Message-ID"]
    msg["Message-ID"] = make_msgid(domain="AM0PR01MB1234.eurprd01.prod.outlook.com")
    return msg.as_bytes()


def test_a_draft_sent_under_a_new_message_id_was_sent(tmp_path: Path) -> None:
    owner = Mailboxes(tmp_path)
    owner.deliver(on_behalf("Lena Fischer", "lena.fischer@post.example", "<i3@prod>", 5742011983))
    owner.run()
    [path] = owner.drafts()
    owner.put("Sent", restamped(path.read_bytes()), "S")  # sent by Outlook
    path.unlink()
    owner.deliver(on_behalf("Lena Fischer", "lena.fischer@post.example", "<r@p>", 5742011983))
    assert owner.run() == [("Lena Fischer", "ask", False)]
    a_day_passes(tmp_path)
    owner.deliver(on_behalf("Lena Fischer", "lena.fischer@post.example", "<r2@p>", 5742011983))
    assert owner.run() == [("Lena Fischer", "ask", False)]  # open: never "deleted unsent"
    [lena] = owner.status()["open"]
    assert lena["draft"] == {"step": "ask", "state": "sent"}


def test_a_draft_saved_again_under_a_new_message_id_is_still_waiting(tmp_path: Path) -> None:
    owner = Mailboxes(tmp_path)
    owner.deliver(on_behalf("Marta Nowak", "marta.nowak@post.example", "<i1@prod>", 5742011981))
    owner.run()
    [path] = owner.drafts()
    owner.put("Drafts", restamped(path.read_bytes()), "DS")
    path.unlink()
    a_day_passes(tmp_path)
    owner.deliver(on_behalf("Marta Nowak", "marta.nowak@post.example", "<r@p>", 5742011981))
    assert owner.run() == [("Marta Nowak", "ask", False)]
    [marta] = owner.status()["open"]
    assert marta["draft"] == {"step": "ask", "state": "stored"}


def edited(raw: bytes) -> bytes:
    """The draft as the owner sends it after rewriting its text (same recipient, same
    In-Reply-To, a new Message-ID of the client's)."""
    msg = email.message_from_bytes(restamped(raw), policy=email.policy.compat32)
    msg.set_payload("Hi Lena, lovely to hear from you - where did we meet again?\n", "utf-8")
    return msg.as_bytes()


def test_a_draft_edited_then_sent_under_a_new_message_id_was_sent(tmp_path: Path) -> None:
    owner = Mailboxes(tmp_path)
    owner.deliver(on_behalf("Lena Fischer", "lena.fischer@post.example", "<i3@prod>", 5742011983))
    owner.run()
    [path] = owner.drafts()
    owner.put("Sent", edited(path.read_bytes()), "S")  # rewritten, then sent by Outlook
    path.unlink()
    owner.deliver(on_behalf("Lena Fischer", "lena.fischer@post.example", "<r@p>", 5742011983))
    owner.run()
    a_day_passes(tmp_path)
    owner.deliver(on_behalf("Lena Fischer", "lena.fischer@post.example", "<r2@p>", 5742011983))
    assert owner.run() == [("Lena Fischer", "ask", False)]  # open: never "deleted unsent"
    [lena] = owner.status()["open"]
    assert lena["draft"] == {"step": "ask", "state": "sent"}


def test_another_mail_of_the_owners_to_them_is_not_our_draft_but_their_own_mail(
    tmp_path: Path,
) -> None:
    """A mail the owner wrote to the same person that replies to nothing of theirs is
    not our draft sent: it is the owner's own correspondence, and it makes them known."""
    owner = Mailboxes(tmp_path)
    owner.deliver(on_behalf("Lena Fischer", "lena.fischer@post.example", "<i3@prod>", 5742011983))
    owner.run()
    [path] = owner.drafts()
    other = email.message_from_bytes(edited(path.read_bytes()), policy=email.policy.compat32)
    del other["In-Reply-To"], other["References"]
    owner.put("Sent", other.as_bytes(), "S")
    path.unlink()
    owner.deliver(on_behalf("Lena Fischer", "lena.fischer@post.example", "<r@p>", 5742011983))
    assert owner.run() == [("Lena Fischer", "known", False)]
    assert owner.status()["open"] == []


def copy_in_inbox(raw: bytes, results: str) -> bytes:
    """The copy of a sent draft some clients file in the inbox, as the owner's server
    delivered it (its Authentication-Results on top)."""
    return f"Authentication-Results: {results}\r\n".encode() + raw


VOUCHED = "mx.owner.example; dkim=pass header.d=owner.example; dmarc=pass header.from=owner.example"


def send_with_copy_in_inbox(tmp_path: Path, results: str, **env: str) -> dict[str, object]:
    tmp_path.mkdir(exist_ok=True)
    owner = Mailboxes(tmp_path)
    owner.env.update(env)
    owner.deliver(on_behalf("Lena Fischer", "lena.fischer@post.example", "<i3@prod>", 5742011983))
    owner.run()
    [path] = owner.drafts()
    owner.deliver(copy_in_inbox(path.read_bytes(), results))  # sent; no copy in Sent
    path.unlink()
    owner.deliver(on_behalf("Lena Fischer", "lena.fischer@post.example", "<r@p>", 5742011983))
    owner.run()
    a_day_passes(tmp_path)
    owner.deliver(on_behalf("Lena Fischer", "lena.fischer@post.example", "<r2@p>", 5742011983))
    owner.run()
    status = owner.status()
    [lena] = status["open"] + status["ignored"]
    return lena


def test_a_sent_copy_in_the_inbox_counts_when_the_owners_server_vouches_for_it(
    tmp_path: Path,
) -> None:
    lena = send_with_copy_in_inbox(tmp_path, VOUCHED, MAILBOT_AUTHSERV_ID="mx.owner.example")
    assert (lena["status"], lena["draft"]) == ("asked", {"step": "ask", "state": "sent"})


def test_a_sent_copy_in_the_inbox_is_not_believed_on_its_own_word(tmp_path: Path) -> None:
    """Without MAILBOT_AUTHSERV_ID, or vouched for by another server, a mail "from the
    owner" carrying our draft's Message-ID could be anyone's: the draft was deleted."""
    lena = send_with_copy_in_inbox(tmp_path / "unset", VOUCHED)
    assert lena["draft"] == {"step": "ask", "state": "discarded"}
    forged = VOUCHED.replace("mx.owner.example", "mx.pitch.example")
    lena = send_with_copy_in_inbox(
        tmp_path / "other", forged, MAILBOT_AUTHSERV_ID="mx.owner.example"
    )
    assert lena["draft"] == {"step": "ask", "state": "discarded"}
