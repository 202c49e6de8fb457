"""Faults: kill -9 at every IMAP step, a failing network, full Drafts, two instances, a
damaged state file. Whatever happens: zero duplicate drafts, zero requests missed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import invitation
from conftest import require_dovecot
from dovecot import Account, Dovecot
from proxy import DROP, HALF, STALL, ImapProxy
from support import (
    drafts,
    mailbot,
    run_json,
    seed_raw,
    start_daemon,
    stop_daemon,
    wait_for,
    write_env,
)

from mailbot.identity import token_of

pytestmark = pytest.mark.dovecot
PENDING = 3  # invitations waiting in the inbox when a run is killed
FULL = os.environ.get("MAILBOT_RELIABILITY_FULL") == "1"


@pytest.fixture
def proxy(dovecot: Dovecot) -> Iterator[ImapProxy]:
    p = ImapProxy(dovecot.port)
    yield p
    p.close()


def through(proxy: ImapProxy, env: dict[str, str]) -> dict[str, str]:
    return {**env, "MAILBOT_IMAP_PORT": str(proxy.port)}


def seed_pending(account: Account) -> None:
    seed_raw(account, *(invitation(f"Pending Person{i}") for i in range(PENDING)))


def assert_exactly_once(account: Account, tmp_path: Path) -> None:
    found = drafts(account)
    keys = [token_of(d["Message-ID"]) for d in found]
    assert len(found) == PENDING and len(set(keys)) == PENDING, keys
    with sqlite3.connect(tmp_path / "state.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_kill_9_at_every_imap_step(dovecot: Dovecot, proxy: ImapProxy, tmp_path: Path) -> None:
    """Count the IMAP events of a whole run, then kill a run at each one and finish it."""
    probe = dovecot.add_account()
    seed_pending(probe)
    run_json(tmp_path / "probe", through(proxy, write_env(_mkdir(tmp_path / "probe"), probe)))
    total = len(proxy.events)
    assert any("APPEND" in e for e in proxy.events) and total > 10
    step = 1 if FULL else max(1, total // 25)  # CI: 25 points spread over the run; FULL: all
    points = range(0, total, step)
    for point in points:
        account = dovecot.add_account()
        seed_pending(account)
        home = _mkdir(tmp_path / f"kill-{point}")
        env = through(proxy, write_env(home, account))
        proxy.events.clear()
        run = subprocess.Popen(
            [sys.executable, "-m", "mailbot", "--run-once"],
            cwd=home,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def kill_at(
            index: int, _: str, point: int = point, run: subprocess.Popen[bytes] = run
        ) -> str | None:
            if index == point:
                run.send_signal(signal.SIGKILL)
                return DROP
            return None

        proxy.on_event = kill_at
        run.wait(timeout=60)
        proxy.on_event = None
        run_json(home, env)  # the next run finishes the job
        assert_exactly_once(account, home)
    print(f"kill -9 survived at {len(points)} of {total} IMAP events")


@pytest.mark.parametrize(
    ("event", "action"),
    [
        ("C UID FETCH", DROP),  # the connection drops while fetching bodies
        ("C APPEND", HALF),  # the connection is cut in the middle of a draft upload
        ("S", DROP),  # the draft is stored, but the server's OK never arrives
    ],
)
def test_network_faults_then_recovery(
    dovecot: Dovecot, proxy: ImapProxy, tmp_path: Path, event: str, action: str
) -> None:
    account = dovecot.add_account()
    seed_pending(account)
    env = through(proxy, write_env(tmp_path, account))
    fired: list[str] = []

    def fault(_: int, name: str) -> str | None:
        after_append = len(proxy.events) > 1 and proxy.events[-2] == "C APPEND"
        if not fired and name.startswith(event) and (event != "S" or after_append):
            fired.append(name)
            return action
        return None

    proxy.on_event = fault
    failed = mailbot(tmp_path, env, "--run-once")
    assert fired and failed.returncode in (1, 3) and "Traceback" not in failed.stderr
    proxy.on_event = None
    run_json(tmp_path, env)
    assert_exactly_once(account, tmp_path)


def test_a_stalled_server_times_out(dovecot: Dovecot, proxy: ImapProxy, tmp_path: Path) -> None:
    account = dovecot.add_account()
    seed_pending(account)
    env = through(proxy, write_env(tmp_path, account, MAILBOT_IMAP_TIMEOUT="2"))
    proxy.on_event = lambda _, name: STALL if name == "C UID SEARCH" else None
    stalled = mailbot(tmp_path, env, "--run-once")
    assert stalled.returncode == 1 and "timed out" in stalled.stderr
    proxy.on_event = None
    proxy.drop_all()
    run_json(tmp_path, env)
    assert_exactly_once(account, tmp_path)


def test_daemon_recovers_from_dropped_connections(
    dovecot: Dovecot, proxy: ImapProxy, tmp_path: Path
) -> None:
    account = dovecot.add_account()
    env = through(proxy, write_env(tmp_path, account, MAILBOT_POLL_INTERVAL="3600"))
    daemon = start_daemon(tmp_path, env)
    try:
        wait_for(lambda: any(e.endswith("IDLE") for e in proxy.events))
        proxy.drop_all()  # every connection, IDLE included, is cut
        seed_pending(account)
        wait_for(lambda: len(drafts(account)) == PENDING, seconds=60)
    finally:
        code, err = stop_daemon(daemon)
    assert code == 0 and "IDLE connection failed" in err
    assert_exactly_once(account, tmp_path)


def test_two_instances_started_together(dovecot: Dovecot, proxy: ImapProxy, tmp_path: Path) -> None:
    account = dovecot.add_account()
    seed_pending(account)
    env = through(proxy, write_env(tmp_path, account))
    proxy.on_event = lambda _, name: time.sleep(0.5) if name.endswith("SELECT") else None
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "mailbot", "--run-once"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    codes = sorted(run.wait(timeout=60) for run in runs)
    assert codes == [0, 4]
    assert_exactly_once(account, tmp_path)


@pytest.fixture
def quota_server() -> Iterator[Dovecot]:
    """A server whose quota is already used up by the inbox: APPEND to Drafts is refused."""
    require_dovecot()
    server = Dovecot()
    _set_quota(server, "1K")
    server.start()
    yield server
    server.stop()


def _set_quota(server: Dovecot, limit: str) -> None:
    config = server.config.read_text().split("# quota\n")[0]
    server.config.write_text(
        config + "# quota\nmail_plugins = $mail_plugins quota\n"
        "protocol imap {\n  mail_plugins = $mail_plugins imap_quota\n}\n"
        f"plugin {{\n  quota = maildir:User quota\n  quota_rule = *:storage={limit}\n}}\n"
    )


def test_full_drafts_keeps_the_request_pending(quota_server: Dovecot, tmp_path: Path) -> None:
    account = quota_server.add_account()
    with account.client() as client:
        client.select_folder("INBOX")
    for i in range(PENDING):
        quota_server.deliver(account.user, invitation(f"Pending Person{i}"))
    env = write_env(tmp_path, account)
    refused = mailbot(tmp_path, env, "--run-once")
    assert refused.returncode == 1 and "quota" in refused.stderr.lower()
    assert drafts(account) == []
    quota_server.stop(keep=True)
    _set_quota(quota_server, "100M")
    quota_server.start()
    run_json(tmp_path, env)  # retried: nothing was lost while Drafts was full
    assert_exactly_once(account, tmp_path)


def test_damaged_state_is_reported_and_a_lost_one_rebuilt(account: Account, tmp_path: Path) -> None:
    env = write_env(tmp_path, account)
    seed_pending(account)
    run_json(tmp_path, env)
    state = tmp_path / "state.sqlite3"
    for suffix in ("-wal", "-shm"):
        Path(f"{state}{suffix}").unlink(missing_ok=True)
    state.write_bytes(b"this is not a database" * 100)
    damaged = mailbot(tmp_path, env, "--run-once")
    # the owner must look: exit 2, like a configuration error (issue 24)
    assert damaged.returncode == 2 and "Traceback" not in damaged.stderr
    assert "state database" in damaged.stderr and "move it aside" in damaged.stderr
    state.unlink()
    run_json(tmp_path, env)
    assert_exactly_once(account, tmp_path)


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
