"""Two gateway instances on real PostgreSQL and Redis (the production profile).

Conversations spread over the gateways and over two Rasa instances (fakes here; the real Rasa
servers are in tests/e2e/test_e2e_production.py); a handoff claimed on gateway A reaches the
consoles of gateway B; an operator's reply written on A reaches the citizen connected to B;
messages kept while Rasa is down are answered once each, in order, by whichever gateway.
"""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.store import ConversationRepository, create_store_engine
from bot.store.db import SchemaOutdated
from catalog.db import CatalogSchemaOutdated
from tests.fixtures.handoff import (
    Clock,
    Console,
    TrackerFakeRasa,
    add_operators,
    handoff_app,
    repos,
)
from tests.fixtures.production import PgDatabases, production_settings, receive, receive_until
from tests.fixtures.servers import serve_fake
from wecare.settings import ROOT

pytestmark = pytest.mark.postgres
WECARE = str(ROOT / ".venv" / "bin" / "wecare")


def _db_cli(action: str, app_url: str, catalog_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "WECARE_PROFILE": "production",
        "APP_DATABASE_URL": app_url,
        "DATABASE_URL": catalog_url,
    }
    return subprocess.run(  # noqa: S603 - fixed command
        [WECARE, "db", action], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def fakes() -> Iterator[tuple[TrackerFakeRasa, TrackerFakeRasa]]:
    first, second = TrackerFakeRasa(), TrackerFakeRasa()
    gens = [serve_fake(first), serve_fake(second)]
    for gen in gens:
        next(gen)
    yield first, second
    for gen in gens:
        with pytest.raises(StopIteration):
            next(gen)


@pytest.fixture
def cluster(pg: PgDatabases, redis_url: str, fakes) -> dict[str, Any]:
    app_url, catalog_url = pg.new("app"), pg.new("catalog")
    migrated = _db_cli("migrate", app_url, catalog_url)
    assert migrated.returncode == 0, migrated.stderr
    rasa_urls = [fake.url for fake in fakes]
    settings = {
        name: production_settings(
            app_url=app_url,
            catalog_url=catalog_url,
            redis_url=redis_url,
            rasa_urls=rasa_urls,
            instance=f"gateway-{name}",
            inbox_retry_seconds=0.3,
        )
        for name in ("a", "b")
    }
    return {"settings": settings, "app_url": app_url, "fakes": fakes}


def _wait(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def _start(stack: ExitStack, app: Any) -> TestClient:
    client = stack.enter_context(TestClient(app))
    _wait(lambda: app.state.gateway.redis.subscribed.is_set())
    return client


def _widget(stack: ExitStack, client: TestClient, session: str) -> Any:
    ws = stack.enter_context(client.websocket_connect(f"/ws/chat?session={session}"))
    assert receive(ws)["type"] == "ready"
    return ws


def _say(ws: Any, text: str) -> list[dict[str, Any]]:
    ws.send_json({"type": "message", "text": text})
    return receive_until(ws, lambda f: f.get("type") == "messages" and "client_id" in f)["items"]


def test_db_migrate_is_the_only_way_and_an_old_schema_is_refused(pg, redis_url, fakes):
    app_url, catalog_url = pg.new("app"), pg.new("catalog")
    settings = production_settings(
        app_url=app_url,
        catalog_url=catalog_url,
        redis_url=redis_url,
        rasa_urls=[fakes[0].url],
        instance="gateway-a",
    )
    with pytest.raises(SchemaOutdated, match="run `wecare db migrate` first"):
        create_app(settings)
    status = _db_cli("status", app_url, catalog_url)
    assert status.returncode == 1 and "needs `wecare db migrate`" in status.stdout
    engine = create_store_engine(app_url)
    ConversationRepository(engine)  # nothing created the tables: the refusal changed nothing
    from sqlalchemy import inspect

    assert inspect(engine).get_table_names() == []
    engine.dispose()
    # the app database alone migrated: the catalog is still refused
    from bot.store.db import head_revision, init_db

    engine = create_store_engine(app_url)
    init_db(engine)
    engine.dispose()
    with pytest.raises(CatalogSchemaOutdated, match="wecare db migrate"):
        create_app(settings)
    migrated = _db_cli("migrate", app_url, catalog_url)
    assert migrated.returncode == 0, migrated.stderr
    assert "catalog" in migrated.stdout and "app" in migrated.stdout
    assert f"-> {head_revision()}" in migrated.stdout.splitlines()[-1]
    assert _db_cli("status", app_url, catalog_url).returncode == 0
    create_app(settings)  # now it starts


def test_production_profile_needs_its_servers(tmp_path):
    from wecare.settings import get_settings

    get_settings.cache_clear()
    from dataclasses import replace

    settings = replace(get_settings(), profile="production", secret_key="")
    with pytest.raises(ValueError, match="APP_DATABASE_URL must be a PostgreSQL URL") as exc:
        create_app(settings)
    assert "REDIS_URL must be set" in str(exc.value) and "SECRET_KEY" in str(exc.value)


def test_conversations_spread_over_gateways_and_rasa_instances(cluster):
    first, second = cluster["fakes"]
    with ExitStack() as stack:
        clients = [_start(stack, create_app(cluster["settings"][n])) for n in ("a", "b")]
        sessions = [f"spread-session-{n:04d}-abcdef" for n in range(8)]
        sockets = [_widget(stack, clients[n % 2], s) for n, s in enumerate(sessions)]
        for k in range(3):
            for n, ws in enumerate(sockets):
                items = _say(ws, f"messaggio {k} di {n}")
                assert [i["text"] for i in items] == [f"Hai scritto: messaggio {k} di {n}"]
    received = {
        fake.url: [(b["sender"], b["message"]) for b in fake.received] for fake in cluster["fakes"]
    }
    assert received[first.url] and received[second.url]  # both Rasa instances worked
    for n, session in enumerate(sessions):
        homes = [url for url, got in received.items() if any(s == f"web-{session}" for s, _ in got)]
        assert len(homes) == 1  # one instance per conversation, whichever gateway
        mine = [m for s, m in received[homes[0]] if s == f"web-{session}"]
        assert mine == [f"messaggio {k} di {n}" for k in range(3)]  # once each, in order
    store = ConversationRepository(create_store_engine(cluster["app_url"]))
    for session in sessions:
        log = store.history(store.find_conversation(f"web-{session}").id)
        assert [(m.direction, m.status) for m in log] == [
            ("in", "forwarded"),
            ("out", "delivered"),
        ] * 3


def test_handoff_claimed_on_a_is_seen_on_b_and_the_reply_reaches_the_citizen_on_b(cluster):
    clock = Clock()
    app_a = handoff_app(cluster["settings"]["a"], clock)
    app_b = handoff_app(cluster["settings"]["b"], clock)
    add_operators(app_a)
    session = "handoff-across-gateways-01"
    with ExitStack() as stack:
        client_a, client_b = _start(stack, app_a), _start(stack, app_b)
        anna, bruno = Console.of(app_a, client_a), Console.of(app_b, client_b)
        assert anna.login("anna").status_code == 303 and bruno.login("bruno").status_code == 303
        bruno_ws = stack.enter_context(bruno.client.websocket_connect("/console/ws"))
        assert receive(bruno_ws)["type"] == "ready"
        citizen = _widget(stack, client_b, session)  # the citizen is on gateway B
        citizen.send_json({"type": "message", "text": "vorrei parlare con un operatore"})
        receive_until(citizen, lambda f: f.get("type") == "messages")
        conv = repos(app_a).conversations.find_conversation(f"web-{session}")
        assert conv.mode == "human"
        receive_until(
            bruno_ws, lambda f: f["type"] == "queue" and f.get("conversation_id") == conv.id
        )

        assert anna.post(f"/conversations/{conv.id}/claim").status_code == 200  # on gateway A
        # B's console hears of it (the claim notice is a message logged on A) ...
        seen = receive_until(
            bruno_ws, lambda f: f["type"] == "message" and "Anna" in f["message"]["text"]
        )
        assert seen["conversation_id"] == conv.id and seen["mode"] == "human"
        receive_until(
            bruno_ws, lambda f: f["type"] == "queue" and f.get("conversation_id") == conv.id
        )
        assert bruno.get("/queue").status_code == 200
        # ... and so does the citizen connected to B
        notice = receive_until(citizen, lambda f: f.get("type") == "messages")
        assert "Anna" in notice["items"][0]["text"]

        sent = anna.post(f"/conversations/{conv.id}/messages", {"text": "Buongiorno, ti ascolto."})
        assert sent.status_code == 200
        pushed = receive_until(citizen, lambda f: f.get("type") == "messages")
        assert [(i["sender_kind"], i["text"]) for i in pushed["items"]] == [
            ("operator", "Buongiorno, ti ascolto.")
        ]
        seen = receive_until(bruno_ws, lambda f: f["type"] == "message")
        assert seen["message"]["text"] == "Buongiorno, ti ascolto."
    log = repos(app_a).conversations.history(conv.id)
    reply = next(m for m in log if m.text == "Buongiorno, ti ascolto.")
    assert reply.sender_kind == "operator" and reply.status == "delivered"


def test_kept_messages_are_answered_once_in_order_by_either_gateway(cluster):
    fakes = cluster["fakes"]
    for fake in fakes:
        fake.down = True
    with ExitStack() as stack:
        clients = [_start(stack, create_app(cluster["settings"][n])) for n in ("a", "b")]
        sessions = [f"inbox-across-{n:04d}-abcdefgh" for n in range(4)]
        sockets = [_widget(stack, clients[n % 2], s) for n, s in enumerate(sessions)]
        for k in range(3):
            for n, ws in enumerate(sockets):
                [notice] = _say(ws, f"tenuto {k} di {n}")
                assert "registrato" in notice["text"]
        for fake in fakes:
            fake.down = False  # both gateways' workers now compete for the kept messages
        late = {n: [receive(ws, 20)["items"] for _ in range(3)] for n, ws in enumerate(sockets)}
    for n, pushes in late.items():
        assert [p[1]["text"] for p in pushes] == [
            f"Hai scritto: tenuto {k} di {n}" for k in range(3)
        ]
        assert all(p[0]["text"].startswith("Scusa il ritardo") for p in pushes)
    sent = Counter((b["sender"], b["message"]) for fake in fakes for b in fake.received)
    assert set(sent.values()) == {1} and len(sent) == 12  # each kept message exactly once
    store = ConversationRepository(create_store_engine(cluster["app_url"]))
    for session in sessions:
        log = store.history(store.find_conversation(f"web-{session}").id)
        answers = [m.text for m in log if m.sender_kind == "bot"]
        assert len(answers) == 3 and len(set(answers)) == 3
        assert all(m.status == "forwarded" for m in log if m.direction == "in")
