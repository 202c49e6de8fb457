"""Outside text on a terminal (issue 24): names, notes and addresses from exports,
calendars and mail may hold escape sequences (ESC, OSC, BEL, the C1 controls U+009B and
U+009D) or line breaks. `status`, `review`, `who`, a cycle's summary, error messages and
log lines show them visibly, each on its own one line."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from mailbot import logs
from mailbot.commands import print_json, print_report, status, who
from mailbot.config import Settings
from mailbot.identity import normalise_name
from mailbot.owner import card, one_person
from mailbot.records import Conversation, Verdict
from mailbot.report import CycleReport, Processed
from mailbot.rules import Decision
from mailbot.store import Store

# What must never reach a terminal raw: C0 (but the line breaks we print), DEL, C1,
# U+2028/U+2029 and the bidi overrides.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

EVIL_NAME = "Jane\x1b]8;;https://evil.example\x07Doe\nwhy: you said you know Jane Doe"
EVIL_HEADLINE = "CTO \x9b31mred\x9d0;title\x9c \x1b[2J\u202egnp.exe"
EVIL_REASON = "their note says 'we met'\r\nwhy: you said you know them"


def conversation(**changes: str) -> Conversation:
    fields = {
        "person": "linkedin:jane",
        "name_key": normalise_name("Jane Doe"),
        "name": EVIL_NAME,
        "network": "linkedin",
        "profile_url": "https://www.linkedin.com/in/jane\x1b[0m",
        "email": "jane\x07@x.example",
        "language": "en",
        "status": "review",
        "reason": EVIL_REASON,
        "link": "https://www.linkedin.com/in/jane\x1b[0m",
        "headline": EVIL_HEADLINE,
        "common": "3 in common\u2028why: forged",
        "details": "Jane\x9bDoe: in your contacts (a.vcf)\nJane Doe\x1b[1m: namesake",
    }
    fields.update(changes)
    return Conversation(**fields)


def assert_clean(text: str, lines: int) -> None:
    assert not RAW.search(text), repr(text)
    assert len(text.splitlines()) == lines, text


def test_shown_makes_every_control_visible_and_keeps_one_line() -> None:
    from mailbot.terminal import shown

    assert shown("a\x1bb") == "a\\x1bb"
    assert shown("a\nb\r\tc") == "a\\nb\\r\\tc"
    assert shown("\x9b\x9d\x07\x7f\x00") == "\\x9b\\x9d\\x07\\x7f\\x00"
    assert shown("x\u2028y\u202ez") == "x\\u2028y\\u202ez"
    assert shown("Jürgen Müller 山田 🙂 O'Brien\u00a0Jr") == "Jürgen Müller 山田 🙂 O'Brien\u00a0Jr"
    assert shown(None) == ""


def test_a_review_card_has_one_why_line_whatever_the_name_says() -> None:
    text = card(conversation(), 1, 2)
    assert_clean(text, 8)  # name, headline, common, link, email, why, 2 details
    assert [line for line in text.splitlines() if line.lstrip().startswith("why:")] == [
        "  why: their note says 'we met'\\r\\nwhy: you said you know them"
    ]
    assert text.splitlines()[0].startswith("[1/2] Jane\\x1b]8;;https://evil.example\\x07Doe\\n")


def test_an_ambiguous_name_lists_the_people_visibly() -> None:
    people = [conversation(person="a"), conversation(person="b")]
    with pytest.raises(Exception) as raised:
        one_person(people, "Jane Doe")
    assert_clean(str(raised.value), 1)


def test_status_shows_names_from_mail_visibly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state_path = tmp_path / "state.sqlite3"
    with Store(state_path) as state:
        state.save_conversation(conversation(), "review", "x")
        state.record_skipped("<id\x1b[31m@x>", "Mallory\x9b2J\nforged", "cannot\x07 parse")
    settings = cast(Settings, SimpleNamespace(state_path=state_path, templates=None, language="en"))
    assert status(settings, as_json=False) == 0
    out = capsys.readouterr().out
    assert_clean(out, 9)  # the review group and the skipped message: no empty group
    assert "Jane\\x1b]8;;https://evil.example\\x07Doe\\nwhy: you said you know Jane Doe" in out
    assert status(settings, as_json=True) == 0
    out = capsys.readouterr().out
    assert_clean(out, 1)
    assert json.loads(out)["review"][0]["name"] == EVIL_NAME  # the same data, escaped


def test_who_shows_evidence_visibly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    verdict = Verdict(evidence=("Jane\x1b[8mDoe: received only\nknown: forged",))
    decision = Decision("review", "near", (f"{EVIL_NAME} may be someone you know",))
    monkeypatch.setattr("mailbot.runner.assess_name", lambda *_, **__: (verdict, decision))
    settings = cast(Settings, SimpleNamespace())
    who(settings, "Jane\x9d0;x\x07", as_json=False, refresh=False)
    assert_clean(capsys.readouterr().out, 3)


def test_a_cycles_summary_shows_requesters_visibly(capsys: pytest.CaptureFixture[str]) -> None:
    report = CycleReport()
    report.processed.append(Processed("<m@x>", EVIL_NAME, "review", (EVIL_REASON,), False))
    report.errors.append("cannot read \x1b[2Jmessage\nforged")
    print_report(report, dry_run=True)
    captured = capsys.readouterr()
    assert_clean(captured.out, 3)
    assert_clean(captured.err, 1)


def test_json_output_escapes_c1_and_bidi_controls(capsys: pytest.CaptureFixture[str]) -> None:
    print_json({"name": EVIL_HEADLINE})
    out = capsys.readouterr().out
    assert_clean(out, 1)
    assert json.loads(out) == {"name": EVIL_HEADLINE}


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_log_line_is_one_visible_line(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    saved = logging.getLogger().handlers[:], logging.getLogger().level
    try:
        logs.configure("INFO", fmt)
        logging.getLogger("mailbot.test").info("from %s, %s", EVIL_NAME, EVIL_HEADLINE)
    finally:
        logging.getLogger().handlers[:], _ = saved
        logging.getLogger().setLevel(saved[1])
    assert_clean(stream.getvalue(), 1)
