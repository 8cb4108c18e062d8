"""App database at schema version 7 (the last pre-Alembic version), new or upgraded.

A new database gets the tables of ``bot.store.migrations.schema_v7``. A database made by the
old schema manager (table ``schema_version``, versions 1 to 7) is brought to the same schema
in place, without losing rows: the tables it lacks are created, the old steps above its
version run (``bot.store.migrations.legacy``), the indexes it lacks are created, the
version-7 data back-fill runs and ``schema_version`` is dropped; Alembic then stamps
``0001``. The same holds for tables made by ``create_all`` without any version (a repository
opened on an empty database). Downgrading drops every app table.

Revision ID: 0001
Revises:
Create Date: 2026-12-04 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.migrations import legacy
from bot.store.migrations.schema_v7 import METADATA

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create_missing_indexes(conn: sa.Connection) -> None:
    inspector = sa.inspect(conn)
    for table in METADATA.sorted_tables:
        present = {ix["name"] for ix in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in present:
                index.create(conn)


def upgrade() -> None:
    """Upgrade schema."""
    conn = op.get_bind()
    version = legacy.stored_version(conn)  # None: no pre-Alembic schema manager here
    METADATA.create_all(conn, checkfirst=True)
    if version is not None:
        legacy.replay(conn, version, legacy.SCHEMA_STEPS)
    _create_missing_indexes(conn)
    if version is not None:
        legacy.replay(conn, version, legacy.DATA_STEPS)
        legacy.drop_legacy_table(conn)


def downgrade() -> None:
    """Downgrade schema."""
    METADATA.drop_all(op.get_bind())
