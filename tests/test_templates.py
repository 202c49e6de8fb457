"""Every bundled template, in every language and register, with every combination of
empty owner details and requester names (tests/template_matrix.py renders them): what a
native reader would never send is caught here by its shape."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from template_matrix import STEPS, Rendered, rendered

from mailbot.config import Owner
from mailbot.languages import BUNDLED, FORMAL_BY_DEFAULT, is_formal, template_languages
from mailbot.notifications import Requester
from mailbot.records import Parent
from mailbot.replies import Renderer

# English words that have no business in another language's reply (loanwords excluded).
ENGLISH = re.compile(
    r"\b(the|and|you|your|with|thank|thanks|please|regards|coffee|phone|would|reply|"
    r"invite|remind|best wishes)\b",
    re.IGNORECASE,
)
# "your message", as each language says it: only when they wrote one.
MESSAGE = {  # the word's stem: "meddelandet", "berichtje", "wiadomość" count
    "en": r"\bmessage",
    "fr": r"\bmessage",
    "de": r"\bNachricht",
    "es": r"\bmensaje\b",
    "it": r"\bmessaggio\b",
    "pt": r"\bmensagem\b",  # "troquei mensagens" (corresponded) is not theirs
    "nl": r"\bbericht",
    "sv": r"\bmeddelande",
    "pl": r"\bwiadomoś",
}
# Polish writes no name in a formal greeting: it would need Pan/Pani and the vocative.
NAMELESS_FORMAL = {"pl"}


@cache
def everything() -> tuple[Rendered, ...]:
    return tuple(rendered())


def replies() -> list[Rendered]:
    return [r for r in everything() if r.step in STEPS]


def test_every_language_has_every_template() -> None:
    assert set(BUNDLED) <= set(template_languages())
    assert {(r.language, r.step) for r in everything()} == {
        (lang, step) for lang in BUNDLED for step in (*STEPS, "paste_subject", "subject")
    }


def problems(item: Rendered) -> list[str]:
    """What is wrong with one rendered reply, by shape."""
    text, found = item.text, []
    lines = text.rstrip("\n").split("\n")
    if "{{" in text or "{%" in text or "}}" in text:
        found.append("template syntax left")
    for i, line in enumerate(lines):
        after = lines[i + 1] if i + 1 < len(lines) else ""
        if line == "-- " and item.email_reply and lines[i - 1] == item.owner.name:
            continue  # the signature separator of an email reply (RFC 3676, 4.3)
        if re.fullmatch(r"\s*[-•*]\s*\S{0,1}\s*", line) and line.strip():
            found.append(f"empty bullet: {line!r}")
        if re.match(r"\s*-.*:\s*$", line):
            found.append(f"bullet without a value: {line!r}")
        if line.rstrip().endswith(":") and i != 0 and not after.startswith("- "):
            found.append(f"a colon leads nowhere: {line!r}")
        if line.rstrip().endswith(",") and i != 0 and after != item.owner.name:
            found.append(f"a comma leads nowhere: {line!r}")
        if re.search(r" [,.;:!?)]|[,;:]{2}|\.\.(?!\.)|\(\s*\)|\S  +\S|^\s+\S|\s$", line):
            found.append(f"stray space or punctuation: {line!r}")
        if re.match(r"[,.;:!?]", line):
            found.append(f"a line starts with punctuation: {line!r}")
    if "\n\n\n" in text or text.startswith("\n"):
        found.append("an empty paragraph")
    return found


def test_no_empty_bullet_stray_punctuation_or_template_syntax_anywhere() -> None:
    bad = {f"{r.label()}: {p}" for r in replies() for p in problems(r)}
    assert not bad, "\n".join(sorted(bad)[:40])


def test_the_owner_signs_once_and_their_details_are_given_once_where_they_belong() -> None:
    for r in replies():
        owner, text = r.owner, r.text
        assert text.count(owner.name) == 1, r.label()
        assert owner.name in text.rstrip("\n").split("\n")[-6:], r.label()  # signed at the end
        details = [d for d in (owner.phone, owner.twitter, owner.coffee) if d]
        if r.step == "explain":  # every way to reach the owner, once, in the text
            # an email with no other way to offer may just say "reply to this email"
            assert text.count(owner.email) == 1 or (r.email_reply and not details), r.label()
            assert text.count(owner.email) <= 1, r.label()
            assert all(text.count(d) == 1 for d in details), r.label()
            assert "Twitter" not in text and (not owner.twitter or "X" in text), r.label()
            assert text.rstrip("\n").endswith(owner.name), r.label()  # then the name only
        elif r.email_reply:  # an email's signature: name, then the details
            assert text.count(owner.email) == 1, r.label()
            assert all(text.count(d) == 1 for d in (owner.phone, owner.twitter) if d), r.label()
            assert owner.coffee is None or owner.coffee not in text, r.label()
        else:  # pasted into the network: people sign with their name only
            assert text.rstrip("\n").endswith(owner.name), r.label()
            assert owner.email not in text and not any(d in text for d in details), r.label()


def test_no_english_words_left_in_another_language() -> None:
    for r in everything():
        if r.language == "en":
            continue
        own = {r.owner.name, r.owner.email, r.owner.coffee or "", r.name}
        text = r.text
        for value in own:
            text = text.replace(value, "") if value else text
        assert not ENGLISH.search(text), f"{r.label()}: {ENGLISH.search(text)!r}\n{r.text}"


def test_their_message_is_thanked_for_only_when_they_wrote_one() -> None:
    for r in replies():
        said = re.search(MESSAGE[r.language], r.text, re.IGNORECASE)
        if r.step == "explain":
            assert bool(said) == r.wrote, f"{r.label()}\n{r.text}"
        elif r.step == "ask" and not r.wrote:  # its real use: an invitation with no note
            assert not said, f"{r.label()}\n{r.text}"


@pytest.mark.parametrize("language", BUNDLED)
def test_the_greeting_uses_the_first_name_the_name_rules_tell_or_none(language: str) -> None:
    """Informal: the first name or none. Formal: the first or the full name (academic
    titles kept, forms of address in one language dropped), or none."""
    for r in replies():
        if r.language != language:
            continue
        first = r.text.split("\n")[0]
        named = not (r.formal and language in NAMELESS_FORMAL)
        if r.name in ("Jonas Weber", "WEBER, JONAS"):
            assert ("Jonas" in first) == named, r.label()
            assert "JONAS" not in first and "WEBER" not in first and "Weber," not in first[:-1]
        elif r.name == "Dr. Anna Schmidt, MBA":
            assert ("Anna" in first) == named and "MBA" not in first, r.label()
            assert not re.search(r"\bDr\.?,", first), r.label()
        elif r.name in ("Herr Weber", "") or (r.name in ("J. Smith", "王小明") and not r.formal):
            assert not any(w in first for w in ("J.", "Smith", "Herr", "Weber", "王")), r.label()
        elif r.name in ("J. Smith", "王小明"):  # formal: the whole name, or none
            assert "J.," not in first and "王," not in first[:-1], r.label()


@pytest.mark.parametrize("language", BUNDLED)
def test_both_registers_are_written(language: str) -> None:
    """The formal and the informal reply differ (at least in the greeting)."""
    texts = {
        (r.step, r.formal): r.text
        for r in everything()
        if r.language == language and r.name == "Jonas Weber" and r.email_reply and r.wrote
    }
    for step in STEPS:
        assert texts[(step, True)] != texts[(step, False)], (language, step)


def test_each_language_has_its_default_register_and_the_setting_wins() -> None:
    assert set(FORMAL_BY_DEFAULT) == set(BUNDLED)
    assert is_formal("de", None) and is_formal("fr", None) and not is_formal("sv", None)
    assert not is_formal("de", "informal") and is_formal("sv", "formal")
    assert is_formal("da", None)  # a language the owner added: formal until told otherwise


OWNER = Owner("Robin Owner", "robin@owner.example", None, None, coffee="in central Leeds")


def draft_text(
    renderer: Renderer, step: str, languages: tuple[str | None, ...], **requester: str
) -> tuple[str, str, str]:
    draft = renderer.draft(
        step,
        Requester(name=requester.get("name", "Kenji Sato"), email=requester.get("email")),
        "linkedin",
        Parent(None, ""),
        OWNER,
        token="t",
        languages=languages,
        wrote=True,
    )
    return draft.language, str(draft.message["Subject"]), draft.message.get_content()


def test_a_language_without_templates_falls_back_to_the_owners_then_english(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert draft_text(Renderer(default_language="de"), "ask", ("da",))[0] == "de"
    for step in STEPS:  # no words of theirs (no note): the owner's MAILBOT_LANGUAGE
        assert draft_text(Renderer(default_language="fr"), step, (None,))[0] == "fr"
    assert draft_text(Renderer(), "ask", ("da", None))[0] == "en"
    (tmp_path / "da").mkdir()
    (tmp_path / "da" / "ask.txt.j2").write_text("Hej {{ requester.first_name }}\n")
    language, _, body = draft_text(Renderer(tmp_path), "ask", ("da",))
    assert language == "da" and body.startswith("Hej Kenji")  # the owner's own language
    assert draft_text(Renderer(tmp_path), "explain", ("da",))[0] == "en"  # no explain in da


def test_a_paste_subject_is_in_the_owners_language_and_the_body_in_theirs() -> None:
    language, subject, body = draft_text(Renderer(default_language="fr"), "ask", ("es",))
    assert language == "es" and "Kenji" in body
    fr_subject = Renderer().render(
        "fr/paste_subject.txt.j2",
        Renderer().variables(Requester("Kenji Sato"), "linkedin", OWNER, "fr"),
    )
    assert subject == fr_subject.strip() and "Kenji Sato" in subject


def test_an_email_subject_without_theirs_is_in_the_replys_language() -> None:
    for language in BUNDLED:
        _, subject, _ = draft_text(Renderer(), "ask", (language,), email="kenji@mail.example")
        assert subject and "Kenji" not in subject, language
        assert (language == "en") == (subject == "Your LinkedIn invite"), language


def test_the_coffee_place_reads_in_every_language() -> None:
    """ "in central Leeds" was written for English: another language gets the place."""
    for language in BUNDLED:
        _, _, body = draft_text(Renderer(), "explain", (language,))
        assert "central Leeds" in body, language
        assert (" in central Leeds" in body) == (language == "en"), language
    owner = Owner(
        "Robin Owner",
        "robin@owner.example",
        None,
        None,
        coffee="in central Leeds",
        coffee_in=(("fr", "dans le centre de Leeds"),),
    )
    assert (
        owner.coffee_for("fr") == "dans le centre de Leeds"
        and owner.coffee_for("en") == "in central Leeds"
    )
    assert owner.coffee_for("de") == "central Leeds"
    near = Owner("R", "r@x.example", None, None, coffee="near the station")
    assert near.coffee_for("de") == "near the station"  # the owner's words, not cut short
    assert (
        Owner("R", "r@x.example", None, None, coffee="Intu, Leeds").coffee_for("de")
        == "Intu, Leeds"
    )


def test_check_renders_every_template_and_names_a_broken_one(tmp_path: Path) -> None:
    from mailbot.check import _templates
    from mailbot.config import load_settings
    from mailbot.errors import TemplateProblem

    env = {
        "MAILBOT_IMAP_HOST": "imap.example.com",
        "MAILBOT_IMAP_USER": "robin",
        "MAILBOT_IMAP_PASSWORD": "pw",
        "MAILBOT_OWNER_NAME": "Robin Owner",
        "MAILBOT_OWNER_EMAIL": "robin@owner.example",
        "HOME": str(tmp_path),
    }
    line = _templates(load_settings(None, env))
    assert line == (
        "bundled; replies in the requester's language (de, en, es, fr, it, nl, pl, pt, sv), "
        "else en; formal in de, fr, it, pl, informal in the others"
    )
    line = _templates(load_settings(None, env | {"MAILBOT_FORMALITY": "informal"}))
    assert line.endswith("; MAILBOT_FORMALITY=informal")
    (tmp_path / "mine" / "sv").mkdir(parents=True)
    (tmp_path / "mine" / "sv" / "thanks.txt.j2").write_text("Tack {{ requester.nmae }}\n")
    mine = env | {"MAILBOT_TEMPLATES": str(tmp_path / "mine")}
    with pytest.raises(TemplateProblem, match=r"sv/thanks\.txt\.j2.*nmae"):
        _templates(load_settings(None, mine))


@pytest.mark.parametrize("language", BUNDLED)
def test_a_note_in_any_of_the_nine_languages_gets_a_reply_in_it(language: str) -> None:
    """End to end from their words: the held-out writer's notes (tests/data/languages/
    b.jsonl) in each language give a draft in that language, in both registers."""
    import json

    from mailbot.languages import detected

    path = Path(__file__).parent / "data" / "languages" / "b.jsonl"
    notes = [
        r["text"]
        for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())
        if r["lang"] == language and r["kind"] == "note"
    ]
    assert len(notes) >= 5
    for note in notes[:5]:
        for formality in ("formal", "informal"):
            renderer = Renderer(formality=formality)
            drafted, _, body = draft_text(renderer, "explain", (detected(note),))
            assert drafted == language, note
            assert body.count("Robin Owner") == 1


def test_a_template_check_passes_renders_in_every_draft_too(tmp_path: Path) -> None:
    """`mailbot check` rehearses each template with the variables a draft gives it: an
    owner's paste subject using `wrote` must not pass the check and then fail every draft."""
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "paste_subject.txt.j2").write_text(
        "{% if wrote %}Thank{% else %}Ask{% endif %} {{ requester.name }} ({{ language }})\n"
    )
    renderer = Renderer(tmp_path)
    renderer.rehearse(OWNER, ("en",))
    for step in STEPS:
        _, subject, _ = draft_text(renderer, step, ("en",))
        assert subject == "Thank Kenji Sato (en)", step
