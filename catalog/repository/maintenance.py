"""Database housekeeping after bulk writes."""

from __future__ import annotations

from sqlalchemy import Engine, text


def analyze(engine: Engine) -> None:
    """Refresh the planner statistics (``ANALYZE``; SQLite and PostgreSQL)."""
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
