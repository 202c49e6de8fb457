"""The `mailbot` command: parses arguments, wires the parts, prints results. No logic here.

Exit codes: 0 done, 1 a cycle had errors (nothing lost: retried next run) or a check
failed, 2 configuration or usage error or a state file that cannot be used as it is, 3 cannot connect or log in, 4 another mailbot
is running on the same state database.

Modules are imported where a command needs them, so `mailbot parse` or a cold
`mailbot --run-once` does not pay for the scheduler or the templates it does not use.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from mailbot import __version__, logs
from mailbot.errors import ConfigError, ConnectError, MailbotError, StateFileError, UsageError
from mailbot.terminal import shown

EXIT_OK, EXIT_ERRORS, EXIT_CONFIG, EXIT_CONNECT, EXIT_LOCKED = 0, 1, 2, 3, 4
EXIT_PIPE = 141  # 128 + SIGPIPE, as a shell reports a tool whose reader went away


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
    parser.add_argument(
        "--wait",
        action="store_true",
        help="if another mailbot uses the same state, wait for it to finish",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = commands.add_parser("check", help="check config, server, folders, state, contacts")
    check.add_argument("--env-file", type=Path, metavar="PATH", default=argparse.SUPPRESS)
    parse = commands.add_parser("parse", help="show what mailbot reads in saved .eml files")
    parse.add_argument("files", nargs="+", metavar="FILE", help="an .eml file, or - for stdin")
    parse.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="one JSON object per file"
    )
    parse.add_argument("--env-file", type=Path, metavar="PATH", default=argparse.SUPPRESS)
    who = commands.add_parser("who", help="what your mail history and contacts say about a name")
    who.add_argument("name", help='a full name, e.g. "Jane Doe"')
    who.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON object"
    )
    who.add_argument(
        "--no-refresh",
        action="store_true",
        help="use the index as it is, without reading new mail first",
    )
    who.add_argument("--env-file", type=Path, metavar="PATH", default=argparse.SUPPRESS)
    status = commands.add_parser("status", help="requests awaiting you, and open conversations")
    status.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON object"
    )
    status.add_argument("--env-file", type=Path, metavar="PATH", default=argparse.SUPPRESS)
    decide = commands.add_parser(
        "decide", help="settle a request mailbot left to you (see `mailbot status`)"
    )
    decide.add_argument("who", metavar="WHO", help="a name, address or profile link")
    decide.add_argument(
        "--as",
        dest="verdict",
        required=True,
        choices=("known", "ask", "explain", "ignore"),
        help="known: remember them; ask / explain: draft that reply now; ignore: close it",
    )
    decide.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON object"
    )
    decide.add_argument("--env-file", type=Path, metavar="PATH", default=argparse.SUPPRESS)
    review = commands.add_parser(
        "review", help="walk through the requests waiting for you, one key each"
    )
    review.add_argument("--env-file", type=Path, metavar="PATH", default=argparse.SUPPRESS)
    demo = commands.add_parser("demo", help="run the pipeline on bundled sample mail, offline")
    demo.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON object"
    )
    demo.add_argument(
        "--dir",
        type=Path,
        metavar="DIR",
        help="where to create the demo Maildir (default: a new temp folder, removed after)",
    )
    demo.add_argument("--env-file", type=Path, metavar="PATH", default=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.configure("WARNING")
    try:
        return _dispatch(args)
    except BrokenPipeError:  # `mailbot check | head -3`: quietly, like any Unix tool
        _silence_stdout()
        return EXIT_PIPE
    except ConfigError as exc:
        print(f"mailbot: configuration error: {shown(exc)}", file=sys.stderr)
        return EXIT_CONFIG
    except ConnectError as exc:
        print(f"mailbot: cannot connect: {shown(exc)}", file=sys.stderr)
        return EXIT_CONNECT
    except (UsageError, StateFileError) as exc:
        print(f"mailbot: {shown(exc)}", file=sys.stderr)
        return EXIT_CONFIG
    except MailbotError as exc:
        from mailbot.lock import AlreadyRunning

        print(f"mailbot: {shown(exc)}", file=sys.stderr)
        return EXIT_LOCKED if isinstance(exc, AlreadyRunning) else EXIT_ERRORS
    except KeyboardInterrupt:
        return 130


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's exit flush does not fail a second time."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "parse":
        from mailbot.commands import parse_files

        return parse_files(args.files, as_json=args.json)
    if args.command == "demo":
        from mailbot.demo import run_demo

        return run_demo(args.dir, as_json=args.json)
    if args.dry_run and not args.run_once:
        raise ConfigError("--dry-run", "goes with --run-once")
    if args.json and not args.run_once and args.command is None:
        raise ConfigError("--json", "goes with --run-once or a command (the daemon logs)")

    from mailbot.config import load_settings

    settings = load_settings(args.env_file)
    daemon = args.command is None and not args.run_once
    level = settings.log_level if daemon or settings.log_level == "DEBUG" else "WARNING"
    secrets = (settings.imap.password,) if settings.imap else ()
    logs.configure(level, settings.log_format, secrets=secrets)
    if args.command == "check":
        from mailbot.check import run_checks

        lines = run_checks(settings, str(args.env_file or ".env / environment"))
        print("\n".join(str(line) for line in lines))
        return EXIT_OK if all(line.ok for line in lines) else EXIT_ERRORS
    if args.command == "who":
        from mailbot.commands import who

        return who(settings, args.name, as_json=args.json, refresh=not args.no_refresh)
    if args.command == "status":
        from mailbot.commands import status

        return status(settings, as_json=args.json)
    if args.command == "decide":
        from mailbot.owner import decide

        return decide(settings, args.who, args.verdict, as_json=args.json)
    if args.command == "review":
        from mailbot.owner import review

        return review(settings)

    from mailbot.lock import InstanceLock

    with InstanceLock(settings.state_path, wait=args.wait):
        if daemon:
            from mailbot.daemon import run_daemon

            return run_daemon(settings)
        from mailbot.runner import run_once

        report = run_once(settings, dry_run=args.dry_run)
    from mailbot.commands import print_json, print_report

    if args.json:
        print_json(report.as_json())
    else:
        print_report(report, dry_run=args.dry_run)
    return EXIT_ERRORS if report.errors else EXIT_OK
