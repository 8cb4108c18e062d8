"""Alembic migrations of the app database (bot/store/migrations), SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import bot.handoff.models  # noqa: F401 - the handoff and console tables
from bot.store.db import (
    SchemaOutdated,
    create_store_engine,
    current_revision,
    downgrade,
    head_revision,
    include_object,
    init_db,
    prepare_db,
    require_current_schema,
    upgrade,
)
from bot.store.models import Base
from tests.fixtures.app_schema import snapshot

#: The tables of schema version 7, the last one before Alembic (revision 0001).
V7_TABLES = {
    "admin_audit", "analytics_daily", "analytics_rolled", "analytics_rolled_day",
    "analytics_turn", "callback_payload", "console_note", "contact_request", "conversation",
    "data_deletion", "handoff", "inbox_item", "message", "nlu_inbox_cursor", "nlu_inbox_item",
    "nlu_model", "nlu_training_lock", "operator", "operator_session",
}  # fmt: skip


def test_a_new_database_upgrades_to_the_schema_the_models_describe(app_url, other_url):
    engine, reference = create_store_engine(app_url), create_store_engine(other_url)
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision() == "0002"
    Base.metadata.create_all(reference)  # what the old init_db made, without schema_version
    assert snapshot(engine) == snapshot(reference)
    assert set(snapshot(engine)) == V7_TABLES
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("message")}
    assert {
        "ix_message_created_at",
        "ix_message_conversation_id_id",
        "ix_message_status",
    } <= indexes
    engine.dispose()
    reference.dispose()


def test_migrations_match_the_models(app_url):
    engine = create_store_engine(app_url)
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": include_object, "compare_type": True}
        )
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_init_db_is_idempotent_and_downgrade_drops_every_table(app_url):
    engine = create_store_engine(app_url)
    assert init_db(engine) == init_db(engine) == "0002"
    downgrade(engine)
    assert set(inspect(engine).get_table_names()) <= {"app_alembic_version"}
    assert current_revision(engine) is None
    engine.dispose()


def test_production_only_checks_and_embedded_upgrades(app_url):
    engine = create_store_engine(app_url)
    with pytest.raises(SchemaOutdated, match="no schema, this version needs revision 0002"):
        prepare_db(engine, migrate=False)
    assert inspect(engine).get_table_names() == []  # the check changed nothing
    assert prepare_db(engine, migrate=True) == "0002"
    assert prepare_db(engine, migrate=False) == require_current_schema(engine) == "0002"
    engine.dispose()
