"""Mailboxes the pipeline reads from and stores drafts in: IMAP, or a local Maildir."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from mailbot.config import Settings
from mailbot.mailboxes.base import Mailbox


@contextmanager
def open_mailbox(settings: Settings, db: sqlite3.Connection) -> Iterator[Mailbox]:
    """The configured mailbox: MAILBOT_MAILDIR if set, else the IMAP server."""
    if settings.maildir is not None:
        from mailbot.mailboxes.maildir import MaildirMailbox

        yield MaildirMailbox(settings.maildir, db)
        return
    from mailbot.mailboxes.imap import open_imap

    assert settings.imap is not None  # load_settings requires one of the two
    with open_imap(settings.imap) as mailbox:
        yield mailbox
