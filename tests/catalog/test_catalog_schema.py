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


def test_upgrade_from_0001_backfills_the_search_index(empty_engine: Engine) -> None:
    """A catalog loaded under revision 0001 gets the same facet rows as a fresh load."""
    from pathlib import Path

    from sqlalchemy import select

    from catalog.db import session_scope
    from catalog.loader import load
    from catalog.models import ServiceFacet

    load(empty_engine, Path(__file__).resolve().parents[2] / "catalog_data")
    columns = [c for c in ServiceFacet.__table__.columns if c.key != "id"]

    def snapshot() -> list[tuple[object, ...]]:
        with session_scope(empty_engine) as session:
            return sorted(tuple(r) for r in session.execute(select(*columns)))

    before = snapshot()
    assert before
    downgrade(empty_engine, "0001")
    assert "service_facet" not in inspect(empty_engine).get_table_names()
    upgrade(empty_engine)
    assert snapshot() == before


def test_upgrade_from_0009_adds_the_category_in_area_tokens(empty_engine: Engine) -> None:
    """A catalog loaded before 0010 gets the same ``facets`` text as a fresh load."""
    from pathlib import Path

    from sqlalchemy import select

    from catalog.db import session_scope
    from catalog.loader import load
    from catalog.models import ServiceSearch
    from catalog.textquery import category_area_token

    load(empty_engine, Path(__file__).resolve().parents[2] / "catalog_data")

    def facets() -> dict[str, str]:
        with session_scope(empty_engine) as session:
            rows = session.execute(select(ServiceSearch.service_id, ServiceSearch.facets))
            return dict(rows.tuples().all())

    fresh = facets()
    assert category_area_token("housing", "comune", "Cuorgnè") == "zzxhousing0comunecuorgne"
    assert sum("zzxhousing0" in text for text in fresh.values()) > 3
    downgrade(empty_engine, "0009")
    assert not any("zzx" in text for text in facets().values())
    upgrade(empty_engine)
    assert facets() == fresh
