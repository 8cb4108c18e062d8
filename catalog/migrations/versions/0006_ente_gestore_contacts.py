"""Contacts of the enti gestori read in the sources (``ente_contact``).

One row per head-office address, switchboard phone, fax, e-mail, PEC or website, each with
its source, the date of the document (``last_verified``) and a confidence. The enti are
marked changed (``content_hash`` emptied) so that the next ``wecare catalog load`` fills the
new table from ``enti_gestori.yaml`` (and a downgrade + upgrade loses nothing for good).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:32:20.465765

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``ente_contact``; make the next load re-synchronise the enti gestori."""
    op.create_table(
        "ente_contact",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ente_gestore_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("confidence", sa.String(length=8), nullable=False),
        sa.Column("last_verified", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ente_gestore_id"],
            ["ente_gestore.id"],
            name=op.f("fk_ente_contact_ente_gestore_id_ente_gestore"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ente_contact")),
    )
    with op.batch_alter_table("ente_contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ente_contact_ente_gestore_id"), ["ente_gestore_id"], unique=False
        )
    op.execute("UPDATE ente_gestore SET content_hash = ''")


def downgrade() -> None:
    """Drop ``ente_contact``."""
    with op.batch_alter_table("ente_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ente_contact_ente_gestore_id"))
    op.drop_table("ente_contact")
