"""A private Dovecot for the tests: a plain process on a free loopback port in a temp dir.

Facts behind each setting: ../shared/notes/dovecot.md. Runs as root (CI and sessions
do); the mail processes run as the `dovecot` user.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient

PASSWORD = "s3cret-Pa55word"  # one password for every test user (a static passdb)
_CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot
first_valid_uid = 1
mail_location = maildir:{dir}/mail/%u
{passdb}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={dir}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
{imaps}
  }}
}}
service anvil {{
  chroot =
{anvil}
}}
namespace inbox {{
  inbox = yes
{mailboxes}
}}
"""
_STATIC = """\
passdb {{
  driver = static
  args = password={password}
}}"""
# With an OAuth2 server: XOAUTH2 and OAUTHBEARER tokens are checked by asking it (RFC 7662
# introspection); LOGIN and PLAIN still take PASSWORD (the tests' own seeding and reading).
_OAUTH2 = """\
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {dir}/oauth2.conf.ext
}}
passdb {{
  driver = static
  mechanisms = plain login
  args = password={password}
}}"""
# Dovecot waits 2 s before saying no to a login (auth_failure_delay), and makes the next
# login from that address wait 2, 4, 8... s (anvil's auth penalty; off when the auth
# process cannot reach its socket): not in these tests, refused on purpose and retrying.
_OAUTH2_DELAY = "auth_failure_delay = 0\n"
_NO_PENALTY = """\
  unix_listener anvil-auth-penalty {
    mode = 0
  }"""
_OAUTH2_EXT = """\
introspection_mode = post
introspection_url = {url}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
"""
_SSL = """\
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
"""
SPECIAL_USE = """\
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
"""


def available() -> bool:
    return shutil.which("dovecot") is not None or Path("/usr/sbin/dovecot").exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _another_free_port(taken: int) -> int:
    port = free_port()
    while port == taken:
        port = free_port()
    return port


def _self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate (its own CA) valid for the host name localhost only."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,digitalSignature,keyCertSign",
            "-addext", "extendedKeyUsage=serverAuth",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass(frozen=True)
class Account:
    host: str
    port: int
    user: str
    password: str

    def client(self) -> IMAPClient:
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def env(self) -> dict[str, str]:
        return {
            "MAILBOT_IMAP_HOST": self.host,
            "MAILBOT_IMAP_PORT": str(self.port),
            "MAILBOT_IMAP_USER": self.user,
            "MAILBOT_IMAP_PASSWORD": self.password,
            "MAILBOT_IMAP_SECURITY": "plain",
        }


class Dovecot:
    _ids = itertools.count(1)

    def __init__(
        self,
        *,
        special_use: bool = True,
        tls: bool = False,
        capability: str | None = None,
        mailboxes: str | None = None,
        oauth2_introspection: str | None = None,
    ) -> None:
        """With tls=True: a self-signed certificate for DNS:localhost only (no IP address),
        STARTTLS on `port` and implicit TLS on `tls_port`; plaintext login stays allowed.
        `mailboxes`: the inbox namespace's `mailbox` blocks, instead of the usual SPECIAL-USE
        Drafts and Sent (to play a server that marks odd folders).
        `oauth2_introspection`: an RFC 7662 introspection URL; XOAUTH2 logins are then
        checked there (Dovecot's oauth2 passdb) instead of taking PASSWORD as the token."""
        # Not under pytest's tmp_path: its parents are 0700, and Dovecot's auth and mail
        # processes (user dovecot) must reach the users file and the mail folder.
        directory = Path(tempfile.mkdtemp(prefix="mailbot-dovecot-"))
        self.dir = directory
        self.port = free_port()
        self.tls_port: int | None = None
        self.cert_path: Path | None = None
        directory.chmod(0o755)
        (directory / "mail").mkdir()
        shutil.chown(directory / "mail", "dovecot", "dovecot")
        ssl, imaps = "ssl = no", "    port = 0"
        if tls:
            self.tls_port = _another_free_port(self.port)
            self.cert_path, key = _self_signed_certificate(directory)
            ssl = _SSL.format(cert=self.cert_path, key=key).rstrip("\n")
            imaps = f"    address = 127.0.0.1\n    port = {self.tls_port}"
        if mailboxes is None:
            mailboxes = SPECIAL_USE if special_use else ""
        passdb = _STATIC
        if oauth2_introspection is not None:
            passdb = _OAUTH2
            (directory / "oauth2.conf.ext").write_text(_OAUTH2_EXT.format(url=oauth2_introspection))
        self.config = directory / "dovecot.conf"
        self.config.write_text(
            _CONFIG.format(
                passdb=passdb.format(password=PASSWORD, dir=directory),
                anvil=_NO_PENALTY if oauth2_introspection is not None else "",
                dir=directory,
                port=self.port,
                ssl=ssl,
                imaps=imaps,
                mailboxes=mailboxes,
            )
            # `capability`: what the server announces (to play a server without UIDPLUS)
            + (f"imap_capability = {capability}\n" if capability else "")
            + (_OAUTH2_DELAY if oauth2_introspection is not None else "")
        )
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        self._process = subprocess.Popen(
            [binary, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() ends every child too
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self._log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    if s.recv(64).startswith(b"* OK"):
                        if self.tls_port is not None:  # same login service: up by now
                            socket.create_connection(("127.0.0.1", self.tls_port), 0.5).close()
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not start on port {self.port}: {self._log()}")

    def stop(self, *, keep: bool = False) -> None:
        """Stop the server; with keep=True the mail stays, for start() again."""
        if self._process and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        if self._process is not None:
            with contextlib.suppress(ProcessLookupError):  # children that outlived the master
                os.killpg(self._process.pid, signal.SIGKILL)
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def deliver(self, user: str, raw: bytes) -> None:
        """Put a message straight into a user's Maildir, as a local delivery agent does."""
        new = self.dir / "mail" / user / "new"
        name = f"{time.time_ns()}.mailbot-test.localhost"
        (new / name).write_bytes(raw.replace(b"\r\n", b"\n"))
        shutil.chown(new / name, "dovecot", "dovecot")

    def add_account(self) -> Account:
        """A fresh user: any name logs in with PASSWORD and gets its own empty mailbox."""
        return Account("127.0.0.1", self.port, f"user{next(self._ids)}", PASSWORD)

    def logins(self, user: str) -> int:
        """How many times `user` has logged in, by the server's own log."""
        log = self.dir / "dovecot.log"
        text = log.read_text() if log.exists() else ""
        return text.count(f"Login: user=<{user}>,")

    def _log(self) -> str:
        log = self.dir / "dovecot.log"
        return log.read_text()[-2000:] if log.exists() else "(no log)"
