"""Alembic environment of the app database (used by ``bot.store.db.upgrade``).

The app database may share a PostgreSQL database with the catalog: its version table is
``app_alembic_version`` and autogenerate only looks at the app's own tables.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

import bot.handoff.models  # noqa: F401 - registers the handoff and console tables on Base
from bot.store.db import VERSION_TABLE, create_store_engine, include_object
from bot.store.models import Base

config = context.config
target_metadata = Base.metadata


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from wecare.settings import get_settings

        url = get_settings().app_database_url
    return create_store_engine(url)


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade --sql``)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        version_table=VERSION_TABLE,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a live connection (one transaction for the whole upgrade)."""
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            version_table=VERSION_TABLE,
            include_object=include_object,
            transaction_per_migration=False,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
