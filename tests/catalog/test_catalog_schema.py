"""Schema: the Alembic migrations build exactly the models, up and down, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from catalog.db import (
    VERSION_TABLE,
    alembic_config,
    current_revision,
    downgrade,
    include_object,
    upgrade,
)
from catalog.models import Base


def test_upgrade_creates_every_table_and_stamps_head(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert VERSION_TABLE in tables
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(empty_engine) == head


def test_migrations_match_the_models(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_object": include_object,
                "compare_type": True,
                "version_table": VERSION_TABLE,
            },
        )
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_full_text_index_exists(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    inspector = inspect(empty_engine)
    if empty_engine.dialect.name == "sqlite":
        assert "service_fts" in inspector.get_table_names()
    else:
        names = {ix["name"] for ix in inspector.get_indexes("service_search")}
        assert "ix_service_search_tsv" in names


def test_downgrade_to_base_and_upgrade_again(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    left = set(inspect(empty_engine).get_table_names()) - {VERSION_TABLE}
    assert not left & set(Base.metadata.tables)
    assert "service_fts" not in left
    upgrade(empty_engine)
    assert set(Base.metadata.tables) <= set(inspect(empty_engine).get_table_names())


def test_upgrade_is_idempotent(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    upgrade(empty_engine)
    assert current_revision(empty_engine) is not None
