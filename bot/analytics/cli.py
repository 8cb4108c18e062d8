"""``wecare analytics``: the needs report on the command line (text tables or CSV).

The same report as the admin section, with the same suppression: ``--from``/``--to``
(AAAA-MM-GG, default the last 30 days), ``--granularity day|week|month``, ``--ente`` (one
ente gestore; default all), ``--table`` (one table id), ``--format text|csv``, ``--out``.
``wecare analytics rollup [--since AAAA-MM-GG]`` rebuilds the daily roll-ups from the log
(idempotent; default from the first logged day to yesterday).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime
from pathlib import Path

from bot.analytics.export import table_rows, tables_csv
from bot.analytics.privacy import Table
from bot.analytics.rolled import RolledSource
from bot.analytics.service import AnalyticsService
from bot.analytics.source import ROME
from bot.console.admin.analytics_params import (
    BadParams,
    labels_from_texts,
    parse_query,
    unknown_table,
)
from bot.store.db import create_store_engine, prepare_db
from bot.texts import console_texts
from catalog.db import make_engine
from catalog.reference import ente_short_names
from wecare.settings import get_settings


def render_text(table: Table) -> str:
    """One table as aligned plain-text columns, under its title."""
    rows = table_rows(table)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [table.title, "=" * len(table.title)]
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    from wecare.cli import CliError

    settings = get_settings()
    texts = console_texts()
    enti = ente_short_names(settings.catalog_data_dir)
    params = {
        key: value
        for key, value in (
            ("from", args.start), ("to", args.end), ("granularity", args.granularity),
            ("ente", args.ente), ("table", args.table),
        )
        if value
    }  # fmt: skip
    today = datetime.now(ROME).date()
    try:
        query = parse_query(params, None, today, texts, enti)
    except BadParams as exc:
        raise CliError(f"--{exc.field}: {exc.message}", code=2) from None
    app_engine = create_store_engine(settings.app_database_url)
    catalog_engine = make_engine(settings.database_url)
    try:
        prepare_db(app_engine, migrate=not settings.production_profile)
        report = AnalyticsService(app_engine, catalog_engine).report(
            query.scope, labels_from_texts(texts, enti)
        )
    finally:
        app_engine.dispose()
        catalog_engine.dispose()
    tables = report.tables
    if query.table:
        found = report.table(query.table)
        if found is None:
            known = ", ".join(t.id for t in report.tables)
            raise CliError(f"--table: {unknown_table(texts)} ({known})", code=2)
        tables = [found]
    if args.format == "csv":
        output = tables_csv(tables)
    else:
        output = "\n\n".join(render_text(t) for t in tables) + "\n"
    if args.out:
        Path(args.out).write_text(output, encoding="utf-8")
        print(f"{len(tables)} tables written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(output)
    return 0


def _rollup(args: argparse.Namespace) -> int:
    from wecare.cli import CliError

    since = None
    if args.since:
        try:
            since = date.fromisoformat(args.since)
        except ValueError:
            raise CliError("--since: data non valida (AAAA-MM-GG)", code=2) from None
    settings = get_settings()
    engine = create_store_engine(settings.app_database_url)
    try:
        prepare_db(engine, migrate=not settings.production_profile)
        started = time.perf_counter()
        days, read = RolledSource(engine).rebuild(since)
    finally:
        engine.dispose()
    print(f"{days} days rolled up ({read} conversations read) in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``analytics`` to the ``wecare`` CLI."""
    parser = subparsers.add_parser(
        "analytics", help="needs analytics: aggregate tables (cells under 5 conversations hidden)"
    )
    parser.add_argument("--from", dest="start", default=None, help="first day, AAAA-MM-GG")
    parser.add_argument("--to", dest="end", default=None, help="last day, AAAA-MM-GG")
    parser.add_argument("--granularity", choices=("day", "week", "month"), default="week")
    parser.add_argument("--ente", default=None, help="one ente gestore id (default: all)")
    parser.add_argument("--table", default=None, help="one table id (default: all)")
    parser.add_argument("--format", choices=("text", "csv"), default="text")
    parser.add_argument("--out", default=None, help="write to this file instead of stdout")
    parser.set_defaults(func=_run)
    commands = parser.add_subparsers(dest="analytics_command")
    rollup = commands.add_parser("rollup", help="rebuild the daily roll-ups from the log")
    rollup.add_argument("--since", default=None, help="first day, AAAA-MM-GG (default: all)")
    rollup.set_defaults(func=_rollup)
