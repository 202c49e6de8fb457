"""Logging to stderr: levels from MAILBOT_LOG_LEVEL, plain or JSON lines (MAILBOT_LOG_FORMAT).
Never a password, token or message body: secrets are redacted by a filter as well."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

from mailbot.secrets import RedactSecrets, register_secret

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMATS = ("text", "json")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        import json  # here: plain-text logging (the default) never needs it

        return json.dumps(entry, ensure_ascii=False)


def configure(level: str = "INFO", fmt: str = "text", secrets: tuple[str | None, ...] = ()) -> None:
    for secret in secrets:
        if secret:
            register_secret(secret)
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactSecrets())
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("imapclient").setLevel(max(logging.WARNING, root.level))
