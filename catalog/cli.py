"""``wecare catalog …``: load, search, export and validate the service catalog."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from catalog.constants import CATEGORIES, TARGET_GROUPS

# Heavy imports (SQLAlchemy, Alembic) happen inside the commands: `wecare --help` stays fast.


def register(subparsers: Any) -> None:
    """Add the ``catalog`` command and its sub-commands to the ``wecare`` parser."""
    parser = subparsers.add_parser(
        "catalog", help="service catalog: load, search, export, validate, coverage"
    )
    parser.set_defaults(func=lambda _args: parser.print_help() or 2)
    sub = parser.add_subparsers(dest="catalog_command", metavar="SUBCOMMAND")

    def common(p: argparse.ArgumentParser, db: bool = True) -> None:
        if db:
            p.add_argument("--database-url", help="catalog DB (default: DATABASE_URL)")
        p.add_argument("--data-dir", type=Path, help="seed folder (default: catalog_data/)")

    p = sub.add_parser("load", help="create/upgrade the schema and load catalog_data/ (idempotent)")
    common(p)
    p.add_argument("--reset", action="store_true", help="drop every catalog table first")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("search", help="search services for a comune/category/text")
    p.add_argument("--database-url", help="catalog DB (default: DATABASE_URL)")
    p.add_argument("--comune", help='comune name or CAP ("cuorgne", "CUORGNÈ", "10082")')
    p.add_argument("--category", help=f"one of: {', '.join(CATEGORIES)}")
    p.add_argument("--text", help="free text (accent-insensitive full-text search)")
    p.add_argument("--target-group", help=f"one of: {', '.join(TARGET_GROUPS)}")
    p.add_argument("--age", type=int, help="age of the person")
    p.add_argument("--page", type=int, default=1, help="page number (default 1)")
    p.add_argument("--page-size", type=int, default=10, help="results per page (default 10)")
    p.add_argument("--json", action="store_true", help="print a JSON list of services")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser(
        "export", help="export the catalog (HSDS-like JSON, CSV of services, or seed files)"
    )
    common(p)
    p.add_argument("--format", choices=("hsds-json", "csv", "seed"), default="hsds-json")
    p.add_argument(
        "--out", type=Path, help="output file (seed: a folder, required; default: standard output)"
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("validate", help="check the seed files; bad rows with file and line")
    common(p, db=False)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "coverage", help="services per ente gestore x category: local/distretto/regional"
    )
    p.add_argument("--database-url", help="catalog DB (default: DATABASE_URL)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print the cells as JSON")
    fmt.add_argument("--markdown", action="store_true", help="print a Markdown table")
    p.set_defaults(func=cmd_coverage)

    from catalog import admin_cli

    admin_cli.register(sub)


def _engine(args: argparse.Namespace) -> Any:
    from catalog.db import make_engine
    from wecare.settings import get_settings

    return make_engine(args.database_url or get_settings().database_url)


def _data_dir(args: argparse.Namespace) -> Path:
    from wecare.settings import get_settings

    return args.data_dir or get_settings().catalog_data_dir


def _seed_error(exc: Any) -> Exception:
    from wecare.cli import CliError

    lines = [str(e) for e in exc.errors]
    return CliError(f"invalid seed files ({len(lines)} problem(s)):\n  " + "\n  ".join(lines))


def cmd_load(args: argparse.Namespace) -> int:
    """``wecare catalog load [--reset]``."""
    from sqlalchemy.exc import SQLAlchemyError

    from catalog.admin.editor import edited_record_count
    from catalog.loader import load
    from catalog.seedfiles import SeedFileError
    from wecare.cli import CliError

    engine = _engine(args)
    try:
        if edited := edited_record_count(engine):
            print(
                f"note: {edited} record(s) were edited in the admin area or with `wecare "
                "catalog edit`; `load` puts back the values of the seed files (run `wecare "
                "catalog export --format seed` first to keep the edits)",
                file=sys.stderr,
            )
        report = load(engine, _data_dir(args), reset=args.reset)
    except SeedFileError as exc:
        raise _seed_error(exc) from None
    except SQLAlchemyError as exc:
        raise CliError(f"catalog database error: {exc.__class__.__name__}: {exc}") from None
    finally:
        engine.dispose()
    print(f"catalog {'reset and ' if report.reset else ''}loaded into {engine.url!r}")
    for line in report.lines():
        print(f"  {line}")
    print("  " + ("changes written" if report.changed else "already up to date: nothing changed"))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """``wecare catalog search --comune X --category Y [--text T] [--json]``."""
    from catalog.service import CatalogService, CatalogUnavailable, UnknownCategory, UnknownComune
    from wecare.cli import CliError

    engine = _engine(args)
    service = CatalogService(engine)
    try:
        page = service.search_services(
            category=args.category,
            text=args.text,
            comune=args.comune,
            target_group=args.target_group,
            age=args.age,
            page=args.page,
            page_size=args.page_size,
        )
    except UnknownComune as exc:
        raise CliError(_unknown_comune_message(exc)) from None
    except UnknownCategory as exc:
        raise CliError(str(exc)) from None
    except CatalogUnavailable as exc:
        raise CliError(f"{exc}\n  hint: run `wecare catalog load` first") from None
    except ValueError as exc:
        raise CliError(str(exc)) from None
    finally:
        engine.dispose()
    if args.json:
        items = []
        for s in page.items:
            item = s.to_payload()
            item["target_groups"] = s.target_groups
            items.append(item)
        json.dump(items, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    where = page.comune.name if page.comune else "tutta l'area"
    ente = f" – ente gestore {page.ente_gestore.name}" if page.ente_gestore else ""
    print(f"{page.total} servizi ({where}{ente}), pagina {page.page}:")
    for n, s in enumerate(page.items, start=(page.page - 1) * page.page_size + 1):
        mark = "" if s.verified else " (da verificare)"
        print(f"{n:>3}. [{s.scope}] {s.name} – {s.provider_name} <{s.id}>{mark}")
    return 0


def _unknown_comune_message(exc: Any) -> str:
    match = exc.match
    if match.out_of_area:
        return f"'{exc.query}' is outside the ASL TO4 area (not covered by this catalog)"
    if match.ambiguous_cap:
        return f"CAP {exc.query} is shared by: {', '.join(match.ambiguous_cap)}; give the name"
    hint = f" – did you mean: {', '.join(match.suggestions)}?" if match.suggestions else ""
    return f"unknown comune '{exc.query}'{hint}"


def cmd_export(args: argparse.Namespace) -> int:
    """``wecare catalog export --format hsds-json|csv [--out FILE]``."""
    from sqlalchemy.exc import SQLAlchemyError

    from catalog.export import hsds_json, services_csv
    from wecare.cli import CliError

    if args.format == "seed":
        return _export_seed(args)
    engine = _engine(args)
    try:
        if args.format == "csv":
            text = services_csv(engine)
        else:
            text = json.dumps(hsds_json(engine), ensure_ascii=False, indent=2) + "\n"
    except SQLAlchemyError as exc:
        raise CliError(
            f"catalog database unavailable ({exc.__class__.__name__}); "
            "run `wecare catalog load` first"
        ) from None
    finally:
        engine.dispose()
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out} ({args.format})", file=sys.stderr)
    return 0


def _export_seed(args: argparse.Namespace) -> int:
    """``wecare catalog export --format seed --out DIR``: the database as ``catalog_data/``."""
    from sqlalchemy.exc import SQLAlchemyError

    from catalog.seed_export import export_seed
    from wecare.cli import CliError

    if args.out is None:
        raise CliError("--format seed needs --out DIR (a folder in the catalog_data/ format)")
    if args.out.resolve() == _data_dir(args).resolve():
        print(f"overwriting the seed folder {args.out}", file=sys.stderr)
    engine = _engine(args)
    try:
        counts = export_seed(engine, args.out, _data_dir(args))
    except SQLAlchemyError as exc:
        raise CliError(
            f"catalog database unavailable ({exc.__class__.__name__}); "
            "run `wecare catalog load` first"
        ) from None
    finally:
        engine.dispose()
    summary = ", ".join(f"{n} {name}" for name, n in counts.items())
    print(f"wrote {args.out} (seed format: {summary})", file=sys.stderr)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """``wecare catalog validate``: exit 1 and list every bad row (file:line: problem)."""
    from catalog.seedfiles import read_seed
    from catalog.validation import validate

    data_dir = _data_dir(args)
    data = read_seed(data_dir)
    errors = validate(data)
    for error in errors:
        print(str(error), file=sys.stderr)
    if errors:
        print(f"{len(errors)} problem(s) in {data_dir}", file=sys.stderr)
        return 1
    n = len(data.services) + len(data.templates) * len(data.enti)
    print(
        f"ok: {len(data.comuni)} comuni, {len(data.enti)} enti gestori, "
        f"{len(data.organizations)} organizations, {n} services "
        f"({len(data.templates)} templates x {len(data.enti)} enti), "
        f"{len(data.opportunities)} opportunities"
    )
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    """``wecare catalog coverage [--json|--markdown]``: exit 1 when a pair has no service."""
    from sqlalchemy.exc import SQLAlchemyError

    from catalog.coverage import coverage, gaps, markdown, text_table
    from wecare.cli import CliError

    engine = _engine(args)
    try:
        cells = coverage(engine)
    except SQLAlchemyError as exc:
        raise CliError(
            f"catalog database unavailable ({exc.__class__.__name__}); "
            "run `wecare catalog load` first"
        ) from None
    finally:
        engine.dispose()
    if args.json:
        json.dump([c.to_dict() for c in cells], sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.markdown:
        sys.stdout.write(markdown(cells))
    else:
        sys.stdout.write(text_table(cells))
    missing = gaps(cells)
    for ente, category in missing:
        print(f"no service at all: {ente} x {category}", file=sys.stderr)
    return 1 if missing else 0
