"""Self-harm order of the helplines (``helpline.self_harm_rank``, issue 9).

The first reply to a person at risk of self-harm lists 112 and then the listening lines; the
column orders them (NULL: the line is not part of that answer). The seed files set it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the nullable column."""
    with op.batch_alter_table("helpline") as batch:
        batch.add_column(sa.Column("self_harm_rank", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("helpline") as batch:
        batch.drop_column("self_harm_rank")
