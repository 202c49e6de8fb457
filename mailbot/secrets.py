"""Where the IMAP secret comes from: the config, a password command, an OAuth2 token
command (like mbsync's PassCmd), or mailbot's own OAuth2 sign-in (mailbot/oauth.py).
Secrets are fetched when a connection needs them, never logged, and never part of an
error message."""

from __future__ import annotations

import logging
import subprocess
from typing import ClassVar

from mailbot.config import ImapSettings
from mailbot.errors import ConnectError

COMMAND_TIMEOUT = 60  # seconds: a token helper may open a browser the first time


def password(settings: ImapSettings) -> str:
    if settings.password_cmd:
        return run_secret_command("MAILBOT_IMAP_PASSWORD_CMD", settings.password_cmd)
    assert settings.password is not None  # load_settings requires one of the two
    return settings.password


def oauth2_token(settings: ImapSettings, *, fresh: bool = False) -> str:
    """An access token for XOAUTH2: the owner's token command's (run each time: it knows
    when its token expires), or mailbot's own sign-in's (mailbot/oauth.py): refreshed
    before it expires, and now when `fresh` (the server refused the last one)."""
    if settings.oauth2_token_cmd:
        return run_secret_command("MAILBOT_IMAP_OAUTH2_TOKEN_CMD", settings.oauth2_token_cmd)
    from mailbot import oauth  # msal, keyring and requests: only for this way to log in

    token = oauth.access_token(settings, fresh=fresh)
    register_secret(token)
    return token


def run_secret_command(key: str, command: str) -> str:
    """The first line the owner's command prints. Its output is never shown or logged."""
    try:
        result = subprocess.run(  # noqa: S602 - the owner's own command line, as with PassCmd
            command, shell=True, capture_output=True, timeout=COMMAND_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise ConnectError(f"{key} did not finish within {COMMAND_TIMEOUT}s") from None
    except OSError as exc:
        raise ConnectError(f"{key} could not run: {exc.strerror}") from None
    if result.returncode != 0:
        why = _error_line(result.stderr, result.stdout)
        raise ConnectError(f"{key} failed with exit status {result.returncode}{why}")
    lines = result.stdout.decode("utf-8", "replace").splitlines()
    secret = lines[0].strip() if lines else ""
    if not secret:
        raise ConnectError(f"{key} printed nothing")
    register_secret(secret)
    return secret


def _error_line(stderr: bytes, stdout: bytes) -> str:
    """The command's own last error line ("vault is locked"), which helps the owner; never
    anything of its output, nor a line that holds it (a helper that echoes the secret)."""
    text = stderr.decode("utf-8", "replace")
    lines = text.strip().splitlines()
    if not lines:
        return ""
    printed = {line.strip() for line in stdout.decode("utf-8", "replace").splitlines()}
    secrets = {p for p in printed | RedactSecrets.secrets if len(p) >= 4}
    squeezed = " ".join(text.split())
    if any(s in text or " ".join(s.split()) in squeezed for s in secrets):
        return ""  # compared before anything is cut or squeezed: nothing of it shows
    said = " ".join(lines[-1].split())
    return f": {said[:200]}" if said and len(said) <= 200 else ""


class RedactSecrets(logging.Filter):
    """Belt and braces: any secret mailbot knows is replaced in every log record."""

    secrets: ClassVar[set[str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            for secret in self.secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, None
        return True


def register_secret(secret: str) -> None:
    if len(secret) >= 4:
        RedactSecrets.secrets.add(secret)
