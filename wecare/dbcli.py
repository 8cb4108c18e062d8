"""``wecare db``: upgrade or check the schemas of every database (catalog and app data).

``wecare db migrate`` runs the catalog's Alembic migrations (``catalog/migrations``) and the
app database's numbered steps (``bot.store.db.MIGRATIONS``). It is the only way a schema
changes in the production profile (``WECARE_PROFILE=production``): there the gateway refuses
to start on an old schema. ``wecare db status`` prints both versions and exits 1 when one of
them is behind. Rasa's tracker store is Rasa's own (it creates its table).
"""

from __future__ import annotations

import argparse
from typing import Any

from wecare.cli import CliError
from wecare.settings import get_settings


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _status() -> list[tuple[str, str, str, bool]]:
    """``(database, current, wanted, up_to_date)`` for the catalog and the app database."""
    from bot.store.db import SCHEMA_VERSION, create_store_engine, schema_version
    from catalog.db import current_revision, head_revision, make_engine

    settings = get_settings()
    rows = []
    engine = make_engine(settings.database_url)
    try:
        current, head = current_revision(engine), head_revision()
        rows.append(("catalog", current or "none", head or "none", current == head))
    finally:
        engine.dispose()
    app = create_store_engine(settings.app_database_url)
    try:
        version = schema_version(app)
        ok = version is not None and version >= SCHEMA_VERSION
        rows.append(("app", str(version or "none"), str(SCHEMA_VERSION), ok))
    finally:
        app.dispose()
    return rows


def migrate(args: argparse.Namespace) -> int:
    """Upgrade the catalog (Alembic head) and the app database; print what was done."""
    from bot.store.db import create_store_engine, init_db
    from catalog.db import current_revision, make_engine, upgrade

    settings = get_settings()
    try:
        engine = make_engine(settings.database_url)
        try:
            before = current_revision(engine)
            upgrade(engine)
            after = current_revision(engine)
        finally:
            engine.dispose()
        print(f"catalog  {_redacted(settings.database_url)}: {before or 'none'} -> {after}")
        app = create_store_engine(settings.app_database_url)
        try:
            version = init_db(app)
        finally:
            app.dispose()
        print(f"app      {_redacted(settings.app_database_url)}: schema version {version}")
    except Exception as exc:  # noqa: BLE001 - reported in one line, e.g. server unreachable
        raise CliError(f"migration failed: {type(exc).__name__}: {exc}") from exc
    return 0


def status(args: argparse.Namespace) -> int:
    """Print the schema versions; exit 1 when a database needs ``wecare db migrate``."""
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
    sub.add_parser("status", help="show the schema versions (exit 1: migrate needed)").set_defaults(
        func=status
    )
