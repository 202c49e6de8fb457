"""`mailbot setup --login`: the login alone, for an existing .env (the one line mailbot
prints when the provider no longer takes its sign-in points here).

- OAuth2 (mailbot's own sign-in): sign in again, then an XOAUTH2 login.
- A password kept in the keyring by `mailbot setup`: the new one, checked by logging
  in, replaces it there; one in the .env is replaced in its line (every other line
  stays as it is).
- A password or token command of the owner's own: the login is checked; the secret is
  changed where that command reads it.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from mailbot.config import ImapSettings, load_settings
from mailbot.errors import ConnectError, UsageError
from mailbot.secrets import run_secret_command
from mailbot.setup import envfile
from mailbot.setup.login import (
    KEYRING_SERVICE,
    LoginAnswers,
    ask_and_verify,
    keyring_command,
    verify,
)
from mailbot.setup.prompts import Prompter
from mailbot.setup.tools import Tools
from mailbot.terminal import shown


def run_login(env_file: Path, answers: LoginAnswers, prompter: Prompter, tools: Tools) -> int:
    if not env_file.is_file():
        raise UsageError(
            f"no {env_file}: run `mailbot setup you@example.com` first (or pass --env-file)"
        )
    settings = load_settings(env_file, tools.environ)
    imap = settings.imap
    if imap is None:
        raise UsageError("MAILBOT_MAILDIR is set: there is no IMAP login to renew")
    where = f"{shown(imap.host)} as {shown(imap.user)}"
    if imap.auth == "oauth2":
        if imap.oauth2_token_cmd:
            prompter.say(
                "The token comes from MAILBOT_IMAP_OAUTH2_TOKEN_CMD: sign in with that tool."
            )
        else:
            tools.sign_in(imap, out=prompter.say, open_url=tools.open_url)
        verify(imap, settings.inbox, tools)
        prompter.say(f"Logged in to {where} with XOAUTH2.")
        return 0
    if imap.password_cmd and not _reads_keyring(imap.password_cmd, imap.user):
        prompter.say(
            "The password comes from MAILBOT_IMAP_PASSWORD_CMD: change it where that command "
            "reads it. Checking the login with it:"
        )
        verify(imap, settings.inbox, tools)
        prompter.say(f"Logged in to {where}.")
        return 0
    if imap.password_cmd is None and "MAILBOT_IMAP_PASSWORD" in tools.environ:
        raise UsageError("MAILBOT_IMAP_PASSWORD is set in the environment: change it there")
    password, _ = ask_and_verify(imap, settings.inbox, answers, prompter, tools)
    if imap.password_cmd:
        _keep_in_keyring(imap, password, tools)
        prompter.say(f"Logged in to {where}; the new password is in the OS keyring.")
    else:
        envfile.set_value(env_file, "MAILBOT_IMAP_PASSWORD", password)
        prompter.say(f"Logged in to {where}; the new password is in {shown(env_file)}.")
    return 0


def _reads_keyring(command: str, user: str) -> bool:
    """The command `mailbot setup` wrote (whichever Python runs it)."""
    try:
        words = shlex.split(command)
    except ValueError:
        return False
    return words[1:] == shlex.split(keyring_command(user))[1:]


def _keep_in_keyring(imap: ImapSettings, password: str, tools: Tools) -> None:
    backend = tools.keyring()
    if backend is None:
        raise UsageError(
            "MAILBOT_IMAP_PASSWORD_CMD reads the OS keyring, but there is none now: run "
            "`mailbot setup` again to keep the password in the .env"
        )
    backend.set_password(KEYRING_SERVICE, imap.user, password)
    assert imap.password_cmd is not None
    if run_secret_command("MAILBOT_IMAP_PASSWORD_CMD", imap.password_cmd) != password:
        raise ConnectError("MAILBOT_IMAP_PASSWORD_CMD does not give back the password just stored")
