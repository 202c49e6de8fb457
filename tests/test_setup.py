"""`mailbot setup`'s parts that need no server: the .env it writes (quoting, mode, never
replacing unasked), its questions (flags, defaults, --yes, --non-interactive), the
provider tables, and the refusals that come before any login. The whole run against
real servers: tests/integration/test_setup_e2e.py."""

from __future__ import annotations

import argparse
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from dotenv import dotenv_values
from hypothesis import example, given
from hypothesis import strategies as st

from mailbot.errors import ConnectError, UsageError
from mailbot.report import CycleReport, Processed
from mailbot.setup import command, envfile
from mailbot.setup.discover import Candidate, find_server
from mailbot.setup.envfile import Group
from mailbot.setup.finish import describe as describe_dry_run
from mailbot.setup.login import app_password_page, keyring_command
from mailbot.setup.profile import _handle, linkedin_exports
from mailbot.setup.prompts import Prompter, Terminal
from mailbot.setup.server import describe, logins
from mailbot.setup.tools import Tools

OFFICE365 = Candidate(
    "outlook.office365.com", 993, "ssl", ("oauth2",), "microsoft", "address", "cfo@m365.test",
    "MX m365-test.mail.protection.outlook.com → mail.protection.outlook.com in the ISP database",
)  # fmt: skip
GMAIL = Candidate(
    "imap.gmail.com", 993, "ssl", ("oauth2", "password"), "google", "address", "ceo@ws.test",
    "MX aspmx.l.google.com → google.com in the ISP database",
)  # fmt: skip


class Script:
    """The person at the terminal: answers in turn (KeyboardInterrupt: Ctrl-C there)."""

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []
        self.lines: list[str] = []

    def read(self, prompt: str) -> str:
        self.asked.append(prompt)
        if not self.answers:
            raise EOFError
        answer = self.answers.pop(0)
        if answer is KeyboardInterrupt:
            raise KeyboardInterrupt
        return str(answer)

    def terminal(self) -> Terminal:
        return Terminal(read_line=self.read, read_secret=self.read, write=self.lines.append)

    @property
    def said(self) -> str:
        return "\n".join(self.lines)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="mailbot")
    command.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["setup", *argv])


def offline_find(address: str, report: Callable[[str], object]) -> list[Candidate]:
    """Discovery with no network: no autoconfig answers, so the bundled database decides."""

    def no_network(url: str) -> bytes:
        raise OSError("offline")

    return find_server(address, fetch=no_network, report=report)


def never_connect(imap: object) -> None:
    raise AssertionError("no login may be tried here")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def tools_for(
    home: Path, find: Callable[[str, Callable[[str], object]], list[Candidate]], **environ: str
) -> Tools:
    return Tools(
        find=find,
        connect=never_connect,  # type: ignore[arg-type]
        environ={"HOME": str(home), **environ},
        keyring=lambda: None,
        downloads=lambda: home / "Downloads",
    )


# --- the .env: quoting, mode, never replaced unasked ------------------------------------------

VALUES = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\n"), max_size=40
).filter(lambda v: not any(ord(c) < 0x20 or ord(c) == 0x7F for c in v))


@given(value=VALUES | st.text(alphabet="\\'\" #$a", max_size=8))
@example(value="ends in a backslash\\")
@example(value="a\\'b")
@example(value=" pa55 #word $HOME ")
def test_every_value_reads_back_exactly_through_python_dotenv(
    value: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Quotes, backslashes, ' #', '$', spaces at either end, any script: what dotenv
    reads from the file is the value written."""
    path = tmp_path_factory.mktemp("env") / ".env"
    envfile.write(path, envfile.render(["header"], [Group("why", (("KEY", value),))]), replace=True)
    assert dotenv_values(path, interpolate=False) == {"KEY": value}


@pytest.mark.parametrize("value", ["a\nMAILBOT_IMAP_HOST=evil", "tab\there", "bell\x07"])
def test_a_value_with_a_line_break_or_control_character_is_refused(value: str) -> None:
    with pytest.raises(UsageError, match="control character"):
        envfile.quoted(value)


def test_the_env_is_user_only_whatever_the_umask(tmp_path: Path) -> None:
    before = os.umask(0)
    try:
        envfile.write(tmp_path / ".env", "A='1'\n", replace=False)
    finally:
        os.umask(before)
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env"]


def test_an_existing_env_is_kept_unless_replacing_is_asked(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("MINE=1\n")
    with pytest.raises(UsageError, match="exists: pass --force"):
        envfile.write(path, "NEW=2\n", replace=False)
    assert path.read_text() == "MINE=1\n"
    envfile.write(path, "NEW=2\n", replace=True)
    assert path.read_text() == "NEW=2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env"]


def test_set_value_replaces_one_line_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("# mine\nMAILBOT_IMAP_PASSWORD='old'\nexport MAILBOT_KNOWN=Jo # a friend\n")
    envfile.set_value(path, "MAILBOT_IMAP_PASSWORD", "n'ew")
    envfile.set_value(path, "MAILBOT_KNOWN_DOMAINS", "x.test")
    assert path.read_text() == (
        "# mine\nMAILBOT_IMAP_PASSWORD='n\\'ew'\nexport MAILBOT_KNOWN=Jo # a friend\n"
        "MAILBOT_KNOWN_DOMAINS='x.test'\n"
    )
    assert dotenv_values(path)["MAILBOT_IMAP_PASSWORD"] == "n'ew"


def test_groups_are_written_under_their_comment_and_empty_ones_left_out() -> None:
    text = envfile.render(
        ["Written by mailbot setup."],
        [
            Group("IMAP server: from autoconfig.x.test", (("MAILBOT_IMAP_HOST", "imap.x.test"),)),
            Group("none", ()),
        ],
    )
    assert text == (
        "# Written by mailbot setup.\n\n# IMAP server: from autoconfig.x.test\n"
        "MAILBOT_IMAP_HOST='imap.x.test'\n"
    )


# --- questions ------------------------------------------------------------------------------


def test_non_interactive_takes_flags_and_defaults_and_names_a_missing_flag() -> None:
    prompter = Prompter(Script().terminal(), interactive=False)
    assert prompter.text("Name:", flag="--name", given=" Jo ") == "Jo"
    assert prompter.text("Language:", flag="--language", default="en") == "en"
    with pytest.raises(UsageError, match="pass --name"):
        prompter.text("Your name:", flag="--name", required=True)
    with pytest.raises(UsageError, match="pass --password-stdin"):
        prompter.secret("Password:", flag="--password-stdin")


def test_a_bad_flag_is_refused_naming_the_flag() -> None:
    prompter = Prompter(Script().terminal())
    with pytest.raises(UsageError, match="--x: an X handle"):
        prompter.text("X:", flag="--x", given="not a handle!", check=lambda a: "an X handle")


def test_a_bad_answer_is_asked_again_with_what_is_wrong() -> None:
    script = Script("fr-CA", "de")
    prompter = Prompter(script.terminal())
    answer = prompter.text(
        "Language:", flag="--language", check=lambda a: None if a == "de" else "one of de"
    )
    assert answer == "de" and len(script.asked) == 2 and "  one of de" in script.lines


def test_yes_takes_every_default_and_still_asks_what_has_none() -> None:
    script = Script("Jo")
    prompter = Prompter(script.terminal(), yes=True)
    assert prompter.text("Language:", flag="--language", default="en") == "en"
    assert prompter.confirm("Keyring?", default=True) is True
    assert prompter.text("Name:", flag="--name", required=True) == "Jo"
    assert script.asked == ["Name: "]


def test_the_input_ending_is_one_line_naming_the_question() -> None:
    prompter = Prompter(Script().terminal())
    with pytest.raises(UsageError, match="ended before an answer to 'Your name'"):
        prompter.text("Your name:", flag="--name", required=True)


# --- providers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "provider"),
    [
        ("imap.mail.me.com", "iCloud"),
        ("imap.mail.yahoo.com", "Yahoo"),
        ("export.imap.mail.yahoo.com", "Yahoo"),
        ("imap.aol.com", "AOL"),
        ("imap.gmail.com", "Google"),
        ("imap.fastmail.com", None),
        ("mail.notyahoo.com", None),
    ],
)
def test_app_password_pages(host: str, provider: str | None) -> None:
    page = app_password_page(host)
    assert (page[0] if page else None) == provider
    assert page is None or page[1].startswith("https://")


def test_only_logins_mailbot_can_do_are_offered() -> None:
    """Yahoo's OAuth2 is not mailbot's (only Microsoft's and Google's): password only."""
    yahoo = offline_find("x@yahoo.com", print)[0]
    assert logins(yahoo) == ("password",)
    assert logins(OFFICE365) == ("oauth2",)
    assert logins(GMAIL) == ("oauth2", "password")


def test_a_server_is_shown_with_how_to_log_in_and_where_it_came_from() -> None:
    assert describe(GMAIL) == (
        "imap.gmail.com:993 (TLS), log in with OAuth2 (Google) or a password as your "
        "address; from MX aspmx.l.google.com → google.com in the ISP database"
    )


def test_the_app_password_page_is_named_before_the_password_is_asked(home: Path) -> None:
    """iCloud (from the bundled database, offline): the page to make an app password is
    named first; the part before the @ is the login name."""
    script = Script(KeyboardInterrupt)
    code = command.main(
        parse("jo@icloud.com"), tools=tools_for(home, offline_find), terminal=script.terminal()
    )
    assert code == 130
    assert "iCloud wants an app password for mail programs" in script.said
    assert "App-Specific Passwords" in script.said
    assert script.asked == ["Password for jo at imap.mail.me.com: "]


def test_the_keyring_command_reads_back_with_this_python() -> None:
    assert keyring_command("o'neil@x.test").endswith("-m keyring get mailbot 'o'\"'\"'neil@x.test'")


# --- refusals before any login ------------------------------------------------------------------


def test_an_environment_pointing_elsewhere_is_refused_before_the_password(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """MAILBOT_IMAP_HOST in the environment would win over the server shown: refused
    before the password is asked, so it can only ever go to the server shown."""
    tools = tools_for(home, lambda a, r: [GMAIL], MAILBOT_IMAP_HOST="imap.evil.test")
    script = Script("pw")
    args = parse("ceo@ws.test", "--password-stdin", "--non-interactive", "--name", "C")
    assert command.main(args, tools=tools, terminal=script.terminal()) == 2
    err = capsys.readouterr().err
    assert "MAILBOT_IMAP_HOST: is set in the environment to 'imap.evil.test'" in err
    assert script.asked == [""]  # the password's line of standard input, nothing more


def test_a_malformed_client_id_is_asked_again_before_any_sign_in(home: Path) -> None:
    script = Script("my-app", KeyboardInterrupt)
    code = command.main(
        parse("cfo@m365.test"),
        tools=tools_for(home, lambda a, r: [OFFICE365]),
        terminal=script.terminal(),
    )
    assert code == 130
    assert "must be the Application (client) ID of your app registration" in script.said
    assert "register an app in Entra ID" in script.said
    assert script.asked == ["Application (client) ID: ", "Application (client) ID: "]


def test_non_interactive_google_needs_a_way_to_log_in(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse("ceo@ws.test", "--non-interactive", "--name", "Casey")
    assert (
        command.main(
            args, tools=tools_for(home, lambda a, r: [GMAIL]), terminal=Script().terminal()
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "pass --oauth2-client-id" in err and "--password-stdin" in err


def test_non_interactive_needs_the_address_and_name_before_looking_anything_up(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    looked: list[str] = []
    tools = tools_for(home, lambda a, r: looked.append(a) or [])  # type: ignore[func-returns-value]
    assert command.main(parse("--non-interactive"), tools=tools, terminal=Script().terminal()) == 2
    assert "--non-interactive needs ADDRESS and --name" in capsys.readouterr().err
    assert looked == []


def test_nothing_found_non_interactive_says_which_flags_name_the_server(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse("x@nowhere.test", "--non-interactive", "--name", "X")
    assert (
        command.main(args, tools=tools_for(home, lambda a, r: []), terminal=Script().terminal())
        == 2
    )
    assert "no IMAP server found for x@nowhere.test: pass --imap-host" in capsys.readouterr().err


def test_nothing_found_at_a_terminal_asks_for_the_server(home: Path) -> None:
    """Nothing found: the owner names the host and port (143: STARTTLS), then the
    password is asked for that server."""
    script = Script("imap.self.test", "143", KeyboardInterrupt)
    code = command.main(
        parse("me@self.test"), tools=tools_for(home, lambda a, r: []), terminal=script.terminal()
    )
    assert code == 130
    assert "No IMAP server found" in script.said
    assert script.asked == [
        "IMAP server (host name): ",
        "Port: [993] ",
        "Password for me@self.test at imap.self.test: ",
    ]


def test_a_named_server_skips_discovery(home: Path) -> None:
    """--imap-host: no discovery; port 143 means STARTTLS; a login failure is exit 3."""

    def refuse(imap: object) -> None:
        raise ConnectError("imap.self.test:143 refused the login for user 'me@self.test'")

    tools = tools_for(home, lambda a, r: pytest.fail("discovery ran"))
    tools.connect = refuse  # type: ignore[assignment]
    args = parse(
        "me@self.test",
        "--imap-host",
        "imap.self.test",
        "--imap-port",
        "143",
        "--password-stdin",
        "--non-interactive",
        "--name",
        "Me",
    )
    assert command.main(args, tools=tools, terminal=Script("pw").terminal()) == 3
    assert not (home / ".env").exists()


# --- owner's details ------------------------------------------------------------------------------


def test_linkedin_exports_are_offered_newest_first(tmp_path: Path) -> None:
    for name, when in (
        ("Basic_LinkedInDataExport_01-01-2026.zip", 100),
        ("Complete_LinkedInDataExport_03-01-2026.zip", 300),
        ("holiday.zip", 400),
        ("linkedin-notes.txt", 500),
    ):
        (tmp_path / name).write_bytes(b"")
        os.utime(tmp_path / name, (when, when))
    assert [p.name for p in linkedin_exports(tmp_path)] == [
        "Complete_LinkedInDataExport_03-01-2026.zip",
        "Basic_LinkedInDataExport_01-01-2026.zip",
    ]
    assert linkedin_exports(tmp_path / "missing") == []


@pytest.mark.parametrize(
    ("answer", "handle"),
    [
        ("robin", "@robin"),
        ("@robin_1", "@robin_1"),
        ("https://x.com/robin", "@robin"),
        ("twitter.com/Robin/", "@Robin"),
    ],
)
def test_x_handles_are_written_with_an_at(answer: str, handle: str) -> None:
    assert _handle(answer) == handle


def test_the_dry_run_lists_what_it_would_draft_first() -> None:
    report = CycleReport(
        processed=[
            Processed(None, "Grace Hopper", "known", ("in your contacts",), draft=False),
            Processed(None, "Stella Stranger", "ask", ("no note",), draft=False),
        ]
    )
    assert describe_dry_run(report) == [
        "would draft: ask     Stella Stranger (no note)",
        "no draft:    known   Grace Hopper (in your contacts)",
        "2 notifications in 30 days, 1 draft to write",
    ]


# --- the command ----------------------------------------------------------------------------------


def test_the_subcommand_keeps_a_top_level_env_file_and_has_a_description() -> None:
    parser = argparse.ArgumentParser(prog="mailbot")
    parser.add_argument("--env-file", type=Path)
    sub = command.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["--env-file", "other.env", "setup", "jo@x.test", "--x", "@jo", "-y"])
    assert args.env_file == Path("other.env") and args.x == "@jo" and args.yes
    assert "dry run over the last 30 days" in (sub.description or "")
