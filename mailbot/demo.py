"""`mailbot demo`: the whole mission in seconds, with no server and no password.

A throwaway Maildir gets the bundled sample notifications (someone known, strangers with
and without a note, a look-alike, job mail, ordinary mail); the real pipeline runs on it
twice, with a stranger's answer ("just widening my network") delivered in between.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import mailbox
import shutil
import sys
import sysconfig
import tempfile
from email.message import EmailMessage
from pathlib import Path

from mailbot.config import load_settings
from mailbot.errors import ConfigError
from mailbot.logs import counted
from mailbot.report import CycleReport
from mailbot.runner import run_once

SAMPLES = Path(__file__).parent / "samples"
MARKER = ".mailbot-demo"  # a --dir folder the demo made, and may fill again
ANSWER = "later-answer-from-priya.eml"
OWNER = {
    "MAILBOT_OWNER_NAME": "Robin Owner",
    "MAILBOT_OWNER_EMAIL": "robin@owner.example",
    "MAILBOT_OWNER_PHONE": "+44 20 7946 0000",
    "MAILBOT_OWNER_TWITTER": "@robin_owner",
    "MAILBOT_OWNER_COFFEE": "near Leeds station",
}


def run_demo(directory: Path | None, *, as_json: bool) -> int:
    """The demo in `directory` (created if needed, kept), else in a throwaway folder that
    is removed at the end."""
    if directory is not None:
        if directory.exists() and not directory.is_dir():
            raise ConfigError("--dir", f"{directory} is a file; name a folder (created if missing)")
        marker = directory / MARKER
        if directory.is_dir() and any(directory.iterdir()) and not marker.exists():
            raise ConfigError(
                "--dir", f"{directory} is not empty; name a new or empty folder (it is created)"
            )
        try:
            directory.mkdir(parents=True, exist_ok=True)
            marker.write_text("made by `mailbot demo`: safe to delete\n")
        except OSError as exc:
            raise ConfigError("--dir", f"cannot create {directory}: {exc.strerror}") from None
        return _run(directory, as_json=as_json, kept=True)
    root = Path(tempfile.mkdtemp(prefix="mailbot-demo-"))
    try:
        return _run(root, as_json=as_json, kept=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _run(root: Path, *, as_json: bool, kept: bool) -> int:
    maildir = _fill(root)
    env_file = root / "demo.env"
    env_file.write_text(
        "".join(
            f"{k}={v}\n"
            for k, v in {
                **OWNER,
                "MAILBOT_MAILDIR": str(maildir),
                "MAILBOT_STATE": str(root / "state.sqlite3"),
                "MAILBOT_CONTACTS": str(root / "contacts.csv"),
                "MAILBOT_LOOKBACK_DAYS": "36500",
            }.items()
        )
    )
    settings = load_settings(env_file, environ={})
    first = run_once(settings)
    mailbox.Maildir(str(maildir), create=False).add((SAMPLES / ANSWER).read_bytes())
    second = run_once(settings)
    drafts = _drafts(maildir)
    if as_json:
        print(
            json.dumps(
                {
                    "maildir": str(maildir),
                    "cycles": [first.as_json(), second.as_json()],
                    "drafts": [_draft_json(d) for d in drafts],
                },
                ensure_ascii=False,
            )
        )
        return 0
    inbox = len(list(SAMPLES.glob("*.eml"))) - 1
    where = f"a Maildir at {maildir}" if kept else "a throwaway Maildir (removed at the end)"
    print(
        f"mailbot demo: {where}\n"
        f"with {inbox} messages for Robin Owner, who knows the people in "
        f"{'contacts.csv' if not kept else root / 'contacts.csv'}. Nothing is sent.\n"
    )
    _print_cycle("Cycle 1: the inbox as it is", first, unread=inbox - len(first.processed))
    _print_cycle(
        "Cycle 2: Priya Raman answers on LinkedIn: "
        "\u201cNo, we have never met - I'm just widening my network.\u201d",
        second,
    )
    print(f"Drafts now waiting for Robin in {maildir / '.Drafts' if kept else 'Drafts'}:")
    for draft in drafts:
        _print_draft(draft)
    print(next_steps())
    return 0


def next_steps() -> str:
    """What to do after the demo, every command written `mailbot ...` as in the README;
    first how to put `mailbot` on the PATH when it is not there (`./run demo` runs it
    from .venv without activating it)."""
    steps = (
        "Next, on your own mailbox: `mailbot setup you@example.com` finds your server, "
        "logs in, writes .env and ends with a dry run (or copy config.example.env to .env "
        "and fill in the five keys it switches on, then `mailbot check`)."
    )
    hint = path_hint()
    return f"{hint}\n{steps}" if hint else steps


def path_hint() -> str | None:
    """How to make `mailbot` the command that runs this mailbot; None when it already is."""
    scripts = Path(sysconfig.get_path("scripts"))
    found = shutil.which("mailbot")
    if found and Path(found).resolve() == (scripts / "mailbot").resolve():
        return None
    if sys.prefix == sys.base_prefix:  # not a virtual environment (pip --user, ...)
        return f"`mailbot` is in {scripts}, which is not on your PATH: add it there."
    venv = Path(sys.prefix)
    with contextlib.suppress(ValueError):  # shown as ./run demo left it: .venv
        venv = venv.relative_to(Path.cwd())
    return (
        f"`mailbot` is in {venv / 'bin'}, not on your PATH: "
        f"`source {venv / 'bin' / 'activate'}` puts it there (once in each new shell)."
    )


def _fill(root: Path) -> Path:
    maildir = root / "Maildir"
    if maildir.exists():
        shutil.rmtree(maildir)
    box = mailbox.Maildir(str(maildir), create=True)
    for folder in ("Drafts", "Sent"):
        box.add_folder(folder)
    for sample in sorted(SAMPLES.glob("*.eml")):
        if sample.name != ANSWER:
            box.add(sample.read_bytes())
    shutil.copy(SAMPLES / "contacts.csv", root / "contacts.csv")
    (root / "state.sqlite3").unlink(missing_ok=True)
    return maildir


def _drafts(maildir: Path) -> list[EmailMessage]:
    folder = maildir / ".Drafts"
    paths = sorted(p for sub in ("cur", "new") for p in (folder / sub).iterdir())
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in paths]


def _text(draft: EmailMessage) -> str:
    body = draft.get_body(("plain",))
    return str(body.get_content()).rstrip() if isinstance(body, EmailMessage) else ""


def _draft_json(draft: EmailMessage) -> dict[str, object]:
    return {
        "to": draft["To"],
        "subject": draft["Subject"],
        "in_reply_to": draft["In-Reply-To"],
        "text": _text(draft),
    }


def _print_cycle(title: str, report: CycleReport, unread: int = 0) -> None:
    print(title)
    for p in report.processed:
        marker = "  -> draft stored" if p.draft else ""
        print(f"  {p.decision.upper():8} {p.requester or '(not a request)'}{marker}")
        for reason in p.reasons:
            print(f"           {reason}")
        for step in p.withdrawn:
            print(f"           (the earlier {step} draft, not edited, was withdrawn from Drafts)")
    if unread:
        print(
            f"  (and {counted(unread, 'message')} neither from a network nor an "
            "answer to a draft: mailbot did not even fetch it)"
        )
    for error in report.errors:
        print(f"  ERROR    {error}")
    print()


def _print_draft(draft: EmailMessage) -> None:
    print(f"\n  Subject: {draft['Subject']}")
    print(f"  To:      {draft['To'] or '(nobody: the text is pasted into LinkedIn)'}")
    for line in _text(draft).splitlines():
        print(f"  | {line}")
