"""`mailbot check`: is everything in place? One line per item, OK or a clear error.

Every configuration mistake is a line of its own naming its key, and the other lines are
still checked: a setting in error is replaced by a stand-in (its default, or a
placeholder for a required one) only so that the rest can load; the lines that need it
say "not checked" instead of checking the stand-in.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mailbot.config import KEYS, PER_LANGUAGE, Settings, load_settings, read_env, unknown_keys
from mailbot.errors import ConfigError, LoginRefused, MailbotError
from mailbot.languages import is_formal, template_languages
from mailbot.mailboxes.base import Mailbox, Wanted, pick_folder
from mailbot.mailboxes.imap import ImapMailbox, open_imap
from mailbot.people.contacts import Contacts, load_contacts
from mailbot.pipeline import history_folders
from mailbot.replies import Renderer
from mailbot.store import Store
from mailbot.terminal import shown


@dataclass(frozen=True)
class Line:
    ok: bool
    item: str
    detail: str

    def __str__(self) -> str:
        return f"{'OK ' if self.ok else 'ERR'}  {self.item:12} {shown(self.detail)}"


@dataclass(frozen=True)
class Loaded:
    """The configuration as `check` reads it: the settings (with stand-ins for the keys in
    error; None when no stand-in helps), the config lines, and the keys in error."""

    settings: Settings | None
    lines: list[Line]
    broken: frozenset[str] = field(default_factory=frozenset)


# What stands in for a key in error, so that the rest of the configuration loads: any
# key not listed is unset (its default). A required key gets a placeholder; the lines
# that use it are not checked (NEEDS), so a placeholder never reaches a server.
STAND_INS: dict[str, dict[str, str]] = {
    "MAILBOT_IMAP_HOST": {"MAILBOT_IMAP_HOST": "imap.invalid", "MAILBOT_IMAP_SECURITY": ""},
    "MAILBOT_IMAP_USER": {"MAILBOT_IMAP_USER": "user"},
    "MAILBOT_IMAP_PASSWORD": {"MAILBOT_IMAP_PASSWORD": "", "MAILBOT_IMAP_PASSWORD_CMD": "false"},
    "MAILBOT_IMAP_OAUTH2_TOKEN_CMD": {"MAILBOT_IMAP_OAUTH2_TOKEN_CMD": "false"},
    "MAILBOT_MAILDIR": {"MAILBOT_MAILDIR": os.sep},  # still a Maildir setup, never IMAP
    "MAILBOT_OWNER_NAME": {"MAILBOT_OWNER_NAME": "Owner"},
    "MAILBOT_OWNER_EMAIL": {"MAILBOT_OWNER_EMAIL": "owner@example.com"},
}
# The keys each group of lines needs: one of them in error, the group is not checked.
NEEDS = {
    "mailbox": (
        *(k for k in KEYS if k.startswith(("MAILBOT_IMAP_", "MAILBOT_OAUTH2_"))),
        "MAILBOT_MAILDIR",
        "MAILBOT_INBOX",
        "MAILBOT_DRAFTS",
        "MAILBOT_SENT",
        "MAILBOT_HISTORY_FOLDERS",
    ),
    "state": ("MAILBOT_STATE",),
    "templates": ("MAILBOT_TEMPLATES", "MAILBOT_LANGUAGE", "MAILBOT_FORMALITY"),
}


def load_config(env_file: Path | None, environ: Mapping[str, str] | None = None) -> Loaded:
    """The settings and a line for every configuration mistake: each unknown key (with
    the key meant), and each key load_settings refuses, one after the other (each is
    given its stand-in and the configuration read again). Where no stand-in helps (a
    --env-file that does not exist, a key refused again) the lines so far are all."""
    env = dict(os.environ if environ is None else environ)
    try:
        values = read_env(env_file, env)
    except ConfigError as exc:
        return Loaded(None, [Line(False, "config", str(exc))])
    lines = [Line(False, "config", line) for line in unknown_keys(values)]
    broken: list[str] = []
    settings: Settings | None = None
    with _quiet("mailbot.config"):  # its warnings are the lines above
        while settings is None:  # each round stands in for one more key, or ends
            try:
                settings = load_settings(env_file, env)
            except ConfigError as exc:
                lines.append(Line(False, "config", str(exc)))
                known = exc.key in KEYS or PER_LANGUAGE.fullmatch(exc.key)
                if not known or exc.key in broken:
                    break
                broken.append(exc.key)
                env.update(_stand_in(exc.key, values))
    if not lines:
        lines.append(Line(True, "config", _source(env_file)))
    return Loaded(settings, lines, frozenset(broken))


def _stand_in(key: str, values: Mapping[str, str]) -> dict[str, str]:
    """What replaces `key` in the environment (which wins over .env): the entries of
    MAILBOT_CONTACTS that can be read as they are, else STAND_INS, else unset."""
    if key == "MAILBOT_CONTACTS":
        from mailbot.people.contacts import export_files

        entries = [e.strip() for e in values.get(key, "").split(",") if e.strip()]
        usable = [
            e
            for e in entries
            if (path := Path(e).expanduser()).is_file() or (path.is_dir() and export_files(path))
        ]
        return {key: ",".join(usable)}
    return STAND_INS.get(key, {key: ""})


@contextlib.contextmanager
def _quiet(logger: str) -> Iterator[None]:
    target = logging.getLogger(logger)
    before, target.disabled = target.disabled, True
    try:
        yield
    finally:
        target.disabled = before


def _source(env_file: Path | None) -> str:
    if env_file is not None:
        return f"{env_file} and the environment"
    if Path(".env").is_file():
        return "./.env and the environment"
    return f"the environment only (no .env in {Path.cwd()})"


def run_checks(config: Loaded) -> list[Line]:
    """Every line: the configuration's, then each part mailbot needs, checked unless it
    needs a key in error (then one line says which to fix first)."""
    settings, broken = config.settings, config.broken
    lines = list(config.lines)
    if settings is None:
        return lines
    unchecked = _unchecked(broken, "mailbox")
    if unchecked:
        lines.append(Line(False, "maildir" if settings.maildir else "connect", unchecked))
    else:
        lines += _mailbox(settings)
    lines.append(_guard("state", lambda: _state(settings), _unchecked(broken, "state")))
    owner = None if "MAILBOT_OWNER_NAME" in broken else settings.owner.name
    lines += _contacts(settings.contacts, owner)
    templates = _unchecked(broken, "templates")
    lines.append(_guard("templates", lambda: _templates(settings), templates))
    return lines


def _unchecked(broken: frozenset[str], group: str) -> str:
    """Why a group of lines is not checked (the keys in error it needs); "" if it is."""
    keys = [key for key in NEEDS[group] if key in broken]
    return f"not checked: fix {', '.join(keys)} first" if keys else ""


def _guard(item: str, probe: Callable[[], str], unchecked: str = "") -> Line:
    if unchecked:
        return Line(False, item, unchecked)
    try:
        return Line(True, item, probe())
    except MailbotError as exc:
        return Line(False, item, str(exc))


def _mailbox(settings: Settings) -> list[Line]:
    if settings.maildir is None:
        return _imap(settings)
    from mailbot.mailboxes.maildir import MaildirMailbox

    try:
        with Store(settings.state_path, scratch=True) as state:
            mailbox = MaildirMailbox(settings.maildir, state)
            lines = [
                Line(
                    True,
                    "maildir",
                    f"{settings.maildir} (no IDLE: polled every {settings.poll_interval}s)",
                )
            ]
            return lines + _named_folders(mailbox, settings)
    except MailbotError as exc:
        return [Line(False, "maildir", str(exc))]


def _imap(settings: Settings) -> list[Line]:
    imap = settings.imap
    assert imap is not None
    how = {
        "ssl": "TLS, certificate verified",
        "starttls": "STARTTLS, certificate verified",
        "plain": "plaintext (loopback or explicitly allowed)",
    }[imap.security]
    try:
        with open_imap(imap) as mailbox:
            lines = [
                Line(True, "connect", f"{imap.host}:{imap.port} ({how})"),
                Line(True, "login", f"{imap.user} ({imap.auth})"),
            ]
            lines += _folders(mailbox, settings)
            return lines
    except MailbotError as exc:  # a refused login is not a connection problem
        item = "login" if isinstance(exc, LoginRefused) else "connect"
        return [Line(False, item, str(exc))]


def _folders(mailbox: ImapMailbox, settings: Settings) -> list[Line]:
    caps = mailbox.capabilities()
    notes = {
        "IDLE": "new mail is seen at once"
        if "IDLE" in caps
        else f"no: polling every {settings.poll_interval}s",
        "UIDPLUS": "stale drafts can be withdrawn"
        if "UIDPLUS" in caps
        else "no: stale drafts are left in place",
        "SPECIAL-USE": "folders found by role"
        if "SPECIAL-USE" in caps
        else "no: folders found by name",
    }
    lines = [Line(True, "capability", f"{cap}: {note}") for cap, note in notes.items()]
    return lines + _named_folders(mailbox, settings)


def _named_folders(mailbox: Mailbox, settings: Settings) -> list[Line]:
    """The inbox, drafts, sent and history folders: one the owner named that does not
    exist is an ERR naming its key (a typo would quietly change whom mailbot knows)."""

    def drafts() -> str:
        found = mailbox.existing_drafts_folder(settings.drafts, inbox=settings.inbox)
        return shown(found) if found else "Drafts (created on the first draft)"

    def sent() -> str:
        found = mailbox.sent_folder(settings.sent, inbox=settings.inbox)
        return shown(found) if found else "none found: history from the inbox only"

    def history() -> str:
        return ", ".join(shown(f) for f in history_folders(mailbox, settings))

    return [
        _guard("inbox", lambda: _inbox(mailbox, settings)),
        _guard("drafts", drafts),
        _guard("sent", sent),
        _guard("history", history),
        _guard("your mail", lambda: _authenticated(mailbox, settings)),
    ]


AUTHSERV_SAMPLE = 20  # the newest messages of the inbox read for their server's id


def _authenticated(mailbox: Mailbox, settings: Settings) -> str:
    """Whether mail from the owner's address outside Sent can count as theirs. With
    MAILBOT_AUTHSERV_ID set: an ERR when none of the newest inbox mail carries that id
    at the top (a typo would quietly turn the feature off). Without: the id every one of
    the newest messages carries at the top, if they all agree, as a hint."""
    tops = _topmost_authserv(mailbox, settings.inbox)
    if settings.authserv:
        ids = ", ".join(settings.authserv)
        if tops and not set(tops) & set(settings.authserv):
            seen = ", ".join(shown(i) for i in sorted(set(tops)))
            raise MailbotError(
                f"MAILBOT_AUTHSERV_ID={ids}, but none of the newest {len(tops)} messages in "
                f"{shown(settings.inbox)} carries it on top (they carry {seen})"
            )
        return f"outside Sent, mail from you counts when {ids} vouches for it (DKIM/DMARC)"
    hint = ""
    if len(tops) >= AUTHSERV_AGREEING and len(set(tops)) == 1:
        found = shown(tops[0])
        hint = (
            f"; every recent message carries {found} on top: if that is your own server, "
            f"set MAILBOT_AUTHSERV_ID={found} to count mail from you it authenticated"
        )
    return "counted from the Sent folder only (MAILBOT_AUTHSERV_ID is not set)" + hint


AUTHSERV_AGREEING = 10  # messages that must all carry one id before it is suggested


def _topmost_authserv(mailbox: Mailbox, folder: str) -> list[str]:
    """The topmost Authentication-Results id of each of the newest messages that has one."""
    from mailbot.people.history import authserv_ids

    state = mailbox.select(folder)
    newest = list(range(max(1, state.uidnext - AUTHSERV_SAMPLE), state.uidnext))
    uids = mailbox.search(newest[0], newest[-1], None, Wanted()) if newest else []
    return [ids[0] for head in mailbox.headers(uids) if (ids := authserv_ids(head.header))]


def _contacts(paths: tuple[Path, ...], owner_name: str | None) -> list[Line]:
    """What each MAILBOT_CONTACTS entry gives ("linkedin-export.zip: 120 connections, 45
    message partners, 30 invitations sent"), read together as a cycle reads them (one
    entry can help read another: the owner's link in Invitations.csv); ERR with what was
    left out and why, or for the entry that cannot be read at all."""
    if not paths:
        return []
    try:
        contacts = load_contacts(paths, owner_name)
    except MailbotError:  # one entry cannot be read: which one, and what the others give
        return [line for path in paths for line in _contacts_alone(path, owner_name)]
    return [_contacts_line(contacts, path) for path in paths]


def _contacts_alone(path: Path, owner_name: str | None) -> list[Line]:
    try:
        return [_contacts_line(load_contacts([path], owner_name), path)]
    except MailbotError as exc:
        return [Line(False, "contacts", str(exc))]


def _contacts_line(contacts: Contacts, path: Path) -> Line:
    summary = contacts.summary(path)
    if problems := contacts.problems_of.get(str(path)):
        return Line(False, "contacts", f"{summary}; " + "; ".join(problems[:3]))
    return Line(True, "contacts", summary)


def _inbox(mailbox: Mailbox, settings: Settings) -> str:
    folder = settings.inbox
    pick_folder("MAILBOT_INBOX", folder, mailbox.folder_names(), (), "")
    state = mailbox.select(folder)
    return f"{shown(folder)} (UIDVALIDITY {state.uidvalidity}, next UID {state.uidnext})"


def _state(settings: Settings) -> str:
    """Opens (and upgrades) the state as a cycle would, then SQLite's integrity check and
    the schema check: a damaged page or a renamed column is an ERR, not "OK state"."""
    with Store(settings.state_path) as state:
        verified = state.verify()
        mode = stat.S_IMODE(settings.state_path.stat().st_mode)
    if mode & 0o077:
        raise MailbotError(
            f"{settings.state_path} is readable by others (mode {mode:o}); chmod 600 it"
        )
    return f"{settings.state_path} (writable, mode {mode:o}; {verified})"


def _templates(settings: Settings) -> str:
    """Every template renders; in which languages and register replies are written."""
    languages = template_languages(settings.templates)
    Renderer.for_settings(settings).rehearse(settings.owner, languages)
    origin = f"{settings.templates} over the bundled ones" if settings.templates else "bundled"
    formal = [lang for lang in languages if is_formal(lang, settings.formality)]
    register = (
        f"MAILBOT_FORMALITY={settings.formality}"
        if settings.formality
        else f"formal in {', '.join(formal) or 'none'}, informal in the others"
    )
    return (
        f"{origin}; replies in the requester's language ({', '.join(languages)}), "
        f"else {settings.language}; {register}"
    )
