"""Step 3b of `mailbot setup`: who the owner is (the signature of every draft), their
language, and where their records are. Only the name is required.

The records offered are the LinkedIn data exports in ~/Downloads (the .zip as LinkedIn
sends it: `Basic_LinkedInDataExport_03-01-2026.zip`), newest first; Enter takes the
newest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from mailbot.languages import template_languages
from mailbot.setup.prompts import Prompter
from mailbot.terminal import shown

NONE = "-"  # the answer for "no records"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_HANDLE = re.compile(r"@?([A-Za-z0-9_]{1,15})")
_PROFILE_URL = re.compile(
    r"(?:https?://)?(?:www\.)?(?:x|twitter)\.com/([A-Za-z0-9_]{1,15})/?", re.I
)
# A country's domain -> the language offered first (Enter takes it).
_LANGUAGE_OF_TLD = {
    "fr": "fr", "de": "de", "at": "de", "ch": "de", "es": "es", "mx": "es", "ar": "es",
    "it": "it", "pt": "pt", "br": "pt", "nl": "nl", "se": "sv", "pl": "pl",
}  # fmt: skip


@dataclass(frozen=True)
class ProfileAnswers:
    name: str | None = None
    phone: str | None = None
    x: str | None = None
    coffee: str | None = None
    language: str | None = None
    contacts: str | None = None


def ask_profile(
    address: str, answers: ProfileAnswers, prompter: Prompter, downloads: Path
) -> dict[str, str]:
    """The MAILBOT_OWNER_* (but the email), MAILBOT_LANGUAGE and MAILBOT_CONTACTS values."""
    prompter.say("About you (only the name is needed; Enter skips the others):")
    values: dict[str, str] = {}
    asked = (
        ("MAILBOT_OWNER_NAME", "Your name, as you sign:", "--name", answers.name, True, _text_problem),
        ("MAILBOT_OWNER_PHONE", "Phone under your name:", "--phone", answers.phone, False, _phone_problem),
        ("MAILBOT_OWNER_TWITTER", "X handle:", "--x", answers.x, False, _handle_problem),
        ("MAILBOT_OWNER_COFFEE", "Where you would meet for a coffee (a place, e.g. central Leeds):", "--coffee", answers.coffee, False, _text_problem),
    )  # fmt: skip
    for key, question, flag, given, required, check in asked:
        value = prompter.text(question, flag=flag, given=given, required=required, check=check)
        if value:
            values[key] = _handle(value) if key == "MAILBOT_OWNER_TWITTER" else value
    values["MAILBOT_LANGUAGE"] = _language(address, answers.language, prompter)
    contacts = _records(answers.contacts, prompter, downloads)
    if contacts:
        values["MAILBOT_CONTACTS"] = contacts
    return values


def linkedin_exports(downloads: Path) -> list[Path]:
    """LinkedIn data exports (.zip) in `downloads`, newest first."""
    try:
        found = [
            p for p in downloads.iterdir()
            if p.suffix.lower() == ".zip" and "linkedin" in p.name.lower() and p.is_file()
        ]  # fmt: skip
    except OSError:
        return []
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def _language(address: str, given: str | None, prompter: Prompter) -> str:
    languages = template_languages()
    tld = address.rpartition(".")[2].lower()
    default = _LANGUAGE_OF_TLD.get(tld, "en")
    default = default if default in languages else "en"

    def check(answer: str) -> str | None:
        return None if answer.lower() in languages else f"one of {', '.join(languages)}"

    answer = prompter.text(
        f"Your language, when the requester's is not known ({', '.join(languages)}):",
        flag="--language",
        given=given,
        default=default,
        check=check,
    )
    return (answer or default).lower()


def _records(given: str | None, prompter: Prompter, downloads: Path) -> str | None:
    exports = linkedin_exports(downloads)
    if given is None and exports and prompter.interactive and not prompter.yes:
        prompter.say(f"LinkedIn data exports in {shown(downloads)}, newest first:")
        for number, path in enumerate(exports[:9], 1):
            when = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d")
            prompter.say(f"  {number}) {shown(path.name)} ({when})")

    def check(answer: str) -> str | None:
        return _records_problem(answer, exports)

    answer = prompter.text(
        "Your records: a number above, file paths separated by commas, or - for none:"
        if exports
        else "Your records (LinkedIn export .zip, contacts .csv/.vcf; commas between; Enter: none):",
        flag="--contacts",
        given=given,
        default="1" if exports else None,
        check=check,
    )
    if not answer or answer == NONE:
        return None
    if answer.isdigit():
        return str(exports[int(answer) - 1])
    paths = (Path(p.strip()).expanduser().resolve() for p in answer.split(",") if p.strip())
    return ",".join(str(p) for p in paths)  # absolute: mailbot may run from elsewhere


def _records_problem(answer: str, exports: Sequence[Path]) -> str | None:
    if answer == NONE:
        return None
    if answer.isdigit():
        ok = 1 <= int(answer) <= min(len(exports), 9)
        return None if ok else "not one of the numbers above"
    for entry in (p.strip() for p in answer.split(",")):
        path = Path(entry).expanduser()
        if entry and not path.exists():
            return f"no such file: {shown(entry)}"
    return _text_problem(answer)


def _text_problem(answer: str) -> str | None:
    return "no control characters, please" if _CONTROL.search(answer) else None


def _phone_problem(answer: str) -> str | None:
    return _text_problem(answer) or (None if re.search(r"\d", answer) else "a phone number")


def _handle_problem(answer: str) -> str | None:
    if _HANDLE.fullmatch(answer.strip()) or _PROFILE_URL.fullmatch(answer.strip()):
        return None
    return "an X handle like @you (letters, digits, _; at most 15)"


def _handle(answer: str) -> str:
    answer = answer.strip()
    match = _PROFILE_URL.fullmatch(answer) or _HANDLE.fullmatch(answer)
    return f"@{match.group(1)}" if match else answer
