"""Security (issue 8): TLS is verified and never downgraded, secrets are never shown or
stored, and mailbot's files are private. Real Dovecot, real `python -m mailbot`."""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "integration"))  # support.py's helpers

from builders import invitation
from conftest import require_dovecot
from dovecot import PASSWORD, Account, Dovecot
from support import drafts, mailbot, run_json, seed_raw, write_env

from mailbot.config import load_settings

pytestmark = pytest.mark.dovecot

WRONG_PASSWORD = "Wr0ng-Quokka-Secret-77"  # recognisable, and not the server's password
Result = subprocess.CompletedProcess[str]


# ---------------------------------------------------------------- helpers


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    """Fails the test if condition() does not hold within `seconds` (no timing asserted)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not true within {seconds}s")


def one_line_error(result: Result) -> str:
    """A refusal is exactly one line on stderr: no traceback, nothing on stdout."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    return lines[0]


def logins(server: Dovecot, account: Account, *, tls: bool = False) -> list[str]:
    """Dovecot's log lines for successful logins of this account (only over TLS: the
    tests' own clients log in in plaintext, mailbot here only over TLS)."""
    log = server.dir / "dovecot.log"
    text = log.read_text() if log.exists() else ""
    return [
        line
        for line in text.splitlines()
        if f"Login: user=<{account.user}>," in line and (not tls or ", TLS" in line)
    ]


def run_daemon(
    env: dict[str, str], cwd: Path, *, until: Callable[[str], bool]
) -> tuple[int, str, str]:
    """The daemon until `until(its log so far)` holds, and a second more; then SIGTERM.
    Returns its exit status, stdout and stderr."""
    out_path, err_path = cwd / "daemon.out", cwd / "daemon.err"
    with out_path.open("w") as out, err_path.open("w") as err:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "mailbot"], cwd=cwd, env=env, stdout=out, stderr=err
        )
        try:
            wait_for(lambda: until(err_path.read_text()))
            time.sleep(1)  # "a couple of seconds": in IDLE, or backing off
        finally:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(20)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
    return daemon.returncode, out_path.read_text(), err_path.read_text()


def secret_forms(secret: str, user: str) -> list[str]:
    """The secret as it could leak: itself, and base64 as in SASL PLAIN or a bare encoding."""
    plain = base64.b64encode(f"\0{user}\0{secret}".encode()).decode()
    return [secret, plain, base64.b64encode(secret.encode()).decode()]


def state_files(state: Path, *, lock: bool = True) -> list[Path]:
    """The state database, its -wal/-shm if present, and the lock file beside it (`check`,
    `status` and `who` take no lock)."""
    found = sorted(state.parent.glob(state.name + "*"))
    made = {state.name, state.name + ".lock"} if lock else {state.name}
    assert made <= {path.name for path in found}, found  # what mailbot must have made
    return found


def assert_hidden(secret: str, user: str, texts: Iterable[str], files: Iterable[Path]) -> None:
    forms = secret_forms(secret, user)
    for number, text in enumerate(texts):
        for form in forms:
            assert form not in text, f"output #{number} shows the secret ({form!r}):\n{text}"
    for path in files:
        data = path.read_bytes()
        for form in forms:
            assert form.encode() not in data, f"{path.name} contains the secret ({form!r})"


def outputs(*results: Result) -> list[str]:
    return [text for result in results for text in (result.stdout, result.stderr)]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextlib.contextmanager
def umask(value: int) -> Iterator[None]:
    """The umask the mailbot subprocesses inherit."""
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


# ---------------------------------------------------------------- 1. TLS


@pytest.fixture(scope="module")
def tls_server() -> Iterator[Dovecot]:
    """Dovecot with a self-signed certificate for DNS:localhost only: implicit TLS on
    tls_port, STARTTLS offered on port."""
    require_dovecot()
    server = Dovecot(tls=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tls_account(tls_server: Dovecot) -> Account:
    return tls_server.add_account()


def tls_env(
    tmp_path: Path,
    server: Dovecot,
    account: Account,
    *,
    security: str = "ssl",
    host: str = "localhost",
    ca_file: bool = True,
) -> dict[str, str]:
    assert server.tls_port is not None and server.cert_path is not None
    env = write_env(
        tmp_path,
        account,
        MAILBOT_IMAP_SECURITY=security,
        MAILBOT_IMAP_HOST=host,
        MAILBOT_IMAP_PORT=str(server.tls_port if security == "ssl" else server.port),
    )
    if ca_file:
        env["MAILBOT_IMAP_CA_FILE"] = str(server.cert_path)
    return env


@pytest.mark.parametrize("security", ["ssl", "starttls"])
@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_a_self_signed_certificate_is_refused_by_default(
    tls_server: Dovecot, tls_account: Account, tmp_path: Path, security: str, host: str
) -> None:
    env = tls_env(tmp_path, tls_server, tls_account, security=security, host=host, ca_file=False)
    result = mailbot(tmp_path, env, "--run-once")
    assert result.returncode == 3, result.stderr
    line = one_line_error(result)
    assert "TLS" in line and "certificate" in line.lower(), line
    assert logins(tls_server, tls_account, tls=True) == []  # the password never left


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_the_certificate_as_ca_file_is_accepted_for_its_host_name(
    tls_server: Dovecot, tls_account: Account, tmp_path: Path, security: str
) -> None:
    env = tls_env(tmp_path, tls_server, tls_account, security=security)
    seed_raw(tls_account, invitation("Tess Layer"))
    result = mailbot(tmp_path, env, "--run-once")
    assert result.returncode == 0, result.stderr
    assert len(drafts(tls_account)) == 1
    wait_for(lambda: bool(logins(tls_server, tls_account, tls=True)))  # an encrypted login


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_the_ca_file_does_not_excuse_a_wrong_host_name(
    tls_server: Dovecot, tls_account: Account, tmp_path: Path, security: str
) -> None:
    """The certificate names DNS:localhost only; the same server reached as 127.0.0.1 is
    refused even with the certificate trusted (the test above shows it is trusted)."""
    env = tls_env(tmp_path, tls_server, tls_account, security=security, host="127.0.0.1")
    result = mailbot(tmp_path, env, "--run-once")
    assert result.returncode == 3, result.stderr
    line = one_line_error(result)
    assert "TLS" in line and "certificate" in line.lower(), line
    assert logins(tls_server, tls_account, tls=True) == []


def test_starttls_not_offered_is_refused_not_downgraded(
    dovecot: Dovecot, account: Account, tmp_path: Path
) -> None:
    """The default test server has ssl=no: it offers no STARTTLS."""
    with account.client() as client:
        assert b"STARTTLS" not in client.capabilities()
    wait_for(lambda: len(logins(dovecot, account)) == 1)  # that was the only login so far
    env = write_env(tmp_path, account, MAILBOT_IMAP_SECURITY="starttls")
    for args in (("--run-once",), ("who", "Tess Layer")):
        result = mailbot(tmp_path, env, *args)
        assert result.returncode == 3, result.stderr
        line = one_line_error(result)
        assert "STARTTLS" in line and "not offer" in line, line
    time.sleep(0.2)  # Dovecot's log process writes asynchronously
    assert len(logins(dovecot, account)) == 1  # no plaintext login happened instead


def test_plain_to_a_remote_host_is_a_configuration_error(account: Account, tmp_path: Path) -> None:
    marker = tmp_path / "password-command-ran"
    env = write_env(
        tmp_path,
        account,
        MAILBOT_IMAP_HOST="imap.example.com",
        MAILBOT_IMAP_PASSWORD_CMD=f"touch {marker}; echo {PASSWORD}",
    )
    del env["MAILBOT_IMAP_PASSWORD"]
    result = mailbot(tmp_path, env, "--run-once")
    assert result.returncode == 2, result.stdout + result.stderr
    line = one_line_error(result)
    assert "MAILBOT_IMAP_SECURITY" in line and "imap.example.com" in line, line
    assert not (tmp_path / "state.sqlite3").exists()
    checked = mailbot(tmp_path, env, "check")  # every line: the server's are not checked
    assert checked.returncode == 2, checked.stdout + checked.stderr
    [config] = [line for line in checked.stdout.splitlines() if " config " in line]
    assert config.startswith("ERR") and "MAILBOT_IMAP_SECURITY" in config, checked.stdout
    assert "imap.example.com" in config
    assert "ERR  connect      not checked: fix MAILBOT_IMAP_SECURITY first" in checked.stdout
    assert not marker.exists()  # the password was not even fetched


class Tripwire:
    """A TCP listener on every local address that counts connections and hangs up."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("0.0.0.0", 0))  # noqa: S104 - a non-loopback address must reach it
        self._socket.listen(8)
        self._socket.settimeout(0.05)
        self.port: int = self._socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                connection, _ = self._socket.accept()
                connection.close()
                self.connections += 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            while True:  # a connection still waiting in the backlog counts too
                self._socket.accept()[0].close()
                self.connections += 1
        self._socket.close()


def own_address() -> str:
    """An address of this machine that is not loopback (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only selects the outgoing interface
            address = str(probe.getsockname()[0])
        except OSError:
            address = "0.0.0.0"  # noqa: S104 - Linux connects this to the local host
    return "0.0.0.0" if ipaddress.ip_address(address).is_loopback else address  # noqa: S104


def test_plain_to_a_remote_host_sends_nothing(account: Account, tmp_path: Path) -> None:
    tripwire = Tripwire()
    host = own_address()
    env = write_env(tmp_path, account, MAILBOT_IMAP_HOST=host, MAILBOT_IMAP_PORT=str(tripwire.port))
    try:
        refused = mailbot(tmp_path, env, "--run-once")
        allowed = mailbot(tmp_path, {**env, "MAILBOT_IMAP_ALLOW_PLAINTEXT": "true"}, "--run-once")
    finally:
        tripwire.close()
    assert refused.returncode == 2 and "MAILBOT_IMAP_SECURITY" in one_line_error(refused)
    # The control: when allowed, mailbot does connect, and the tripwire sees it.
    assert allowed.returncode == 3, allowed.stderr
    assert tripwire.connections == 1, f"{host}: {tripwire.connections} connections"


# ---------------------------------------------------------------- 2. secrets


def test_no_command_shows_or_stores_the_password(account: Account, tmp_path: Path) -> None:
    env = write_env(tmp_path, account, MAILBOT_LOG_LEVEL="debug")
    seed_raw(account, invitation("Sam Secret"))
    results = [mailbot(tmp_path, env, "--run-once")]
    seed_raw(account, invitation("Jo Json", note="I'd like to grow my network"))
    results.append(mailbot(tmp_path, env, "--run-once", "--json"))
    seed_raw(account, invitation("Dee Dry"))
    with ThreadPoolExecutor(4) as pool:  # none of these takes the instance lock
        runs = [
            pool.submit(mailbot, tmp_path, env, *args)
            for args in (
                ("--run-once", "--dry-run"),
                ("check",),
                ("status",),
                ("who", "Sam Secret"),
            )
        ]
        results += [run.result() for run in runs]
    assert [r.returncode for r in results] == [0] * len(results), [r.stderr for r in results]
    report = json.loads(results[1].stdout)
    assert [p["decision"] for p in report["processed"]] == ["explain"]  # it really worked
    assert "Sam Secret" in results[4].stdout and "Sam Secret" in results[5].stdout
    assert any("DEBUG" in r.stderr for r in results)  # debug logging was on
    assert_hidden(
        PASSWORD, account.user, outputs(*results), state_files(tmp_path / "state.sqlite3")
    )


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_daemon_never_logs_the_password(
    account: Account, tmp_path: Path, log_format: str
) -> None:
    env = write_env(
        tmp_path,
        account,
        MAILBOT_LOG_LEVEL="debug",
        MAILBOT_LOG_FORMAT=log_format,
        MAILBOT_POLL_INTERVAL="3600",
    )
    seed_raw(account, invitation("Dan Daemon"))
    code, out, err = run_daemon(env, tmp_path, until=lambda _: len(drafts(account)) == 1)
    assert code == 0, err
    assert "DEBUG" in err.upper()
    if log_format == "json":  # every line a record: a secret cannot hide in a second line
        assert all(json.loads(line)["message"] for line in err.splitlines() if line.strip())
    assert len(drafts(account)) == 1
    assert_hidden(PASSWORD, account.user, [out, err], state_files(tmp_path / "state.sqlite3"))


@pytest.fixture
def own_server() -> Iterator[Dovecot]:
    """A server of the test's own: failed logins raise Dovecot's per-IP auth penalty,
    which must not slow down the other tests."""
    require_dovecot()
    server = Dovecot()
    server.start()
    yield server
    server.stop()


def test_a_wrong_password_is_never_shown(own_server: Dovecot, tmp_path: Path) -> None:
    account = own_server.add_account()
    env = write_env(
        tmp_path,
        account,
        MAILBOT_IMAP_PASSWORD=WRONG_PASSWORD,
        MAILBOT_LOG_LEVEL="debug",
        MAILBOT_IDLE="false",  # one failing login less: Dovecot's penalty grows with each
    )

    def own_state(name: str) -> tuple[dict[str, str], Path]:
        """Each run its own state, so that they can run side by side without the lock."""
        (tmp_path / name).mkdir()
        return {**env, "MAILBOT_STATE": str(tmp_path / name / "state.sqlite3")}, tmp_path / name

    (once_env, once_dir), (check_env, check_dir) = own_state("once"), own_state("check")
    daemon_env, daemon_dir = own_state("daemon")
    with ThreadPoolExecutor(3) as pool:  # Dovecot delays each failed login: run side by side
        once = pool.submit(mailbot, once_dir, once_env, "--run-once", "--json")
        check = pool.submit(mailbot, check_dir, check_env, "check")
        daemon = pool.submit(
            run_daemon, daemon_env, daemon_dir, until=lambda log: account.user in log
        )
        code, out, err = daemon.result()
        results = [once.result(), check.result()]
    assert [r.returncode for r in results] == [3, 1], [r.stderr for r in results]
    assert "ERR  login" in results[1].stdout  # a wrong password is not a connection problem
    assert all(account.user in r.stdout + r.stderr for r in results)  # "refused the login"
    assert code == 3  # the daemon stops at start on a refused login, as --run-once does
    texts = [*outputs(*results), out, err]
    files = [
        path
        for folder in (once_dir, check_dir, daemon_dir)
        for path in state_files(folder / "state.sqlite3", lock=folder != check_dir)
    ]
    assert_hidden(WRONG_PASSWORD, account.user, texts, files)


def test_a_non_ascii_password_is_a_login_failure_not_a_traceback(
    account: Account, tmp_path: Path
) -> None:
    secret = "Pässwörd-Geheim-42"  # wrong for the test server, and not ASCII
    env = write_env(tmp_path, account, MAILBOT_IMAP_PASSWORD=secret)
    once, check = mailbot(tmp_path, env, "--run-once"), mailbot(tmp_path, env, "check")
    assert once.returncode == 3, once.stderr
    assert account.user in one_line_error(once)
    assert check.returncode == 1 and "ERR  login" in check.stdout, check.stderr
    for text in outputs(once, check):
        assert "Traceback" not in text
        assert "ä" not in text and "\\xe4" not in text  # not even one character of it
    assert_hidden(secret, account.user, outputs(once, check), [])


def test_the_password_command_output_is_never_shown(account: Account, tmp_path: Path) -> None:
    secret_file = tmp_path / "imap-password"
    secret_file.write_text(PASSWORD + "\n")
    secret_file.chmod(0o600)
    env = write_env(
        tmp_path,
        account,
        MAILBOT_IMAP_PASSWORD_CMD=f"cat {secret_file}",
        MAILBOT_LOG_LEVEL="debug",
        MAILBOT_POLL_INTERVAL="3600",
    )
    del env["MAILBOT_IMAP_PASSWORD"]
    seed_raw(account, invitation("Cody Command"))
    report = run_json(tmp_path, env)
    assert [p["decision"] for p in report["processed"]] == ["ask"]
    results = [mailbot(tmp_path, env, "--run-once"), mailbot(tmp_path, env, "check")]
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    seed_raw(account, invitation("Dora Daemon"))
    code, out, err = run_daemon(env, tmp_path, until=lambda _: len(drafts(account)) == 2)
    assert code == 0, err
    # A helper that fails after printing the secret (to stdout and stderr) is not echoed.
    chatty = {
        **env,
        "MAILBOT_IMAP_PASSWORD_CMD": f"cat {secret_file}; cat {secret_file} >&2; exit 5",
    }
    failed = mailbot(tmp_path, chatty, "--run-once")
    assert failed.returncode == 3 and "exit status 5" in one_line_error(failed)
    texts = [json.dumps(report), *outputs(*results, failed), out, err]
    assert_hidden(PASSWORD, account.user, texts, state_files(tmp_path / "state.sqlite3"))


@pytest.mark.parametrize(
    "login",
    [
        {"MAILBOT_IMAP_PASSWORD": PASSWORD},
        {"MAILBOT_IMAP_PASSWORD_CMD": f"printf '%s\\n' '{PASSWORD}'"},
        {"MAILBOT_IMAP_AUTH": "oauth2", "MAILBOT_IMAP_OAUTH2_TOKEN_CMD": f"echo {PASSWORD}"},
    ],
    ids=["password", "password-command", "token-command"],
)
def test_the_settings_repr_hides_the_secret(
    account: Account, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, login: dict[str, str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray ./.env
    env = write_env(tmp_path, account)
    del env["MAILBOT_IMAP_PASSWORD"]
    settings = load_settings(environ={**env, **login})
    assert settings.imap is not None and account.user in repr(settings)
    for text in (repr(settings), str(settings), repr(settings.imap), f"{settings.imap}"):
        assert PASSWORD not in text, text


# ---------------------------------------------------------------- 3. file permissions


@pytest.mark.parametrize(
    ("command", "mask"),
    [
        (("--run-once",), 0o022),
        (("--run-once",), 0o000),
        (("check",), 0o022),
        (("who", "Pam Perms"), 0o022),
    ],
    ids=["run-once", "run-once-umask-0", "check", "who"],
)
def test_state_and_lock_are_private(
    account: Account, tmp_path: Path, command: tuple[str, ...], mask: int
) -> None:
    state = tmp_path / "new-folder" / "state.sqlite3"
    env = write_env(tmp_path, account, MAILBOT_STATE=str(state))
    seed_raw(account, invitation("Pam Perms"))
    with umask(mask):
        first = mailbot(tmp_path, env, *command)
        # A scratch (read-only) open of the WAL database leaves its -wal and -shm behind.
        later = mailbot(tmp_path, env, "status")
    assert (first.returncode, later.returncode) == (0, 0), first.stderr + later.stderr
    assert mode(state.parent) == 0o700
    files = state_files(state, lock=command[0] == "--run-once")  # check and who take none
    assert {state.name + "-wal", state.name + "-shm"} <= {p.name for p in files}, (
        "`status` (a read-only scratch open) used to leave -wal and -shm behind; "
        "if it no longer does, find another way to look at their mode"
    )
    assert {p.name: oct(mode(p)) for p in files} == {p.name: oct(0o600) for p in files}


def test_the_default_state_folder_is_private(account: Account, tmp_path: Path) -> None:
    """Without MAILBOT_STATE: $HOME/.local/state/mailbot, created by mailbot."""
    env = write_env(tmp_path, account)
    del env["MAILBOT_STATE"]
    with umask(0o022):
        result = mailbot(tmp_path, env, "--run-once")
    assert result.returncode == 0, result.stderr
    state = tmp_path / ".local" / "state" / "mailbot" / "state.sqlite3"
    assert mode(state.parent) == 0o700
    assert {p.name: oct(mode(p)) for p in state_files(state)} == {
        "state.sqlite3": oct(0o600),
        "state.sqlite3.lock": oct(0o600),
        "state.sqlite3.cycle.lock": oct(0o600),  # held while a cycle runs
        "state.sqlite3.records.json": oct(0o600),  # what MAILBOT_CONTACTS gave (the cache)
    }
