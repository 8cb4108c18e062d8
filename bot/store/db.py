"""Engine creation and schema management of the app database.

Schema management is deliberately small: ``init_db`` runs ``create_all`` (new tables and
new databases) and then the numbered steps in ``MIGRATIONS`` above the stored version
(changes to existing tables, e.g. new columns). To change the schema, bump
``SCHEMA_VERSION`` and add ``MIGRATIONS[n]`` — a function receiving a ``Connection``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    event,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url

from bot.store.models import Base, SchemaVersion

SCHEMA_VERSION = 7


class SchemaOutdated(RuntimeError):
    """The app database is older than this code (production never upgrades implicitly)."""


def _handoff_priority(conn: Connection) -> None:
    """v2 (issue 9): ``handoff.priority`` (urgent handoffs of people at risk come first)."""
    conn.execute(text("ALTER TABLE handoff ADD COLUMN priority INTEGER NOT NULL DEFAULT 0"))
    conn.execute(text("UPDATE handoff SET priority = 1 WHERE reason IN ('violence', 'self_harm')"))


def _no_awaiting_comune(conn: Connection) -> None:
    """v3 (issue 10): Rasa asks the comune; handoffs left waiting for it go to triage."""
    if not inspect(conn).has_table("handoff"):
        return
    conn.execute(
        text(
            "UPDATE handoff SET status = 'queued', ente_gestore_id = NULL, "
            "queued_at = COALESCE(queued_at, created_at) WHERE status = 'awaiting_comune'"
        )
    )


def _inbox(conn: Connection) -> None:
    """v4 (issue 11): the durable inbox (table ``inbox_item``, made by ``create_all``)."""
    Base.metadata.tables["inbox_item"].create(conn, checkfirst=True)


def _analytics_rollups(conn: Connection) -> None:
    """v7 (issue 13): daily roll-ups of the needs analytics, built from the existing log.

    The tables are made by ``create_all``; this adds the index on ``message.created_at``
    (the report reads today's messages by time) and rolls up every day before today.
    """
    from datetime import datetime

    from bot.analytics.rolled import rebuild
    from bot.analytics.source import ROME

    Base.metadata.create_all(conn)  # the handoff tables, if this database never had them
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_message_created_at ON message (created_at)"))
    rebuild(conn, None, datetime.now(ROME).date())


#: version -> step that brings a database from ``version - 1`` to ``version``. A version
#: whose changes are only new tables may have no entry (``create_all`` makes them): v5 is the
#: analytics turns (``analytics_turn``, issue 13), v6 the NLU inbox, the admin audit and the
#: model registry (issue 12).
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    2: _handoff_priority,
    3: _no_awaiting_comune,
    4: _inbox,
    7: _analytics_rollups,
}


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


def init_db(engine: Engine) -> int:
    """Create missing tables and apply pending migrations (idempotent).

    Args:
        engine: engine of the app database.

    Returns:
        The schema version after the call.
    """
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        row = conn.execute(select(SchemaVersion.version).where(SchemaVersion.id == 1)).first()
        if row is None:
            conn.execute(insert(SchemaVersion).values(id=1, version=SCHEMA_VERSION))
            return SCHEMA_VERSION
        version = int(row[0])
        for step in range(version + 1, SCHEMA_VERSION + 1):
            if step in MIGRATIONS:
                MIGRATIONS[step](conn)
        if version < SCHEMA_VERSION:
            conn.execute(
                update(SchemaVersion).where(SchemaVersion.id == 1).values(version=SCHEMA_VERSION)
            )
        return max(version, SCHEMA_VERSION)


def schema_version(engine: Engine) -> int | None:
    """Return the stored schema version, or None for a database without the app's tables."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("schema_version"):
            return None
        row = conn.execute(select(SchemaVersion.version).where(SchemaVersion.id == 1)).first()
        return None if row is None else int(row[0])


def require_current_schema(engine: Engine) -> int:
    """Check, without changing anything, that the schema is this code's (production).

    Raises:
        SchemaOutdated: no schema yet, or an older one; the message says what to run.
    """
    version = schema_version(engine)
    if version is None or version < SCHEMA_VERSION:
        found = "no schema" if version is None else f"schema version {version}"
        raise SchemaOutdated(
            f"the app database has {found}, this version needs {SCHEMA_VERSION}: "
            "run `wecare db migrate` first (production never migrates implicitly)"
        )
    return version
