"""The NLU inbox on PostgreSQL (the production profile): collect, filter, annotate, add, erase.

Uses ``TEST_POSTGRES_URL`` (``.ci/run`` starts a server on loopback) in its own schema; skips
without it, fails under ``WECARE_REQUIRE_ALL_TESTS=1``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.nlu_inbox.repo import InboxFilter, InboxRepository
from bot.nlu_inbox.service import Inbox
from bot.nlu_inbox.tracker import TrackerEvents
from bot.nlu_inbox.training import TrainingData
from bot.store import ConversationRepository, init_db
from bot.store.deletion import DataEraser, TrackerStoreEraser
from tests.bot.nlu_inbox.conftest import seed
from wecare.settings import DOMAIN_DIR, NLU_TEST_FILE

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    url = os.environ.get("TEST_POSTGRES_URL", "").strip()
    if not url:
        message = "TEST_POSTGRES_URL is not set: PostgreSQL NLU inbox test not run"
        if os.environ.get("WECARE_REQUIRE_ALL_TESTS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    schema = f"inbox_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    init_db(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_the_inbox_on_postgres(pg_engine, tracker, data_dir):
    seed(tracker)
    conversations = ConversationRepository(pg_engine)
    alice = conversations.get_or_create_conversation("web", "web-alice")
    logged = conversations.log_message(
        alice, direction="in", sender_kind="citizen", text="il coso, 011 123456", status="forwarded"
    )
    repo = InboxRepository(pg_engine)
    inbox = Inbox(
        repo,
        TrackerEvents(tracker.url),
        TrainingData(data_dir, NLU_TEST_FILE, DOMAIN_DIR),
        threshold=0.6,
        retention_days=180,
    )
    assert inbox.collect() == 6 and inbox.collect() == 0
    assert repo.flag_message(alice.id, logged.id) is not None
    items = inbox.items(InboxFilter())
    assert len(items) == 7 and repo.counts()["new"] == 7
    day = datetime(2026, 11, 30, tzinfo=timezone.utc)
    assert len(inbox.items(InboxFilter(since=day, until=day + timedelta(days=1)))) == 6
    unsure = next(i for i in items if i.text == "boh forse la casa")
    assert inbox.items(InboxFilter(intent="need_housing")) == [unsure]
    assert repo.annotate([unsure.id], "need_housing", [], "ada") == [unsure.id]
    result = inbox.add_to_training([unsure.id], "ada")
    assert result.added == [(unsure.id, "nlu/data/inbox/need_housing.yml")]
    assert repo.get(unsure.id).status == "added"
    phone = next(i for i in items if "bolletta" in i.text)
    assert phone.reasons == ["nlu_fallback", "rejected_suggestion"]
    assert phone.ranking[0]["name"] == "need_economic_support"
    # The erasure removes the citizen's items (linked, and read from Rasa before the link).
    eraser = DataEraser(conversations, TrackerStoreEraser(tracker.url))
    report = eraser.erase("web-alice", requested_by="admin")
    assert report.counts["nlu_inbox_item"] == 2
    assert len(inbox.items(InboxFilter(status=None))) == 5
    assert inbox.purge(now=day + timedelta(days=181)) == 5
    inbox.tracker.dispose()
    eraser.tracker.dispose()
