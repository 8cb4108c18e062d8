"""Durable inbox: keep Rasa's answer with the kept message (exactly one answer per message).

A gateway that stops after Rasa answered a kept message but before the row was dropped used
to send the message to Rasa again when another gateway re-claimed it: Rasa processed it twice
and the citizen got two answers (the soak test of issue 11 saw one). The answer is now stored
in ``inbox_item.answer`` as soon as Rasa gives it; a re-claimed row with an answer is never
sent to Rasa again (``bot.gateway.inbox``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 13:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``inbox_item.answer`` (nullable JSON)."""
    # tables made by ``create_all`` of today's models (no version, see 0001) already have it
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("inbox_item")}
    if "answer" not in columns:
        with op.batch_alter_table("inbox_item") as batch:
            batch.add_column(sa.Column("answer", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop ``inbox_item.answer``."""
    with op.batch_alter_table("inbox_item") as batch:
        batch.drop_column("answer")
