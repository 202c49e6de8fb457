"""Logging to stderr: levels from MAILBOT_LOG_LEVEL, plain or JSON lines (MAILBOT_LOG_FORMAT).
Never a password, token or message body: secrets are redacted by a filter as well. A
message is one line with its control characters made visible (terminal.shown): names and
subjects from mail may hold escape sequences or line breaks; a traceback stays as it is."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

from mailbot.secrets import RedactSecrets, register_secret
from mailbot.terminal import JSON_ESCAPES, shown

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMATS = ("text", "json")


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun, singular or plural: "1 notification", "2 drafts", "0 errors"."""
    return f"{number} {noun if number == 1 else (plural or noun + 's')}"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": shown(record.getMessage()),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        import json  # here: plain-text logging (the default) never needs it

        return json.dumps(entry, ensure_ascii=False).translate(JSON_ESCAPES)


class TextFormatter(logging.Formatter):
    """Plain lines: the message shown on one line, controls visible."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = shown(record.message)
        return super().formatMessage(record)


def configure(level: str = "INFO", fmt: str = "text", secrets: tuple[str | None, ...] = ()) -> None:
    for secret in secrets:
        if secret:
            register_secret(secret)
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactSecrets())
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("imapclient").setLevel(max(logging.WARNING, root.level))
