"""A database made by the pre-Alembic schema manager (versions 1-7) upgrades in place."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, func, insert, inspect, select, text

from bot.store.db import (
    SchemaOutdated,
    create_store_engine,
    current_revision,
    init_db,
    legacy_version,
    require_current_schema,
)
from bot.store.migrations.schema_v7 import METADATA
from tests.fixtures.app_schema import legacy_database, snapshot

T = METADATA.tables
NOW = datetime.now(timezone.utc)
THREE_DAYS_AGO = NOW - timedelta(days=3)


def _seed(engine: Engine, version: int) -> None:
    """Two conversations, their messages, handoffs (one at risk) and an operator."""
    with engine.begin() as conn:
        for cid in (1, 2):
            conn.execute(
                insert(T["conversation"]).values(
                    id=cid, channel="web", sender_id=f"web-{cid}", mode="bot", meta={},
                    created_at=THREE_DAYS_AGO, updated_at=THREE_DAYS_AGO,
                )
            )  # fmt: skip
            for mid, direction in ((cid * 10, "in"), (cid * 10 + 1, "out")):
                conn.execute(
                    insert(T["message"]).values(
                        id=mid, conversation_id=cid, direction=direction, sender_kind="citizen",
                        event="text", text="ciao", payload={}, channel="web", mode="bot",
                        status="forwarded", created_at=THREE_DAYS_AGO,
                    )
                )  # fmt: skip
        conn.execute(
            insert(T["operator"]).values(
                id=1, username="anna", display_name="Anna", password_hash="x", role="operator",
                enti=[], active=True, failed_logins=0, created_at=NOW,
            )
        )  # fmt: skip
        violence = {"priority": 1} if version >= 2 else {}
        conn.execute(
            insert(T["handoff"]).values(
                id=1, conversation_id=1, status="queued", reason="violence", meta={},
                created_at=THREE_DAYS_AGO, **violence,
            )
        )  # fmt: skip
        if version < 3:  # v3 sent the handoffs waiting for the comune to the triage queue
            conn.execute(
                insert(T["handoff"]).values(
                    id=2, conversation_id=2, status="awaiting_comune", reason="request",
                    ente_gestore_id="cisa", meta={}, created_at=THREE_DAYS_AGO,
                )
            )  # fmt: skip


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(T[table])).scalar() or 0)


@pytest.mark.parametrize("version", [1, 2, 3, 5, 6, 7])
def test_an_old_database_upgrades_to_head_without_losing_rows(app_url, other_url, version):
    engine = create_store_engine(app_url)
    legacy_database(engine, version)
    _seed(engine, version)
    assert legacy_version(engine) == version and current_revision(engine) is None
    with pytest.raises(SchemaOutdated, match=f"schema version {version} \\(pre-Alembic\\)"):
        require_current_schema(engine)
    assert init_db(engine) == "0002" == current_revision(engine)
    assert not inspect(engine).has_table("schema_version")
    reference = create_store_engine(other_url)
    init_db(reference)
    assert snapshot(engine) == snapshot(reference)  # the same schema as a new database
    reference.dispose()
    assert (_count(engine, "conversation"), _count(engine, "message")) == (2, 4)
    assert _count(engine, "operator") == 1
    with engine.connect() as conn:
        handoffs = conn.execute(
            text("SELECT id, status, priority, ente_gestore_id, queued_at FROM handoff ORDER BY id")
        ).all()
    assert handoffs[0][:3] == (1, "queued", 1)  # v2: people at risk first
    if version < 3:
        assert handoffs[1][1:4] == ("queued", 0, None) and handoffs[1][4] is not None
    # v7 rolled up the days before today (a later version had nothing to back-fill)
    assert (_count(engine, "analytics_rolled_day") > 0) == (version < 7)
    assert require_current_schema(engine) == "0002"
    engine.dispose()


def test_a_schema_version_table_without_its_row_counts_as_version_7(app_url):
    engine = create_store_engine(app_url)
    legacy_database(engine, 7)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM schema_version"))
    assert legacy_version(engine) == 7
    assert init_db(engine) == "0002" and not inspect(engine).has_table("schema_version")
    engine.dispose()
