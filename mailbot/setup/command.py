"""The `mailbot setup` subcommand: its arguments, and the wizard wired to them.

Exit codes as everywhere in mailbot: 0 done, 1 written but `check` or the dry run found
a problem, 2 a usage or configuration error (or the owner kept an existing .env), 3
cannot connect or log in, 130 interrupted (nothing written, unless it says so).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mailbot.errors import ConfigError, ConnectError, MailbotError, UsageError
from mailbot.terminal import shown

DESCRIPTION = (
    "Takes you from your email address to a working .env and a first dry run: finds "
    "your IMAP server (the domain's autoconfig, Mozilla's ISP database, its MX, then "
    "guesses) and says where each setting came from; logs in (a password, kept in the "
    "OS keyring or the .env, or OAuth2 with your own Microsoft or Google app), checked "
    "by a real login before anything is written; finds the Drafts, Sent and Archive "
    "folders; asks your name (and, if you like, phone, X handle, coffee place, language "
    "and LinkedIn export); writes the .env (mode 0600), then runs `mailbot check` and a "
    "dry run over the last 30 days. Every question has a flag, for scripts."
)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """The `setup` subcommand on `subparsers` (argparse's add_subparsers())."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "setup",
        help="from your email address to a working .env and a first dry run",
        description=DESCRIPTION,
    )
    parser.add_argument("address", nargs="?", metavar="ADDRESS", help="your email address")
    parser.add_argument(
        "--login",
        action="store_true",
        help="only log in again (a new password, or OAuth2 sign-in) for an existing .env",
    )
    parser.add_argument(
        "--env-file",
        type=Path,
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the .env to write (default: ./.env)",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace an existing .env without asking"
    )
    parser.add_argument(
        "--non-interactive",
        action="store_true",
        help="ask nothing: answers from the flags, else defaults (a missing answer is an error)",
    )
    parser.add_argument(
        "--yes",
        "-y",
        action="store_true",
        help="take every default without asking (the first server found, ...)",
    )
    server = parser.add_argument_group("server (instead of finding it)")
    server.add_argument("--imap-host", metavar="HOST", help="your IMAP server; skips discovery")
    server.add_argument(
        "--imap-port", type=int, metavar="PORT", help="993 (TLS, default) or 143 (STARTTLS)"
    )
    login = parser.add_argument_group("login")
    login.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )
    login.add_argument(
        "--no-keyring",
        action="store_true",
        help="keep the password in the .env, not in the OS keyring",
    )
    login.add_argument(
        "--oauth2-client-id", metavar="ID", help="the client ID of your own Microsoft or Google app"
    )
    login.add_argument(
        "--oauth2-client-secret", metavar="SECRET", help="Google: your OAuth client's secret"
    )
    login.add_argument(
        "--oauth2-tenant",
        metavar="TENANT",
        help="Microsoft: your tenant ID or domain (default: common)",
    )
    you = parser.add_argument_group("you")
    you.add_argument("--name", help="your name, as you sign (required)")
    you.add_argument("--phone", help="phone under your name")
    you.add_argument("--x", metavar="HANDLE", help="your X handle, e.g. @you")
    you.add_argument(
        "--coffee", metavar="PLACE", help='where you would meet for a coffee, e.g. "central Leeds"'
    )
    you.add_argument("--language", metavar="CODE", help="your language (en, fr, de, ...)")
    you.add_argument(
        "--contacts",
        metavar="PATHS",
        help="your records, comma-separated (default: the newest LinkedIn export in ~/Downloads; - for none)",
    )
    return parser


def main(args: argparse.Namespace, *, tools: Any = None, terminal: Any = None) -> int:
    """Run `mailbot setup` as `args` say. `tools` and `terminal` replace the outside
    world (tests): mailbot.setup.tools.Tools and mailbot.setup.prompts.Terminal."""
    from mailbot.setup.prompts import Prompter, Terminal
    from mailbot.setup.tools import Tools

    terminal = terminal or Terminal()
    tools = tools or Tools()
    prompter = Prompter(terminal, interactive=not args.non_interactive, yes=args.yes)
    try:
        return _run(args, prompter, tools)
    except ConfigError as exc:
        return _fail(f"configuration error: {exc}", 2)
    except ConnectError as exc:
        return _fail(f"cannot connect: {exc}", 3)
    except UsageError as exc:
        return _fail(str(exc), 2)
    except MailbotError as exc:
        return _fail(str(exc), 1)
    except KeyboardInterrupt:
        start = "\n" if sys.stderr.isatty() else ""
        print(f"{start}mailbot: interrupted: nothing was written", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace, prompter: Any, tools: Any) -> int:
    from mailbot.setup.login import LoginAnswers
    from mailbot.setup.profile import ProfileAnswers
    from mailbot.setup.server import ServerAnswers
    from mailbot.setup.wizard import SetupAnswers, run_setup

    env_file = getattr(args, "env_file", None) or Path(".env")
    password = None
    if args.password_stdin:  # before any question: the first line of the input
        password = prompter.terminal.read_secret("").rstrip("\r\n")
        if not password:
            raise UsageError("--password-stdin: the first line of the input is empty")
    login = LoginAnswers(
        password=password,
        keyring=False if args.no_keyring else None,
        client_id=args.oauth2_client_id,
        client_secret=args.oauth2_client_secret,
        tenant=args.oauth2_tenant,
    )
    if args.login:
        from mailbot.setup.relogin import run_login

        return run_login(env_file, login, prompter, tools)
    answers = SetupAnswers(
        env_file=env_file,
        address=args.address,
        force=args.force,
        server=ServerAnswers(args.imap_host, args.imap_port),
        login=login,
        profile=ProfileAnswers(
            args.name, args.phone, args.x, args.coffee, args.language, args.contacts
        ),
    )
    return run_setup(answers, prompter, tools)


def _fail(message: str, code: int) -> int:
    print(f"mailbot: {shown(message)}", file=sys.stderr)
    return code
