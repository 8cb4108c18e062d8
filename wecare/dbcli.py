"""``wecare db``: upgrade or check the schemas of every database (catalog and app data).

Both schemas are Alembic's: the catalog's in ``catalog/migrations`` (version table
``catalog_alembic_version``), the app database's in ``bot/store/migrations``
(``app_alembic_version``; a database from before Alembic, with the old ``schema_version``
table, is upgraded in place by its first revision, see ``bot.store.db``). ``wecare db
migrate`` upgrades both to their head revision. It is the only way a schema changes in the
production profile (``WECARE_PROFILE=production``): there the gateway and the CLIs refuse an
old schema. ``wecare db status`` prints both revisions and exits 1 when one of them is
behind. Rasa's tracker store is Rasa's own (it creates its table).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from wecare.cli import CliError
from wecare.settings import get_settings


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _databases() -> list[tuple[str, str, Callable[[str], Engine], Any]]:
    """``(name, url, engine factory, schema module)`` of the catalog and the app database."""
    from bot.store import db as app_db
    from catalog import db as catalog_db

    settings = get_settings()
    return [
        ("catalog", settings.database_url, catalog_db.make_engine, catalog_db),
        ("app", settings.app_database_url, app_db.create_store_engine, app_db),
    ]


def _current(name: str, module: Any, engine: Engine) -> str:
    current = module.current_revision(engine)
    if current is None and name == "app":
        legacy = module.legacy_version(engine)
        if legacy is not None:
            return f"v{legacy} (old)"
    return current or "none"


def _status() -> list[tuple[str, str, str, bool]]:
    """``(database, current, wanted, up_to_date)`` for the catalog and the app database."""
    rows = []
    for name, url, make, module in _databases():
        engine = make(url)
        try:
            head = module.head_revision()
            ok = module.current_revision(engine) == head
            rows.append((name, _current(name, module, engine), head or "none", ok))
        finally:
            engine.dispose()
    return rows


def migrate(args: argparse.Namespace) -> int:
    """Upgrade the catalog and the app database to their Alembic head; print what was done."""
    try:
        for name, url, make, module in _databases():
            engine = make(url)
            try:
                before = _current(name, module, engine)
                module.upgrade(engine)
                after = module.current_revision(engine)
            finally:
                engine.dispose()
            print(f"{name:8} {_redacted(url)}: {before} -> {after}")
    except Exception as exc:  # noqa: BLE001 - reported in one line, e.g. server unreachable
        raise CliError(f"migration failed: {type(exc).__name__}: {exc}") from exc
    return 0


def status(args: argparse.Namespace) -> int:
    """Print the schema revisions; exit 1 when a database needs ``wecare db migrate``."""
    try:
        rows = _status()
    except Exception as exc:  # noqa: BLE001 - reported in one line
        raise CliError(f"cannot read the schemas: {type(exc).__name__}: {exc}") from exc
    for name, current, wanted, ok in rows:
        state = "up to date" if ok else "needs `wecare db migrate`"
        print(f"{name:8} current {current:>14}  wanted {wanted:>14}  {state}")
    return 0 if all(ok for *_rest, ok in rows) else 1


def register(subparsers: Any) -> None:
    """Add the ``db`` sub-commands."""
    parser = subparsers.add_parser("db", help="upgrade or check the database schemas")
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    sub.add_parser("migrate", help="run every pending migration (catalog and app)").set_defaults(
        func=migrate
    )
    sub.add_parser(
        "status", help="show the schema revisions (exit 1: migrate needed)"
    ).set_defaults(func=status)
