"""Engine creation and schema management (Alembic) of the app database.

The schema lives in ``bot/store/migrations`` (Alembic, version table ``app_alembic_version``,
so the app data may share a PostgreSQL database with the catalog). ``wecare db migrate``
calls :func:`upgrade`; the embedded profile also upgrades when a process opens the database
(:func:`prepare_db` → :func:`init_db`), the production profile only checks
(:func:`require_current_schema`) and refuses an older schema.

Before Alembic the app database had numbered steps and a single-row ``schema_version``
table (versions 1 to 7). Revision ``0001`` is version 7: on a new database it creates the
tables; on a database made by the old code it first creates the tables that database lacks,
replays the old steps above its stored version (``bot.store.migrations.legacy``), adds the
missing indexes and drops ``schema_version``, so Alembic stamps it at ``0001`` and later
revisions apply as usual.

To change the schema, edit the models, then run ``alembic_config(engine)`` +
``alembic.command.revision(..., autogenerate=True)`` against an up-to-date database (it
only compares the app's tables), review the revision and add hand-written data moves;
``tests/bot/store/test_migrations.py`` fails when models and migrations diverge.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "app_alembic_version"
#: What "the app database cannot be reached" looks like (refused, closed, timed out);
#: the gateway then keeps citizen messages on local disk (``bot.gateway.spool``).
STORE_DOWN: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


class SchemaOutdated(RuntimeError):
    """The app database is older than this code (production never upgrades implicitly)."""


def create_store_engine(url: str) -> Engine:
    """Create the engine of the app database.

    SQLite files get their directory created, WAL journaling and a busy timeout, so the
    gateway's worker threads and other processes (console, CLI) can share the file.

    Args:
        url: SQLAlchemy URL (``APP_DATABASE_URL``).

    Returns:
        A new engine.
    """
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(engine: Engine | None = None) -> Any:
    """Return an Alembic ``Config`` pointing at ``bot/store/migrations`` (and ``engine``)."""
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
    """Alembic autogenerate filter: only the app's tables (not the catalog's, Rasa's...)."""
    if type_ != "table" or not reflected:
        return True
    from bot.store.models import Base

    return name in Base.metadata.tables


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


def head_revision() -> str | None:
    """Return the newest Alembic revision of ``bot/store/migrations``."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def legacy_version(engine: Engine) -> int | None:
    """Return the pre-Alembic ``schema_version`` (1-7) of a database not upgraded yet."""
    from bot.store.migrations.legacy import stored_version

    with engine.connect() as connection:
        return stored_version(connection)


def init_db(engine: Engine) -> str:
    """Upgrade the app database to the head revision (idempotent; a no-op when current).

    Used by ``wecare db migrate``, by the embedded profile when a process opens the database
    and by the tests. Production processes call :func:`require_current_schema` instead.

    Args:
        engine: engine of the app database.

    Returns:
        The revision after the call.
    """
    head = head_revision()
    if current_revision(engine) != head:
        upgrade(engine)
    return head or ""


def prepare_db(engine: Engine, migrate: bool) -> str:
    """Upgrade the schema (``migrate``: embedded profile) or only check it (production).

    Raises:
        SchemaOutdated: ``migrate`` is false and the schema is not the head revision.
    """
    return init_db(engine) if migrate else require_current_schema(engine)


def require_current_schema(engine: Engine) -> str:
    """Check, without changing anything, that the schema is this code's (production).

    Raises:
        SchemaOutdated: no schema yet, or an older one; the message says what to run.
    """
    current, head = current_revision(engine), head_revision()
    if current != head:
        if current is not None:
            found = f"revision {current}"
        else:
            legacy = legacy_version(engine)
            found = "no schema" if legacy is None else f"schema version {legacy} (pre-Alembic)"
        raise SchemaOutdated(
            f"the app database has {found}, this version needs revision {head}: "
            "run `wecare db migrate` first (production never migrates implicitly)"
        )
    return current or ""
