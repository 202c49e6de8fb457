"""What `mailbot setup` reaches outside itself, in one place, each replaceable by tests:
server discovery, the IMAP login, the OAuth2 sign-in, the browser, the OS keyring, the
environment and the Downloads folder."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mailbot.setup.discover import Candidate

if TYPE_CHECKING:
    from mailbot.config import ImapSettings
    from mailbot.mailboxes.imap import ImapMailbox

Report = Callable[[str], object]
Out = Callable[[str], object]


def _find(address: str, report: Report) -> list[Candidate]:
    from mailbot.setup.discover import find_server

    return find_server(address, report=report)


def _connect(imap: ImapSettings) -> AbstractContextManager[ImapMailbox]:
    from mailbot.mailboxes.imap import open_imap

    return open_imap(imap)


def _sign_in(imap: ImapSettings, *, out: Out, open_url: Out | None) -> None:
    from mailbot import oauth  # msal, keyring and requests: only for OAuth2

    oauth.login(imap, out=out, open_url=open_url)


def os_keyring() -> Any | None:
    """The OS keyring's backend, or None where there is none (keyring's fail or null
    backend: a headless server, or PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring)."""
    import keyring
    from keyring.backends import fail, null

    backend = keyring.get_keyring()
    return None if isinstance(backend, (fail.Keyring, null.Keyring)) else backend


def _downloads() -> Path:
    return Path.home() / "Downloads"


@dataclass
class Tools:
    find: Callable[[str, Report], list[Candidate]] = _find
    connect: Callable[[ImapSettings], AbstractContextManager[ImapMailbox]] = _connect
    sign_in: Callable[..., None] = _sign_in  # (imap, *, out, open_url)
    open_url: Out | None = None  # None: the desktop's browser, where there is one
    keyring: Callable[[], Any | None] = os_keyring
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    downloads: Callable[[], Path] = _downloads
    finish: bool = True  # run `check` and the dry run once the .env is written
