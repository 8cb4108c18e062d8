"""Gateway: logging before forwarding, Rasa down, input guards, history, health, origins."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from bot.app import create_app
from bot.gateway.events import EventBus
from bot.gateway.outbox import Outbox
from bot.gateway.rasa_client import RasaClient
from bot.gateway.replies import Reply
from bot.gateway.router import Router
from bot.store import ConversationRepository, ConversationStore, create_store_engine, init_db
from bot.telegram.ratelimit import ChatRateLimiter
from bot.texts import citizen_texts
from tests.fixtures.servers import free_port

TEXTS = citizen_texts()

SESSION = "test-session-0123456789"


def _store(settings) -> ConversationRepository:
    return ConversationRepository(create_store_engine(settings.app_database_url))


def _settled_history(store: ConversationRepository, conversation_id: int, timeout: float = 10.0):
    """The conversation's log once every reply's delivery has been recorded.

    The gateway sends a reply first and records ``delivered`` right after, in a worker thread:
    a test that reads the log as soon as it has the reply can get there before that write.
    """
    deadline = time.monotonic() + timeout
    log = store.history(conversation_id)
    while any(m.status == "generated" for m in log) and time.monotonic() < deadline:
        time.sleep(0.02)
        log = store.history(conversation_id)
    return log


def _chat(client: TestClient, frames: list[dict], session: str = SESSION) -> list[list[dict]]:
    """Send frames over the widget WebSocket; return the reply items of each."""
    answers = []
    with client.websocket_connect(f"/ws/chat?session={session}&consortium=ciss38") as ws:
        assert ws.receive_json()["type"] == "ready"
        for frame in frames:
            ws.send_json({"type": "message", **frame})
            answers.append(ws.receive_json()["items"])
    return answers


def test_message_is_logged_forwarded_and_answered(gateway_settings, fake_rasa):
    with TestClient(create_app(gateway_settings)) as client:
        [items] = _chat(client, [{"text": "ciao"}])
    assert items[0]["text"].startswith("Ciao!")
    assert [b["payload"] for b in items[0]["buttons"]][:2] == ["/need_housing", "/need_employment"]
    body = fake_rasa.received[0]
    assert body["sender"] == f"web-{SESSION}"
    assert body["metadata"]["channel"] == "web"
    assert body["input_channel"] == "web"
    store = _store(gateway_settings)
    conv = store.find_conversation(f"web-{SESSION}")
    assert conv is not None and conv.ente_gestore_id == "ciss38" and conv.mode == "bot"
    log = _settled_history(store, conv.id)
    assert [(m.direction, m.sender_kind, m.status) for m in log] == [
        ("in", "citizen", "forwarded"),
        ("out", "bot", "delivered"),
    ]
    assert log[0].text == "ciao" and log[0].mode == "bot" and log[0].channel == "web"


def test_structured_replies_and_conversation_learns_comune(gateway_settings):
    with TestClient(create_app(gateway_settings)) as client:
        [items] = _chat(client, [{"payload": "/need_housing", "title": "Casa"}])
    assert items[1]["custom"]["type"] == "services"
    conv = _store(gateway_settings).find_conversation(f"web-{SESSION}")
    assert conv.comune == "Cuorgnè" and conv.ente_gestore_id == "ciss38"


@pytest.mark.parametrize("mode", ["503", "unreachable"])
def test_rasa_down_polite_reply_and_message_kept(gateway_settings, fake_rasa, mode):
    settings = gateway_settings
    if mode == "503":
        fake_rasa.down = True
    else:
        settings = replace(settings, rasa_url=f"http://127.0.0.1:{free_port()}")
    with TestClient(create_app(settings)) as client:
        [items] = _chat(client, [{"text": "ho bisogno di aiuto per l'affitto"}])
        health = client.get("/healthz").json()
    assert items == [pytest.approx(items[0])] and items[0]["sender_kind"] == "system"
    assert items[0]["text"] == TEXTS.text("gateway.queued")
    assert "il tuo messaggio è stato registrato" in items[0]["text"].lower()
    assert health == {"status": "degraded", "db": True, "rasa": False, "telegram": "off"}
    store = _store(settings)
    log = store.history(store.find_conversation(f"web-{SESSION}").id)
    # kept in the durable inbox (tests/bot/gateway/test_inbox.py: answered when Rasa is back)
    assert log[0].text == "ho bisogno di aiuto per l'affitto" and log[0].status == "queued"
    assert [m.id for m in store.messages_with_status("queued")] == [log[0].id]


def test_input_guards(gateway_settings, fake_rasa):
    huge = "parola " * 400
    with TestClient(create_app(gateway_settings)) as client:
        empty, spaces, too_long, emoji = _chat(
            client, [{"text": ""}, {"text": "   \n\t "}, {"text": huge}, {"text": "grazie 🙏😊"}]
        )
    empty_notice = TEXTS.text("gateway.empty")
    assert empty[0]["text"] == empty_notice and spaces[0]["text"] == empty_notice
    assert "molto lungo" in too_long[0]["text"] and "2000" in too_long[0]["text"]
    assert emoji[0]["text"] == "Hai scritto: grazie 🙏😊"
    assert fake_rasa.messages() == ["grazie 🙏😊"]
    store = _store(gateway_settings)
    log = store.history(store.find_conversation(f"web-{SESSION}").id)
    inbound = [m for m in log if m.direction == "in"]
    assert [m.status for m in inbound] == ["rejected", "rejected", "rejected", "forwarded"]
    assert inbound[2].text == huge  # kept whole in the log, never forwarded


def test_typed_text_cannot_inject_intents(gateway_settings, fake_rasa):
    with TestClient(create_app(gateway_settings)) as client:
        _chat(client, [{"text": "/request_human"}, {"payload": "<b>x</b>", "text": "ok"}])
    assert fake_rasa.messages() == ["request_human", "ok"]


def test_history_survives_a_gateway_restart(gateway_settings):
    with TestClient(create_app(gateway_settings)) as client:
        _chat(client, [{"text": "ciao"}, {"payload": "/need_housing", "title": "Casa"}])
    with TestClient(create_app(gateway_settings)) as client:
        history = client.get(f"/api/chat/history?session={SESSION}").json()["messages"]
        assert client.get("/api/chat/history?session=bad id").status_code == 400
        unknown = client.get("/api/chat/history?session=unknown-session-123456").json()
    texts_ = [m["text"] for m in history]
    assert texts_[0] == "ciao" and "Casa" in texts_  # the button title, not the payload
    assert any(m.get("custom", {}).get("type") == "services" for m in history)
    assert unknown["messages"] == []


def test_push_reaches_open_widget_with_operator_name(gateway_settings):
    app = create_app(gateway_settings)
    with TestClient(app) as client:
        with client.websocket_connect(f"/ws/chat?session={SESSION}") as ws:
            ws.receive_json()
            ws.send_json({"type": "message", "text": "ciao"})
            ws.receive_json()
            conv = _store(gateway_settings).find_conversation(f"web-{SESSION}")
            reply = Reply(text="Buongiorno, sono Anna.", sender_kind="operator", sender_name="Anna")
            [logged] = client.portal.call(app.state.gateway.outbox.push, conv.id, [reply])
            item = ws.receive_json()["items"][0]
    assert item["sender_kind"] == "operator" and item["sender_name"] == "Anna"
    msg = _store(gateway_settings).history(conv.id)[-1]
    assert (msg.sender_kind, msg.sender_name, msg.status) == ("operator", "Anna", "delivered")
    assert logged.message_id == msg.id


async def test_human_mode_does_not_forward(gateway_settings, fake_rasa):
    """The router's own human-mode branch, without a handoff (tested apart in bot/handoff)."""
    engine = create_store_engine(gateway_settings.app_database_url)
    init_db(engine)
    repo = ConversationRepository(engine)
    conversations = ConversationStore(repo)
    rasa = RasaClient(gateway_settings.rasa_url)
    outbox = Outbox(conversations, EventBus())
    router = Router(conversations, rasa, outbox, TEXTS)  # no handoff, no deliverers
    sender = f"web-{SESSION}"
    try:
        await router.handle_incoming("web", sender, "ciao")
        conv = repo.find_conversation(sender)
        repo.update_conversation(conv.id, mode="human")
        items = await router.handle_incoming("web", sender, "c'è qualcuno?")
    finally:
        await rasa.aclose()
    assert items == [] and fake_rasa.messages() == ["ciao"]
    last = repo.history(conv.id)[-1]
    assert (last.text, last.status, last.mode) == ("c'è qualcuno?", "to_operator", "human")
    engine.dispose()


def test_healthz_ok(gateway_settings):
    with TestClient(create_app(gateway_settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "db": True, "rasa": True, "telegram": "off"}


def test_websocket_origin_checks_in_production(gateway_settings):
    settings = replace(
        gateway_settings,
        env="production",
        secret_key="test-secret-key",
        web_allowed_origins=("https://www.ciss38.it",),
    )
    with TestClient(create_app(settings)) as client:
        url = f"/ws/chat?session={SESSION}"
        with client.websocket_connect(url, headers={"origin": "https://www.ciss38.it"}) as ws:
            assert ws.receive_json()["type"] == "ready"
        for headers in ({"origin": "https://evil.example"}, {}):
            with pytest.raises(WebSocketDisconnect):
                with client.websocket_connect(url, headers=headers) as ws:
                    ws.receive_json()
        with pytest.raises(WebSocketDisconnect):
            with client.websocket_connect("/ws/chat?session=short") as ws:
                ws.receive_json()


def test_demo_page_and_widget_assets(gateway_settings):
    with TestClient(create_app(gateway_settings)) as client:
        page = client.get("/")
        js = client.get("/static/widget.js")
        css = client.get("/static/widget.css")
    assert page.status_code == 200 and 'lang="it"' in page.text and "widget.js" in page.text
    assert js.status_code == 200 and css.status_code == 200
    assert "innerHTML" not in js.text


def test_malformed_http_calls_get_clear_json_errors(gateway_settings):
    with TestClient(create_app(gateway_settings), raise_server_exceptions=False) as client:
        missing = client.get("/api/chat/history")
        bad = client.get("/api/chat/history?session=<script>")
        unknown = client.get("/api/nothing-here")
        wrong_method = client.post("/api/chat/history?session=" + SESSION)
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid request"
    assert missing.json()["fields"][0]["field"] == "query.session"
    assert bad.status_code == 400 and bad.json() == {"error": "invalid session", "status": 400}
    assert unknown.status_code == 404 and unknown.json()["error"] == "Not Found"
    assert wrong_method.status_code == 405 and wrong_method.json()["status"] == 405
    for response in (missing, bad, unknown, wrong_method):
        assert response.headers["content-type"].startswith("application/json")
        assert "Traceback" not in response.text


def test_malformed_frames_and_client_ids(gateway_settings, fake_rasa):
    with TestClient(create_app(gateway_settings)) as client:
        with client.websocket_connect(f"/ws/chat?session={SESSION}") as ws:
            assert ws.receive_json()["type"] == "ready"
            ws.send_text("not json")
            assert ws.receive_json() == {"type": "error", "error": "invalid JSON"}
            ws.send_json(["message"])
            assert ws.receive_json()["type"] == "error"
            ws.send_json({"type": "message", "text": ["a"], "client_id": "c1"})
            assert ws.receive_json() == {
                "type": "error",
                "error": "text must be a string",
                "client_id": "c1",
            }
            ws.send_json({"type": "message", "text": "ciao", "client_id": "abc_123"})
            answer = ws.receive_json()
            ws.send_json({"type": "message", "text": "ciao", "client_id": "bad id!"})
            assert ws.receive_json()["client_id"] is None
        history = client.get(f"/api/chat/history?session={SESSION}").json()["messages"]
    assert answer["type"] == "messages" and answer["client_id"] == "abc_123"
    assert history[0]["client_id"] == "abc_123" and history[0]["text"] == "ciao"
    assert "client_id" not in history[2]
    assert fake_rasa.messages() == ["ciao", "ciao"]


def test_production_never_logs_message_text(gateway_settings, fake_rasa, caplog):
    caplog.set_level(logging.DEBUG)
    settings = replace(gateway_settings, env="production", secret_key="test-secret-key")
    secret = "mi chiamo Maria Rossi e ho un debito di 4321 euro"
    url = f"/ws/chat?session={SESSION}"
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect(url, headers={"origin": "http://testserver"}) as ws:
            assert ws.receive_json()["type"] == "ready"
            ws.send_json({"type": "message", "text": secret})
            ws.receive_json()
            fake_rasa.down = True
            ws.send_json({"type": "message", "text": secret})
            assert ws.receive_json()["items"][0]["text"] == TEXTS.text("gateway.queued")
    assert fake_rasa.messages() == [secret]
    assert caplog.records and "Maria" not in caplog.text and "4321" not in caplog.text


async def test_private_chat_rate_limit_and_global_limiter():
    limiter = ChatRateLimiter(private_burst=2, private_rate=2.0)
    await limiter.initialize()
    loop = asyncio.get_running_loop()
    sent: list[tuple[int, float]] = []

    async def call(chat: int) -> None:
        async def callback(*args, **kwargs):
            sent.append((chat, loop.time()))
            return True

        await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": chat}, None)

    start = loop.time()
    await asyncio.gather(*(call(1) for _ in range(4)), call(2))
    times_1 = sorted(t - start for c, t in sent if c == 1)
    [time_2] = [t - start for c, t in sent if c == 2]
    assert len(times_1) == 4
    assert times_1[1] < 0.4 and times_1[3] >= 0.8  # burst of 2, then ~2/s
    assert time_2 < 0.4  # another chat is not slowed down
    await limiter.shutdown()


def test_unexpected_errors_answer_json_without_traceback(gateway_settings):
    app = create_app(gateway_settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"error": "internal error", "status": 500}
    assert "secret detail" not in response.text


def test_production_requires_a_secret_key(gateway_settings):
    with pytest.raises(ValueError, match="SECRET_KEY"):
        create_app(replace(gateway_settings, env="production", secret_key=""))
