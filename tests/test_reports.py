"""Reports on our drafts (bounces, delay notices, abuse reports, read receipts) are never
answers (issue 22): told by structure, whatever their wording or language; the
conversation stays exactly as it was, and `mailbot status` says the address bounced.

The fixtures (tests/fixtures/reports/, see its README.md) are each a report on the same
"have we met?" email draft to Marta Nowak, threaded to it and quoting it.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import quopri
import re
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from pathlib import Path

import pytest
from builders import mail, on_behalf
from conftest import FIXTURES
from support import mailbot
from test_drafts_in_clients import Mailboxes

from mailbot.notifications import Notification, parse
from mailbot.plan import Options, Plan, plan
from mailbot.records import Conversation, DraftRecord, Verdict
from mailbot.rules import IGNORE, RULES, Context, decide
from mailbot.store import Store

REPORTS = FIXTURES / "reports"
DRAFT_ID = "<20261207150028.a343ff802608da129c3cb0cf51d2910d.f4885a@owner.example>"
MARTA = "marta.nowak@post.example"

# fixture -> (report, failed recipients)
EXPECTED: dict[str, tuple[str, tuple[str, ...]]] = {
    "postfix-dsn.eml": ("delivery", (MARTA,)),
    "exchange-ndr.eml": ("delivery", (MARTA,)),
    "gmail-dsn.eml": ("delivery", (MARTA,)),
    "exim-bounce.eml": ("delivery", (MARTA,)),
    "exchange-ndr-de.eml": ("delivery", (MARTA,)),  # Final-Recipient: Marta.Nowak@...
    "postmaster-fr-plain.eml": ("delivery", ()),  # plain text, names no address
    "qmail-failure-notice.eml": ("delivery", (MARTA,)),
    "dsn-appended-no-return-path.eml": ("delivery", (MARTA,)),
    "gmail-delay.eml": ("delay", ()),
    "arf-feedback.eml": ("feedback", ()),
    "mdn-read-receipt.eml": ("receipt", ()),
}
BOUNCES = sorted(name for name, (kind, _) in EXPECTED.items() if kind == "delivery")


def fixture(name: str, draft_id: str = DRAFT_ID) -> bytes:
    return (REPORTS / name).read_bytes().replace(DRAFT_ID.encode(), draft_id.encode())


def without_headers(raw: bytes, *names: str) -> bytes:
    """The message with these top-level headers (and their folded lines) removed."""
    head, sep, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    pattern = rb"^(?:%s):.*\n(?:[ \t].*\n)*" % b"|".join(n.encode() for n in names)
    return re.sub(pattern, b"", head + b"\n", flags=re.I | re.M).rstrip(b"\n") + sep + body


def test_every_report_fixture_has_an_expectation() -> None:
    assert {p.name for p in REPORTS.glob("*.eml")} == {*EXPECTED, "reply-mentions-bounce.eml"}


# -- recognised by parse() -----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_parse_classifies_it_as_a_report(name: str) -> None:
    n = parse(fixture(name))
    report, failed = EXPECTED[name]
    assert (n.kind, n.report, n.failed) == ("other", report, failed), n.reasons
    assert n.text is None  # never read as someone's words
    assert DRAFT_ID in n.references  # it belongs to the conversation of our draft
    assert n.reasons and n.error is None


@pytest.mark.parametrize(
    "name", ["postfix-dsn.eml", "exchange-ndr.eml", "exim-bounce.eml", "mdn-read-receipt.eml"]
)
def test_it_is_tied_to_our_draft_by_what_it_returns_when_it_is_not_threaded(name: str) -> None:
    """Postfix and Exchange return our draft (or its headers), Exim quotes them in its text,
    a read receipt names it (Original-Message-ID): each still finds its conversation."""
    raw = without_headers(fixture(name), "In-Reply-To", "References")
    n = parse(raw)
    assert n.report == EXPECTED[name][0]
    assert n.references == (DRAFT_ID,)


@pytest.mark.parametrize("name", BOUNCES)
def test_a_copy_stored_by_append_without_return_path_or_auto_submitted_is_still_one(
    name: str,
) -> None:
    raw = without_headers(fixture(name), "Return-Path", "Auto-Submitted", "Delivered-To")
    n = parse(raw)
    assert (n.report, n.auto_reply) == ("delivery", False)


@pytest.mark.parametrize(
    "name", ["postfix-dsn.eml", "exchange-ndr.eml", "gmail-dsn.eml", "exchange-ndr-de.eml"]
)
def test_structure_wins_whatever_the_sender_and_subject(name: str) -> None:
    raw = fixture(name)
    raw = re.sub(rb"(?m)^From:.*\r?\n(?:[ \t].*\r?\n)*", b"From: Gateway <gw@relay.example>\n", raw)
    raw = re.sub(rb"(?m)^Subject:.*\r?\n(?:[ \t].*\r?\n)*", b"Subject: Re: hello\n", raw, count=1)
    n = parse(raw)
    assert (n.report, n.failed) == ("delivery", (MARTA,))


@pytest.mark.parametrize("encoding", ["7bit", "base64", "quoted-printable"])
def test_the_failed_recipient_is_read_from_an_encoded_delivery_status_part(encoding: str) -> None:
    fields = b"Reporting-MTA: dns; gw.post.example\n\nFinal-Recipient: rfc822; Marta.Nowak@post.example\nAction: failed\nStatus: 5.1.1\n"
    body = {
        "7bit": fields,
        "base64": base64.encodebytes(fields),
        "quoted-printable": quopri.encodestring(fields),
    }[encoding]
    raw = (
        b"From: Gateway <gw@post.example>\nTo: robin@owner.example\nSubject: x\n"
        b"In-Reply-To: " + DRAFT_ID.encode() + b"\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        b"--B\nContent-Type: text/plain\n\nnot delivered\n"
        b"--B\nContent-Type: message/delivery-status\n"
        b"Content-Transfer-Encoding: " + encoding.encode() + b"\n\n" + body + b"\n--B--\n"
    )
    assert (parse(raw).report, parse(raw).failed) == ("delivery", (MARTA,))


def test_a_person_forwarding_a_bounce_as_an_attachment_is_not_a_report() -> None:
    """A report inside a message/rfc822 part is what someone forwarded, not the message."""
    msg = EmailMessage()
    msg["From"] = "Marta Nowak <marta.n@mail.example>"
    msg["To"] = "Robin Owner <robin@owner.example>"
    msg["Subject"] = "Re: Invitation to connect on LinkedIn"
    msg["Message-ID"] = "<fwd-1@mail.example>"
    msg["In-Reply-To"] = DRAFT_ID
    msg.set_content("Your mail bounced (attached). No, we have never met.\n")
    bounce = email.message_from_bytes(fixture("postfix-dsn.eml"), policy=email.policy.default)
    msg.add_attachment(bounce)
    n = parse(msg.as_bytes())
    assert n.report is None and n.text is not None and "never met" in n.text


@pytest.mark.parametrize(
    ("sender", "subject"),
    [
        ("Marta Nowak <marta.n@mail.example>", "Undeliverable: Re: Invitation to connect"),
        ("Marta Nowak <marta.n@mail.example>", "Delivery Status Notification (Failure)"),
        ("Postmaster Team <it@mail.example>", "Re: Invitation to connect"),
        ("postmaster@mail.example", "Re: Invitation to connect"),  # the words decide
    ],
)
def test_words_or_a_sender_alone_never_make_a_report(sender: str, subject: str) -> None:
    raw = mail(sender, "robin@owner.example", subject).replace(
        b"Message-ID:", f"In-Reply-To: {DRAFT_ID}\nMessage-ID:".encode()
    )
    n = parse(raw)
    assert n.report is None and n.text is not None


def test_mail_from_mailer_daemon_is_a_report_in_any_words() -> None:
    raw = mail("MAILER-DAEMON@mx.post.example", "robin@owner.example", "配信エラー")
    assert parse(raw).report == "delivery"


def test_a_persons_reply_about_a_delivery_status_notification_is_an_answer() -> None:
    raw = (REPORTS / "reply-mentions-bounce.eml").read_bytes()
    n = parse(raw.replace(b"marta.n@mail.example", MARTA.encode()))  # her own address
    assert (n.kind, n.report, n.sender) == ("other", None, MARTA)
    assert n.text is not None and "never met" in n.text
    assert decide(n, CONTEXT, ASKED).rule == "answer"  # what it says is conversation.py's
    p = planned(n)
    assert p.decision != IGNORE and p.save is not None and p.bounced is None


# -- the rule and the planner ---------------------------------------------------------


def test_the_report_rule_comes_right_before_automatic_replies() -> None:
    names = [rule.name for rule in RULES]
    assert names[names.index("report") + 1] == "automatic-reply"


class _Stranger:
    def assess(self, requester: object) -> Verdict:
        return Verdict()


ASKED = Conversation(
    person="linkedin:invitation:5742011987",
    name_key="marta nowak",
    name="Marta Nowak",
    network="linkedin",
    profile_url=None,
    email=MARTA,
    language="en",
    status="asked",
    reason="Marta Nowak is not someone you know and sent no personal note",
    link="linkedin:invitation:5742011987",
    invitation="linkedin:invitation:5742011987",
)
OUR_DRAFT = DraftRecord(
    "a343ff802608da129c3cb0cf51d2910d", ASKED.person, "ask", DRAFT_ID, "Drafts", "d", "stored"
)


@dataclass
class View:
    conversations: list[Conversation] = field(default_factory=lambda: [ASKED])
    drafts: list[DraftRecord] = field(default_factory=lambda: [OUR_DRAFT])

    def conversation(self, person: str) -> Conversation | None:
        return next((c for c in self.conversations if c.person == person), None)

    def conversation_by_invitation(self, invitation: str) -> Conversation | None:
        return next((c for c in self.conversations if c.invitation == invitation), None)

    def conversations_by_name(self, name_key: str, network: str | None) -> list[Conversation]:
        return [c for c in self.conversations if c.name_key == name_key]

    def handled(self, message_id: str | None) -> bool:
        return False

    def draft_answered_by(self, message_ids: tuple[str, ...]) -> DraftRecord | None:
        return next((d for d in self.drafts if d.message_id in message_ids), None)

    def stored_drafts(self, person: str) -> list[DraftRecord]:
        return [d for d in self.drafts if d.person == person and d.state == "stored"]


CONTEXT = Context(_Stranger(), frozenset({"robin@owner.example"}))


def planned(n: Notification, view: View | None = None) -> Plan:
    return plan(n, view or View(), CONTEXT, Options(today="2026-12-08"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_report_leaves_the_conversation_exactly_as_it_was(name: str) -> None:
    p = planned(parse(fixture(name)))
    assert p.decision == IGNORE
    assert (p.save, p.draft, p.withdraw, p.invitation, p.fates) == (None, None, (), None, ())
    assert p.reason.endswith(": not an answer") and p.name == "Marta Nowak"
    if EXPECTED[name][0] == "delivery":  # remembered, for `mailbot status`
        assert (p.person, p.bounced) == (ASKED.person, MARTA)
        assert MARTA in p.reason or "Marta Nowak" in p.reason
    else:
        assert p.bounced is None


def test_a_bounce_that_names_no_address_names_our_drafts_recipient() -> None:
    view = View(drafts=[replace(OUR_DRAFT, recipient="m.nowak@post.example")])
    p = planned(parse(fixture("postmaster-fr-plain.eml")), view)
    assert p.bounced == "m.nowak@post.example"


@pytest.mark.parametrize("status", ["asked", "explained", "review", "ignored", "declined"])
def test_a_bounce_never_moves_a_conversation_in_any_state(status: str) -> None:
    view = View(conversations=[replace(ASKED, status=status)])
    p = planned(parse(fixture("postfix-dsn.eml")), view)
    assert (p.decision, p.save, p.draft, p.withdraw) == (IGNORE, None, None, ())


def test_a_report_on_mail_that_is_not_ours_is_ignored_and_remembers_nothing() -> None:
    p = planned(parse(fixture("postfix-dsn.eml", "<someone-else@owner.example>")))
    assert (p.decision, p.person, p.bounced, p.save) == (IGNORE, None, None, None)


def test_a_report_is_never_an_answer_even_from_the_person_herself() -> None:
    """The read receipt comes from Marta's own address and quotes our draft."""
    n = parse(fixture("mdn-read-receipt.eml"))
    assert n.sender == MARTA
    decision = decide(n, CONTEXT, ASKED)
    assert (decision.action, decision.rule) == (IGNORE, "report")


# -- remembered, and shown by `mailbot status` ------------------------------------------


def test_the_store_remembers_a_bounce_once(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        store.save_conversation(ASKED, "ask", "why", "<inv@x>")
        store.record_bounce(ASKED.person, MARTA, "<bounce-1@x>")
        store.record_bounce(ASKED.person, MARTA, "<bounce-1@x>")  # read again
        [(at, address)] = store.bounces(ASKED.person)
        assert address == MARTA and at
        assert store.conversation(ASKED.person) is not None
        assert [what for _, what, _ in store.events(ASKED.person)] == ["ask", "bounced"]


def test_status_says_each_bounced_address_once() -> None:
    from mailbot.commands import _bounced

    lines = _bounced(
        [
            ("2026-12-07T15:12:09+00:00", MARTA),
            ("2026-12-08T09:00:00+00:00", MARTA),
            ("2026-12-08T10:00:00+00:00", ""),
        ]
    )
    assert lines == [
        f"      their address {MARTA} bounced (2 times, last 2026-12-08)",
        "      their address (not named) bounced (2026-12-08)",
    ]


class Owner(Mailboxes):
    """The owner's Maildir and the real `mailbot` run on it, as test_drafts_in_clients
    sets it up; a cycle reported with what it withdrew, status as text, drafts as bytes."""

    def cycle(self) -> list[tuple[object, ...]]:
        result = mailbot(self.tmp, self.env, "--run-once", "--json")
        assert result.returncode == 0, result.stderr
        processed = json.loads(result.stdout)["processed"]
        return [(p["requester"], p["decision"], p["draft"], p["withdrawn"]) for p in processed]

    def status_text(self, *args: str) -> str:
        result = mailbot(self.tmp, self.env, "status", *args)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def draft_bytes(self) -> list[bytes]:
        return sorted(p.read_bytes() for p in self.drafts())


@pytest.mark.parametrize(
    "name", ["gmail-dsn.eml", "postmaster-fr-plain.eml", "mdn-read-receipt.eml"]
)
def test_status_shows_the_bounce_and_the_conversation_goes_on(tmp_path: Path, name: str) -> None:
    """On a Maildir, the real command: our email draft to Marta bounces (or is read); the
    conversation and the draft stay as they were, `status` names the address that
    bounced, and her real answer later still counts."""
    owner = Owner(tmp_path)
    owner.deliver(on_behalf("Marta Nowak", MARTA, "<i1@prod>", 5742011987))
    assert owner.cycle() == [("Marta Nowak", "ask", True, [])]
    [draft] = owner.draft_bytes()
    draft_id = str(email.message_from_bytes(draft)["Message-ID"]).strip()
    before = json.loads(owner.status_text("--json"))

    owner.deliver(fixture(name, draft_id))
    assert owner.cycle() == [("Marta Nowak", "ignore", False, [])]
    assert owner.draft_bytes() == [draft]  # not withdrawn, nothing added
    after = json.loads(owner.status_text("--json"))
    [was], [now] = before["open"], after["open"]
    kept = ("name", "status", "reason", "email", "decided", "draft", "evidence")
    assert {k: now[k] for k in kept} == {k: was[k] for k in kept}
    assert after["review"] == [] and after["skipped"] == []
    text = owner.status_text()
    if name == "mdn-read-receipt.eml":
        assert now["bounced"] == [] and "bounced" not in text
    else:
        assert [b["address"] for b in now["bounced"]] == [MARTA]
        day = now["bounced"][0]["at"][:10]
        assert f"      their address {MARTA} bounced ({day})" in text.splitlines()

    owner.deliver(answer(draft_id, "No, we have never met."))
    assert owner.cycle() == [("Marta Nowak", "explain", True, ["ask"])]


def answer(draft_id: str, text: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Marta Nowak <{MARTA}>"
    msg["To"] = "Robin Owner <robin@owner.example>"
    msg["Subject"] = "Re: Invitation to connect on LinkedIn"
    msg["Message-ID"] = "<answer-1@post.example>"
    msg["In-Reply-To"] = draft_id
    msg["References"] = draft_id
    msg.set_content(f"{text}\n\n> Hi Marta, have we met?\n")
    return msg.as_bytes()
