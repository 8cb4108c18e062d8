"""Facet rows point at their full-text document (``service_facet.search_id``).

Text searches with a comune probe the FTS hits by this id while reading the ordered facet
ranges. Backfilled from ``service_search``; the covering indexes gain the column.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 03:01:50.197708

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOOKUP = ["category", "scope", "value", "extra", "quality", "sort_name", "service_id", "tg_mask",
          "min_age", "max_age"]  # fmt: skip
PRIMARY = ["extra", "scope", "value", "quality", "sort_name", "service_id", "tg_mask", "min_age",
           "max_age"]  # fmt: skip


def upgrade() -> None:
    """Add, backfill and index ``service_facet.search_id``."""
    with op.batch_alter_table("service_facet", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE service_facet SET search_id = "
        "(SELECT ss.id FROM service_search ss WHERE ss.service_id = service_facet.service_id)"
    )
    with op.batch_alter_table("service_facet", schema=None) as batch_op:
        batch_op.alter_column("search_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index("ix_service_facet_lookup")
        batch_op.create_index("ix_service_facet_lookup", [*LOOKUP, "search_id"], unique=False)
        batch_op.drop_index("ix_service_facet_primary")
        batch_op.create_index("ix_service_facet_primary", [*PRIMARY, "search_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_facet_search_id"), ["search_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_service_facet_search_id_service_search"),
            "service_search",
            ["search_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    """Drop ``service_facet.search_id`` and restore the 0002 indexes."""
    with op.batch_alter_table("service_facet", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_service_facet_search_id_service_search"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_service_facet_search_id"))
        batch_op.drop_index("ix_service_facet_primary")
        batch_op.create_index("ix_service_facet_primary", PRIMARY, unique=False)
        batch_op.drop_index("ix_service_facet_lookup")
        batch_op.create_index("ix_service_facet_lookup", LOOKUP, unique=False)
        batch_op.drop_column("search_id")
