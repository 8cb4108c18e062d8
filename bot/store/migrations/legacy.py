"""The pre-Alembic schema steps of the app database (versions 1-7), replayed by ``0001``.

Until Alembic the app database kept its version in a single-row table ``schema_version``
and ``init_db`` ran ``create_all`` (new tables) and then the steps above the stored version
(changes to existing tables). Versions 4, 5 and 6 only added tables (durable inbox;
analytics turns; NLU inbox, admin audit, model registry), which revision ``0001`` creates
when missing. The steps that changed existing tables or rows are here, unchanged in effect
and made safe to run on a table ``0001`` has just created:

* v2 (issue 9): ``handoff.priority``, urgent handoffs of people at risk first;
* v3 (issue 10): handoffs left waiting for the comune go to the triage queue;
* v7 (issue 13): the index on ``message.created_at`` (created by ``0001`` with the other
  missing indexes) and the roll-up of the analytics for every day before today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, inspect, text

#: Table of the old schema manager (dropped once the database is stamped ``0001``).
LEGACY_TABLE = "schema_version"
#: The old schema version that revision ``0001`` is.
LAST_VERSION = 7


def stored_version(conn: Connection) -> int | None:
    """The old schema version of the database; None when it has no ``schema_version``.

    A ``schema_version`` table without its row counts as version 7: the old ``init_db``
    stored the current version for a database it had just created.
    """
    if not inspect(conn).has_table(LEGACY_TABLE):
        return None
    row = conn.execute(text(f"SELECT version FROM {LEGACY_TABLE} WHERE id = 1")).first()
    return LAST_VERSION if row is None else int(row[0])


def _handoff_priority(conn: Connection) -> None:
    """v2: ``handoff.priority`` (1 for violence and self-harm)."""
    if not inspect(conn).has_table("handoff"):
        return
    columns = {c["name"] for c in inspect(conn).get_columns("handoff")}
    if "priority" not in columns:
        conn.execute(text("ALTER TABLE handoff ADD COLUMN priority INTEGER NOT NULL DEFAULT 0"))
    conn.execute(text("UPDATE handoff SET priority = 1 WHERE reason IN ('violence', 'self_harm')"))


def _no_awaiting_comune(conn: Connection) -> None:
    """v3: Rasa asks the comune; handoffs left waiting for it go to triage."""
    if not inspect(conn).has_table("handoff"):
        return
    conn.execute(
        text(
            "UPDATE handoff SET status = 'queued', ente_gestore_id = NULL, "
            "queued_at = COALESCE(queued_at, created_at) WHERE status = 'awaiting_comune'"
        )
    )


def _analytics_rollups(conn: Connection) -> None:
    """v7: roll up every day of the existing log before today.

    Calls the live roll-up code (``bot.analytics.rolled.rebuild``): it is only a back-fill,
    the report rolls missing days itself when it reads them. Should those tables change in a
    later revision, this step has to stop calling it (the reports will roll the days).
    """
    from bot.analytics.rolled import rebuild
    from bot.analytics.source import ROME

    rebuild(conn, None, datetime.now(ROME).date())


#: Steps that change existing columns or rows, applied before the missing indexes.
SCHEMA_STEPS: dict[int, Callable[[Connection], None]] = {
    2: _handoff_priority,
    3: _no_awaiting_comune,
}
#: Steps that fill data, applied once the schema is version 7.
DATA_STEPS: dict[int, Callable[[Connection], None]] = {7: _analytics_rollups}


def replay(conn: Connection, version: int, steps: dict[int, Callable[[Connection], None]]) -> None:
    """Apply the ``steps`` above ``version`` in order."""
    for step in sorted(steps):
        if step > version:
            steps[step](conn)


def drop_legacy_table(conn: Connection) -> None:
    """Drop ``schema_version``: from now on Alembic's version table says the revision."""
    conn.execute(text(f"DROP TABLE {LEGACY_TABLE}"))
