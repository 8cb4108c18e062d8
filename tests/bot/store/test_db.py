"""Hand-made pre-Alembic databases of the app (bot/store/db.py, revision 0001 replays the steps)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text

from bot.store.db import head_revision, init_db


def test_version_2_handoffs_waiting_for_the_comune_go_to_the_triage_queue(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'v2.db'}")
    with engine.begin() as conn:  # a version-2 database, a handoff asking the comune
        conn.execute(text("CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER)"))
        conn.execute(text("INSERT INTO schema_version VALUES (1, 2)"))
        conn.execute(
            text(
                "CREATE TABLE handoff (id INTEGER PRIMARY KEY, conversation_id INTEGER, "
                "ente_gestore_id VARCHAR(40), status VARCHAR(20), reason VARCHAR(40), "
                "need VARCHAR(40), priority INTEGER NOT NULL DEFAULT 0, operator_id INTEGER, "
                "meta JSON, created_at DATETIME, queued_at DATETIME, claimed_at DATETIME, "
                "ended_at DATETIME)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO handoff (id, status, reason, created_at) "
                "VALUES (1, 'awaiting_comune', 'request', '2026-11-24 09:00:00'), "
                "(2, 'queued', 'request', '2026-11-24 09:00:00')"
            )
        )
    assert init_db(engine) == head_revision() == "0002"
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, status, ente_gestore_id, queued_at FROM handoff ORDER BY id")
        ).all()
    assert rows[0][:3] == (1, "queued", None) and rows[0][3] is not None
    assert rows[1][1] == "queued"
    engine.dispose()


def test_a_version_2_database_without_handoffs_upgrades(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'v2-empty.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER)"))
        conn.execute(text("INSERT INTO schema_version VALUES (1, 2)"))
    assert init_db(engine) == head_revision()
    engine.dispose()


def test_a_version_3_database_gets_the_new_tables(tmp_path):
    """v5 (analytics turns) and v6 (NLU inbox, audit, registry) are new tables."""
    engine = create_engine(f"sqlite:///{tmp_path / 'v3.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER)"))
        conn.execute(text("INSERT INTO schema_version VALUES (1, 3)"))
    assert init_db(engine) == head_revision() == "0002"
    tables = set(inspect(engine).get_table_names())
    assert {"nlu_inbox_item", "nlu_inbox_cursor", "admin_audit", "nlu_model"} <= tables
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM analytics_turn")).scalar() == 0
    assert not inspect(engine).has_table("schema_version")
    engine.dispose()


def test_version_3_gets_the_durable_inbox_and_production_only_checks(tmp_path):
    from bot.store.db import SchemaOutdated, current_revision, require_current_schema
    from bot.store.migrations.schema_v7 import METADATA

    engine = create_engine(f"sqlite:///{tmp_path / 'v3.db'}")
    with pytest.raises(SchemaOutdated, match="no schema.*wecare db migrate"):
        require_current_schema(engine)
    METADATA.create_all(engine)
    with engine.begin() as conn:  # a version-3 database: everything but the inbox
        conn.execute(text("DROP TABLE inbox_item"))
        conn.execute(text("CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER)"))
        conn.execute(text("INSERT INTO schema_version VALUES (1, 3)"))
    with pytest.raises(
        SchemaOutdated, match="version 3 .pre-Alembic., this version needs revision 0002"
    ):
        require_current_schema(engine)
    assert not inspect(engine).has_table("inbox_item")  # the check changed nothing
    assert init_db(engine) == "0002" == current_revision(engine)
    assert inspect(engine).has_table("inbox_item")
    assert require_current_schema(engine) == "0002"
    engine.dispose()
