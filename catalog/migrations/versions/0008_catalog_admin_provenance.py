"""Catalog administration: change history and provenance (issue 13).

* ``catalog_change``: one row per change of a service, opportunity or ente gestore made in
  the admin area or with ``wecare catalog edit`` (who, when, the record before and after).
* ``opportunity.status`` (``active``/``inactive``: a deactivated item is never shown) and
  ``opportunity.last_verified``; ``ente_gestore.last_verified``: provenance on every record.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``catalog_change``; add the provenance and status columns."""
    op.create_table(
        "catalog_change",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_type", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_change")),
    )
    op.create_index(op.f("ix_catalog_change_at"), "catalog_change", ["at"], unique=False)
    op.create_index(
        "ix_catalog_change_record", "catalog_change", ["record_type", "record_id", "id"]
    )
    # Plain ADD/DROP COLUMN (SQLite >= 3.35 and PostgreSQL): a batch copy of these tables
    # would break the foreign keys pointing at them (opportunity_area, comune, ente_contact).
    op.add_column(
        "opportunity",
        sa.Column("status", sa.String(length=16), nullable=False, server_default="active"),
    )
    op.add_column("opportunity", sa.Column("last_verified", sa.Date(), nullable=True))
    op.add_column("ente_gestore", sa.Column("last_verified", sa.Date(), nullable=True))


def downgrade() -> None:
    """Drop the columns and the history."""
    for table, column in (
        ("ente_gestore", "last_verified"),
        ("opportunity", "last_verified"),
        ("opportunity", "status"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.drop_index("ix_catalog_change_record", table_name="catalog_change")
    op.drop_index(op.f("ix_catalog_change_at"), table_name="catalog_change")
    op.drop_table("catalog_change")
