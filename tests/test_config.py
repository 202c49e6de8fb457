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
        ("MAILBOT_LANGUAGE", "da"),  # no templates for it
        ("MAILBOT_LANGUAGE", "english"),
        ("MAILBOT_FORMALITY", "polite"),
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


EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.env"


def test_the_example_documents_every_key_and_switches_on_only_the_essentials() -> None:
    import re

    from mailbot.config import KEYS

    text = EXAMPLE.read_text()
    documented = set(re.findall(r"^#? ?(MAILBOT_[A-Z0-9_]+)=", text, re.M))
    assert documented == {*KEYS, "MAILBOT_OWNER_COFFEE_FR"}  # one of a family, as an example
    active = set(re.findall(r"^(MAILBOT_[A-Z0-9_]+)=", text, re.M))
    assert active == {
        "MAILBOT_IMAP_HOST",
        "MAILBOT_IMAP_USER",
        "MAILBOT_IMAP_PASSWORD",
        "MAILBOT_OWNER_NAME",
        "MAILBOT_OWNER_EMAIL",
    }


def test_reply_language_register_and_coffee_per_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    s = load(MAILBOT_LANGUAGE="ES", MAILBOT_FORMALITY="Informal")
    assert (s.language, s.formality) == ("es", "informal")
    assert load().formality is None  # each language's own default
    with pytest.raises(
        ConfigError, match=r"^MAILBOT_LANGUAGE: has no reply templates for 'da'.*\bpl\b"
    ):
        load(MAILBOT_LANGUAGE="da")
    (tmp_path / "mine" / "da").mkdir(parents=True)
    (tmp_path / "mine" / "da" / "ask.txt.j2").write_text("Hej\n")
    assert load(MAILBOT_LANGUAGE="da", MAILBOT_TEMPLATES=str(tmp_path / "mine")).language == "da"
    s = load(
        MAILBOT_OWNER_COFFEE="in central Leeds",
        MAILBOT_OWNER_COFFEE_FR="le centre de Leeds",
        MAILBOT_OWNER_COFFEE_DE="",
    )
    assert s.owner.coffee_in == (("fr", "le centre de Leeds"),)
    with pytest.raises(ConfigError, match=r"^MAILBOT_OWNER_COFFEE_SE: names no reply language"):
        load(MAILBOT_OWNER_COFFEE_SE="centrala Leeds")
    assert [r.getMessage() for r in caplog.records if "unknown" in r.getMessage()] == []


def test_the_example_copied_as_is_gives_the_documented_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No made-up phone number in real drafts; port 143 with starttls, as documented."""
    monkeypatch.chdir(tmp_path)
    s = load_settings(EXAMPLE, {"HOME": str(tmp_path), "MAILBOT_IMAP_SECURITY": "starttls"})
    assert s.owner.phone is None and s.imap is not None and s.imap.port == 143


def test_a_misspelt_key_is_reported_with_the_nearest_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    load(MAILBOT_IMAP_HOTS="x", MAILBOT_OWNER_PHONENUMBER="1")
    lines = [r.getMessage() for r in caplog.records]
    assert "unknown setting MAILBOT_IMAP_HOTS is ignored (did you mean MAILBOT_IMAP_HOST?)" in lines
    assert any("MAILBOT_OWNER_PHONENUMBER" in x and "MAILBOT_OWNER_PHONE?" in x for x in lines)


def test_secrets_are_read_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = tmp_path / "mailbot.env"
    env.write_text(
        "MAILBOT_IMAP_HOST=imap.example.com\nMAILBOT_IMAP_USER=r@o.example\n"
        "MAILBOT_IMAP_PASSWORD=p${HOME}a$$w'd\nMAILBOT_OWNER_NAME=R\n"
        "MAILBOT_OWNER_EMAIL=r@o.example\nMAILBOT_OWNER_TWITTER='@robin #1'\n"
    )
    s = load_settings(env, {"HOME": "/home/robin"})
    assert s.imap is not None and s.imap.password == "p${HOME}a$$w'd"
    assert s.owner.twitter == "@robin #1"


def test_without_a_env_file_the_error_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"no \.env file in .*--env-file"):
        load_settings(None, {"HOME": str(tmp_path)})


def test_contacts_naming_a_folder_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"MAILBOT_CONTACTS: .* is a folder"):
        load(MAILBOT_CONTACTS=str(tmp_path))


def test_ignored_mail_is_shown_by_what_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    from mailbot.commands import print_report
    from mailbot.report import CycleReport, Processed

    report = CycleReport(
        [
            Processed(
                "<a1b2@lva1.prod.linkedin.com>",
                None,
                "ignore",
                ("not a connection request: job mail",),
                False,
            )
        ]
    )
    print_report(report, dry_run=False)
    out = capsys.readouterr().out
    assert "(not a connection request)" in out and "<a1b2@" not in out
