"""``wecare operators add|list|disable|enable``: manage console accounts."""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.console.accounts import AccountRepository
from bot.handoff.models import ROLES
from bot.store import create_store_engine
from bot.store.db import prepare_db
from catalog.constants import ENTE_IDS
from wecare.settings import get_settings


def _accounts() -> AccountRepository:
    settings = get_settings()
    engine = create_store_engine(settings.app_database_url)
    prepare_db(engine, migrate=not settings.production_profile)
    return AccountRepository(engine)


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Ripeti la password: ") != first:
        return None
    return first


def _add(args: argparse.Namespace) -> int:
    enti = [e.strip() for e in (args.enti or "").split(",") if e.strip()]
    unknown = [e for e in enti if e not in ENTE_IDS]
    if unknown:
        return _error(f"unknown ente gestore: {', '.join(unknown)} (known: {', '.join(ENTE_IDS)})")
    password = _read_password(args)
    if password is None:
        return _error("the passwords do not match")
    try:
        op = _accounts().add(
            args.username, args.name or args.username, password, role=args.role, enti=enti
        )
    except ValueError as exc:
        return _error(str(exc))
    print(f"added {op.username} ({op.role}; {', '.join(op.enti) or 'all enti'})")
    return 0


def _list(args: argparse.Namespace) -> int:
    rows = _accounts().list()
    if not rows:
        print("no operators: add one with `wecare operators add`")
        return 0
    for op in rows:
        state = "active" if op.active else "disabled"
        enti = ",".join(op.enti) or "-"
        print(f"{op.username:<20} {op.role:<10} {state:<8} {enti:<30} {op.display_name}")
    return 0


def _set_active(args: argparse.Namespace, active: bool) -> int:
    if not _accounts().set_active(args.username, active):
        return _error(f"no operator {args.username!r}")
    print(f"{args.username} {'enabled' if active else 'disabled'}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``operators`` sub-command."""
    parser = subparsers.add_parser("operators", help="manage operator console accounts")
    sub = parser.add_subparsers(dest="operators_command", metavar="ACTION", required=True)

    add = sub.add_parser("add", help="create an account (asks the password twice)")
    add.add_argument("username")
    add.add_argument("--name", help="display name shown to citizens (default: username)")
    add.add_argument("--role", choices=ROLES, default="operator")
    add.add_argument(
        "--enti",
        help=f"comma-separated enti gestori (required for operators): {','.join(ENTE_IDS)}",
    )
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from one stdin line"
    )
    add.set_defaults(func=_add)

    lst = sub.add_parser("list", help="list accounts")
    lst.set_defaults(func=_list)

    disable = sub.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("username")
    disable.set_defaults(func=lambda a: _set_active(a, False))

    enable = sub.add_parser("enable", help="enable a disabled account")
    enable.add_argument("username")
    enable.set_defaults(func=lambda a: _set_active(a, True))
