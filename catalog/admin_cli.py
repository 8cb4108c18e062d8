"""``wecare catalog list|show|create|edit|deactivate|history|stale|expiring``.

The same editor as the console's admin section (:class:`catalog.admin.editor.CatalogEditor`),
for scripts and for whoever works on the server: every change is recorded in the history
with the name given by ``--by``. Records are read and written as YAML in the seed format.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

KINDS = {"service": "service", "opportunity": "opportunity", "ente": "ente_gestore"}


def register(sub: Any) -> None:
    """Add the editing sub-commands to ``wecare catalog``."""

    def base(name: str, help_text: str, func: Any, kind: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--database-url", help="catalog DB (default: DATABASE_URL)")
        if kind:
            p.add_argument("--kind", choices=sorted(KINDS), default="service")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(func=func)
        return p

    p = base("list", "list/search services, opportunities or enti gestori", cmd_list)
    p.add_argument("--search", default="", help="words of the id, name or provider")
    p.add_argument("--organization", action="append", help="only this provider (repeatable)")
    p.add_argument("--status", choices=("active", "inactive"))
    p = base("show", "print one record (YAML, seed format)", cmd_show)
    p.add_argument("id")
    p = base("history", "who changed a record, when, and what (with the diff)", cmd_history)
    p.add_argument("id")
    for name, help_text in (
        ("create", "add a service or opportunity from a YAML file"),
        ("edit", "change fields of a record (--set or --file)"),
    ):
        p = base(name, help_text, cmd_write)
        if name == "edit":
            p.add_argument("id")
            p.add_argument(
                "--set",
                action="append",
                default=[],
                metavar="FIELD=YAML",
                help="e.g. --set url=https://... --set 'documents=[ISEE]'",
            )
        p.add_argument("--file", type=Path, help="YAML mapping of the record / the changes")
        p.add_argument("--by", required=True, help="who makes the change (kept in the history)")
    p = base("deactivate", "hide a service or opportunity from citizens", cmd_deactivate)
    p.add_argument("id")
    p.add_argument("--by", required=True, help="who makes the change (kept in the history)")
    p = base("stale", "records to verify again (CATALOG_REVERIFY_MONTHS)", cmd_stale, kind=False)
    p.add_argument("--months", type=int, help="default: CATALOG_REVERIFY_MONTHS (12)")
    p = base("expiring", "opportunities ending in the next days", cmd_expiring, kind=False)
    p.add_argument("--days", type=int, default=30)


def _editor(args: argparse.Namespace) -> Any:
    from catalog.admin.editor import CatalogEditor
    from catalog.db import make_engine
    from wecare.settings import get_settings

    return CatalogEditor(make_engine(args.database_url or get_settings().database_url))


def _run(args: argparse.Namespace, action: Any) -> Any:
    """Run ``action(editor)``; turn the editor's errors into clear CLI errors."""
    from sqlalchemy.exc import SQLAlchemyError

    from catalog.admin.editor import InvalidRecord, RecordNotFound
    from wecare.cli import CliError

    editor = _editor(args)
    try:
        return action(editor)
    except InvalidRecord as exc:
        lines = "\n  ".join(str(e) for e in exc.errors)
        raise CliError(f"dati non validi ({len(exc.errors)} problemi):\n  {lines}") from None
    except RecordNotFound as exc:
        raise CliError(str(exc)) from None
    except SQLAlchemyError as exc:
        raise CliError(
            f"catalog database error ({exc.__class__.__name__}); run `wecare catalog load` first"
        ) from None
    finally:
        editor.engine.dispose()


def _print(args: argparse.Namespace, data: Any) -> None:
    import yaml

    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        sys.stdout.write(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))


def _summaries(args: argparse.Namespace, rows: list[Any]) -> int:
    if args.json:
        _print(args, [r.to_dict() for r in rows])
        return 0
    for r in rows:
        ends = f" fino al {r.valid_to.isoformat()}" if r.valid_to else ""
        when = r.last_verified.isoformat() if r.last_verified else "mai verificato"
        state = "" if r.status == "active" else " [disattivato]"
        print(f"{r.kind:<12} {r.id:<48} {r.organization:<16} {when}{ends}{state}  {r.title}")
    print(f"{len(rows)} record", file=sys.stderr)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """``wecare catalog list [--kind K] [--search Q] [--organization O] [--status S]``."""
    orgs = set(args.organization) if args.organization else None
    rows = _run(args, lambda e: e.search(KINDS[args.kind], args.search, orgs, args.status, 100_000))
    return _summaries(args, rows)


def cmd_show(args: argparse.Namespace) -> int:
    """``wecare catalog show ID [--kind K]``."""
    _print(args, _run(args, lambda e: e.get(KINDS[args.kind], args.id)))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """``wecare catalog history ID [--kind K]``: newest first, with the changed fields."""
    changes = _run(args, lambda e: e.history(KINDS[args.kind], args.id))
    if args.json:
        _print(args, [c.to_dict() for c in changes])
        return 0
    for c in changes:
        print(f"#{c.id} {c.at.isoformat(timespec='seconds')} {c.action} da {c.actor}")
        for d in c.diff():
            print(f"    {d['field']}: {d['before']!r} -> {d['after']!r}")
    if not changes:
        print("nessuna modifica registrata", file=sys.stderr)
    return 0


def _read_yaml(path: Path | None) -> dict[str, Any]:
    import yaml

    from wecare.cli import CliError

    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CliError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise CliError(f"{path}: expected a YAML mapping of fields")
    return data


def _sets(pairs: list[str]) -> dict[str, Any]:
    import yaml

    from wecare.cli import CliError

    out: dict[str, Any] = {}
    for pair in pairs:
        field, sep, raw = pair.partition("=")
        if not sep or not field.strip():
            raise CliError(f"--set expects FIELD=VALUE, got {pair!r}")
        try:
            value = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError:
            value = raw
        out[field.strip()] = value
    return out


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    from catalog.admin.records import to_json

    return dict(to_json(data))


def cmd_write(args: argparse.Namespace) -> int:
    """``wecare catalog create --file F --by WHO`` / ``edit ID --set k=v --by WHO``."""
    from wecare.cli import CliError

    kind = KINDS[args.kind]
    data = _jsonable({**_read_yaml(args.file), **_sets(getattr(args, "set", []))})
    if not data:
        raise CliError("nothing to write: give --file and/or --set")
    if hasattr(args, "id") and args.id:
        result = _run(args, lambda e: e.update(kind, args.id, data, f"cli:{args.by}"))
    else:
        result = _run(args, lambda e: e.create(kind, data, f"cli:{args.by}"))
    print(f"saved {args.kind} {result['id']}", file=sys.stderr)
    return 0


def cmd_deactivate(args: argparse.Namespace) -> int:
    """``wecare catalog deactivate ID --by WHO``: no longer shown to citizens."""
    _run(args, lambda e: e.deactivate(KINDS[args.kind], args.id, f"cli:{args.by}"))
    print(f"deactivated {args.kind} {args.id}", file=sys.stderr)
    return 0


def cmd_stale(args: argparse.Namespace) -> int:
    """``wecare catalog stale [--months N]``: the records "da riverificare"."""
    from wecare.settings import get_settings

    months = args.months or get_settings().catalog_reverify_months
    return _summaries(args, _run(args, lambda e: e.stale(months)))


def cmd_expiring(args: argparse.Namespace) -> int:
    """``wecare catalog expiring [--days 30]``."""
    return _summaries(args, _run(args, lambda e: e.expiring(args.days)))
