"""Category-in-area tokens in the full-text index (``service_search.facets``).

A text search with a category and a comune asked FTS5 for the words AND the category token,
which returns every match of the category in the region (p50 2 800 rows at 100 000
services), and probed each row of the comune's facet ranges against them. Each service's
``facets`` now also holds one token per (category, area) pair, the same pairs as its
``service_facet`` rows, so FTS5 intersects the words with the comune's ranges and returns
the results only (``catalog/repository/fastpath.py``). Backfilled from
``service_category``/``service_area``; on SQLite the FTS5 index follows through its update
trigger. PostgreSQL stores the column too (its text search does not use it).

The hits then drive the join to ``service_facet``: its index on ``search_id`` becomes a
covering one (``ix_service_facet_search``), so a hit's facet rows are read from the index
without a table lookup each.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 23:00:00

"""

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from wecare.text import normalize

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _area(scope: str, value: str) -> str:
    return (scope + normalize(value)).replace("_", "").replace(" ", "")


def _facets(categories: list[str], areas: list[tuple[str, str]], combined: bool) -> str:
    """Tokens of catalog.textquery.facets_document (inlined: a migration is history)."""
    tokens = ["zzc" + c.replace("_", "") for c in categories]
    tokens += ["zza" + _area(s, v) for s, v in areas]
    if combined:
        tokens += [
            "zzx" + c.replace("_", "") + "0" + _area(s, v) for c in categories for s, v in areas
        ]
    return " ".join(dict.fromkeys(tokens))


def _backfill(combined: bool) -> None:
    bind = op.get_bind()
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
        {"sid": sid, "facets": _facets(categories[sid], areas[sid], combined)}
        for sid in set(categories) | set(areas)
    ]
    if rows:
        bind.execute(
            sa.text("UPDATE service_search SET facets = :facets WHERE service_id = :sid"), rows
        )


_COVERING = [
    "search_id", "category", "scope", "value", "extra", "quality", "sort_name", "service_id",
    "tg_mask", "min_age", "max_age",
]  # fmt: skip


def upgrade() -> None:
    """Add the category-in-area tokens to every service's ``facets``; covering join index."""
    _backfill(combined=True)
    op.create_index("ix_service_facet_search", "service_facet", _COVERING)
    op.drop_index("ix_service_facet_search_id", table_name="service_facet")


def downgrade() -> None:
    """Back to the tokens of 0005 and the plain ``search_id`` index."""
    op.create_index("ix_service_facet_search_id", "service_facet", ["search_id"])
    op.drop_index("ix_service_facet_search", table_name="service_facet")
    _backfill(combined=False)
