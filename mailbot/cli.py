"""The `mailbot` command: parses arguments, wires the parts, prints results. No logic here.

Exit codes: 0 done, 1 a cycle had errors (nothing lost: retried next run),
2 configuration or usage error, 3 cannot connect or log in.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from mailbot import __version__
from mailbot.errors import ConfigError, ConnectError, MailbotError

EXIT_OK, EXIT_ERRORS, EXIT_CONFIG, EXIT_CONNECT = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mailbot",
        description="Drafts polite replies to connection requests from strangers. Never sends.",
    )
    parser.add_argument("--version", action="version", version=f"mailbot {__version__}")
    parser.add_argument(
        "--env-file",
        type=Path,
        metavar="PATH",
        help="configuration file (default: ./.env); environment variables win",
    )
    parser.add_argument("--run-once", action="store_true", help="run one cycle and exit")
    parser.add_argument(
        "--dry-run", action="store_true", help="with --run-once: decide and render, write nothing"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    parse = commands.add_parser("parse", help="show what mailbot reads in saved .eml files")
    parse.add_argument("files", nargs="+", metavar="FILE", help="an .eml file, or - for stdin")
    parse.add_argument("--json", action="store_true", help="one JSON object per file")
    who = commands.add_parser("who", help="what your contacts and mail history say about a name")
    who.add_argument("name", help='a full name, e.g. "Jane Doe"')
    who.add_argument("--json", action="store_true", help="print one JSON object")
    who.add_argument(
        "--no-refresh",
        action="store_true",
        help="use the index as it is, without reading new mail first",
    )
    status = commands.add_parser("status", help="requests awaiting you, and open conversations")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    demo = commands.add_parser("demo", help="run the pipeline on bundled sample mail, offline")
    demo.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.run_once or args.command else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        if args.command == "parse":
            from mailbot.commands import parse_files

            return parse_files(args.files, as_json=args.json)
        if args.command == "who":
            from mailbot.commands import who
            from mailbot.config import load_settings

            settings = load_settings(args.env_file)
            return who(settings, args.name, as_json=args.json, refresh=not args.no_refresh)
        if args.command == "status":
            from mailbot.commands import status
            from mailbot.config import load_settings

            return status(load_settings(args.env_file), as_json=args.json)
        if args.command == "demo":
            from mailbot.commands import demo

            return demo(as_json=args.json)
        return _run(args)
    except ConfigError as exc:
        print(f"mailbot: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except ConnectError as exc:
        print(f"mailbot: cannot connect: {exc}", file=sys.stderr)
        return EXIT_CONNECT
    except MailbotError as exc:
        print(f"mailbot: {exc}", file=sys.stderr)
        return EXIT_ERRORS


def _run(args: argparse.Namespace) -> int:
    from mailbot.config import load_settings
    from mailbot.daemon import run_daemon, run_once

    if args.dry_run and not args.run_once:
        raise ConfigError("--dry-run", "goes with --run-once")
    settings = load_settings(args.env_file)
    if not args.run_once:
        return run_daemon(settings)
    report = run_once(settings, dry_run=args.dry_run)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        from mailbot.commands import print_report

        print_report(report, dry_run=args.dry_run)
    return EXIT_ERRORS if report.errors else EXIT_OK
