"""PostgreSQL stops mid-conversation: messages are kept on disk, answered once, in order.

A PostgreSQL server of the test's own (``tests/fixtures/pg_server.py``) holds the app data
and the catalog, so the test can stop it (``-m immediate``, like a crash) and start it again;
Redis from TEST_REDIS_URL, a fake Rasa that echoes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.store.db import create_store_engine, init_db
from catalog.db import make_engine, upgrade
from tests.fixtures.fake_rasa import FakeRasa
from tests.fixtures.pg_server import PgServer
from tests.fixtures.production import production_settings, receive, receive_until, require_env
from tests.fixtures.servers import free_port, serve_fake

pytestmark = pytest.mark.postgres
SESSION = "pg-restart-session-0001"


@pytest.fixture
def pg_server() -> Iterator[PgServer]:
    require_env("TEST_POSTGRES_URL", "PostgreSQL")  # CI installs the server binaries
    server = PgServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
def fake() -> Iterator[FakeRasa]:
    yield from serve_fake(FakeRasa())


def _say(ws, text: str, client_id: str) -> list[dict]:
    ws.send_json({"type": "message", "text": text, "client_id": client_id})
    return receive_until(ws, lambda f: f.get("client_id") == client_id)["items"]


def test_postgres_down_mid_conversation_nothing_lost(pg_server: PgServer, fake, tmp_path):
    app_url, catalog_url = pg_server.create_database("app"), pg_server.create_database("catalog")
    app_engine, catalog_engine = create_store_engine(app_url), make_engine(catalog_url)
    init_db(app_engine)  # what `wecare db migrate` does
    upgrade(catalog_engine)
    app_engine.dispose()
    catalog_engine.dispose()
    settings = production_settings(
        app_url=app_url,
        catalog_url=catalog_url,
        redis_url=require_env("TEST_REDIS_URL", "Redis"),
        rasa_urls=[fake.url],
        instance="gateway-pg-restart",
        spool_dir=tmp_path,
        inbox_retry_seconds=0.2,
    )
    app = create_app(settings)
    gateway = app.state.gateway
    queued = gateway.texts.text("gateway.queued")
    spool_file = tmp_path / "spool-gateway-pg-restart.jsonl"
    with TestClient(app) as client, client.websocket_connect(f"/ws/chat?session={SESSION}") as ws:
        assert receive(ws)["type"] == "ready"
        assert _say(ws, "prima domanda", "c1")[0]["text"] == "Hai scritto: prima domanda"

        pg_server.stop()
        # a person in danger still gets the numbers first, then the "registered" notice
        items = _say(ws, "mio marito mi picchia", "c2")
        assert items[0]["custom"]["type"] == "emergency"
        assert "1522" in [n["number"] for n in items[0]["custom"]["numbers"]]
        assert items[-1]["text"] == queued
        assert [i["text"] for i in _say(ws, "ci sei ancora?", "c3")] == [queued]
        assert len(spool_file.read_text(encoding="utf-8").splitlines()) == 2
        history = client.get(f"/api/chat/history?session={SESSION}")
        assert history.status_code == 503 and "error" in history.json()

        pg_server.start()
        late = [receive_until(ws, lambda f: f.get("type") == "messages", timeout=30)["items"]
                for _ in range(2)]  # fmt: skip
        assert all(items[0]["text"].startswith("Scusa il ritardo") for items in late)
        assert late[0][1]["custom"]["type"] == "emergency"  # Rasa's answer to the risk message
        assert late[1][-1]["text"] == "Hai scritto: ci sei ancora?"
        deadline = time.monotonic() + 10  # removed just after the last delivery
        while spool_file.exists():
            assert time.monotonic() < deadline, "the spool was not emptied"
            time.sleep(0.05)

        logged = client.get(f"/api/chat/history?session={SESSION}").json()["messages"]
        citizen = [m["text"] for m in logged if m["direction"] == "in"]
        assert citizen == ["prima domanda", "mio marito mi picchia", "ci sei ancora?"]
        assert [r["message"] for r in fake.received] == citizen  # Rasa saw each once, in order
        time.sleep(0.5)  # a further inbox round must not answer anything again
        assert len(fake.received) == 3
