"""The ``wecare`` command line: one entry point, feature modules register their sub-commands.

Each module in ``COMMAND_MODULES`` exposes ``register(subparsers)`` and sets ``func`` on its
parsers; ``func(args) -> int`` returns the exit code. Errors meant for the user are raised as
``CliError`` and printed without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES = [
    "catalog.cli",
    "nlu.cli",
    "bot.cli",
    "wecare.run",
    "bot.console.cli",
    "bot.store.cli",
    "bot.analytics.cli",
    "wecare.dbcli",
    "bot.nlu_inbox.cli",
    "bot.nlu_models.cli",
]


class CliError(Exception):
    """An error explained to the user in one line (exit code 1, or ``code``)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every registered sub-command."""
    parser = argparse.ArgumentParser(prog="wecare", description="WeCare Assistant tools")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _schema_outdated(exc: BaseException) -> bool:
    """True for the production refusal of an old app or catalog schema (one line, no trace)."""
    from bot.store.db import SchemaOutdated
    from catalog.db import CatalogSchemaOutdated

    return isinstance(exc, (SchemaOutdated, CatalogSchemaOutdated))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        return int(func(args) or 0)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except RuntimeError as exc:
        if not _schema_outdated(exc):
            raise
        print(f"error: {exc}", file=sys.stderr)  # production profile: `wecare db migrate`
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
