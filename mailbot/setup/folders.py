"""Step 3a of `mailbot setup`: the Drafts, Sent and Archive folders, by their special-use
flags (RFC 6154), then by their usual names, as mailbot finds them at every run.

Drafts and Sent are found again at each run the same way, so nothing is written for
them. An Archive folder is not read unless named: when the server has one,
MAILBOT_HISTORY_FOLDERS names it beside the Sent folder and the inbox, so the people the
owner corresponded with and archived count as known too.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailbot.mailboxes.imap import ImapMailbox
from mailbot.terminal import shown

ARCHIVE = b"\\Archive"
_ARCHIVE_NAMES = ("Archive", "Archives", "INBOX.Archive", "INBOX/Archive", "Archiv", "Archivio")


@dataclass(frozen=True)
class Folders:
    inbox: str
    drafts: str | None
    sent: str | None
    archive: str | None


def look(mailbox: ImapMailbox, inbox: str) -> Folders:
    """What the logged-in server has: one LIST for each (as a run does)."""
    drafts = mailbox.existing_drafts_folder(None, inbox=inbox)
    sent = mailbox.sent_folder(None, inbox=inbox)
    archive = _archive(mailbox, {inbox, drafts, sent})
    return Folders(inbox, drafts, sent, archive)


def history_value(folders: Folders) -> str | None:
    """MAILBOT_HISTORY_FOLDERS when it is needed (an Archive folder to read beside the
    default Sent and inbox), else None. A name holding a comma cannot be listed."""
    if folders.archive is None:
        return None
    names = [f for f in (folders.sent, folders.inbox, folders.archive) if f]
    if any("," in name for name in names):
        return None
    return ",".join(names)


def describe(folders: Folders) -> list[str]:
    drafts = (
        shown(folders.drafts)
        if folders.drafts
        else "none yet: mailbot creates 'Drafts' with the first draft"
    )
    sent = (
        shown(folders.sent) if folders.sent else "none found: your history is read from the inbox"
    )
    lines = [f"  Drafts:  {drafts}", f"  Sent:    {sent}"]
    if folders.archive:
        read = (
            "read for your history too"
            if history_value(folders)
            else "left out (a comma in a name)"
        )
        lines.append(f"  Archive: {shown(folders.archive)} ({read})")
    return lines


def _archive(mailbox: ImapMailbox, taken: set[str | None]) -> str | None:
    """The folder the server marks \\Archive, else one with a usual archive name."""
    # ImapMailbox lists flags only privately; the LIST it sends is the one a run sends.
    listing = mailbox._folders()
    flagged = [name for flags, name in listing if ARCHIVE in flags and name not in taken]
    if flagged:
        return flagged[0]
    names = {name for _, name in listing}
    return next((n for n in _ARCHIVE_NAMES if n in names and n not in taken), None)
