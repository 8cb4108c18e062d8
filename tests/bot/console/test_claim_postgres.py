"""Atomic claim and handoff opening on PostgreSQL (the production profile).

Uses ``TEST_POSTGRES_URL`` (``.ci/run`` starts a server on loopback); each test works in its own
schema. Without the URL the test skips, or fails with ``WECARE_REQUIRE_ALL_TESTS=1``.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, text

from bot.console.accounts import AccountRepository
from bot.handoff.repo import HandoffRepository
from bot.store import ConversationRepository, init_db
from tests.fixtures.handoff import OPEN_TIME

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    url = os.environ.get("TEST_POSTGRES_URL", "").strip()
    if not url:
        message = "TEST_POSTGRES_URL is not set: PostgreSQL handoff tests not run"
        if os.environ.get("WECARE_REQUIRE_ALL_TESTS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    schema = f"handoff_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"}, pool_size=10)
    init_db(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_concurrent_open_and_claim_on_postgres(pg_engine):
    conversations = ConversationRepository(pg_engine)
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    accounts = AccountRepository(pg_engine, hasher)
    ops = [accounts.add(f"op{i}", f"Op {i}", "password-lunga", enti=["ciss38"]) for i in range(4)]
    store = HandoffRepository(pg_engine)
    conv = conversations.get_or_create_conversation("web", "web-pg-race-000000000001")

    barrier = threading.Barrier(8)

    def open_handoff(_: int) -> bool:
        barrier.wait()
        opened = store.begin(
            conv.id, status="queued", now=OPEN_TIME, ente_gestore_id="ciss38", reason="request"
        )
        return opened is not None

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(open_handoff, range(8))).count(True) == 1
    handoff = store.active_for(conv.id)
    assert handoff is not None and conversations.get_conversation(conv.id).mode == "human"
    assert store.queue_position(handoff) == 1

    barrier = threading.Barrier(8)

    def claim(i: int) -> bool:
        barrier.wait()
        return store.claim(handoff.id, ops[i % 4].id, ["ciss38"], OPEN_TIME) is not None

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(claim, range(8))).count(True) == 1
    done = store.transition(handoff.id, ("assigned",), status="returned", ended_at=OPEN_TIME)
    assert done is not None and conversations.get_conversation(conv.id).mode == "bot"
    assert [i.handoff.id for i in store.list_active(None)] == []
