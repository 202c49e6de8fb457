"""Configuration: one function, typed values, and one readable line naming a bad key."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.config import load_settings
from mailbot.errors import ConfigError

BASE = {
    "MAILBOT_IMAP_HOST": "imap.example.com",
    "MAILBOT_IMAP_USER": "robin@owner.example",
    "MAILBOT_IMAP_PASSWORD": "pw",
    "MAILBOT_OWNER_NAME": "Robin Owner",
    "MAILBOT_OWNER_EMAIL": "robin@owner.example",
    "HOME": "/home/robin",
}


def load(**overrides: str) -> object:
    return load_settings(None, {**BASE, **overrides})


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset keys take their documented defaults."""
    monkeypatch.chdir(tmp_path)
    s = load_settings(None, BASE)
    assert (s.imap.port, s.imap.security, s.inbox, s.drafts) == (993, "ssl", "INBOX", None)
    assert (s.poll_interval, s.lookback_days) == (300, 14)
    assert s.state_path == Path("/home/robin/.local/state/mailbot/state.sqlite3")


def test_starttls_defaults_to_port_143(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings(None, {**BASE, "MAILBOT_IMAP_SECURITY": "starttls"}).imap.port == 143


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("MAILBOT_IMAP_HOST", ""),
        ("MAILBOT_IMAP_PORT", "imap"),
        ("MAILBOT_IMAP_PORT", "70000"),
        ("MAILBOT_IMAP_SECURITY", "tls1.3"),
        ("MAILBOT_OWNER_EMAIL", "Robin <robin@owner.example>"),
        ("MAILBOT_OWNER_EMAIL", "rôbin@owner.example"),  # a plain header cannot carry it
        ("MAILBOT_OWNER_EMAIL", "robin@owner.example (Bcc)"),
        ("MAILBOT_OWNER_EMAIL", "<robin@owner.example>"),
        ("MAILBOT_OWNER_EMAIL", "robin@owner..example"),
        ("MAILBOT_POLL_INTERVAL", "-1"),
        ("MAILBOT_CONTACTS", "/nonexistent/contacts.csv"),
        ("MAILBOT_TEMPLATES", "/nonexistent/templates"),
    ],
)
def test_bad_value_names_its_key(
    key: str, value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as raised:
        load_settings(None, {**BASE, key: value})
    assert raised.value.key == key
    assert str(raised.value).startswith(key)


def test_plaintext_to_a_remote_host_needs_explicit_opt_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="MAILBOT_IMAP_SECURITY"):
        load_settings(None, {**BASE, "MAILBOT_IMAP_SECURITY": "plain"})
    opted = {**BASE, "MAILBOT_IMAP_SECURITY": "plain", "MAILBOT_IMAP_ALLOW_PLAINTEXT": "true"}
    assert load_settings(None, opted).imap.security == "plain"
    local = {**BASE, "MAILBOT_IMAP_SECURITY": "plain", "MAILBOT_IMAP_HOST": "127.0.0.1"}
    assert load_settings(None, local).imap.port == 143


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / "mailbot.env"
    env_file.write_text(
        "".join(f"{k}={v}\n" for k, v in BASE.items() if k != "HOME")
        + "MAILBOT_INBOX=Notifications\nMAILBOT_POLL_INTERVAL=60\n"
    )
    s = load_settings(env_file, {"MAILBOT_POLL_INTERVAL": "120", "HOME": "/h"})
    assert (s.inbox, s.poll_interval) == ("Notifications", 120)


def test_password_never_in_repr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = load_settings(None, {**BASE, "MAILBOT_IMAP_PASSWORD": "hunter2-secret"})
    assert "hunter2-secret" not in repr(s)
