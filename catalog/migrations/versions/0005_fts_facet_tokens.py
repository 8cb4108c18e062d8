"""Category and area tokens in the full-text index (``service_search.facets``).

A text search with a comune (and usually a category) then asks FTS5 for documents that match
the words AND the comune's area tokens (AND the category token): the engine intersects the
posting lists, so common words no longer produce tens of thousands of hits to probe.
Backfilled from ``service_category``/``service_area``; the SQLite FTS5 table gains a third
column and is rebuilt. PostgreSQL only gets the column (its text search does not use it).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 03:10:00

"""

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from wecare.text import normalize

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _facets(categories: list[str], areas: list[tuple[str, str]]) -> str:
    """Same tokens as catalog.textquery.facets_document (inlined: a migration is history)."""
    tokens = ["zzc" + c.replace("_", "") for c in categories]
    tokens += ["zza" + (s + normalize(v)).replace("_", "").replace(" ", "") for s, v in areas]
    return " ".join(dict.fromkeys(tokens))


def _fts(columns: list[str], prefix: str) -> None:
    for name in ("service_search_ai", "service_search_ad", "service_search_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS service_fts")
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    op.execute(
        f"CREATE VIRTUAL TABLE service_fts USING fts5({cols}, content='service_search', "
        f"content_rowid='id', tokenize='unicode61 remove_diacritics 2'{prefix})"
    )
    insert = f"INSERT INTO service_fts(rowid, {cols}) VALUES (new.id, {new});"
    delete = (
        f"INSERT INTO service_fts(service_fts, rowid, {cols}) VALUES ('delete', old.id, {old});"
    )
    op.execute(
        f"CREATE TRIGGER service_search_ai AFTER INSERT ON service_search BEGIN {insert} END"
    )
    op.execute(
        f"CREATE TRIGGER service_search_ad AFTER DELETE ON service_search BEGIN {delete} END"
    )
    update = f"{delete} {insert}"
    op.execute(
        f"CREATE TRIGGER service_search_au AFTER UPDATE ON service_search BEGIN {update} END"
    )
    op.execute("INSERT INTO service_fts(service_fts) VALUES ('rebuild')")


def upgrade() -> None:
    """Add and backfill ``service_search.facets``; SQLite: index it as an FTS5 column."""
    with op.batch_alter_table("service_search", schema=None) as batch_op:
        batch_op.add_column(sa.Column("facets", sa.Text(), server_default="", nullable=False))
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":  # the FTS table is rebuilt below: skip per-row triggers
        for name in ("service_search_ai", "service_search_ad", "service_search_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    categories: dict[str, list[str]] = defaultdict(list)
    for service_id, category in bind.execute(
        sa.text("SELECT service_id, category FROM service_category ORDER BY id")
    ):
        categories[service_id].append(category)
    areas: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for service_id, scope, value in bind.execute(
        sa.text("SELECT service_id, scope, value FROM service_area ORDER BY id")
    ):
        areas[service_id].append((scope, value))
    rows = [
        {"sid": sid, "facets": _facets(categories[sid], areas[sid])}
        for sid in set(categories) | set(areas)
    ]
    if rows:
        bind.execute(
            sa.text("UPDATE service_search SET facets = :facets WHERE service_id = :sid"), rows
        )
    if bind.dialect.name == "sqlite":
        _fts(["title", "body", "facets"], ", prefix='4 5 6 7'")


def downgrade() -> None:
    """Back to the two-column FTS5 index of 0004 and no ``facets`` column."""
    if op.get_bind().dialect.name == "sqlite":
        _fts(["title", "body"], ", prefix='4 5 6 7'")
    with op.batch_alter_table("service_search", schema=None) as batch_op:
        batch_op.drop_column("facets")
