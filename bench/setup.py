"""How long `mailbot setup` takes a new user, from the address to the dry run (issue 25:
"under two minutes of the user's time, prompts included, answered by a script").

The servers are the ones tests/integration/test_setup_e2e.py stands up, on loopback: a
DNS server and an HTTPS autoconfig site with a test CA (tests/netfakes.py), the local
authorisation server (tests/oauthserver.py), and the test Dovecot over TLS, checking
XOAUTH2 tokens with that server. Four users:

  microsoft  cfo@m365.test      MX -> Microsoft 365, device code (the page and code typed)
  google     ceo@workspace.test MX -> Google Workspace, browser to the loopback port (PKCE)
  ispdb      ana@bol.com.br     Mozilla ISP database, password kept in a (file) keyring
  autoconfig pat@own.test       the domain's own autoconfig, password in the .env

Each run is `mailbot setup ADDRESS` in a child process, as a user would start it, its
answers piped to its standard input line by line as it asks (no flags but the address);
this process plays the user's browser, reading what the child prints (the device-code
page and code; the Google sign-in address) and doing it. Times are wall clock from the
start of the child to its exit, split where it prints "Found:", "Logged in", "Wrote"
and the dry run's heading. Nothing here is a test.

    .venv/bin/python bench/setup.py              # 3 runs of each user, ~30 s
    .venv/bin/python bench/setup.py --repeat 5 --users microsoft,google

The user's own time adds reading and typing, which a script does not do; the table
prints an estimate by a stated rule beside the measured time (see HUMAN below).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import functools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "integration")]

# A rough rule for what a script does not do: reading each question and pressing Enter,
# typing each character of an answer (pasted IDs and secrets count as one paste), and
# the sign-in in the browser.
HUMAN = {"per_question": 3.0, "per_character": 0.25, "per_paste": 4.0, "sign_in": 30.0}


@dataclasses.dataclass(frozen=True)
class User:
    name: str
    address: str
    dovecot: str  # which Dovecot plays its server
    answers: tuple[str, ...]  # one line per question, in order
    pasted: tuple[str, ...] = ()  # answers pasted, not typed
    sign_in: bool = False
    keyring: bool = False


def users() -> dict[str, User]:
    from dovecot import PASSWORD
    from test_setup_e2e import GOOGLE, MICROSOFT

    return {
        "microsoft": User(
            "microsoft", "cfo@m365.test", "microsoft",
            (MICROSOFT[0], "Robin Owner", "", "", "central Leeds", "", ""),
            pasted=(MICROSOFT[0],), sign_in=True,
        ),
        "google": User(
            "google", "ceo@workspace.test", "google",
            ("1", GOOGLE[0], GOOGLE[1], "Casey Chief", "", "", "", "", ""),
            pasted=(GOOGLE[0], GOOGLE[1]), sign_in=True,
        ),
        "ispdb": User(
            "ispdb", "ana@bol.com.br", "password",
            (PASSWORD, "", "Ana Souza", "", "", "", "", ""),
            keyring=True,
        ),
        "autoconfig": User(
            "autoconfig", "pat@own.test", "password",
            (PASSWORD, "Pat Owner", "", "", "", "", ""),
        ),
    }  # fmt: skip


# --- the private internet (this process) -------------------------------------------------


@contextlib.contextmanager
def servers() -> Iterator[dict[str, Any]]:
    import trustme
    from dovecot import Dovecot
    from netfakes import HttpsSite, Page, Zone
    from oauthserver import OAuthServer
    from test_setup_e2e import ARCHIVE, GOOGLE, MICROSOFT, OWN_CONFIG, ZONE

    ca = trustme.CA()
    with contextlib.ExitStack() as stack:
        zone = stack.enter_context(Zone(ZONE))
        site = stack.enter_context(HttpsSite(ca, "autoconfig.own.test"))
        site.pages[("autoconfig.own.test", "/mail/config-v1.1.xml")] = Page(OWN_CONFIG)
        oauth = {"microsoft": OAuthServer(*MICROSOFT), "google": OAuthServer(*GOOGLE)}
        for server in oauth.values():
            server.start()
            stack.callback(server.stop)
        dovecots = {
            "microsoft": Dovecot(
                tls=True, oauth2_introspection=oauth["microsoft"].introspection_url
            ),
            "google": Dovecot(tls=True, oauth2_introspection=oauth["google"].introspection_url),
            "password": Dovecot(tls=True, mailboxes=ARCHIVE),
        }
        for dovecot in dovecots.values():
            dovecot.start()
            stack.callback(dovecot.stop)
        folder = Path(tempfile.mkdtemp(prefix="mailbot-bench-setup-"))
        stack.callback(shutil.rmtree, folder, True)
        (folder / "ca.pem").write_bytes(ca.cert_pem.bytes())
        (folder / "trusted.pem").write_text(
            "".join(d.cert_path.read_text() for d in dovecots.values() if d.cert_path)
        )
        yield {"zone": zone, "site": site, "oauth": oauth, "dovecots": dovecots, "folder": folder}


def seed(world: dict[str, Any], user: User, login: str) -> None:
    from builders import invitation
    from dovecot import PASSWORD, Account
    from support import seed_raw

    account = Account("127.0.0.1", world["dovecots"][user.dovecot].port, login, PASSWORD)
    seed_raw(
        account,
        invitation("Stella Stranger"),
        invitation("Grace Hopper", vanity="grace-hopper-1906"),
    )


# --- one run ------------------------------------------------------------------------------


MARKS = (
    ("found", "Found:"),
    ("logged in", "Logged in"),
    ("written", "Wrote "),
    ("checked", "A dry run"),
)


def run(world: dict[str, Any], user: User, number: int) -> dict[str, float]:
    """One `mailbot setup` in a child process; seconds from its start to each mark."""
    from test_setup_e2e import KEYRING_MODULE

    home = world["folder"] / f"{user.name}-{number}"
    (home / "Downloads").mkdir(parents=True)
    if user.name == "microsoft":  # the export LinkedIn sent, taken with Enter
        with zipfile.ZipFile(
            home / "Downloads" / "Basic_LinkedInDataExport_03-01-2026.zip", "w"
        ) as z:
            for member in (ROOT / "tests" / "fixtures" / "records" / "linkedin-export").iterdir():
                z.write(member, member.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
    env.update(HOME=str(home), SSL_CERT_FILE=str(world["folder"] / "trusted.pem"))
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    if user.keyring:
        (home / "mailbot_test_keyring.py").write_text(KEYRING_MODULE)
        env.update(
            PYTHONPATH=str(home),
            PYTHON_KEYRING_BACKEND="mailbot_test_keyring.FileKeyring",
            TEST_KEYRING_FILE=str(home / "keyring.json"),
        )
    if user.sign_in:
        server = world["oauth"][user.name]
        env.update(MAILBOT_OAUTH2_AUTHORITY=server.url, REQUESTS_CA_BUNDLE=str(server.cert))
    network = {
        "zone_port": world["zone"].port,
        "site_port": world["site"].port,
        "ca": str(world["folder"] / "ca.pem"),
        "hosts": {
            "outlook.office365.com": world["dovecots"]["microsoft"].tls_port,
            "imap.gmail.com": world["dovecots"]["google"].tls_port,
            "imap.bol.com.br": world["dovecots"]["password"].tls_port,
            "imap.own.test": world["dovecots"]["password"].tls_port,
        },
    }
    command = [
        sys.executable,
        "-u",
        __file__,
        "--child",
        json.dumps(network),
        "setup",
        user.address,
    ]
    start = time.monotonic()
    child = subprocess.Popen(
        command, cwd=home, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write("".join(f"{a}\n" for a in user.answers))
    child.stdin.close()
    marks: dict[str, float] = {}
    lines = []
    for line in child.stdout:
        lines.append(line)
        _play_the_browser(world, user, line)
        for mark, start_of in MARKS:
            if mark not in marks and start_of in line:
                marks[mark] = time.monotonic() - start
    code = child.wait()
    marks["total"] = time.monotonic() - start
    if code != 0 or "would draft: ask" not in "".join(lines):
        raise SystemExit(
            f"{user.name}: exit {code}\n{''.join(lines)}\n{child.stderr.read() if child.stderr else ''}"
        )
    return marks


def _play_the_browser(world: dict[str, Any], user: User, line: str) -> None:
    """What the user does in the browser with what the setup printed."""
    import requests

    if not user.sign_in:
        return
    server = world["oauth"][user.name]
    if found := re.search(r"open the page (\S+) and enter the code (\w+)", line):
        requests.post(
            found.group(1), data={"user_code": found.group(2), "login": user.address},
            verify=str(server.cert), timeout=10,
        ).raise_for_status()  # fmt: skip
    elif line.startswith(server.url + "/o/oauth2/v2/auth?"):
        url = line.strip()
        threading.Thread(
            target=lambda: requests.get(url, verify=str(server.cert), timeout=30)
        ).start()


# --- the child: `mailbot setup` with this private internet as its network -----------------


def child(network_json: str, argv: list[str]) -> int:
    from netfakes import Network

    from mailbot.setup import command
    from mailbot.setup.discover import find_server
    from mailbot.setup.network import https_get, probe_imap
    from mailbot.setup.tools import Tools

    config = json.loads(network_json)
    import ssl

    import dns.resolver

    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers, resolver.port = ["127.0.0.1"], config["zone_port"]
    net = Network(resolver)
    net.route("autoconfig.own.test", 443, config["site_port"])
    context = ssl.create_default_context(cafile=config["ca"])  # the test CA only

    def find(address: str, report: Any) -> list[Any]:
        found = find_server(
            address,
            fetch=functools.partial(https_get, context=context, dial=net.dial),
            resolver=resolver,
            probe=functools.partial(probe_imap, context=context, dial=net.dial),
            report=report,
        )
        hosts = config["hosts"]
        return [
            dataclasses.replace(c, host="localhost", port=hosts[c.host]) if c.host in hosts else c
            for c in found
        ]

    parser = argparse.ArgumentParser(prog="mailbot")
    command.add_parser(parser.add_subparsers(dest="command"))
    return command.main(parser.parse_args(argv), tools=Tools(find=find, open_url=lambda url: None))


# --- the table ---------------------------------------------------------------------------------


def human_estimate(user: User) -> float:
    typed = [a for a in user.answers if a not in user.pasted]
    seconds = HUMAN["per_question"] * len(user.answers)
    seconds += HUMAN["per_character"] * sum(len(a) for a in typed)
    seconds += HUMAN["per_paste"] * len(user.pasted)
    seconds += HUMAN["sign_in"] if user.sign_in else 0
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--users", default="microsoft,google,ispdb,autoconfig")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    known, rest = parser.parse_known_args()
    if known.child:
        return child(known.child, rest)
    chosen = [users()[name] for name in known.users.split(",")]
    rows = []
    with servers() as world:
        for user in chosen:
            login = "ana" if user.name == "ispdb" else user.address
            seed(world, user, login)
            runs = [run(world, user, n) for n in range(known.repeat)]
            median = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            rows.append((user, median, max(r["total"] for r in runs)))
    print(f"mailbot setup, {known.repeat} runs per user (median seconds from the start):")
    print(
        "| user | server found | logged in | .env written | checked | dry run done (max) | questions | + a person's reading, typing, sign-in (estimate) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for user, m, worst in rows:
        estimate = m["total"] + human_estimate(user)
        print(
            f"| {user.name} ({user.address}) | {m.get('found', 0):.2f} | {m.get('logged in', 0):.2f} | "
            f"{m.get('written', 0):.2f} | {m.get('checked', 0):.2f} | {m['total']:.2f} ({worst:.2f}) | "
            f"{len(user.answers)} | {estimate:.0f} s |"
        )
    print(f"Estimate rule: {HUMAN} (seconds).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
