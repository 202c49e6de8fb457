"""Addresses are parsed from headers as sent; only display names are decoded (issue 14).

Property tests: whatever a display name holds (commas, angle brackets, @, quotes,
non-ASCII, an address of its own), the address read is the one in the header's
addr-spec, and a name that shows another address makes network mail suspicious.
"""

from __future__ import annotations

import re
import unicodedata
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP

from builders import invitation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mailbot.notifications import parse
from mailbot.notifications.fields import spoofing_display
from mailbot.notifications.message import one_line, read, single_address

NAMES = st.text(
    alphabet=st.characters(
        codec="utf-8",
        categories=("L", "N", "P", "S", "Zs"),
        exclude_characters="\r\n\x00",
    ),
    min_size=1,
    max_size=40,
)
LOCAL = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}[a-z0-9]", fullmatch=True)
DOMAIN = st.from_regex(r"[a-z0-9]{1,10}\.(?:example|com|org)", fullmatch=True)


def header_value(name: str, addr: str) -> str:
    """The From header as a mail program writes it (quoted, RFC 2047-encoded, folded)."""
    msg = EmailMessage(policy=SMTP)
    local, _, domain = addr.partition("@")
    msg["From"] = Address(display_name=name, username=local, domain=domain)
    head = msg.as_bytes().decode("ascii").split("\r\n\r\n")[0]
    unfolded = re.sub(r"\r\n[ \t]+", " ", head)
    line = next(line for line in unfolded.split("\r\n") if line.startswith("From:"))
    return line.removeprefix("From:").strip()


@settings(max_examples=400, deadline=None)
@given(name=NAMES, local=LOCAL, domain=DOMAIN)
def test_the_address_is_the_addr_spec_whatever_the_name(name: str, local: str, domain: str) -> None:
    assume(".." not in local and not local.endswith("."))
    addr = f"{local}@{domain}"
    found = single_address(header_value(name, addr))
    assert found is not None
    display, parsed = found
    assert parsed == addr
    assert display == one_line(unicodedata.normalize("NFC", name), 300)


@settings(max_examples=200, deadline=None)
@given(name=NAMES, local=LOCAL, domain=DOMAIN)
def test_a_name_hiding_linkedins_address_never_becomes_the_sender(
    name: str, local: str, domain: str
) -> None:
    assume(".." not in local and not local.endswith("."))
    addr = f"{local}@{domain}"
    shown = f"{name} <invitations@linkedin.com>"
    found = single_address(header_value(shown, addr))
    assert found is not None and found[1] == addr
    assert spoofing_display(found[0], found[1])


def test_an_encoded_name_that_decodes_to_linkedins_address_is_a_look_alike() -> None:
    raw = invitation("Mallory Evil").replace(
        b"From: Mallory Evil <invitations@linkedin.com>",
        b"From: =?utf-8?q?Mallory_Evil_=3Cinvitations=40linkedin.com=3E?= <attacker@evil.example>",
    )
    n = parse(raw)
    assert n.kind == "suspicious" and "attacker@evil.example" in n.reasons[0]


@settings(max_examples=200, deadline=None)
@given(name=NAMES)
def test_any_encoded_name_of_a_genuine_invitation_is_read_whole(name: str) -> None:
    """José García, MBA; «Dr. Ann O'Neil; PhD»; names with @ or <: one requester each."""
    clean = one_line(name, 120)
    assume(clean and "@" not in clean and not clean.lower().startswith(("linkedin", "via")))
    raw = invitation("Placeholder Name")
    value = header_value(clean, "invitations@linkedin.com").encode("ascii")
    raw = raw.replace(b"From: Placeholder Name <invitations@linkedin.com>", b"From: " + value)
    n = parse(raw)
    assert n.kind == "invitation", n.reasons
    assert n.requester is not None


def test_two_from_headers_or_two_addresses_are_not_one_sender() -> None:
    for head in (
        b"From: a@x.example\r\nFrom: b@y.example\r\n",
        b"From: a@x.example, b@y.example\r\n",
        b"From: invitations@linkedin.com <attacker@evil.example>\r\n",
        b"From: garbage <<>>\r\n",
    ):
        content = read(head + b"Subject: hi\r\n\r\nbody\r\n")
        values = content.raw_headers["from"]
        assert len(values) > 1 or single_address(values[0]) is None, head


def test_a_reply_to_is_a_recipient_only_as_one_plain_address() -> None:
    base = invitation("Priya Raman")
    for reply_to, expected in (
        (b"Priya <priya@mail.example>", "priya@mail.example"),
        (b"=?utf-8?q?priya=40mail.example?= <attacker@evil.example>", None),
        (b"priya@mail.example, other@evil.example", None),
        (b"=?utf-8?q?Priya_=3Cpriya=40mail.example=3E?=", None),
    ):
        raw = base.replace(b"\nSubject:", b"\nReply-To: " + reply_to + b"\nSubject:", 1)
        n = parse(raw)
        assert n.requester is not None and n.requester.email == expected, reply_to
