"""`mailbot setup`: from an email address to a working .env and a first dry run.

1. the IMAP server, found from the address (server.py, discover.py);
2. the login, checked by logging in (login.py; OAuth2 through mailbot/oauth.py);
3. the folders seen in that session (folders.py), and the owner's details (profile.py);
4. the .env written at once, mode 0600 (envfile.py), then `check` and a dry run
   (finish.py).

Nothing is written before step 4: an interrupted or failed setup leaves no .env and no
password in the keyring (an OAuth2 sign-in keeps its tokens, as `--login` would).
`mailbot setup --login` (relogin.py) does the login alone, for an existing .env.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from mailbot.errors import UsageError
from mailbot.setup import envfile
from mailbot.setup.envfile import Group
from mailbot.setup.folders import describe as describe_folders
from mailbot.setup.folders import history_value
from mailbot.setup.login import Login, LoginAnswers, forget_password, keep_password, log_in
from mailbot.setup.profile import ProfileAnswers, ask_profile
from mailbot.setup.prompts import Prompter
from mailbot.setup.server import ServerAnswers, pick_server
from mailbot.setup.tools import Tools
from mailbot.terminal import shown

EXIT_OK, EXIT_NOT_DONE, EXIT_INTERRUPTED = 0, 2, 130


@dataclass(frozen=True)
class SetupAnswers:
    """Everything the flags can answer."""

    env_file: Path = Path(".env")
    address: str | None = None
    force: bool = False
    server: ServerAnswers = field(default_factory=ServerAnswers)
    login: LoginAnswers = field(default_factory=LoginAnswers)
    profile: ProfileAnswers = field(default_factory=ProfileAnswers)


def run_setup(answers: SetupAnswers, prompter: Prompter, tools: Tools) -> int:
    target = answers.env_file
    _needed_first(answers, prompter)
    replace = _may_replace(target, answers.force, prompter)
    if replace is None:
        prompter.say(f"Nothing written; {shown(target)} is as it was.")
        return EXIT_NOT_DONE
    address = prompter.text(
        "Your email address:",
        flag="ADDRESS",
        given=answers.address,
        required=True,
        check=_address_problem,
    )
    assert address is not None
    server = pick_server(address, prompter, tools.find, answers.server)
    login = log_in(address, server, answers.login, prompter, tools)
    prompter.say("Folders (found by their special-use flags, as at every run):")
    for line in describe_folders(login.folders):
        prompter.say(line)
    profile = ask_profile(address, answers.profile, prompter, tools.downloads())
    with _uninterrupted() as interrupted:
        _write(target, address, server.source, login, profile, replace, prompter)
    prompter.say(f"Wrote {shown(target)} (readable by you only).")
    if interrupted:
        prompter.say(f"interrupted: {shown(target)} is written; run `mailbot check` to go on")
        return EXIT_INTERRUPTED
    if not tools.finish:
        return EXIT_OK
    from mailbot.setup.finish import check_and_dry_run

    try:
        return check_and_dry_run(target, tools.environ, prompter.say)
    except KeyboardInterrupt:
        prompter.say(f"interrupted: {shown(target)} is written; run `mailbot check` to go on")
        return EXIT_INTERRUPTED


def _needed_first(answers: SetupAnswers, prompter: Prompter) -> None:
    """Without questions, the answers with no default are needed before anything is
    looked up (the password and client ID: when the server turns out to need them)."""
    if prompter.interactive:
        return
    given = (("ADDRESS", answers.address), ("--name", answers.profile.name))
    missing = [flag for flag, value in given if not value]
    if missing:
        raise UsageError(f"--non-interactive needs {' and '.join(missing)}")


def _may_replace(target: Path, force: bool, prompter: Prompter) -> bool | None:
    """False: a new file; True: replace the existing one; None: the owner said no."""
    if target.is_dir():
        raise UsageError(f"--env-file: {target} is a folder, not a .env file")
    if not target.exists():
        return False
    if force:
        return True
    if not prompter.interactive:
        raise UsageError(f"{target} exists: pass --force to replace it")
    question = f"{shown(target)} exists. Replace it at the end, once everything works?"
    return True if prompter.confirm(question, default=False) else None


def _write(
    target: Path,
    address: str,
    source: str,
    login: Login,
    profile: dict[str, str],
    replace: bool,
    prompter: Prompter,
) -> None:
    """The keyring entry (if chosen) and the .env, both or neither."""
    user = login.values["MAILBOT_IMAP_USER"]
    groups = [Group(login.comment, tuple(_without_email(login.values).items()))]
    if login.password is not None:
        values, comment, note = keep_password(login, user)
        if note:
            prompter.say(note)
        groups.append(Group(comment, tuple(values.items())))
    history = history_value(login.folders)
    if history:
        groups.append(
            Group(
                "Folders read for your history: Sent and the inbox (the default) and the "
                "Archive folder the server marks",
                (("MAILBOT_HISTORY_FOLDERS", history),),
            )
        )
    owner = [
        ("MAILBOT_OWNER_NAME", profile["MAILBOT_OWNER_NAME"]),
        ("MAILBOT_OWNER_EMAIL", address),
    ]
    owner += [
        (k, v)
        for k, v in profile.items()
        if k.startswith("MAILBOT_OWNER_") and k != "MAILBOT_OWNER_NAME"
    ]
    groups.append(Group("You: as you answered (the signature of every draft)", tuple(owner)))
    groups.append(
        Group("Replies: your language", (("MAILBOT_LANGUAGE", profile["MAILBOT_LANGUAGE"]),))
    )
    if "MAILBOT_CONTACTS" in profile:
        groups.append(
            Group(
                "Your records: as you chose", (("MAILBOT_CONTACTS", profile["MAILBOT_CONTACTS"]),)
            )
        )
    header = [
        f"Written by `mailbot setup` for {address} on {date.today().isoformat()}.",
        f"Server found at: {source}.",
        "Every key is explained in config.example.env. Edit freely, or run `mailbot setup` again.",
    ]
    try:
        envfile.write(target, envfile.render(header, groups), replace=replace)
    except BaseException:
        if login.password is not None:
            forget_password(login, user)
        raise


def _without_email(values: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if k != "MAILBOT_OWNER_EMAIL"}


def _address_problem(answer: str) -> str | None:
    local, at, domain = answer.strip().rpartition("@")
    return (
        None
        if local and at and "." in domain and " " not in answer.strip()
        else "an address like you@example.com"
    )


@contextlib.contextmanager
def _uninterrupted() -> Iterator[list[bool]]:
    """Ctrl-C waits until the block is done (the keyring and the .env: both or neither);
    the list says whether it came."""
    came: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield came
        return
    previous = signal.signal(signal.SIGINT, lambda *_: came.append(True))
    try:
        yield came
    finally:
        signal.signal(signal.SIGINT, previous)
