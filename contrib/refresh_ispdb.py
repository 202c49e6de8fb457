"""Convert Mozilla's ISP database into mailbot/data/ispdb.tsv (IMAP servers only).

The database is the ispdb/*.xml files of https://github.com/thunderbird/autoconfig (MPL-2.0),
one file per provider listing the domains it serves. mailbot's server discovery
(mailbot/setup/discover.py) looks an address's domain, and its MX host's domain, up in the
table this writes. To refresh it:

    git clone --depth 1 https://github.com/thunderbird/autoconfig /tmp/autoconfig
    .venv/bin/python contrib/refresh_ispdb.py /tmp/autoconfig

The same reader as for a fetched autoconfig file keeps only IMAP servers with TLS and a
login mailbot can do (password, OAuth2). Running it twice on one checkout writes the same
file. Prints how many providers and domains it took, and what it skipped.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this tree's mailbot, not an installed one

from mailbot.setup.ispdb import (  # noqa: E402 - after the path is set
    ConfigRejected,
    ServerEntry,
    format_table,
    parse_config,
    provider_domains,
)

HEADER = """\
# Mozilla's ISP database (the Thunderbird autoconfig project), IMAP servers only.
# Written by contrib/refresh_ispdb.py from https://github.com/thunderbird/autoconfig ispdb/*.xml
# at commit {commit}: do not edit, run the script again.
# This Source Code Form is subject to the terms of the Mozilla Public License, v. 2.0.
# If a copy of the MPL was not distributed with this file, You can obtain one at
# https://mozilla.org/MPL/2.0/. (The rest of mailbot is MIT; this file stays MPL-2.0.)
# Columns (tab-separated): host, port, security (ssl|starttls), auth (oauth2|password),
# username (%EMAILADDRESS%: the address; %EMAILLOCALPART%: the part before the @), domains.
"""

Provider = tuple[list[ServerEntry], list[str]]  # its IMAP servers, its domains


def convert(ispdb: Path) -> tuple[list[Provider], list[str]]:
    """The providers, file by file in name order, and a line per file or domain skipped.
    A domain listed by two files stays with the first."""
    providers: list[Provider] = []
    skipped: list[str] = []
    taken: dict[str, str] = {}
    for path in sorted(ispdb.glob("*.xml")):
        data = path.read_bytes()
        try:
            servers = parse_config(data)
            domains = provider_domains(data)
        except ConfigRejected as exc:
            skipped.append(f"{path.name}: {exc}")
            continue
        if not servers:
            skipped.append(f"{path.name}: no IMAP server with TLS and a usable login")
            continue
        for domain in domains:
            if domain in taken:
                skipped.append(f"{path.name}: {domain} already from {taken[domain]}")
        mine = [d for d in domains if d not in taken]
        taken.update(dict.fromkeys(mine, path.name))
        if mine:
            providers.append((servers, mine))
    return providers, skipped


def commit_of(checkout: Path) -> str:
    """The checkout's commit and its date, or 'unknown' outside a git work tree."""
    result = subprocess.run(
        ["git", "-C", str(checkout), "log", "-1", "--format=%H (%cs)"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="a checkout of thunderbird/autoconfig")
    parser.add_argument("--out", type=Path, default=ROOT / "mailbot" / "data" / "ispdb.tsv")
    parser.add_argument("--commit", help="the commit converted (default: asked of git)")
    args = parser.parse_args(argv)
    ispdb = args.checkout / "ispdb"
    if not ispdb.is_dir():
        parser.error(f"{ispdb} is not a folder: give a checkout of thunderbird/autoconfig")
    providers, skipped = convert(ispdb)
    rows = [(server, domains) for servers, domains in providers for server in servers]
    header = HEADER.format(commit=args.commit or commit_of(args.checkout))
    args.out.write_text(header + "".join(f"{line}\n" for line in format_table(rows)))
    for line in skipped:
        print(f"skipped {line}", file=sys.stderr)
    domains = sum(len(d) for _, d in providers)
    print(f"{args.out}: {domains} domains, {len(providers)} providers, {len(rows)} IMAP servers")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
