"""Correspondence from message headers: who the owner wrote to, who wrote to the owner.

Pure: header bytes (and attachment file names, and a calendar part if the message has
one: people.meetings) in, entries out. Mail from networks, robots and lists is not
correspondence, nor is mail a network wrote in a person's name: an invitation LinkedIn
sent "on the inviter's behalf" comes From the inviter's own address, but LinkedIn sent
it (its Sender or bounce address, its signature, "via LinkedIn" in the From's name).

Only what the owner did makes someone known, never what a stranger can write:
- mail is the owner's (SENT) when it is From an owner's address and either lies in the
  Sent folder or carries the owner's server's verdict that it really came from the
  owner's domain (dkim/dmarc=pass in Authentication-Results, no fail); a From: naming
  the owner anywhere else is nobody's evidence. One message to more than MAX_RECIPIENTS
  people (a mass mail, a Bcc-like list) is evidence only (MANY), never known;
- a calendar part counts as a meeting only in the owner's own mail (people.meetings);
- a received message is a job application only when it carries a CV-like document (a
  pdf/doc/docx/odt/rtf whose name has CV, résumé, Lebenslauf, curriculum as a word)
  and an application subject ("application for", "Bewerbung als", "candidature", ...);
  one of the two alone is ordinary received mail: evidence, never known.
"""

from __future__ import annotations

import contextlib
import email
import email.errors
import email.header
import email.message
import email.policy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import getaddresses, parsedate_to_datetime

from mailbot.identity import normalise_email, token_of
from mailbot.mailboxes.base import KEY_HEADER
from mailbot.notifications import linkedin, xing
from mailbot.notifications.fields import is_machine_address
from mailbot.notifications.message import one_line
from mailbot.people.meetings import meetings

SENT, RECEIVED = "sent", "received"
MANY = "sent-many"  # the owner's mail to more than MAX_RECIPIENTS people: evidence only
MAX_RECIPIENTS = 20

# A subject that applies for a job, in the languages mailbot reads (phrases.py): an
# explicit phrase, never the bare word ("Mobile application development" is a pitch).
_APPLICATION_SUBJECT = re.compile(
    r"\bapplication\s+(?:for|as|to)\b|\bapplying\s+(?:for|to)\b|\bjob\s+application\b"  # en
    r"|\bcandidature\b"  # fr
    r"|\b(?:initiativ)?bewerbung\b"  # de
    r"|\bcandidatura\b|\bsolicitud\s+de\s+empleo\b|\bpostulaci[oó]n\b"  # es, it, pt
    r"|\bsollicitatie\b"  # nl
    r"|\b(?:jobb)?ans[öo]kan\b"  # sv
    r"|\baplikacja\s+na\s+stanowisko\b|\bpodanie\s+o\s+prac[eę]\b",  # pl
    re.IGNORECASE,
)
_CV_WORD = re.compile(
    r"(?<![^\W_])(?:cv|resume|r[ée]sum[ée]|lebenslauf|curriculum|curr[ií]culo)(?![^\W_])",
    re.IGNORECASE,
)
# "resume of services", "résumé des produits": a summary, not a CV
_NOT_A_CV = re.compile(
    r"(?<![^\W_])(?:of|des|du|de|der)[\W_]+(?:services?|products?|offers?|company|solutions?"
    r"|capabilities|projects?|prestations|produits|leistungen)(?![^\W_])"
    r"|(?<![^\W_])(?:services?|products?|offers?|pricing|proposal|capabilities|prestations"
    r"|produits|leistungen|meeting|minutes)(?![^\W_])",
    re.IGNORECASE,
)
_CV_TYPES = (".pdf", ".doc", ".docx", ".odt", ".rtf")
_BULK = re.compile(r"^\s*(?:bulk|list|junk)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    address: str
    name: str
    direction: str  # SENT (the owner wrote to them), RECEIVED (they wrote to the owner),
    # people.meetings.MEETING (a meeting with the owner) or INVITED (they invited the owner)
    date: str | None  # ISO date (a meeting's: its start)
    subject: str  # a meeting's: its summary
    application: bool


def entries(
    raw_headers: bytes,
    attachments: Iterable[str],
    owner: frozenset[str],
    calendar: str | None = None,
    *,
    ours: frozenset[str] = frozenset(),
    sent: bool = False,
    authserv: frozenset[str] = frozenset(),
) -> list[Entry]:
    """The correspondence one message adds to the index (often none), and the meetings
    its calendar part shows (people.meetings), if it has one. `ours`: the Message-IDs
    and tokens of mailbot's drafts (store.Store.our_drafts): a draft of ours the owner
    sent, and the answers to it, are mailbot's conversation, not evidence that the owner
    knows someone. `sent`: the message lies in the owner's Sent folder. `authserv`: the
    authserv-ids of the owner's own server (MAILBOT_AUTHSERV_ID); none: mail from the
    owner's address counts only in the Sent folder."""
    msg = email.message_from_bytes(raw_headers, policy=email.policy.compat32)
    senders = _people(msg.get_all("From", []))
    if _is_bulk(msg) or not senders or _is_ours(msg, ours) or sent_by_network(msg):
        return []
    by_owner = senders[0][1] in owner and (sent or owner_authenticated(msg, owner, authserv))
    found = _correspondence(msg, senders, attachments, owner, by_owner=by_owner)
    if calendar:  # icalendar is imported only for mail with a calendar part
        found += [
            Entry(addr, name, direction, when, summary, False)
            for addr, name, direction, when, summary in meetings(
                calendar, owner, _is_person, by_owner=by_owner
            )
        ]
    return found


def _correspondence(
    msg: email.message.Message,
    senders: list[tuple[str, str]],
    attachments: Iterable[str],
    owner: frozenset[str],
    *,
    by_owner: bool,
) -> list[Entry]:
    subject = _subject(msg.get("Subject", ""))
    date = _date(msg.get("Date"))
    if by_owner:
        recipients: dict[str, str] = {}  # address: its name (named once is enough)
        for name, addr in _people(msg.get_all("To", []) + msg.get_all("Cc", [])):
            if _is_person(addr, owner):
                recipients[addr] = recipients.get(addr) or name
        direction = SENT if len(recipients) <= MAX_RECIPIENTS else MANY
        return [Entry(a, name, direction, date, subject, False) for a, name in recipients.items()]
    name, addr = senders[0]
    if not _is_person(addr, owner):
        return []  # also mail naming the owner as its sender that is not proven theirs
    return [Entry(addr, name, RECEIVED, date, subject, is_application(subject, attachments))]


def is_application(subject: str, attachments: Iterable[str]) -> bool:
    """A job application: an application subject and a CV-like document, both."""
    return bool(_APPLICATION_SUBJECT.search(subject)) and any(map(is_cv_file, attachments))


def is_cv_file(name: str) -> bool:
    """A document named as a CV ("Ada_Lovelace_CV.pdf", "Lebenslauf Max.docx"), not a
    "resume-of-services.pdf" nor a photo."""
    stem, dot, ext = name.strip().rpartition(".")
    if not dot or f".{ext.lower()}" not in _CV_TYPES:
        return False
    return bool(_CV_WORD.search(stem)) and not _NOT_A_CV.search(stem)


_VIA_NETWORK = re.compile(r"\bvia\s+(?:linkedin|xing)\b", re.IGNORECASE)
# What a verdict of Authentication-Results names as the sender: the envelope's (SPF's
# smtp.mailfrom, i.e. the Return-Path) or the signer's (DKIM's header.d / header.i).
_AUTH_SENDER = re.compile(
    r"\b(?:smtp\.mailfrom|header\.d|header\.i)=(?:[^\s;@]*@)?([A-Za-z0-9.-]+)", re.IGNORECASE
)


def sent_by_network(msg: email.message.Message) -> bool:
    """Mail a network sent in a person's name (LinkedIn's invitations "on the inviter's
    behalf", 2011-2015): From the person's own address, but its Sender or bounce address
    (Return-Path) is the network's, a server found the network as its envelope sender or
    signer (Authentication-Results: the index reads only these headers), or its From's
    name says "via LinkedIn". Not the person's correspondence, whatever the verdict: a
    header a stranger could write here only takes their own mail out of the count."""
    if any(_VIA_NETWORK.search(name) for name, _ in _people(msg.get_all("From", []))):
        return True
    relays = _people(msg.get_all("Sender", []) + msg.get_all("Return-Path", []))
    if any(_is_network(addr.rpartition("@")[2]) for _, addr in relays):
        return True
    for result in msg.get_all("Authentication-Results", []):
        for verdict in str(result).split(";")[1:]:
            if any(_is_network(d.lower().rstrip(".")) for d in _AUTH_SENDER.findall(verdict)):
                return True
    return False


def _is_network(domain: str) -> bool:
    return linkedin.is_network_domain(domain) or xing.is_network_domain(domain)


_AUTH_VERDICT = re.compile(r"\b(dkim|dmarc|spf)=([a-z]+)\b", re.IGNORECASE)
_AUTH_DOMAIN = re.compile(r"\bheader\.(?:d|i|from)=@?([A-Za-z0-9.-]+)", re.IGNORECASE)


def owner_authenticated(
    msg: email.message.Message, owner: frozenset[str], authserv: frozenset[str] = frozenset()
) -> bool:
    """The owner's server says this mail really comes from the domain of its From (an
    owner's address): dkim=pass aligned with it or dmarc=pass for it, and no dkim, dmarc or
    spf verdict other than pass for that domain. Read from the Authentication-Results of
    the owner's server: the topmost one with one of the `authserv` ids
    (MAILBOT_AUTHSERV_ID); lower ones with those ids can only refuse. None named:
    nothing is proven (a server that adds no header of its own leaves the topmost
    one to the sender, who can write "pass"). No verdict at all: not proven."""
    senders = _people(msg.get_all("From", []))
    if len(senders) != 1 or senders[0][1] not in owner:
        return False
    domain = senders[0][1].rpartition("@")[2]
    results = [str(h) for h in msg.get_all("Authentication-Results", [])]
    results = [r for r in results if _authserv_id(r) in authserv]
    if not results:
        return False
    passed, failed = _verdicts(results[0], domain)
    # Below the topmost header with the owner's server's id, one bearing the same id may
    # have come with the mail (a server that does not strip them, RFC 8601 5): it can
    # only say no.
    return passed and not failed and not any(_verdicts(r, domain)[1] for r in results[1:])


def _verdicts(result: str, domain: str) -> tuple[bool, bool]:
    """(dkim or dmarc passed for `domain`, any verdict for it, or for no domain, failed)."""
    passed = failed = False
    for verdict in result.split(";")[1:]:
        found = _AUTH_VERDICT.search(verdict)
        if found is None:
            continue
        method, outcome = found.group(1).lower(), found.group(2).lower()
        named = _AUTH_DOMAIN.search(verdict)
        about = named.group(1).lower().rstrip(".") if named else None
        ours = about is not None and (domain == about or domain.endswith("." + about))
        if outcome != "pass" and (ours or about is None):
            failed = True  # fail, softfail, none, neutral, ...: never the owner's
        elif outcome == "pass" and ours and method in ("dkim", "dmarc"):
            passed = True
    return passed, failed


def authserv_ids(raw_headers: bytes) -> list[str]:
    """The authserv-id of each Authentication-Results header of a message, topmost first."""
    msg = email.message_from_bytes(raw_headers, policy=email.policy.compat32)
    return [_authserv_id(str(h)) for h in msg.get_all("Authentication-Results", [])]


def _authserv_id(result: str) -> str:
    return result.split(";", 1)[0].strip().split()[0].lower() if result.strip() else ""


def _subject(value: object) -> str:
    """The decoded subject; as it stands when it cannot be decoded (never a lost entry:
    a message dropped from the index turns someone the owner knows into a stranger)."""
    raw = str(value)
    try:
        return one_line(str(email.header.make_header(email.header.decode_header(raw))), 200)
    except (LookupError, UnicodeError, ValueError, email.errors.HeaderParseError):
        return one_line(raw, 200)


def _people(values: list[str]) -> list[tuple[str, str]]:
    decoded = []
    for display, addr in getaddresses([str(v) for v in values]):
        with contextlib.suppress(Exception):  # undecodable: keep the raw display name
            display = str(email.header.make_header(email.header.decode_header(display)))
        if "@" in addr:
            decoded.append((one_line(display, 120), normalise_email(addr)))
    return decoded


def is_person(addr: str, owner: frozenset[str]) -> bool:
    """An address of a person: not the owner, a robot, a list or a network."""
    return _is_person(addr, owner)


def _is_person(addr: str, owner: frozenset[str]) -> bool:
    domain = addr.rpartition("@")[2]
    return not (addr in owner or is_machine_address(addr) or _is_network(domain))


_MESSAGE_ID = re.compile(r"<[^<>\s]{1,998}>")


def _is_ours(msg: email.message.Message, ours: frozenset[str]) -> bool:
    """A draft of mailbot's, or a reply to one: a Message-ID the state recorded, or one
    carrying a token the state recorded. The
    shape of a Message-ID alone is nobody's proof: another program may make the same (a
    colleague's mail, and the owner's reply-all to it, are correspondence). The key
    header of earlier releases' drafts is no one else's: it alone still says so."""
    if msg.get(KEY_HEADER) is not None:
        return True
    ids = " ".join(str(msg.get(name, "")) for name in ("Message-ID", "In-Reply-To"))
    return any(
        found in ours or (token_of(found) or "\0") in ours for found in _MESSAGE_ID.findall(ids)
    )


def _is_bulk(msg: email.message.Message) -> bool:
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    return bool(
        msg.get("List-Id")
        or msg.get("List-Unsubscribe")
        or _BULK.match(str(msg.get("Precedence", "")))
        or (auto and auto != "no")
        or str(msg.get("X-Spam-Flag", "")).strip().upper() == "YES"
    )


def _date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(str(value)).date().isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
