"""Whom the owner knows, from the mailbox itself: end to end on Dovecot."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from builders import invitation, mail
from dovecot import Account
from support import drafts, mailbot, run_json, seed_raw, write_env

from mailbot.config import load_settings
from mailbot.mailboxes import open_mailbox
from mailbot.people.index import CorrespondenceIndex
from mailbot.store import Store

pytestmark = pytest.mark.dovecot
OWNER = "Robin Owner <robin@owner.example>"


def decisions(report: dict[str, list[dict[str, object]]]) -> dict[object, object]:
    return {p["requester"]: p["decision"] for p in report["processed"]}


def test_history_decides_who_is_known(account: Account, tmp_path: Path) -> None:
    """Sent mail makes known; a cold email or a pitch does not, even one with "application"
    in its subject and a "resume" attached; an application does; namesakes go to review."""
    seed_raw(
        account,
        mail(
            OWNER,
            "Jane Doe <jane@acme.example>",
            "Re: Senior Engineer role",
            date=datetime(2025, 3, 2, tzinfo=UTC),
        ),
        mail(OWNER, "Robert Smith <rob@smith.example>", "Lunch?"),
        folder="Sent",
    )
    seed_raw(
        account,
        mail("Carl Cold <carl@pitch.example>", OWNER, "Grow your pipeline 10x"),
        mail(
            "Grace Hopper <grace@example.org>",
            OWNER,
            "Application for the Senior Engineer role",
            attachment="Grace_Hopper_CV.pdf",
        ),
        mail(
            "Sam Sales <sam@apps.example>",
            OWNER,
            "Mobile application development for Owner Ltd",
            attachment="resume-of-services.pdf",
        ),
        invitation("Sam Sales"),
        invitation("Jane Doe"),
        invitation("Carl Cold"),
        invitation("Grace Hopper"),
        invitation("Bob Smith"),
        invitation("Zed Stranger"),
    )
    report = run_json(tmp_path, write_env(tmp_path, account))
    assert decisions(report) == {
        "Jane Doe": "known",
        "Carl Cold": "ask",  # a received pitch is not knowing someone
        "Grace Hopper": "known",  # an unanswered application is
        "Sam Sales": "ask",  # a pitch about "application development" is not
        "Bob Smith": "review",  # Robert Smith, by nickname
        "Zed Stranger": "ask",
    }
    reasons = {p["requester"]: p["reasons"][0] for p in report["processed"]}
    assert "you wrote to jane@acme.example 1 time, last 2025-03-02" in reasons["Jane Doe"]
    assert "'Re: Senior Engineer role'" in reasons["Jane Doe"]
    assert "job application" in reasons["Grace Hopper"]
    assert "Robert Smith" in reasons["Bob Smith"] and "nickname" in reasons["Bob Smith"]
    assert sorted(str(d["To"] or "") + d["Subject"] for d in drafts(account)) == [
        "Paste into LinkedIn: reply to Carl Cold",
        "Paste into LinkedIn: reply to Sam Sales",
        "Paste into LinkedIn: reply to Zed Stranger",
    ]


def test_two_namesakes_go_to_review(account: Account, tmp_path: Path) -> None:
    seed_raw(
        account,
        mail(OWNER, "Li Wei <li.wei@a.example>", "Hi"),
        mail(OWNER, "Li Wei <wei.li@b.example>", "Hello"),
        folder="Sent",
    )
    seed_raw(account, invitation("Li Wei"))
    report = run_json(tmp_path, write_env(tmp_path, account))
    [entry] = report["processed"]
    assert (
        entry["decision"] == "review" and "2 different people named Li Wei" in entry["reasons"][0]
    )


def test_a_name_spelt_without_its_umlauts_is_at_least_review(
    account: Account, tmp_path: Path
) -> None:
    """Jürgen Müller in Sent, an invitation from "Jurgen Muller, CIPD": never a stranger."""
    seed_raw(account, mail(OWNER, "Jürgen Müller <jm@firma.example>", "Vertrag"), folder="Sent")
    seed_raw(account, invitation("Jurgen Muller, CIPD"))
    [entry] = run_json(tmp_path, write_env(tmp_path, account))["processed"]
    assert entry["decision"] == "review" and "accents" in entry["reasons"][0], entry


# What the owner's server adds to the owner's own mail (a copy filed outside Sent).
VOUCHED = (
    b"Authentication-Results: mx.owner.example; dkim=pass header.d=owner.example;"
    b" dmarc=pass header.from=owner.example\r\n"
)
FORGED = (
    b"Authentication-Results: mx.owner.example; dkim=none;"
    b" spf=fail smtp.mailfrom=owner.example; dmarc=fail header.from=owner.example\r\n"
)


def owners(to: str, subject: str, results: bytes = VOUCHED) -> bytes:
    """The owner's mail as found outside Sent, with their server's verdict on it."""
    return results + mail(OWNER, to, subject)


def test_index_is_incremental_and_survives_uidvalidity_change(
    account: Account, tmp_path: Path
) -> None:
    """The owner's mail in another history folder counts when their server vouches for
    it; one naming the owner as its sender that fails DMARC is nobody's evidence."""
    env = write_env(
        tmp_path, account, MAILBOT_HISTORY_FOLDERS="Archive", MAILBOT_AUTHSERV_ID="mx.owner.example"
    )
    with account.client() as client:
        client.create_folder("Archive")
    seed_raw(account, owners("Mo Salah <mo@example.org>", "Contract"), folder="Archive")
    many = ", ".join(f"Person {i} <p{i}@victims.example>" for i in range(500))
    forged = owners(f"Mallory Seller <mallory@pitch.example>, {many}", "Hi", FORGED)
    unverified = mail(OWNER, "Pete Plain <pete@pitch.example>", "Hi")  # no verdict at all
    seed_raw(account, forged, unverified, folder="Archive")

    def who(name: str) -> dict[str, object]:
        result = mailbot(tmp_path, env, "who", name, "--json")
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)  # type: ignore[no-any-return]

    assert who("Mo Salah")["decision"] == "known"
    assert who("Nia Long")["decision"] == "ask"
    for stranger in ("Mallory Seller", "Person 7", "Pete Plain"):
        assert who(stranger)["decision"] == "ask", stranger
    seed_raw(account, owners("Nia Long <nia@example.org>", "Offer"), folder="Archive")
    assert who("Nia Long")["decision"] == "known"  # picked up by the incremental refresh
    assert "1 time" in str(who("Mo Salah")["known"])

    with account.client() as client:  # same mail, new folder: new UIDVALIDITY
        client.delete_folder("Archive")
        client.create_folder("Archive")
    seed_raw(
        account,
        owners("Mo Salah <mo@example.org>", "Contract"),
        owners("Nia Long <nia@example.org>", "Offer"),
        folder="Archive",
    )
    assert "1 time" in str(who("Mo Salah")["known"])  # rebuilt, not double counted
    assert who("Nia Long")["decision"] == "known"


def test_a_bulk_build_finds_people_and_leaves_its_lookup_indexes(
    account: Account, tmp_path: Path
) -> None:
    """A big first build drops the lookup indexes while it reads and makes them at the end;
    a build killed midway leaves none, and the next open makes them again."""
    people = [f"Bulk Person{i} <bulk{i}@example.org>" for i in range(12)]
    seed_raw(account, *(mail(OWNER, p, f"Hello {i}") for i, p in enumerate(people)), folder="Sent")
    settings = load_settings(None, write_env(tmp_path, account))
    with Store(settings.state_path) as state, open_mailbox(settings, state) as mailbox:
        index = CorrespondenceIndex(state, bulk=5)
        expected = state.history_lookups()
        assert len(expected) == 4
        owner = settings.owner.addresses
        assert index.refresh(mailbox, ["Sent"], owner, lambda *_: None, sent="Sent") == 12
        assert state.history_lookups() == expected
        assert [c.sent for c in index.by_name("Bulk Person7")] == [1]
        assert index.by_address("bulk11@example.org") is not None
    raw = sqlite3.connect(settings.state_path)
    for name in expected:  # what a build killed midway leaves behind
        raw.execute(f"DROP INDEX {name}")
    raw.close()
    with Store(settings.state_path) as state:
        assert state.history_lookups() == expected


def _apple_mail_application(sender: str, cv: str) -> bytes:
    """As Apple Mail sends an attachment in an HTML message: the PDF inside
    multipart/alternative > multipart/mixed, the subject in Portuguese."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, OWNER, "Candidatura: engenheira de dados"
    msg.set_content("Please find my papers attached.\n")
    msg.add_alternative("<p>Please find my papers attached.</p>", subtype="html")
    html = msg.get_payload()[1]
    assert isinstance(html, EmailMessage)
    html.make_mixed()
    html.add_attachment(b"%PDF-1.4 ...", maintype="application", subtype="pdf", filename=cv)
    return msg.as_bytes()


def test_a_cv_inside_multipart_alternative_counts_as_an_application(
    account: Account, tmp_path: Path
) -> None:
    seed_raw(account, _apple_mail_application("Ana Apple <ana@apple.example>", "Ana_CV.pdf"))
    result = mailbot(tmp_path, write_env(tmp_path, account), "who", "Ana Apple", "--json")
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["decision"] == "known", verdict
    assert "job application" in " ".join(verdict["reasons"])


def test_an_applicant_is_found_in_any_folder(account: Account, tmp_path: Path) -> None:
    """A note saying they applied: the whole mailbox is searched; found -> known, with the
    evidence; not found -> review. Never the explanation of the rule."""
    with account.client() as client:
        client.create_folder("Bewerbungen")
    seed_raw(
        account,
        mail(
            "Nadia Haddad <nadia@mail.example>",
            OWNER,
            "Application for the Data Analyst role",
            attachment="Nadia Haddad - CV.pdf",
        ),
        folder="Bewerbungen",
    )
    note = "I applied for the Data Analyst role on your team last month."
    seed_raw(account, invitation("Nadia Haddad", note=note), invitation("Omar Farouk", note=note))
    report = run_json(tmp_path, write_env(tmp_path, account))["processed"]
    decisions = {p["requester"]: (p["decision"], p["reasons"][0]) for p in report}
    assert decisions["Nadia Haddad"][0] == "known", decisions
    assert "Bewerbungen" in decisions["Nadia Haddad"][1]
    assert decisions["Omar Farouk"][0] == "review"
