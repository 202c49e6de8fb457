"""Two mailbots on one mailbox, each with its own MAILBOT_STATE (a cron `--run-once` and
the service): the Drafts folder, not a session's memory of it, says which drafts exist,
so neither ever stores a draft the other already stored (issue 13)."""

from __future__ import annotations

import email
import email.policy
import mailbox
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from builders import invitation
from dovecot import Account
from support import drafts, run_json, seed_raw, write_env

from mailbot.config import load_settings
from mailbot.identity import token_of
from mailbot.runner import Session

pytestmark = pytest.mark.dovecot


@dataclass
class Shared:
    """One mailbox, and the environments of two mailbots with their own state files."""

    env_a: dict[str, str]
    env_b: dict[str, str]
    dir_a: Path
    dir_b: Path
    seed: Callable[[bytes], None]
    drafts: Callable[[], list[email.message.EmailMessage]]


def _two(
    tmp_path: Path, account: Account, **extra: str
) -> tuple[Path, Path, dict[str, str], dict[str, str]]:
    dir_a, dir_b = tmp_path / "service", tmp_path / "cron"
    dir_a.mkdir()
    dir_b.mkdir()
    env_a = write_env(dir_a, account, **extra)
    env_b = write_env(dir_b, account, **extra)
    assert env_a["MAILBOT_STATE"] != env_b["MAILBOT_STATE"]
    return dir_a, dir_b, env_a, env_b


@pytest.fixture(params=["imap", "maildir"])
def shared(request: pytest.FixtureRequest, account: Account, tmp_path: Path) -> Iterator[Shared]:
    if request.param == "imap":
        dir_a, dir_b, env_a, env_b = _two(tmp_path, account)
        yield Shared(
            env_a, env_b, dir_a, dir_b, lambda raw: seed_raw(account, raw), lambda: drafts(account)
        )
        return
    root = tmp_path / "Maildir"
    box = mailbox.Maildir(str(root), create=True)
    box.add_folder("Drafts")

    def seed(raw: bytes) -> None:
        box.add(mailbox.MaildirMessage(raw))  # lands in new/, as a delivery agent puts it

    def local_drafts() -> list[email.message.EmailMessage]:
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for sub in ("new", "cur")
            for path in sorted((root / ".Drafts" / sub).iterdir())
        ]

    dir_a, dir_b, env_a, env_b = _two(tmp_path, account, MAILBOT_MAILDIR=str(root))
    yield Shared(env_a, env_b, dir_a, dir_b, seed, local_drafts)


def _tokens(shared: Shared) -> Counter[str]:
    return Counter(str(token_of(d["Message-ID"])) for d in shared.drafts())


def _one_each(shared: Shared, expected: int) -> None:
    tokens = _tokens(shared)
    assert all(n == 1 for n in tokens.values()), f"duplicate drafts: {tokens}"
    assert len(tokens) == expected and None not in tokens


def test_a_kept_session_and_a_run_once_never_double_a_draft(shared: Shared) -> None:
    service = Session(load_settings(None, shared.env_a))
    try:
        shared.seed(invitation("Xena First"))
        assert [p.draft for p in service.cycle().processed] == [True]  # fills its cache
        _one_each(shared, 1)

        # The cron run, with a state of its own, sees both: it finds the service's draft.
        shared.seed(invitation("Xavier Second"))
        run_json(shared.dir_b, shared.env_b)
        _one_each(shared, 2)

        # The service reads Xavier's invitation too: the cron run's draft is in Drafts.
        found = service.cycle().processed
        assert [(p.requester, p.draft, p.found) for p in found] == [("Xavier Second", False, True)]
        _one_each(shared, 2)

        # Both see the same new invitation: the cron run first, then the kept session.
        shared.seed(invitation("Yannick Both"))
        run_json(shared.dir_b, shared.env_b)
        _one_each(shared, 3)
        found = service.cycle().processed
        assert [(p.requester, p.draft, p.found) for p in found] == [("Yannick Both", False, True)]
        _one_each(shared, 3)

        # And the other way round: the service first, then the cron run.
        shared.seed(invitation("Zora Last"))
        service.cycle()
        _one_each(shared, 4)
        run_json(shared.dir_b, shared.env_b)
        _one_each(shared, 4)
        assert not service.cycle().processed
    finally:
        service.close()
