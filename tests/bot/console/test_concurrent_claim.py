"""Two operators claiming the same conversation at once: exactly one wins."""

from __future__ import annotations

import asyncio
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import websockets

from bot.handoff.repo import HandoffRepository
from bot.store import create_store_engine
from tests.fixtures.handoff import OPEN_TIME, PASSWORD, add_operators, handoff_app, repos
from tests.fixtures.servers import ServerThread

SESSION = "concurrent-session-0001"


async def _request_human(url: str) -> None:
    async with websockets.connect(url) as ws:
        await ws.recv()
        await ws.send('{"type": "message", "payload": "/request_human"}')
        await ws.recv()


def _login(base: str, username: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=20, follow_redirects=True)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/console/login").text).group(1)
    response = client.post(
        "/console/login", data={"username": username, "password": PASSWORD, "csrf": token}
    )
    csrf = re.search(r'data-csrf="([^"]+)"', response.text).group(1)
    return client, csrf


def test_concurrent_claims_over_http_exactly_one_wins(settings, clock):
    app = handoff_app(settings, clock)
    add_operators(app)
    server = ServerThread(app).start()
    try:
        ws_url = server.url.replace("http", "ws") + f"/ws/chat?session={SESSION}&consortium=ciss38"
        asyncio.run(_request_human(ws_url))
        anna, anna_csrf = _login(server.url, "anna")
        bruno, bruno_csrf = _login(server.url, "bruno")
        conv_id = anna.get("/console/api/queue").json()["queued"][0]["conversation"]["id"]
        barrier = threading.Barrier(2)

        def claim(client: httpx.Client, csrf: str) -> int:
            barrier.wait()
            url = f"/console/api/conversations/{conv_id}/claim"
            return client.post(url, headers={"X-CSRF-Token": csrf}).status_code

        with ThreadPoolExecutor(2) as pool:
            codes = sorted(pool.map(lambda a: claim(*a), [(anna, anna_csrf), (bruno, bruno_csrf)]))
        assert codes == [200, 409]
        detail = anna.get(f"/console/api/conversations/{conv_id}").json()
        assert detail["handoff"]["status"] == "assigned"
        assert detail["handoff"]["operator_name"] in ("Anna Bianchi", "Bruno Verdi")
        anna.close()
        bruno.close()
    finally:
        server.stop()


def test_many_threads_claiming_in_the_database_exactly_one_wins(settings, clock):
    app = handoff_app(settings, clock)
    ops = add_operators(app)
    conversations = repos(app).conversations
    conv = conversations.get_or_create_conversation("web", "web-race-0000000000000001")
    store = HandoffRepository(create_store_engine(settings.app_database_url))
    handoff = store.begin(
        conv.id, status="queued", now=OPEN_TIME, ente_gestore_id="ciss38", reason="request"
    )
    barrier = threading.Barrier(8)
    candidates = [ops["anna"].id, ops["bruno"].id, ops["sara"].id] * 3

    def claim(operator_id: int) -> bool:
        barrier.wait()
        return store.claim(handoff.id, operator_id, None, OPEN_TIME) is not None

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(claim, candidates[:8]))
    assert results.count(True) == 1
    # An operator of another ente cannot claim even a free one.
    other = store.begin(
        conversations.get_or_create_conversation("web", "web-race-0000000000000002").id,
        status="queued",
        now=OPEN_TIME,
        ente_gestore_id="ciss38",
        reason="request",
    )
    assert store.claim(other.id, ops["ivo"].id, ["inrete"], OPEN_TIME) is None
