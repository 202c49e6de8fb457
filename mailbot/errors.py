"""The few exceptions mailbot raises on purpose."""


class MailbotError(Exception):
    """Base class: a failure mailbot knows how to report in one line."""


class ConfigError(MailbotError):
    """A configuration value is missing or invalid; the message names the key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key


class UsageError(MailbotError):
    """A command was given something it cannot use (e.g. a person it does not know)."""


class StateFileError(MailbotError):
    """The state file cannot be used as it is (damaged, emptied, a version no mailbot
    writes): the owner must look, so it is reported like a configuration error (exit 2)."""


class ConnectError(MailbotError):
    """The IMAP server cannot be reached, or refused the login."""


class LoginRefused(ConnectError):
    """The login was refused: a wrong or changed password, a token the server or the
    provider no longer takes. Retrying soon will not help; the owner must act."""


class MailboxError(MailbotError):
    """The IMAP server refused a command during a cycle (retried next cycle)."""


class TemplateProblem(MailbotError):
    """A reply template is missing or fails to render."""
