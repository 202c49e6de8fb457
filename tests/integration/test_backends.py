"""The same end-to-end scenarios on every backend: IMAP, a local Maildir, and a Maildir
that Dovecot itself serves (drafts written locally must show up over IMAP)."""

from __future__ import annotations

import email
import email.policy
import mailbox
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from builders import invitation, network_message
from conftest import fixture_bytes
from dovecot import Account, Dovecot
from support import body, drafts, folder_messages, run_json, seed_raw, write_env

pytestmark = pytest.mark.dovecot


@dataclass
class Backend:
    name: str
    env: dict[str, str]
    seed: Callable[[bytes], None]
    drafts: Callable[[], list[email.message.EmailMessage]]
    inbox_untouched: Callable[[], bool]


def _maildir_backend(tmp_path: Path, account: Account) -> Backend:
    root = tmp_path / "Maildir"
    box = mailbox.Maildir(str(root), create=True)
    box.add_folder("Drafts")

    def seed(raw: bytes) -> None:
        box.add(mailbox.MaildirMessage(raw))  # lands in new/, as a delivery agent puts it

    def local_drafts() -> list[email.message.EmailMessage]:
        folder = root / ".Drafts" / "cur"
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for p in sorted(folder.iterdir())
        ]

    def untouched() -> bool:
        return not any((root / "cur").iterdir()) and all(
            ":" not in p.name for p in (root / "new").iterdir()
        )

    env = write_env(tmp_path, account, MAILBOT_MAILDIR=str(root))
    return Backend("maildir", env, seed, local_drafts, untouched)


def _imap_backend(tmp_path: Path, account: Account) -> Backend:
    def untouched() -> bool:
        return all(
            set(d[b"FLAGS"]) <= {b"\\Recent"} for d in folder_messages(account, "INBOX").values()
        )  # type: ignore[arg-type]

    return Backend(
        "imap",
        write_env(tmp_path, account),
        lambda raw: seed_raw(account, raw),
        lambda: drafts(account),
        untouched,
    )


def _dovecot_maildir_backend(tmp_path: Path, account: Account, server: Dovecot) -> Backend:
    with account.client() as client:  # Dovecot creates its folders on first use (as its
        for folder in ("INBOX", "Drafts", "Sent"):  # user: mailbot here runs as root)
            client.select_folder(folder)
    root = server.dir / "mail" / account.user
    env = write_env(tmp_path, account, MAILBOT_MAILDIR=str(root))

    def untouched() -> bool:
        return all(
            set(d[b"FLAGS"]) <= {b"\\Recent"} for d in folder_messages(account, "INBOX").values()
        )  # type: ignore[arg-type]

    return Backend(
        "dovecot-maildir",
        env,
        lambda raw: seed_raw(account, raw),
        lambda: drafts(account),
        untouched,
    )


@pytest.fixture(params=["imap", "maildir", "dovecot-maildir"])
def backend(
    request: pytest.FixtureRequest, account: Account, dovecot: Dovecot, tmp_path: Path
) -> Iterator[Backend]:
    if request.param == "imap":
        yield _imap_backend(tmp_path, account)
    elif request.param == "maildir":
        yield _maildir_backend(tmp_path, account)
    else:
        yield _dovecot_maildir_backend(tmp_path, account, dovecot)


def decisions(report: dict[str, list[dict[str, object]]]) -> list[tuple[object, object, object]]:
    return [(p["requester"], p["decision"], p["draft"]) for p in report["processed"]]


def test_the_rule_on_every_backend(backend: Backend, tmp_path: Path) -> None:
    for name in (
        "li-2026-current-default.eml",
        "li-2026-current-personal-note.eml",
        "li-2024-please-add-me.eml",
        "ordinary-mentions-linkedin.eml",
        "li-2026-reminder.eml",
    ):
        backend.seed(fixture_bytes(name))
    report = run_json(tmp_path, backend.env)
    assert decisions(report) == [
        ("Priya Raman", "ask", True),
        ("Tomás Ortega", "review", False),
        ("Daniel O'Brien", "known", False),
        (None, "ignore", False),  # mail that mentions LinkedIn is read, and left alone
        ("Priya Raman", "ask", False),
    ]
    [draft] = backend.drafts()
    assert "Hi Priya," in body(draft)
    assert backend.inbox_untouched()
    assert run_json(tmp_path, backend.env) == {"processed": [], "errors": []}
    for suffix in ("", "-wal", "-shm"):  # the state is lost: Drafts itself prevents a duplicate
        Path(f"{tmp_path / 'state.sqlite3'}{suffix}").unlink(missing_ok=True)
    run_json(tmp_path, backend.env)
    assert len(backend.drafts()) == 1


def test_the_conversation_on_every_backend(backend: Backend, tmp_path: Path) -> None:
    backend.seed(invitation("Zed Stranger"))
    run_json(tmp_path, backend.env)
    backend.seed(network_message("Zed Stranger", "No, we have never met; I'm growing my network."))
    assert decisions(run_json(tmp_path, backend.env)) == [("Zed Stranger", "explain", True)]
    [explain] = backend.drafts()  # the unedited ask draft was withdrawn
    assert "I only connect with people I know" in body(explain)  # type: ignore[union-attr]
    with sqlite3.connect(tmp_path / "state.sqlite3") as db:  # as if that cycle was interrupted
        db.execute("DELETE FROM cursors")
    again = run_json(tmp_path, backend.env)
    assert decisions(again) == [
        ("Zed Stranger", "explain", False),
        ("Zed Stranger", "ignore", False),
    ]
    assert "already handled" in again["processed"][1]["reasons"][0]
    assert [d["Message-ID"] for d in backend.drafts()] == [explain["Message-ID"]]  # untouched
