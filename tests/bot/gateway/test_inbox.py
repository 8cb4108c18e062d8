"""Nothing lost: messages Rasa did not answer are kept and answered once, in order, later."""

from __future__ import annotations

import time
from dataclasses import replace

from fastapi.testclient import TestClient

from bot.app import create_app
from bot.store import ConversationRepository, create_store_engine
from bot.store.inbox import InboxRepository
from bot.texts import citizen_texts
from tests.fixtures.production import receive, receive_until

TEXTS = citizen_texts()
SESSION = "inbox-session-0123456789"
SENDER = f"web-{SESSION}"
LATE = "Scusa il ritardo"


def _repos(settings):
    engine = create_store_engine(settings.app_database_url)
    return ConversationRepository(engine), InboxRepository(engine)


def _send(ws, text: str) -> list[dict]:
    ws.send_json({"type": "message", "text": text})
    return receive(ws)["items"]


def _wait(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def test_kept_while_rasa_is_down_then_answered_once_in_order(gateway_settings, fake_rasa):
    settings = replace(gateway_settings, inbox_retry_seconds=0.2)
    fake_rasa.down = True
    messages = ["ho bisogno di aiuto per l'affitto", "abito a Cuorgnè", "grazie"]
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect(f"/ws/chat?session={SESSION}") as ws:
            assert receive(ws)["type"] == "ready"
            for text in messages:
                [notice] = _send(ws, text)
                assert notice["text"] == TEXTS.text("gateway.queued")
            conversations, inbox = _repos(settings)
            conv = conversations.find_conversation(SENDER)
            assert inbox.pending(conv.id) == 3
            assert [m.status for m in conversations.history(conv.id) if m.direction == "in"] == [
                "queued"
            ] * 3
            fake_rasa.down = False
            pushed = [receive(ws, 15)["items"] for _ in messages]
    # one push per kept message, in order: the late note first, then Rasa's answer
    for items, text in zip(pushed, messages, strict=True):
        assert items[0]["sender_kind"] == "system" and items[0]["text"].startswith(LATE)
        assert items[1]["text"] == f"Hai scritto: {text}" or items[1]["text"].startswith("Ecco")
    assert fake_rasa.messages() == messages  # each exactly once, in order
    conversations, inbox = _repos(settings)
    assert inbox.pending(conv.id) == 0
    log = conversations.history(conv.id)
    assert [m.status for m in log if m.direction == "in"] == ["forwarded"] * 3
    assert all(m.status == "delivered" for m in log if m.direction == "out" and m.text != "")


def test_a_new_message_waits_behind_the_kept_ones(gateway_settings, fake_rasa):
    settings = replace(gateway_settings, inbox_retry_seconds=3600)  # no background round
    fake_rasa.down = True
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect(f"/ws/chat?session={SESSION}") as ws:
            assert receive(ws)["type"] == "ready"
            _send(ws, "primo messaggio")
            fake_rasa.down = False
            ws.send_json({"type": "message", "text": "secondo messaggio"})
            late = receive(ws)["items"]  # the kept one is answered first, pushed
            now = receive(ws)["items"]  # then the new one, as the answer to the request
    assert late[0]["text"].startswith(LATE) and late[1]["text"] == "Hai scritto: primo messaggio"
    assert [i["text"] for i in now] == ["Hai scritto: secondo messaggio"]
    assert fake_rasa.messages() == ["primo messaggio", "secondo messaggio"]


def test_still_down_keeps_the_order_and_the_numbers_come_at_once(gateway_settings, fake_rasa):
    settings = replace(gateway_settings, inbox_retry_seconds=3600)
    fake_rasa.down = True
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect(f"/ws/chat?session={SESSION}") as ws:
            assert receive(ws)["type"] == "ready"
            _send(ws, "una domanda sulle bollette")
            risk = _send(ws, "mio marito mi prende a calci quando beve")
    # the safety net still answers at once with the emergency numbers
    assert risk[0]["custom"]["type"] == "emergency"
    assert risk[-1]["text"] == TEXTS.text("gateway.queued")
    conversations, inbox = _repos(settings)
    assert inbox.pending(conversations.find_conversation(SENDER).id) == 2
    assert fake_rasa.messages() == []


def test_kept_messages_survive_a_gateway_restart(gateway_settings, fake_rasa):
    settings = replace(gateway_settings, inbox_retry_seconds=0.2)
    fake_rasa.down = True
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect(f"/ws/chat?session={SESSION}") as ws:
            assert receive(ws)["type"] == "ready"
            _send(ws, "messaggio prima del riavvio")
    fake_rasa.down = False  # the gateway is stopped; a new one starts with Rasa back
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect(f"/ws/chat?session={SESSION}") as ws:
            assert receive(ws)["type"] == "ready"
            items = receive_until(ws, lambda f: f.get("type") == "messages", 15)["items"]
        history = client.get(f"/api/chat/history?session={SESSION}").json()["messages"]
    assert items[0]["text"].startswith(LATE)
    assert fake_rasa.messages() == ["messaggio prima del riavvio"]
    texts = [m["text"] for m in history]
    assert texts.count("Hai scritto: messaggio prima del riavvio") == 1
    assert texts.index("messaggio prima del riavvio") < texts.index(
        "Hai scritto: messaggio prima del riavvio"
    )


def test_answered_even_with_the_widget_closed(gateway_settings, fake_rasa):
    settings = replace(gateway_settings, inbox_retry_seconds=0.2)
    fake_rasa.down = True
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect(f"/ws/chat?session={SESSION}") as ws:
            assert receive(ws)["type"] == "ready"
            _send(ws, "sono ancora qui?")
        fake_rasa.down = False
        conversations, inbox = _repos(settings)
        conv = conversations.find_conversation(SENDER)
        _wait(lambda: inbox.pending(conv.id) == 0)
        history = client.get(f"/api/chat/history?session={SESSION}").json()["messages"]
    # nobody was connected: the answer is in the history (shown when the widget reopens)
    assert [m["text"] for m in history][-1] == "Hai scritto: sono ancora qui?"
    assert fake_rasa.messages() == ["sono ancora qui?"]


def test_a_gateway_failing_after_rasa_answered_never_asks_rasa_twice(
    gateway_settings, fake_rasa, monkeypatch
):
    """Rasa answered a kept message, then logging failed (as a gateway stopping mid-way):
    the next round logs the stored answer instead of sending the message to Rasa again."""
    from bot.gateway.outbox import Outbox

    settings = replace(gateway_settings, inbox_retry_seconds=0.2)
    original, failures = Outbox.log_out, []

    async def failing_once(self, conv, reply):
        if reply.sender_kind == "bot" and not failures:
            failures.append(reply.text)
            raise RuntimeError("gateway stopped while logging the answer")
        return await original(self, conv, reply)

    monkeypatch.setattr(Outbox, "log_out", failing_once)
    fake_rasa.down = True
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect(f"/ws/chat?session={SESSION}") as ws:
            assert receive(ws)["type"] == "ready"
            _send(ws, "chi mi aiuta con la bolletta?")
        fake_rasa.down = False
        conversations, inbox = _repos(settings)
        conv = conversations.find_conversation(SENDER)
        _wait(lambda: inbox.pending(conv.id) == 0)
        history = client.get(f"/api/chat/history?session={SESSION}").json()["messages"]
    assert failures == ["Hai scritto: chi mi aiuta con la bolletta?"]
    assert fake_rasa.messages() == ["chi mi aiuta con la bolletta?"]  # asked once
    texts = [m["text"] for m in history]
    assert texts.count("Hai scritto: chi mi aiuta con la bolletta?") == 1


def test_an_answer_logged_before_a_stop_is_not_given_again(gateway_settings, fake_rasa):
    """A gateway stopped after logging the answer, before dropping the row: the next one
    only drops it (no second answer, Rasa not asked)."""
    settings = replace(gateway_settings, inbox_retry_seconds=0.2)
    fake_rasa.down = True
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect(f"/ws/chat?session={SESSION}") as ws:
            assert receive(ws)["type"] == "ready"
            _send(ws, "a che ora apre lo sportello?")
    conversations, inbox = _repos(settings)
    conv = conversations.find_conversation(SENDER)
    [entry] = inbox.claim(conv.id, "stopped-gateway", lease_seconds=0)
    answer = [{"recipient_id": SENDER, "text": "Lo sportello apre alle 9."}]
    assert inbox.answered(entry.id, entry.message_id, answer)
    conversations.log_message(
        conv, direction="out", sender_kind="bot", text=answer[0]["text"], status="delivered"
    )
    fake_rasa.down = False
    with TestClient(create_app(settings)) as client:
        _wait(lambda: inbox.pending(conv.id) == 0)
        history = client.get(f"/api/chat/history?session={SESSION}").json()["messages"]
    assert fake_rasa.messages() == []
    assert [m["text"] for m in history].count("Lo sportello apre alle 9.") == 1
    [message] = [m for m in conversations.history(conv.id) if m.direction == "in"]
    assert message.status == "forwarded"


def test_a_message_left_by_a_stopped_gateway_is_answered_late(gateway_settings, fake_rasa):
    """A gateway stopped while it waited for Rasa: the message stays ``received``; past
    ``inbox_orphan_seconds`` any gateway keeps it and answers it once, late."""
    settings = replace(gateway_settings, inbox_retry_seconds=0.2, inbox_orphan_seconds=1.0)
    with TestClient(create_app(settings)) as client:  # creates the schema
        client.get("/healthz")
    conversations, inbox = _repos(settings)
    conv = conversations.get_or_create_conversation("web", SENDER)
    orphan = conversations.log_message(
        conv, direction="in", sender_kind="citizen", text="serve il modulo ISEE", status="received"
    )
    recent = conversations.log_message(
        conv, direction="in", sender_kind="citizen", text="e anche", status="received"
    )
    conversations.set_status([recent.id], "forwarded")  # answered normally: left alone
    with TestClient(create_app(settings)) as client:
        _wait(lambda: fake_rasa.messages() == ["serve il modulo ISEE"])
        _wait(lambda: inbox.pending(conv.id) == 0)
        history = client.get(f"/api/chat/history?session={SESSION}").json()["messages"]
    texts = [m["text"] for m in history]
    assert texts.count("Hai scritto: serve il modulo ISEE") == 1
    assert any(t.startswith(LATE) for t in texts)
    statuses = {m.id: m.status for m in conversations.history(conv.id)}
    assert statuses[orphan.id] == "forwarded" and statuses[recent.id] == "forwarded"
    assert inbox.adopt_orphans(0.0) == 0  # nothing left to adopt


def test_a_kept_message_rasa_processed_already_is_answered_from_its_tracker(
    gateway_settings, fake_rasa, monkeypatch
):
    """Rasa processed the message but the gateway never got the answer (a timeout, a stop):
    the answer is read from Rasa's tracker, and Rasa is not asked a second time."""
    from bot.handoff.rasa_tracker import RasaTracker

    looked_up: list[int] = []

    async def answer_to(self, sender, message_id):
        looked_up.append(message_id)
        return [{"text": "Risposta già data da Rasa."}]

    monkeypatch.setattr(RasaTracker, "answer_to", answer_to)
    settings = replace(gateway_settings, inbox_retry_seconds=0.2)
    fake_rasa.down = True
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect(f"/ws/chat?session={SESSION}") as ws:
            assert receive(ws)["type"] == "ready"
            _send(ws, "domanda sul bonus")
        fake_rasa.down = False
        conversations, inbox = _repos(settings)
        conv = conversations.find_conversation(SENDER)
        _wait(lambda: inbox.pending(conv.id) == 0)
        history = client.get(f"/api/chat/history?session={SESSION}").json()["messages"]
    assert fake_rasa.messages() == []  # not processed twice
    [inbound] = [m for m in conversations.history(conv.id) if m.direction == "in"]
    assert looked_up == [inbound.id] and inbound.status == "forwarded"
    assert [m["text"] for m in history].count("Risposta già data da Rasa.") == 1
