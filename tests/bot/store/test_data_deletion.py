"""Erasure of a conversation (docs/privacy.md): widget, Telegram and the admin CLI.

The fake Rasa stores every turn in a real SQLite file with Rasa 3.6's ``events`` table and
answers ``/affirm`` (the "Sì, cancella" button) like ``action_data_deletion``: confirmation
text plus the ``{"type": "data_deletion"}`` payload.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.app import create_app
from bot.handoff.desk_repo import DeskRepository
from bot.handoff.models import ConsoleNote, ContactRequest, Handoff
from bot.handoff.repo import HandoffRepository
from bot.store import ConversationRepository, create_store_engine, init_db
from bot.store.deletion import conversation_hash
from bot.store.models import Conversation, DataDeletion, Message
from tests.fixtures.fake_rasa import (
    DELETION_CONFIRMED,
    FakeRasa,
    create_tracker_store,
    tracker_event_counts,
)
from tests.fixtures.fake_telegram import TOKEN, FakeBotAPI
from wecare import cli
from wecare.settings import Settings, get_settings

ALICE = "alice-session-0123456789"
BOB = "bob-session-01234567890"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
SECRET = "private information about my family"


@pytest.fixture
def tracker_db(tmp_path: Path, fake_rasa: FakeRasa) -> Path:
    path = tmp_path / "tracker.db"
    create_tracker_store(path)
    fake_rasa.tracker_db = path
    return path


@pytest.fixture
def settings(gateway_settings: Settings, tracker_db: Path) -> Settings:
    return replace(gateway_settings, rasa_tracker_store_url=f"sqlite:///{tracker_db}")


def _store(settings: Settings) -> ConversationRepository:
    engine = create_store_engine(settings.app_database_url)
    init_db(engine)
    return ConversationRepository(engine)


def _chat(client: TestClient, session: str, frames: list[dict]) -> list[list[dict]]:
    answers = []
    with client.websocket_connect(f"/ws/chat?session={session}&consortium=ciss38") as ws:
        assert ws.receive_json()["type"] == "ready"
        for frame in frames:
            ws.send_json({"type": "message", **frame})
            answers.append(ws.receive_json()["items"])
    return answers


def _add_operator_data(store: ConversationRepository, sender: str, *, active: bool = False) -> int:
    """Give ``sender``'s conversation a handoff, an internal note and a contact request."""
    conv = store.find_conversation(sender)
    assert conv is not None
    handoffs, desk = HandoffRepository(store.engine), DeskRepository(store.engine)
    handoff = handoffs.begin(
        conv.id, status="queued", now=NOW, ente_gestore_id="ciss38", reason="request"
    )
    assert handoff is not None
    if not active:
        handoffs.transition(handoff.id, ("queued",), status="closed", ended_at=NOW)
    desk.add_note(conv.id, None, "Anna", f"nota: {SECRET}", NOW)
    desk.add_contact(conv.id, "ciss38", "333 1234567", NOW)
    return conv.id


def _rows(store: ConversationRepository, conversation_id: int) -> dict[str, int]:
    """Rows that refer to a conversation, per table."""
    with store.session() as session:
        return {
            model.__tablename__: int(
                session.scalar(
                    select(func.count())
                    .select_from(model)
                    .where(model.conversation_id == conversation_id)
                )
                or 0
            )
            for model in (Message, Handoff, ConsoleNote, ContactRequest)
        } | {
            "conversation": int(
                session.scalar(
                    select(func.count())
                    .select_from(Conversation)
                    .where(Conversation.id == conversation_id)
                )
                or 0
            )
        }


def _audits(store: ConversationRepository) -> list[DataDeletion]:
    with store.session() as session:
        return list(session.scalars(select(DataDeletion).order_by(DataDeletion.id)).all())


def test_widget_deletion_erases_app_db_and_tracker_only_for_that_conversation(
    settings, tracker_db, caplog
):
    caplog.set_level(logging.INFO)
    with TestClient(create_app(settings)) as client:
        _chat(client, BOB, [{"text": "ciao"}, {"text": f"ho un problema: {SECRET}"}])
        _chat(client, ALICE, [{"text": "ciao"}, {"text": f"aiuto: {SECRET}"}])
        store = _store(settings)
        alice_id = _add_operator_data(store, f"web-{ALICE}")
        bob_id = _add_operator_data(store, f"web-{BOB}")
        bob_before = _rows(store, bob_id)
        events_before = tracker_event_counts(tracker_db)
        assert events_before[f"web-{ALICE}"] > 0 and events_before[f"web-{BOB}"] > 0

        [question, confirmation] = _chat(
            client,
            ALICE,
            [
                {"payload": "/request_data_deletion", "title": "Cancellare i miei dati"},
                {"payload": "/affirm", "title": "Sì, cancella"},
            ],
        )
        assert question[0]["buttons"][0]["payload"] == "/affirm"
        # The confirmation is delivered, with the payload the widget renders, but not kept.
        assert [i.get("text") for i in confirmation] == [DELETION_CONFIRMED, ""]
        assert confirmation[1]["custom"] == {"type": "data_deletion"}
        assert all(item["id"] == 0 for item in confirmation)
        history = client.get(f"/api/chat/history?session={ALICE}").json()

    assert store.find_conversation(f"web-{ALICE}") is None
    assert _rows(store, alice_id) == {
        "message": 0,
        "handoff": 0,
        "console_note": 0,
        "contact_request": 0,
        "conversation": 0,
    }
    assert _rows(store, bob_id) == bob_before
    assert f"web-{ALICE}" not in tracker_event_counts(tracker_db)
    assert tracker_event_counts(tracker_db)[f"web-{BOB}"] == events_before[f"web-{BOB}"]
    assert not history.get("messages")

    [audit] = _audits(store)
    assert audit.conversation_hash == conversation_hash(f"web-{ALICE}", settings.secret_key)
    assert audit.channel == "web" and audit.requested_by == "citizen"
    assert audit.tracker == "deleted"
    assert audit.counts["message"] == 7  # 3 turns of 2 messages, then the "Sì" itself
    assert audit.counts["handoff"] == 1 and audit.counts["console_note"] == 1
    assert audit.counts["contact_request"] == 1
    assert audit.counts["tracker_events"] == events_before[f"web-{ALICE}"] + 3 + 4
    logged = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith(("wecare", "bot"))
    )
    assert "data_deletion conversation=" + audit.conversation_hash in logged
    assert ALICE not in logged and SECRET not in logged


def test_after_deletion_a_fresh_conversation_starts(settings, tracker_db):
    with TestClient(create_app(settings)) as client:
        _chat(client, ALICE, [{"text": "ciao"}, {"payload": "/affirm", "title": "Sì"}])
        [[reply]] = _chat(client, ALICE, [{"text": "ciao di nuovo"}])
    assert reply["text"] == "Ciao! Sono l'assistente WeCare. Di cosa hai bisogno?"
    store = _store(settings)
    conv = store.find_conversation(f"web-{ALICE}")
    assert conv is not None
    assert [m.text for m in store.history(conv.id)] == ["ciao di nuovo", reply["text"]]
    assert tracker_event_counts(tracker_db)[f"web-{ALICE}"] == 3  # only the new turn


def test_without_tracker_store_url_the_app_db_is_erased_and_a_warning_logged(
    gateway_settings, tracker_db, caplog
):
    settings = replace(gateway_settings, rasa_tracker_store_url="")
    with TestClient(create_app(settings)) as client:
        _chat(client, ALICE, [{"text": "ciao"}, {"payload": "/affirm", "title": "Sì"}])
    store = _store(settings)
    assert store.find_conversation(f"web-{ALICE}") is None
    [audit] = _audits(store)
    assert audit.tracker == "not_configured" and "tracker_events" not in audit.counts
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("Rasa-side data" in w and "could not be deleted" in w for w in warnings)
    assert tracker_event_counts(tracker_db)[f"web-{ALICE}"] > 0  # untouched: not configured


# -- Telegram -----------------------------------------------------------------------------

CHAT = 5151
OTHER = 6161


@pytest.fixture
async def telegram(
    settings: Settings, fake_bot_api: FakeBotAPI, fake_rasa: FakeRasa
) -> AsyncIterator[FastAPI]:
    app = create_app(
        replace(
            settings,
            telegram_bot_token=TOKEN,
            telegram_api_base_url=f"{fake_bot_api.url}/bot",
        )
    )
    async with app.router.lifespan_context(app):
        await asyncio.wait_for(app.state.gateway.telegram.ready.wait(), 15)
        yield app


async def _sent(api: FakeBotAPI, chat_id: int, count: int) -> list[dict]:
    return await asyncio.to_thread(
        api.wait_sent, lambda s: len(s) >= count, "sendMessage", chat_id, 15.0
    )


async def _log_is(store: ConversationRepository, sender: str, predicate) -> None:
    for _ in range(200):
        conv = await asyncio.to_thread(store.find_conversation, sender)
        log = await asyncio.to_thread(store.history, conv.id) if conv else []
        if predicate(log):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(sender)


async def test_telegram_cancella_command_erases_the_chat(
    telegram: FastAPI, fake_bot_api: FakeBotAPI, tracker_db: Path
):
    store: ConversationRepository = telegram.state.gateway.repos.conversations
    fake_bot_api.push_text(OTHER, "ciao")
    await _sent(fake_bot_api, OTHER, 1)
    fake_bot_api.push_text(CHAT, f"ho bisogno di aiuto, {SECRET}")
    await _sent(fake_bot_api, CHAT, 1)
    await _log_is(store, f"tg-{OTHER}", lambda log: len(log) == 2)
    other_events = tracker_event_counts(tracker_db)[f"tg-{OTHER}"]

    fake_bot_api.push_text(CHAT, "/cancella")
    question = (await _sent(fake_bot_api, CHAT, 2))[1]
    fake_bot_api.push_callback(CHAT, question, "/affirm")
    sent = await _sent(fake_bot_api, CHAT, 3)
    assert sent[2]["text"] == DELETION_CONFIRMED
    await _log_is(store, f"tg-{CHAT}", lambda log: not log)

    assert await asyncio.to_thread(store.find_conversation, f"tg-{CHAT}") is None
    counts = tracker_event_counts(tracker_db)
    assert f"tg-{CHAT}" not in counts and counts[f"tg-{OTHER}"] == other_events
    other = await asyncio.to_thread(store.find_conversation, f"tg-{OTHER}")
    assert other is not None and len(await asyncio.to_thread(store.history, other.id)) == 2
    [audit] = await asyncio.to_thread(_audits, store)
    assert audit.channel == "telegram" and audit.tracker == "deleted"


# -- admin CLI ------------------------------------------------------------------------------


def test_cli_deletes_a_conversation_with_an_open_handoff(settings, tracker_db, monkeypatch, capsys):
    with TestClient(create_app(settings)) as client:
        _chat(client, ALICE, [{"text": f"aiuto: {SECRET}"}])
        _chat(client, BOB, [{"text": "ciao"}])
    store = _store(settings)
    alice_id = _add_operator_data(store, f"web-{ALICE}", active=True)
    assert store.find_conversation(f"web-{ALICE}").mode == "human"

    monkeypatch.setenv("APP_DATABASE_URL", settings.app_database_url)
    monkeypatch.setenv("RASA_TRACKER_STORE_URL", settings.rasa_tracker_store_url)
    get_settings.cache_clear()
    try:
        assert cli.main(["conversations", "delete", f"web-{ALICE}"]) == 0
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert "handoff=1" in out and "tracker deleted" in out and ALICE not in out

    assert _rows(store, alice_id)["conversation"] == 0 and _rows(store, alice_id)["handoff"] == 0
    assert f"web-{ALICE}" not in tracker_event_counts(tracker_db)
    assert store.find_conversation(f"web-{BOB}") is not None
    [audit] = _audits(store)
    assert audit.requested_by == "admin"
