"""Mailboxes the pipeline reads from and stores drafts in: IMAP, or a local Maildir."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from mailbot.config import Settings
from mailbot.mailboxes.base import Mailbox

if TYPE_CHECKING:
    from mailbot.store import Store


@contextmanager
def open_mailbox(settings: Settings, store: Store) -> Iterator[Mailbox]:
    """The configured mailbox: MAILBOT_MAILDIR if set, else the IMAP server."""
    if settings.maildir is not None:
        from mailbot.mailboxes.maildir import MaildirMailbox

        yield MaildirMailbox(settings.maildir, store)
        return
    from mailbot.mailboxes.imap import open_imap

    assert settings.imap is not None  # load_settings requires one of the two
    with open_imap(settings.imap) as mailbox:
        yield mailbox
