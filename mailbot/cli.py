"""The `mailbot` command: parses arguments, wires the parts, prints results. No logic here.

Exit codes: 0 done, 1 a cycle had errors (nothing lost: retried next run) or a check
failed, 2 configuration or usage error or a state file that cannot be used as it is, 3
cannot connect or log in, 4 another mailbot is running on the same state database, 130
interrupted (Ctrl-C: what was stored is kept).

Modules are imported where a command needs them, so `mailbot parse` or a cold
`mailbot --run-once` does not pay for the scheduler or the templates it does not use.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mailbot import __version__, logs
from mailbot.errors import ConfigError, ConnectError, MailbotError, StateFileError, UsageError
from mailbot.terminal import shown

if TYPE_CHECKING:
    from mailbot.config import Settings

EXIT_OK, EXIT_ERRORS, EXIT_CONFIG, EXIT_CONNECT, EXIT_LOCKED = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a tool stopped by Ctrl-C
EXIT_PIPE = 141  # 128 + SIGPIPE, as a shell reports a tool whose reader went away
INTERRUPTED = "interrupted: what was stored is kept, run again to continue"


DAEMON_HELP = (
    "Without a command, mailbot runs as a daemon: a cycle at start, on new mail (IMAP IDLE) "
    "and every MAILBOT_POLL_INTERVAL seconds, until Ctrl-C or SIGTERM. `mailbot --run-once` "
    "runs one cycle and exits (e.g. from cron). `mailbot COMMAND --help` tells more about "
    "each command. Exit codes: 0 done, 1 a cycle had errors or a check failed, 2 "
    "configuration or usage error, 3 cannot connect or log in, 4 another mailbot uses the "
    "same state, 130 interrupted."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mailbot",
        description="Drafts polite replies to connection requests from strangers. Never sends.",
        epilog=DAEMON_HELP,
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
    from mailbot.setup import command as setup_command  # argparse only: the wizard is lazy

    setup_command.add_parser(commands)
    command(
        commands,
        "check",
        "check config, server, folders, state, contacts",
        "Checks what mailbot needs, one line each, OK or ERR with what to fix: every "
        "configuration mistake (naming its key), the connection and login, the server's "
        "capabilities, the folders it will use, the state database, each entry of "
        "MAILBOT_CONTACTS and the templates. A line that needs a setting in error says "
        "so; the others are still checked. Exit 2 if the configuration has a mistake, "
        "else 1 if any line is ERR.",
        json=None,
    )
    parse = command(
        commands,
        "parse",
        "show what mailbot reads in saved .eml files",
        "Shows what mailbot reads in saved messages: what kind of message it is, the "
        "requester, their note and the language of the reply, the invitation key and "
        "the reasons. Needs no configuration and no server.",
        json="one JSON object per file",
    )
    parse.add_argument("files", nargs="+", metavar="FILE", help="an .eml file, or - for stdin")
    who = command(
        commands,
        "who",
        "what your mail history and contacts say about a name",
        "Tells what your mail history and contacts say about a name, and the decision an "
        "invitation from that name with no note would get. New mail is indexed first (the "
        "first time, your Sent folder's headers, with progress) unless --no-refresh.",
    )
    who.add_argument("name", help='a full name, e.g. "Jane Doe"')
    who.add_argument(
        "--no-refresh",
        action="store_true",
        help="use the index as it is, without reading new mail first",
    )
    command(
        commands,
        "status",
        "requests awaiting you, and open conversations",
        "Lists the requests waiting for your judgement (settle them with `mailbot review` "
        "or `mailbot decide`), the open conversations and what became of our drafts, the "
        "conversations closed, and the messages mailbot could not handle. Reads the state "
        "only: never contacts the server.",
    )
    decide = command(
        commands,
        "decide",
        "settle a request mailbot left to you (see `mailbot status`)",
        "Settles a request mailbot left to you, as your own word: known remembers them "
        "(an unedited draft of ours is withdrawn), ask or explain stores that draft now, "
        "ignore closes the conversation. WHO is a name, an address or a profile link "
        "`mailbot status` lists.",
    )
    decide.add_argument("who", metavar="WHO", help="a name, address or profile link")
    decide.add_argument(
        "--as",
        dest="verdict",
        required=True,
        choices=("known", "ask", "explain", "ignore"),
        help="known: remember them; ask / explain: draft that reply now; ignore: close it",
    )
    command(
        commands,
        "review",
        "walk through the requests waiting for you, one key each",
        "On a terminal: each request waiting for you, one at a time, settled with one key "
        "(k known, a ask, e explain, i ignore, s skip, q quit), as `mailbot decide` would. "
        "Without a terminal it prints the list.",
        json=None,
    )
    demo = command(
        commands,
        "demo",
        "run the pipeline on bundled sample mail, offline",
        "Runs the real pipeline on bundled sample mail in a throwaway Maildir, twice, with "
        "a stranger's answer in between, and prints every decision with its reasons and "
        "every draft. Offline: no configuration, no server, nothing sent.",
    )
    demo.add_argument(
        "--dir",
        type=Path,
        metavar="DIR",
        help="where to create the demo Maildir (default: a new temp folder, removed after)",
    )
    return parser


def command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    description: str,
    *,
    json: str | None = "print one JSON object",
) -> argparse.ArgumentParser:
    """A subcommand: `summary` for the list in `mailbot --help`, `description` for its
    own --help; every command takes --env-file, and --json unless `json` is None."""
    parser = commands.add_parser(name, help=summary, description=description)
    if json is not None:
        parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=json)
    parser.add_argument(
        "--env-file",
        type=Path,
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="configuration file (default: ./.env); environment variables win",
    )
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
        # A terminal has echoed "^C" without a line break: start on a line of our own.
        start = "\n" if sys.stderr.isatty() else ""
        print(f"{start}mailbot: {INTERRUPTED}", file=sys.stderr)
        return EXIT_INTERRUPTED


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's exit flush does not fail a second time."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _dispatch(args: argparse.Namespace) -> int:
    if args.command in WITHOUT_SETTINGS:
        return WITHOUT_SETTINGS[args.command](args)
    if args.dry_run and not args.run_once:
        raise ConfigError("--dry-run", "goes with --run-once")
    if args.json and not args.run_once and args.command is None:
        raise ConfigError("--json", "goes with --run-once or a command (the daemon logs)")

    from mailbot.config import load_settings

    settings = load_settings(args.env_file)
    daemon = args.command is None and not args.run_once
    _configure_logs(settings, daemon=daemon)
    if args.command is not None:
        return WITH_SETTINGS[args.command](args, settings)

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


def _configure_logs(settings: Settings, *, daemon: bool) -> None:
    """The daemon logs at MAILBOT_LOG_LEVEL; one-shot commands show warnings (or debug)."""
    level = settings.log_level if daemon or settings.log_level == "DEBUG" else "WARNING"
    secrets = (settings.imap.password,) if settings.imap else ()
    logs.configure(level, settings.log_format, secrets=secrets)


# -- the commands: each wires its module, which does the work and prints ---------------


def _parse(args: argparse.Namespace) -> int:
    from mailbot.commands import parse_files

    return parse_files(args.files, as_json=args.json)


def _demo(args: argparse.Namespace) -> int:
    from mailbot.demo import run_demo

    return run_demo(args.dir, as_json=args.json)


def _check(args: argparse.Namespace) -> int:
    """Reads the configuration itself: every mistake is a line, and the rest is checked."""
    from mailbot.check import load_config, run_checks

    config = load_config(args.env_file)
    if config.settings is not None:
        _configure_logs(config.settings, daemon=False)  # a stand-in is never a password
    lines = run_checks(config)
    print("\n".join(str(line) for line in lines))
    if any(not line.ok and line.item == "config" for line in lines):
        return EXIT_CONFIG
    return EXIT_OK if all(line.ok for line in lines) else EXIT_ERRORS


def _who(args: argparse.Namespace, settings: Settings) -> int:
    from mailbot.commands import who

    return who(settings, args.name, as_json=args.json, refresh=not args.no_refresh)


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from mailbot.commands import status

    return status(settings, as_json=args.json)


def _decide(args: argparse.Namespace, settings: Settings) -> int:
    from mailbot.owner import decide

    return decide(settings, args.who, args.verdict, as_json=args.json)


def _review(args: argparse.Namespace, settings: Settings) -> int:
    from mailbot.owner import review

    return review(settings)


# A new command: its parser in build_parser (`command(...)`) and its function here.
def _setup(args: argparse.Namespace) -> int:
    from mailbot.setup import command as setup_command

    return setup_command.main(args)


WITHOUT_SETTINGS: dict[str, Callable[[argparse.Namespace], int]] = {
    "setup": _setup,
    "parse": _parse,
    "demo": _demo,
    "check": _check,
}
WITH_SETTINGS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "who": _who,
    "status": _status,
    "decide": _decide,
    "review": _review,
}
