"""SQLite: rebuild the FTS5 index with prefix indexes (4-7 characters).

Text searches use stem prefixes ("affitt"*); without a prefix index FTS5 merges the doclists
of every word starting with the prefix (about 10 ms for a common stem at 100 000 services),
with it the prefix is one lookup. PostgreSQL: nothing to do.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 03:04:00

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = [
    "CREATE TRIGGER service_search_ai AFTER INSERT ON service_search BEGIN "
    "INSERT INTO service_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER service_search_ad AFTER DELETE ON service_search BEGIN "
    "INSERT INTO service_fts(service_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER service_search_au AFTER UPDATE ON service_search BEGIN "
    "INSERT INTO service_fts(service_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO service_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]


def _rebuild(prefix: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("service_search_ai", "service_search_ad", "service_search_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS service_fts")
    op.execute(
        "CREATE VIRTUAL TABLE service_fts USING fts5(title, body, content='service_search', "
        f"content_rowid='id', tokenize='unicode61 remove_diacritics 2'{prefix})"
    )
    for statement in TRIGGERS:
        op.execute(statement)
    op.execute("INSERT INTO service_fts(service_fts) VALUES ('rebuild')")


def upgrade() -> None:
    """Recreate the FTS5 table with prefix indexes and rebuild it from service_search."""
    _rebuild(", prefix='4 5 6 7'")


def downgrade() -> None:
    """Recreate the FTS5 table of 0001 (no prefix indexes)."""
    _rebuild("")
