"""Engine, sessions and schema upgrade (Alembic) of the catalog database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "catalog_alembic_version"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (SQLite file/memory or PostgreSQL via psycopg).

    SQLite engines enforce foreign keys, may be shared by threads (one connection per
    session) and create the folder of the database file.

    Args:
        url: SQLAlchemy URL, e.g. ``sqlite:///var/catalog.db`` or
            ``postgresql+psycopg://user@host/db``.
        **kwargs: extra ``create_engine`` arguments.

    Returns:
        The engine.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        connect_args = {"check_same_thread": False, "timeout": 30}
        if database in ("", ":memory:"):
            kwargs.setdefault("poolclass", StaticPool)
        else:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # Catalog searches are small indexed queries: starting parallel workers cost more than the
    # scans they would share (a comune + category + text search at 100 000 services: 30 -> 20 ms).
    connect_args = dict(kwargs.pop("connect_args", {}))
    options = str(connect_args.get("options", "")).strip()
    connect_args["options"] = f"{options} -c max_parallel_workers_per_gather=0".strip()
    return create_engine(url, connect_args=connect_args, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Open a session, commit on success, roll back on error, always close."""
    session = sessionmaker(bind=engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine | None = None) -> Any:
    """Return an Alembic ``Config`` pointing at ``catalog/migrations`` (and ``engine``)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(False))
        config.attributes["engine"] = engine
    return config


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic autogenerate filter: leave out the full-text objects.

    FTS5 tables, the GIN index and PostgreSQL's stored ``tsv_*`` vectors (migration 0009).
    """
    return not (name or "").startswith(("service_fts", "ix_service_search_tsv", "tsv_"))


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema of ``engine`` to ``revision`` (creates it on an empty database)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Downgrade the schema of ``engine`` to ``revision`` (``base`` drops every table)."""
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """Return the Alembic revision stamped in the database, or None when there is none."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(
            connection, opts={"version_table": VERSION_TABLE}
        ).get_current_revision()


class CatalogSchemaOutdated(RuntimeError):
    """The catalog database is not at this code's Alembic head (production never upgrades)."""


def head_revision() -> str | None:
    """Return the newest Alembic revision of ``catalog/migrations``."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def require_current_catalog(engine: Engine) -> str:
    """Check, without changing anything, that the catalog schema is at the head revision.

    Raises:
        CatalogSchemaOutdated: the message says what to run.
    """
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise CatalogSchemaOutdated(
            f"the catalog database is at revision {current or 'none'}, this version needs "
            f"{head}: run `wecare db migrate` first (production never migrates implicitly)"
        )
    return current or ""
