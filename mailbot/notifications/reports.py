"""Reports that machines send about a message of ours: delivery status notifications
(bounces, RFC 3464), feedback reports (RFC 5965), read receipts (RFC 8098). They often
thread to our draft and quote it, yet they are never a person's answer.

Told by structure first: a multipart/report and its report-type, a report part of its
own (message/delivery-status, message/feedback-report, message/disposition-notification,
also outside a multipart/report), Exim's X-Failed-Recipients, Auto-Submitted on mail from
a mailer daemon. Only then, for plain-text bounces (qmail, old gateways), by who sent it
and what it says: a mail-system sender (MAILER-DAEMON@, postmaster@, "Mail Delivery
Subsystem", "Microsoft Outlook" ...) or an empty return path, together with a bounce
subject or the first words of a bounce. A person who writes "my mail got a Delivery
Status Notification" is not a report: words alone never make one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from mailbot.notifications.message import Content, address, one_line

DELIVERY = "delivery"  # a delivery failed: a bounce
DELAY = "delay"  # a delivery status notification that reports no failure (delayed, relayed)
FEEDBACK = "feedback"  # a feedback (abuse) report: someone reported the message
RECEIPT = "receipt"  # a read (disposition) receipt
OTHER_REPORT = "report"  # any other multipart/report
REPORTS = (DELIVERY, DELAY, FEEDBACK, RECEIPT, OTHER_REPORT)
DESCRIBED = {  # each, as the owner reads it
    DELIVERY: "a delivery report (bounce)",
    DELAY: "a delivery report (delayed or relayed, not failed)",
    FEEDBACK: "a feedback report (the message was reported, e.g. as spam)",
    RECEIPT: "a read receipt",
    OTHER_REPORT: "an automatic report",
}

_BY_REPORT_TYPE = {
    "delivery-status": DELIVERY,
    "global-delivery-status": DELIVERY,
    "feedback-report": FEEDBACK,
    "disposition-notification": RECEIPT,
    "global-disposition-notification": RECEIPT,
}
_BY_PART = {
    "message/delivery-status": DELIVERY,
    "message/global-delivery-status": DELIVERY,
    "message/feedback-report": FEEDBACK,
    "message/disposition-notification": RECEIPT,
    "message/global-disposition-notification": RECEIPT,
}
_STATUS_PARTS = ("message/delivery-status", "message/global-delivery-status")

# The mail system's own senders: the local part, or the display name.
_DAEMON_LOCAL = re.compile(
    r"^(?:mailer-?daemon|mail-?daemon|postmaster|mdaemon|microsoftexchange[0-9a-f]{32})$",
    re.IGNORECASE,
)
_DAEMON_NAME = re.compile(
    r"^(?:mail delivery (?:subsystem|system|service)|mailer-?daemon|postmaster"
    r"|microsoft (?:outlook|exchange)|mail administrator|mail system)$",
    re.IGNORECASE,
)
_MAILER_DAEMON = re.compile(r"(?:^|[\s<\"(])mailer-?daemon(?:@|>|\s|$)", re.IGNORECASE)

# Subjects of bounces (folded: lower case, no accents), at the start of the subject. Only
# ever read together with a mail-system sender or an empty return path.
_BOUNCE_SUBJECT = re.compile(
    r"^(?:"
    r"undelivered mail returned to sender|undeliver(?:ed|able)\b|non-?deliver(?:y|able)\b"
    r"|delivery status notification|mail delivery fail|delivery fail|returned mail\b"
    r"|failure notice|message (?:not delivered|delivery failure)|could not deliver"
    r"|mail system error|warning: could not send"
    r"|unzustellbar|nicht zustellbar|benachrichtigung zum zustellstatus"
    r"|non remis|non distribue|echec de (?:la )?(?:remise|distribution)"
    r"|notification d'etat de (?:la )?remise"
    r"|no se (?:puede|pudo) entregar|no entregado|notificacion de estado de (?:la )?entrega"
    r"|non recapitabile|impossibile recapitare"
    r"|nao entregue|nao foi possivel entregar"
    r"|onbestelbaar|olevererbart|niedostarczalne|niedostarczona"
    r")",
)
_DELAY_SUBJECT = re.compile(
    r"\b(?:delay(?:ed)?|warning|verzogert|verzoegert|retard|retrasad|ritardat|atrasad)"
)
# The first words of plain-text bounces (Exim, Postfix, qmail, Sendmail, Exchange).
_BOUNCE_TEXT = re.compile(
    r"this message was created automatically by mail delivery software"
    r"|this is the mail system at host"
    r"|your message could not be delivered to one or more recipients"
    r"|this is the qmail-send program"
    r"|i'm afraid i wasn't able to deliver your message"
    r"|the following addresses had permanent fatal errors"
    r"|delivery has failed to these recipients or groups"
    r"|your message (?:couldn't|could not|wasn't|was not) (?:be )?delivered"
    r"|a message that you sent could not be delivered",
)
_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}")
_MSGID = re.compile(r"<[^<>\s]{3,250}>")
_QUOTED_ID = re.compile(
    r"^[ \t>]*message-id:[ \t]*(<[^<>\s]{3,250}>)", re.IGNORECASE | re.MULTILINE
)
_QMAIL_RECIPIENT = re.compile(
    r"^<([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63})>:[ \t]*$",
    re.MULTILINE,
)
MAX_FAILED = 5


@dataclass(frozen=True)
class Report:
    kind: str  # one of REPORTS
    how: str  # what told it, for the reasons
    failed: tuple[str, ...] = ()  # the recipients a bounce names, lower-cased
    returned: tuple[str, ...] = ()  # Message-IDs of the message it reports on


def report_of(content: Content) -> Report | None:
    """The report this message is, if it is one."""
    found = _by_structure(content) or _by_sender(content)
    if found is None:
        return None
    kind, how = found
    failed: tuple[str, ...] = ()
    if kind == DELIVERY:
        kind, failed = _delivery(content)
    returned = [*content.returned_ids]
    for _, block in content.report_fields:
        returned += _MSGID.findall(block.get("original-message-id", ""))[:1]
    if not content.returned_ids:  # a plain-text bounce quotes the headers in its text
        returned += _QUOTED_ID.findall(content.text[:200_000])[:3]
    return Report(kind, how, failed, tuple(dict.fromkeys(returned)))


def _by_structure(content: Content) -> tuple[str, str] | None:
    own = content.parts
    if "multipart/report" in own:
        report_type = content.report_type
        kind = _BY_REPORT_TYPE.get(report_type) or next(
            (_BY_PART[t] for t in own if t in _BY_PART), OTHER_REPORT
        )
        return kind, f"multipart/report; report-type={report_type or '(none)'}"
    for ctype in own:
        if ctype in _BY_PART:
            return _BY_PART[ctype], f"a {ctype} part"
    if content.header("x-failed-recipients").strip():
        return DELIVERY, "X-Failed-Recipients"
    auto = content.header("auto-submitted").strip().lower()
    sender = _daemon(content)
    if sender and auto.startswith("auto-"):
        return DELIVERY, f"Auto-Submitted: {one_line(auto, 40)} from {sender}"
    return None


def _by_sender(content: Content) -> tuple[str, str] | None:
    """A plain-text bounce: from the mail system (or with an empty return path), with a
    bounce's subject or first words. MAILER-DAEMON is never a person: its mail is enough."""
    sender = _daemon(content)
    raw_from = " ".join(content.raw_headers.get("from", []))
    if sender and _MAILER_DAEMON.search(raw_from):
        return DELIVERY, f"from {sender}"
    if not sender and content.header("return-path").strip() != "<>":
        return None
    who = sender or "an empty return path"
    subject = content.header("subject")
    if _BOUNCE_SUBJECT.search(_fold(subject)):
        return DELIVERY, f"from {who}: \u201c{one_line(subject, 80)}\u201d"
    said = _BOUNCE_TEXT.search(_fold(content.body[:4000]))
    if said:
        return DELIVERY, f"from {who}: \u201c{said.group(0)}\u201d"
    return None


def _daemon(content: Content) -> str | None:
    """The From, when it is the mail system's own sender (else None)."""
    name, addr = address(content, "from")
    raw = " ".join(content.raw_headers.get("from", []))
    if not addr:  # "Mail Delivery Subsystem <MAILER-DAEMON>" has no domain
        return one_line(raw, 120) if _MAILER_DAEMON.search(raw) else None
    local = addr.rpartition("@")[0]
    if _DAEMON_LOCAL.match(local) or _DAEMON_NAME.match(name.strip(" \"'")):
        return addr
    return None


def _delivery(content: Content) -> tuple[str, tuple[str, ...]]:
    """(DELIVERY or DELAY, the failed recipients) of a delivery report. The recipients of
    its machine-readable part (the address as written, Original-Recipient, before the one
    tried, Final-Recipient), else X-Failed-Recipients. Per-recipient fields that name no
    failure (Action: delayed, relayed, delivered) make it a DELAY."""
    failed: list[str] = []
    others = 0
    for ctype, block in content.report_fields:
        if ctype not in _STATUS_PARTS:
            continue
        recipient = _recipient(block.get("original-recipient", "")) or _recipient(
            block.get("final-recipient", "")
        )
        if not recipient and "action" not in block:
            continue  # the per-message fields (Reporting-MTA, Arrival-Date)
        action = block.get("action", "").strip().lower()
        status = block.get("status", "").strip()
        if action == "failed" or (not action and status.startswith("5")):
            failed.append(recipient)
        else:
            others += 1
    for header in content.all_headers("x-failed-recipients"):
        failed += [a.lower() for a in _ADDRESS.findall(header)]
    if not failed and not others and not content.report_fields:  # qmail: "<addr>:" lines
        failed += [a.lower() for a in _QMAIL_RECIPIENT.findall(content.text[:8000])]
    addresses = tuple(dict.fromkeys(a for a in failed if a))[:MAX_FAILED]
    if failed:
        return DELIVERY, addresses
    if others or _DELAY_SUBJECT.search(_fold(content.header("subject"))):
        return DELAY, ()
    return DELIVERY, ()


def _recipient(value: str) -> str:
    """The address of a recipient field: "rfc822; <Jane@x.example>" -> "jane@x.example"."""
    _, _, rest = value.rpartition(";")
    found = _ADDRESS.search(rest)
    return found.group(0).lower() if found else ""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("\u2019", "'").split())
