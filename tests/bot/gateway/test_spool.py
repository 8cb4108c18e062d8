"""The spool: messages accepted while the app database is down, kept on disk and replayed.

The database "down" here is a repository method that raises ``OperationalError`` (the real
PostgreSQL stop is tests/bot/cluster/test_postgres_restart.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from bot.app import create_app
from bot.gateway.spool import Spool, SpooledMessage
from bot.store import ConversationRepository, create_store_engine
from bot.texts import citizen_texts
from tests.fixtures.production import receive, receive_until

TEXTS = citizen_texts()
SESSION = "spool-session-0123456789"
DOWN = OperationalError("SELECT 1", {}, Exception("connection refused"))


def _message(text: str, sender: str = "web-a") -> SpooledMessage:
    return SpooledMessage("web", sender, text, {"client_id": "x"}, "text")


def test_kept_messages_survive_a_restart_in_order(tmp_path):
    path = tmp_path / "spool.jsonl"
    spool = Spool(path)
    first, second = _message("uno"), _message("due", sender="web-b")
    asyncio.run(spool.keep(first))
    asyncio.run(spool.keep(second))
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    path.write_text(path.read_text() + '{"cut by a crash', encoding="utf-8")
    again = Spool(path)  # a new process: the file is the truth, a torn last line is skipped
    assert [m.text for m in again._entries] == ["uno", "due"]
    assert again.holds("web-b") and not again.holds("web-c")
    asyncio.run(again.done(first))
    assert [m.text for m in Spool(path)._entries] == ["due"]
    asyncio.run(again.done(second))
    assert not path.exists()


def test_drain_stops_while_the_database_is_down_and_skips_a_broken_message(tmp_path):
    spool = Spool(tmp_path / "spool.jsonl")
    for text in ("uno", "rotto", "tre"):
        asyncio.run(spool.keep(_message(text)))
    seen: list[str] = []
    down = True

    async def replay(message: SpooledMessage) -> None:
        if down:
            raise DOWN
        if message.text == "rotto":
            raise ValueError("a bug")
        seen.append(message.text)

    assert asyncio.run(spool.drain(replay)) == 0 and len(spool) == 3
    down = False
    assert asyncio.run(spool.drain(replay)) == 2
    assert seen == ["uno", "tre"] and len(spool) == 0


@pytest.fixture
def settings(gateway_settings, tmp_path):
    return replace(gateway_settings, spool_dir=tmp_path, inbox_retry_seconds=0.2)


def test_database_down_on_arrival_then_answered_late_in_order(settings, fake_rasa, monkeypatch):
    queued = TEXTS.text("gateway.queued")
    with TestClient(create_app(settings)) as client:
        repo = client.app.state.gateway.repos.conversations
        real = repo.get_or_create_conversation
        monkeypatch.setattr(
            repo, "get_or_create_conversation", lambda *a, **k: (_ for _ in ()).throw(DOWN)
        )
        with client.websocket_connect(f"/ws/chat?session={SESSION}") as ws:
            assert receive(ws)["type"] == "ready"
            for n, text in enumerate(("vorrei aiuto", "non ce la faccio piu, voglio farla finita")):
                ws.send_json({"type": "message", "text": text, "client_id": f"c{n}"})
                items = receive_until(ws, lambda f, n=n: f.get("client_id") == f"c{n}")["items"]
                assert items[-1]["text"] == queued
            assert items[0]["custom"]["type"] == "emergency"  # self-harm: numbers first
            assert items[0]["custom"]["kind"] == "self_harm"
            monkeypatch.setattr(repo, "get_or_create_conversation", real)
            late = [receive(ws, 15)["items"] for _ in range(2)]
    assert [items[0]["text"][:16] for items in late] == ["Scusa il ritardo"] * 2
    assert fake_rasa.messages() == ["vorrei aiuto", "non ce la faccio piu, voglio farla finita"]
    conversations = ConversationRepository(create_store_engine(settings.app_database_url))
    conv = conversations.find_conversation(f"web-{SESSION}")
    assert [m.text for m in conversations.history(conv.id) if m.direction == "in"] == [
        "vorrei aiuto",
        "non ce la faccio piu, voglio farla finita",
    ]


def test_database_down_after_the_message_is_logged_it_is_not_spooled(
    settings, fake_rasa, monkeypatch
):
    with TestClient(create_app(settings)) as client:
        repo = client.app.state.gateway.repos.conversations
        monkeypatch.setattr(repo, "set_status", lambda *a, **k: (_ for _ in ()).throw(DOWN))
        with client.websocket_connect(f"/ws/chat?session={SESSION}") as ws:
            assert receive(ws)["type"] == "ready"
            ws.send_json({"type": "message", "text": "vorrei aiuto", "client_id": "c1"})
            frame = receive_until(ws, lambda f: f.get("client_id") == "c1")
        assert frame["items"] == [{**frame["items"][0], "text": TEXTS.text("gateway.queued")}]
        conv = repo.find_conversation(f"web-{SESSION}")
        [logged] = [m for m in repo.history(conv.id) if m.direction == "in"]
        assert logged.status == "received"  # the inbox adopts it (adopt_orphans)
    assert not list(settings.spool_dir.glob("spool-*.jsonl"))
