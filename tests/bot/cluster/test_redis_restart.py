"""Redis stops and comes back while two gateways run: nothing breaks, delivery resumes.

A Redis server of the test's own (``redis-server`` on a free loopback port, no persistence),
so it can be stopped and started again on the same port; PostgreSQL from TEST_POSTGRES_URL.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.gateway.replies import Reply
from bot.store.db import create_store_engine, init_db
from catalog.db import make_engine, upgrade
from tests.fixtures.fake_rasa import FakeRasa
from tests.fixtures.production import (
    PgDatabases,
    production_settings,
    receive,
    receive_until,
    require_env,
)
from tests.fixtures.servers import free_port, serve_fake

pytestmark = pytest.mark.postgres
SESSION = "redis-restart-session-0001"


class RedisServer:
    """``redis-server`` on ``port``; ``stop()`` and ``start()`` keep the port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None
        cmd = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self.proc = subprocess.Popen(  # noqa: S603 - fixed command
            [*cmd, "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while subprocess.call(  # noqa: S603
            [shutil.which("redis-cli") or "redis-cli", "-p", str(self.port), "ping"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def subscribers(self, channel: str) -> int:
        import redis

        client = redis.Redis.from_url(self.url)
        try:
            return int(dict(client.pubsub_numsub(channel)).get(channel.encode(), 0))
        except redis.RedisError:
            return 0
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    require_env("TEST_REDIS_URL", "Redis")  # CI installs redis-server and sets it
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (.ci/run installs it)")
    server = RedisServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake() -> Iterator[FakeRasa]:
    yield from serve_fake(FakeRasa())


def _wait(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_redis_restart_mid_conversation(pg: PgDatabases, redis_server: RedisServer, fake):
    app_url, catalog_url = pg.new("app"), pg.new("catalog")
    app_engine, catalog_engine = create_store_engine(app_url), make_engine(catalog_url)
    init_db(app_engine)  # what `wecare db migrate` does (tested in test_two_gateways.py)
    upgrade(catalog_engine)
    app_engine.dispose()
    catalog_engine.dispose()
    settings = {
        name: production_settings(
            app_url=app_url,
            catalog_url=catalog_url,
            redis_url=redis_server.url,
            rasa_urls=[fake.url],
            instance=f"gateway-{name}",
        )
        for name in ("a", "b")
    }
    app_a, app_b = create_app(settings["a"]), create_app(settings["b"])
    links = [app.state.gateway.redis for app in (app_a, app_b)]
    with ExitStack() as stack:
        client_a = stack.enter_context(TestClient(app_a))
        client_b = stack.enter_context(TestClient(app_b))
        _wait(lambda: all(link.subscribed.is_set() for link in links))
        citizen = stack.enter_context(client_b.websocket_connect(f"/ws/chat?session={SESSION}"))
        assert receive(citizen)["type"] == "ready"
        citizen.send_json({"type": "message", "text": "ciao"})
        receive_until(citizen, lambda f: f.get("type") == "messages")
        gateway_a = app_a.state.gateway
        conv = gateway_a.repos.conversations.find_conversation(f"web-{SESSION}")

        def push(text: str) -> str:
            reply = Reply(text=text, sender_kind="operator", sender_name="Anna")
            [logged] = client_a.portal.call(gateway_a.outbox.push, conv.id, [reply])
            return next(
                m.status
                for m in gateway_a.repos.conversations.history(conv.id)
                if m.id == logged.message_id
            )

        assert push("prima") == "delivered"
        assert receive(citizen)["items"][0]["text"] == "prima"

        redis_server.stop()
        # the message is logged and marked failed, nothing raises; B still answers its citizen
        assert push("durante") == "failed"
        citizen.send_json({"type": "message", "text": "ci sei?"})
        answer = receive_until(citizen, lambda f: "client_id" in f)
        assert answer["items"][0]["text"] == "Hai scritto: ci sei?"
        _wait(lambda: not any(link.subscribed.is_set() for link in links))

        redis_server.start()
        # both gateways subscribe again by themselves (retry every second)
        _wait(lambda: redis_server.subscribers("wecare:web") == 2)
        assert push("dopo") == "delivered"
        assert receive(citizen)["items"][0]["text"] == "dopo"
        health = client_a.get("/healthz").json()
        assert health["redis"] is True and health["db"] is True
