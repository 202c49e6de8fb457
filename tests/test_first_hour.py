"""The first hour (issue 25): from `./run demo` to a first draft, every step says what
to do next in the words the README uses, and a mistake is one clear line."""

from __future__ import annotations

import logging
import mailbox
import re
import signal
import socket
import subprocess
import sys
import sysconfig
from email import message_from_bytes
from pathlib import Path

import pytest
from builders import invitation, on_behalf
from support import mailbot

from mailbot.errors import ConnectError
from mailbot.mailboxes.base import HISTORY_FIELDS
from mailbot.people.history import RECEIVED, entries

ROOT = Path(__file__).resolve().parents[1]
OWNER = frozenset({"robin@owner.example"})


def owner_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A Maildir owner (no server): INBOX, Drafts and Sent under tmp_path/Maildir."""
    box = mailbox.Maildir(str(tmp_path / "Maildir"), create=True)
    box.add_folder("Drafts")
    box.add_folder("Sent")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "MAILBOT_MAILDIR": str(tmp_path / "Maildir"),
        "MAILBOT_STATE": str(tmp_path / "state.sqlite3"),
        "MAILBOT_OWNER_NAME": "Robin Owner",
        "MAILBOT_OWNER_EMAIL": "robin@owner.example",
    }
    env.update(extra)
    return env


# -- 1. one way to run mailbot: `mailbot ...`, after `source .venv/bin/activate` ---------


def test_the_demo_ends_with_how_to_put_mailbot_on_the_path(tmp_path: Path) -> None:
    """`./run demo` runs .venv/bin/mailbot, which is not on the PATH: the demo's last
    lines say how to put it there, then name the next commands as `mailbot ...`."""
    result = mailbot(tmp_path, {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, "demo")
    assert result.returncode == 0, result.stderr
    *_, hint, steps = result.stdout.splitlines()
    venv = Path(sys.prefix)
    assert f"`source {venv / 'bin' / 'activate'}` puts it there" in hint
    assert "`mailbot setup you@example.com`" in steps and "`mailbot check`" in steps
    assert "bin/mailbot" not in steps

    scripts = sysconfig.get_path("scripts")
    on_path = mailbot(tmp_path, {"PATH": f"{scripts}:/usr/bin:/bin", "HOME": str(tmp_path)}, "demo")
    assert on_path.returncode == 0, on_path.stderr
    assert "activate" not in on_path.stdout
    assert on_path.stdout.splitlines()[-1] == steps


def test_the_readme_writes_every_command_the_same_way() -> None:
    """The README says once how `mailbot` gets on the PATH, then writes `mailbot ...`."""
    readme = (ROOT / "README.md").read_text()
    assert "bin/mailbot" not in readme.replace("$HOME/.local/bin/mailbot", "")
    assert readme.count("source .venv/bin/activate") == 1
    assert "source .venv/bin/activate" in readme.split("### Your first hour")[0]


# -- 2. a fresh Debian without python3-venv --------------------------------------------

DEBIAN_VENV = """#!/bin/sh
# python3 as a fresh Debian has it without python3-venv: `-m venv` leaves a half-made
# environment (a python, no pip) and says why on stdout.
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin" && ln -s {python} "$3/bin/python"
  cat <<'EOF'
The virtual environment was not created successfully because ensurepip is not
available.  On Debian/Ubuntu systems, you need to install the python3-venv
package using the following command.

    apt install python3.11-venv

You may need to use sudo with that command.  After installing the python3-venv
package, recreate your virtual environment.

Failing command: $3/bin/python3
EOF
  exit 1
fi
exec {python} "$@"
"""


def run_script(tmp_path: Path, venv: Path, python: str) -> subprocess.CompletedProcess[str]:
    """The real `./run demo` with a python3 that cannot make a venv first on the PATH."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "python3").write_text(DEBIAN_VENV.format(python=python))
    (fake / "python3").chmod(0o755)
    return subprocess.run(
        [str(ROOT / "run"), "demo"],
        env={"PATH": f"{fake}:/usr/bin:/bin", "HOME": str(tmp_path), "MAILBOT_VENV": str(venv)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_run_demo_without_python3_venv_names_the_package_to_install(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    result = run_script(tmp_path, venv, sys.executable)
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "apt-get install python3-venv" in line, line
    assert "Traceback" not in line
    assert not venv.exists()  # nothing half-made is left to fail the next run


def test_run_demo_with_a_half_made_venv_says_to_remove_it(tmp_path: Path) -> None:
    """What an earlier `./run demo` on such a Debian left: a python without pip."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    no_pip = venv / "bin" / "python"
    no_pip.write_text("#!/bin/sh\necho '/x/python: No module named pip' >&2\nexit 1\n")
    no_pip.chmod(0o755)
    result = run_script(tmp_path, venv, sys.executable)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert f"rm -rf {venv}" in line and "python3-venv" in line, line


# -- 3. check: every row, mistakes included ---------------------------------------------


def test_check_names_every_configuration_mistake_and_checks_the_rest(tmp_path: Path) -> None:
    """A misspelt key and a missing contacts file are lines of their own, naming the
    key; the mailbox, the state, the other contacts file and the templates are still
    checked."""
    good = tmp_path / "good.csv"
    good.write_text("name,email\nAda Lovelace,ada@example.org\n")
    missing = tmp_path / "missing.csv"
    env = owner_env(tmp_path, MAILBOT_CONTACTS=f"{missing},{good}")
    env["MAILBOT_OWNER_NAM"] = env.pop("MAILBOT_OWNER_NAME")
    result = mailbot(tmp_path, env, "check")
    assert result.returncode == 2  # a configuration mistake, as for every command, result.stderr
    rows = [
        (line[:3].strip(), line[5:17].strip(), line[18:]) for line in result.stdout.splitlines()
    ]
    config = [detail for ok, item, detail in rows if item == "config"]
    assert all(ok == "ERR" for ok, item, _ in rows if item == "config")
    assert config == [
        "unknown setting MAILBOT_OWNER_NAM is ignored (did you mean MAILBOT_OWNER_NAME?)",
        "MAILBOT_OWNER_NAME: is required but not set in the environment, and there is no "
        f".env file in {tmp_path} (or pass --env-file PATH) (see config.example.env)",
        f"MAILBOT_CONTACTS: no such file: {missing}",
    ]
    checked = {item: (ok, detail) for ok, item, detail in rows if item != "config"}
    assert {item for item, (ok, _) in checked.items() if ok == "OK"} >= {
        "maildir",
        "inbox",
        "drafts",
        "state",
        "contacts",
        "templates",
    }, result.stdout
    assert checked["contacts"] == ("OK", f"{good}: 1 person")
    assert result.stderr == ""  # the misspelt key is a row, not a warning besides


def test_check_says_which_rows_wait_for_a_key_in_error(tmp_path: Path) -> None:
    """A misspelt server key: the server rows are not checked (a placeholder never
    reaches a network), and say which key to fix; the rest is checked."""
    env = owner_env(tmp_path)
    del env["MAILBOT_MAILDIR"]
    env.update(
        MAILBOT_IMAP_HOTS="imap.example.com",
        MAILBOT_IMAP_USER="robin",
        MAILBOT_IMAP_PASSWORD="s3cret-Pa55word",
        MAILBOT_LANGUAGE="da",
    )
    result = mailbot(tmp_path, env, "check")
    assert result.returncode == 2  # a configuration mistake, as for every command
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["ERR", "config"],
        ["ERR", "config"],
        ["ERR", "config"],
        ["ERR", "connect"],
        ["OK", "state"],
        ["ERR", "templates"],
    ], result.stdout
    assert lines[1].split()[2] == "MAILBOT_IMAP_HOST:"
    assert lines[2].split()[2] == "MAILBOT_LANGUAGE:"
    assert lines[3].endswith("not checked: fix MAILBOT_IMAP_HOST first")
    assert lines[5].endswith("not checked: fix MAILBOT_LANGUAGE first")
    assert "s3cret" not in result.stdout + result.stderr


def test_check_with_an_env_file_that_is_not_there_says_so_in_its_table(tmp_path: Path) -> None:
    result = mailbot(tmp_path, owner_env(tmp_path), "check", "--env-file", "nope.env")
    assert result.returncode == 2 and result.stderr == ""
    assert result.stdout == "ERR  config       --env-file: no such file: nope.env\n"


def test_check_with_a_good_configuration_says_where_it_came_from(tmp_path: Path) -> None:
    result = mailbot(tmp_path, owner_env(tmp_path), "check")
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[0].split(None, 2) == [
        "OK",
        "config",
        f"the environment only (no .env in {tmp_path})",
    ]


# -- 5. Ctrl-C ---------------------------------------------------------------------------


def test_ctrl_c_says_what_was_kept_and_exits_130(tmp_path: Path) -> None:
    """Interrupted while it waits for a server that never greets: one line, exit 130."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        env = owner_env(
            tmp_path,
            MAILBOT_IMAP_HOST="127.0.0.1",
            MAILBOT_IMAP_PORT=str(server.getsockname()[1]),
            MAILBOT_IMAP_SECURITY="plain",
            MAILBOT_IMAP_USER="robin",
            MAILBOT_IMAP_PASSWORD="s3cret-Pa55word",
        )
        del env["MAILBOT_MAILDIR"]
        run = subprocess.Popen(
            [sys.executable, "-m", "mailbot", "--run-once"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            server.settimeout(30)
            connection, _ = server.accept()  # mailbot is waiting for the greeting now
            run.send_signal(signal.SIGINT)
            out, err = run.communicate(timeout=30)
            connection.close()
        finally:
            if run.poll() is None:
                run.kill()
                run.communicate()
    assert run.returncode == 130
    assert err == "mailbot: interrupted: what was stored is kept, run again to continue\n"
    assert out == ""


# -- 6. status ----------------------------------------------------------------------------


def test_status_leaves_out_empty_groups_and_shows_only_real_links(tmp_path: Path) -> None:
    env = owner_env(tmp_path)
    box = mailbox.Maildir(env["MAILBOT_MAILDIR"], create=False)
    box.add(invitation("Omar Haddad", profile=False))  # known by its invitation id only
    box.add(invitation("Jane Doe"))
    assert mailbot(tmp_path, env, "--run-once").returncode == 0
    result = mailbot(tmp_path, env, "status")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:1] == ["Open conversations (2):"]
    assert "(0)" not in result.stdout
    assert "linkedin:" not in result.stdout  # no internal key where a link is expected
    names = [line for line in result.stdout.splitlines() if "[asked]" in line]
    assert sorted(names) == [
        "  Jane Doe [asked] https://www.linkedin.com/in/jane-doe",
        "  Omar Haddad [asked]",
    ]


def test_status_with_nothing_says_so(tmp_path: Path) -> None:
    result = mailbot(tmp_path, owner_env(tmp_path), "status")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Nothing waits for you, and there are no conversations yet.\n"


# -- 7. the log and the summary: by name, singular and plural right ----------------------


def test_a_withdrawn_draft_is_logged_by_the_name_of_its_person(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo's second cycle withdraws the "have we met?" draft to Priya Raman."""
    from mailbot.demo import run_demo

    caplog.set_level(logging.INFO, logger="mailbot")
    assert run_demo(tmp_path / "demo", as_json=True) == 0
    capsys.readouterr()
    withdrawn = [r.getMessage() for r in caplog.records if "withdrew" in r.getMessage()]
    assert withdrawn == [
        "withdrew our ask draft for Priya Raman from Drafts (not edited; the conversation moved on)"
    ]
    stored = [r.getMessage() for r in caplog.records if "draft" in r.getMessage()]
    tokens = re.compile(r"\b[0-9a-f]{16,}\b")  # a draft's token, as its Message-ID has it
    assert not [line for line in stored if tokens.search(line)], stored


def test_the_summary_counts_in_the_singular_and_the_plural(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from mailbot.commands import print_report
    from mailbot.report import CycleReport, Processed

    one = Processed("<a@x>", "Ada Lovelace", "ask", ("why",), draft=True)
    other = Processed("<b@x>", "Bo Berg", "known", ("why",), draft=False)
    print_report(CycleReport(processed=[one]), dry_run=False)
    assert capsys.readouterr().out.splitlines()[-1] == "1 notification, 1 draft stored"
    print_report(CycleReport(processed=[one, other]), dry_run=False)
    assert capsys.readouterr().out.splitlines()[-1] == "2 notifications, 1 draft stored"


# -- 8. help ------------------------------------------------------------------------------


def test_every_command_explains_itself_in_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    from mailbot.cli import WITH_SETTINGS, WITHOUT_SETTINGS, main

    for name in [*WITHOUT_SETTINGS, *WITH_SETTINGS]:
        with pytest.raises(SystemExit):
            main([name, "--help"])
        text = capsys.readouterr().out
        usage, _, rest = text.partition("\n\n")
        description = rest.split("\n\n")[0]
        assert usage.startswith(f"usage: mailbot {name}"), text
        assert not description.startswith(("positional arguments", "options")), text
        assert description.rstrip().endswith("."), text


def test_the_top_level_help_says_that_mailbot_alone_runs_the_daemon(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from mailbot.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Without a command, mailbot runs as a daemon" in text
    assert "--run-once runs one cycle" in text.replace("`", "")


# -- 4. a refused login while the daemon runs --------------------------------------------


def test_a_refused_login_waits_a_growing_backoff_and_is_logged_once_an_hour(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from mailbot.daemon import Refusals

    caplog.set_level(logging.INFO, logger="mailbot.daemon")
    now = [0.0]
    refusals = Refusals(clock=lambda: now[0])
    refused = ConnectError("imap.example:993 refused the login for user 'robin'")
    logged = []
    waits = []
    for minutes in (0, 10, 59, 61, 62, 90, 125):
        now[0] = minutes * 60.0
        caplog.clear()
        waits.append(refusals.refused(refused))
        assert refusals.waiting() > 0  # no login before the backoff ends
        logged.append(any("refused the login" in r.getMessage() for r in caplog.records))
    assert logged == [True, False, False, True, False, False, True]
    assert 30 <= waits[0] <= 60 and waits[-1] >= 1800  # 1 min, doubling to 1 h (jitter)
    now[0] += waits[-1]
    assert refusals.waiting() == 0
    caplog.clear()
    assert refusals.accepted() is True
    assert [r.getMessage() for r in caplog.records] == ["the server accepts the login again"]
    assert refusals.accepted() is False  # said once
    refusals.refused(refused)  # a new refusal is news again
    assert any("refused the login" in r.getMessage() for r in caplog.records)


# -- 9. an invitation sent on the inviter's behalf is not their correspondence ------------


def index_headers(raw: bytes) -> bytes:
    """What the history index reads of a message: the HISTORY_FIELDS only."""
    msg = message_from_bytes(raw)
    wanted = {name.lower() for name in HISTORY_FIELDS}
    lines = [f"{name}: {value}" for name, value in msg.items() if name.lower() in wanted]
    return ("\n".join(lines) + "\n\n").encode()


def test_an_invitation_sent_on_the_inviters_behalf_is_not_their_correspondence() -> None:
    raw = on_behalf("Marta Nowak", "marta.nowak@post.example", "<inv-1@x>", 5742011987)
    assert entries(index_headers(raw), (), OWNER) == []
    assert entries(raw.partition(b"\n\n")[0] + b"\n\n", (), OWNER) == []  # every header


def test_mail_from_name_via_linkedin_at_their_own_address_is_not_theirs() -> None:
    msg = message_from_bytes(b"")
    msg["From"] = '"Marta Nowak via LinkedIn" <marta.nowak@post.example>'
    msg["To"] = "Robin Owner <robin@owner.example>"
    msg["Subject"] = "Marta Nowak wants to connect"
    assert entries(msg.as_bytes(), (), OWNER) == []


def test_their_own_mail_and_a_relay_anywhere_else_still_count() -> None:
    """Only the network as sender or signer takes a mail out: their own mail with an
    ordinary signature, and a note mentioning LinkedIn, are correspondence."""
    msg = message_from_bytes(b"")
    msg["Authentication-Results"] = (
        "mx.owner.example; dkim=pass header.d=post.example; spf=pass "
        "smtp.mailfrom=marta.nowak@post.example (a linkedin.com link in the body)"
    )
    msg["From"] = "Marta Nowak <marta.nowak@post.example>"
    msg["To"] = "Robin Owner <robin@owner.example>"
    msg["Subject"] = "Re: Invitation to connect on LinkedIn"
    [entry] = entries(msg.as_bytes(), (), OWNER)
    assert (entry.address, entry.direction) == ("marta.nowak@post.example", RECEIVED)


def test_an_oauth2_sign_in_no_longer_accepted_is_a_refused_login_for_the_daemon() -> None:
    """The daemon backs off (and logs once an hour) for every refused login, a revoked
    OAuth2 sign-in included; a server it cannot reach is no refusal."""
    from mailbot.errors import ConnectError, LoginRefused
    from mailbot.oauth import LoginExpired
    from mailbot.runner import login_refused

    assert login_refused(LoginExpired("log in again with `mailbot setup --login`"))
    assert login_refused(LoginRefused("imap.example.com refused the login for user 'robin'"))
    assert not login_refused(ConnectError("cannot reach imap.example.com:993"))
