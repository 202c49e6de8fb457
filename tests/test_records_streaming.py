"""Big contacts files (issue 24): streamed a row or a card at a time, what was read kept
while the files stay the same (in memory and in a JSON cache file), and running out of
memory said as what it is. No timing is asserted here (bench/records.py measures)."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest
import vobject

from mailbot.errors import ConfigError
from mailbot.people import contacts as contacts_module
from mailbot.people.contacts import load_contacts


@pytest.fixture(autouse=True)
def forget_what_was_read() -> None:
    getattr(contacts_module, "_LOADED", {}).clear()


def test_a_csv_is_streamed_not_held_whole(tmp_path: Path) -> None:
    """4 MB of notes in 2,000 rows: reading it never holds the text (let alone copies)."""
    path = tmp_path / "contacts.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("Name,Email,Notes\n")
        for n in range(2000):
            f.write(f"Person {n},p{n}@x.example,{'a long note ' * 170}\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        found = load_contacts([path])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(found) == 2000
    assert peak < size / 2, f"peak {peak:,} bytes for a {size:,}-byte file"


def test_a_vcard_file_is_streamed_not_held_whole(tmp_path: Path) -> None:
    path = tmp_path / "contacts.vcf"
    with path.open("w", encoding="utf-8", newline="") as f:
        for n in range(2000):
            f.write(
                f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {n}\r\nEMAIL:p{n}@x.example\r\n"
                f"NOTE:{'a long note ' * 170}\r\nEND:VCARD\r\n"
            )
    size = path.stat().st_size
    tracemalloc.start()
    try:
        found = load_contacts([path])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(found) == 2000
    assert peak < size / 2, f"peak {peak:,} bytes for a {size:,}-byte file"


CARDS = [
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Émile Zola\r\nN:Zola;Émile;;;\r\n"
    "EMAIL;TYPE=INTERNET:emile@example.fr\r\nEND:VCARD\r\n",
    # folded lines, escapes, a group, two addresses, a LinkedIn link among others
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Doe\\, Jane\r\n  Mary\r\nitem1.EMAIL;TYPE=WORK:jane@a.example\r\n"
    "EMAIL:jane@b.example\r\nURL:https://jane.example\r\n"
    "URL:https://www.linkedin.com/in/jane-doe\r\nEND:VCARD\r\n",
    # vCard 2.1, quoted-printable: read by vobject
    "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:J=C3=BCrgen M=C3=BCller\r\n"
    "EMAIL;INTERNET:juergen@example.de\r\nEND:VCARD\r\n",
    # no name, an address only; lower-case markers
    "begin:vcard\r\nversion:4.0\r\nemail:nobody@example.org\r\nend:vcard\r\n",
    # a name only
    "BEGIN:VCARD\nVERSION:3.0\nFN:Li Wei\nEND:VCARD\n",
]


@pytest.mark.parametrize("card", CARDS)
def test_a_card_reads_as_vobject_reads_it(tmp_path: Path, card: str) -> None:
    path = tmp_path / "one.vcf"
    path.write_text(card, encoding="utf-8", newline="")
    parsed = vobject.readOne(card)
    name = str(parsed.fn.value) if hasattr(parsed, "fn") else ""
    emails = [str(e.value) for e in parsed.contents.get("email", [])]
    found = load_contacts([path])
    for email in emails:
        assert found.by_email[email.casefold()].name == name
    if not emails:
        assert name and found.by_name
    urls = [str(u.value) for u in parsed.contents.get("url", [])]
    profile = next((u for u in urls if "linkedin.com/" in u), None)
    assert {c.profile_url for c in found.by_name.values()} <= {profile}


def test_a_broken_card_is_left_out_and_the_rest_is_used(tmp_path: Path) -> None:
    path = tmp_path / "people.vcf"
    broken = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;ENCODING=QUOTED-PRINTABLE:=ZZ=\r\n:::\r\n"
        "BEGIN:VCARD\r\nEND:VCARD\r\n"
    )
    path.write_text(CARDS[0] + broken + CARDS[4], encoding="utf-8", newline="")
    found = load_contacts([path])
    assert {c.name for c in found.by_name.values()} >= {"Émile Zola", "Li Wei"}


def test_a_file_with_no_card_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "people.vcf"
    path.write_text("this is not a vCard\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a readable vCard file"):
        load_contacts([path])


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            'Name,Email\n"Jane\nwhy: you said you know her",jane@x.example\n',
            "Jane why: you said you know her",
        ),
        (
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane\\nwhy: forged\r\nEND:VCARD\r\n",
            "Jane why: forged",
        ),
    ],
)
def test_a_name_with_a_line_break_is_read_as_one_line(tmp_path: Path, text: str, name: str) -> None:
    path = tmp_path / ("people.vcf" if "VCARD" in text else "people.csv")
    path.write_text(text, encoding="utf-8", newline="")
    assert [c.name for c in load_contacts([path]).by_name.values()] == [name]


def people_csv(path: Path, people: list[str]) -> None:
    path.write_text("Name,Email\n" + "".join(f"{p},{p.lower()}@x.example\n" for p in people))


def test_an_unchanged_file_is_not_read_again(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    people_csv(path, ["Anna", "Bert"])
    first = load_contacts([path], "Robin Owner")
    stamp = path.stat().st_mtime_ns
    people_csv(path, ["Cleo", "Dora"])  # the same size and, below, the same time
    os.utime(path, ns=(stamp, stamp))
    assert load_contacts([path], "Robin Owner") is first  # nothing read
    os.utime(path, ns=(stamp + 1_000_000_000, stamp + 1_000_000_000))
    assert set(load_contacts([path], "Robin Owner").by_name) == {"cleo", "dora"}
    assert set(load_contacts([path], "Someone Else").by_name) == {"cleo", "dora"}


def test_the_cache_file_serves_the_next_process_while_the_files_stay_the_same(
    tmp_path: Path,
) -> None:
    path = tmp_path / "people.csv"
    cache = tmp_path / "state.sqlite3.records.json"
    path.write_text(
        "Name,Email,URL\nJane Doe,jane@x.example,https://www.linkedin.com/in/jane\n"
        "Jane Doe,jane2@x.example,\nAda,,\n,bare@x.example,\n",
        encoding="utf-8",
    )
    fresh = load_contacts([path], cache=cache)
    assert cache.exists() and not fresh.cached
    assert oct(cache.stat().st_mode & 0o777) == "0o600"
    contacts_module._LOADED.clear()  # as a new process
    again = load_contacts([path], cache=cache)
    assert again.cached
    for index in ("by_name", "by_email", "by_profile", "weak_by_name", "weak_by_profile"):
        assert getattr(again, index) == getattr(fresh, index), index
    assert again.counts == fresh.counts and len(again) == len(fresh)
    getattr(contacts_module, "_LOADED", {}).clear()
    people_csv(path, ["Zed"])  # changed: read again, the cache written anew
    changed = load_contacts([path], cache=cache)
    assert not changed.cached and set(changed.by_name) == {"zed"}
    getattr(contacts_module, "_LOADED", {}).clear()
    cache.write_text("{not json")  # damaged: the file is read again
    assert set(load_contacts([path], cache=cache).by_name) == {"zed"}


def test_running_out_of_memory_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "people.csv"
    people_csv(path, ["Anna"])

    def exhausted(*_: object) -> None:
        raise MemoryError

    monkeypatch.setattr(contacts_module, "_load", exhausted)
    with pytest.raises(ConfigError, match=r"ran out of memory reading .*people\.csv") as raised:
        load_contacts([path])
    assert "\n" not in str(raised.value)
