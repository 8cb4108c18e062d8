"""Telegram bridge through a fake Bot API server (python-telegram-bot pointed at it)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import httpx
import pytest
from fastapi import FastAPI

from bot.app import create_app
from bot.gateway.replies import Reply
from bot.store import ConversationRepository
from bot.texts import citizen_texts
from tests.fixtures.fake_rasa import LONG_PAYLOAD, FakeRasa
from tests.fixtures.fake_telegram import TOKEN, FakeBotAPI

CHAT = 4242


@dataclass
class Stack:
    app: FastAPI
    api: FakeBotAPI
    rasa: FakeRasa
    store: ConversationRepository

    async def wait(self, predicate, method="sendMessage", chat_id=CHAT, timeout=15.0):
        return await asyncio.to_thread(self.api.wait_sent, predicate, method, chat_id, timeout)

    async def texts_after(self, n: int, count: int = 1) -> list[dict]:
        sent = await self.wait(lambda s: len(s) >= n + count)
        return sent[n:]

    def log(self, chat_id: int = CHAT):
        conv = self.store.find_conversation(f"tg-{chat_id}")
        return self.store.history(conv.id) if conv else []

    async def wait_log(self, predicate, chat_id: int = CHAT, timeout: float = 10.0):
        """Wait until the message log satisfies ``predicate`` (delivery is confirmed after the
        Bot API answered, so right after a message shows up its status may still change)."""
        deadline = time.monotonic() + timeout
        while True:
            log = self.log(chat_id)
            if predicate(log):
                return log
            if time.monotonic() > deadline:
                raise AssertionError([(m.direction, m.status) for m in log])
            await asyncio.sleep(0.05)


async def _running(settings) -> AsyncIterator[FastAPI]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await asyncio.wait_for(app.state.gateway.telegram.ready.wait(), 15)
        yield app


@pytest.fixture
async def stack(gateway_settings, fake_bot_api, fake_rasa) -> AsyncIterator[Stack]:
    settings = replace(
        gateway_settings,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=f"{fake_bot_api.url}/bot",
    )
    async for app in _running(settings):
        yield Stack(app, fake_bot_api, fake_rasa, app.state.gateway.repos.conversations)


async def test_text_reply_with_inline_keyboard(stack: Stack):
    assert stack.app.state.gateway.telegram.mode == "polling"
    assert stack.api.sent("setMyCommands")[0]["commands"][0]["command"] == "start"
    stack.api.push_text(CHAT, "ciao")
    [msg] = await stack.texts_after(0)
    assert msg["text"].startswith("Ciao! Sono l'assistente WeCare")
    rows = msg["reply_markup"]["inline_keyboard"]
    assert [r[0]["text"] for r in rows] == ["Casa", "Lavoro", "Anziano a San Maurizio"]
    assert rows[0][0]["callback_data"] == "/need_housing"
    long_data = rows[2][0]["callback_data"]
    assert long_data.startswith("k:") and len(long_data.encode()) <= 64
    assert stack.rasa.received[0]["sender"] == f"tg-{CHAT}"
    assert stack.rasa.received[0]["metadata"]["channel"] == "telegram"
    await stack.wait_log(
        lambda log: (
            [(m.direction, m.status) for m in log] == [("in", "forwarded"), ("out", "delivered")]
        )
    )


async def test_long_text_is_split(stack: Stack):
    stack.api.push_text(CHAT, "dammi una risposta lunga")
    parts = await stack.texts_after(0, 2)
    await asyncio.sleep(0.3)
    parts = stack.api.sent(chat_id=CHAT)
    assert len(parts) == 2 and all(len(p["text"]) <= 4096 for p in parts)
    expected = ("Questa è una risposta molto lunga. " * 200).strip()
    assert " ".join(p["text"] for p in parts) == expected


async def test_buttons_callback_and_services_card(stack: Stack):
    stack.api.push_text(CHAT, "ciao")
    [greeting] = await stack.texts_after(0)
    stack.api.push_callback(CHAT, greeting, "/need_housing")
    intro, card, follow_up = await stack.texts_after(1, 3)
    assert stack.api.sent("answerCallbackQuery")
    assert stack.api.sent("editMessageReplyMarkup", chat_id=CHAT)
    assert stack.rasa.messages()[-1] == "/need_housing"
    assert intro["text"].startswith("Ecco i servizi")
    assert card["parse_mode"] == "HTML"
    html = card["text"]
    assert "<b>Servizi – casa a Cuorgnè</b>" in html and "Ente gestore: CISS 38 Cuorgnè" in html
    assert "<b>1. Sostegno all'emergenza abitativa</b>" in html
    assert "<b>Come fare:</b> Prendi appuntamento" in html
    assert '<a href="https://example.org/casa">Maggiori informazioni</a>' in html
    assert html.count("Da verificare") == 1  # only the unverified service
    assert "Risultati 1–2 di 7." in html
    titles = [r[0]["text"] for r in follow_up["reply_markup"]["inline_keyboard"]]
    assert titles == ["Altri risultati", "Documenti necessari", "Parla con un operatore"]
    tapped = [m for m in stack.log() if m.event == "button"]
    assert tapped[0].text == "/need_housing" and tapped[0].payload["button_title"] == "Casa"


async def test_long_payload_goes_through_short_id(stack: Stack):
    stack.api.push_text(CHAT, "ciao")
    [greeting] = await stack.texts_after(0)
    data = greeting["reply_markup"]["inline_keyboard"][2][0]["callback_data"]
    stack.api.push_callback(CHAT, greeting, data)
    await stack.texts_after(1)
    assert stack.rasa.messages()[-1] == LONG_PAYLOAD
    assert [m for m in stack.log() if m.event == "button"][0].payload["button_title"] == (
        "Anziano a San Maurizio"
    )


async def test_forged_callback_data_is_ignored(stack: Stack):
    stack.api.push_text(CHAT, "ciao")
    [greeting] = await stack.texts_after(0)
    stack.api.push_callback(CHAT, greeting, "k:doesnotexist")
    stack.api.push_callback(CHAT, greeting, "testo qualsiasi")
    await stack.wait(lambda s: len(s) >= 2, method="answerCallbackQuery", chat_id=None)
    await asyncio.sleep(0.3)
    assert stack.rasa.messages() == ["ciao"]


async def test_emergency_numbers_first(stack: Stack):
    stack.api.push_text(CHAT, "mio marito mi picchia")
    first, second = await stack.texts_after(0, 2)
    assert first["parse_mode"] == "HTML"
    assert "📞 <code>1522</code> – Antiviolenza" in first["text"]
    assert "📞 <code>112</code> – Numero unico" in first["text"]
    assert first["text"].index("1522") < first["text"].index("112")
    assert second["text"].startswith("Non sei sola")


async def test_office_and_opportunities_cards(stack: Stack):
    stack.api.push_text(CHAT, "orari degli uffici")
    [office] = await stack.texts_after(0)
    assert (
        "🏢 <b>CISS 38 Cuorgnè</b>" in office["text"] and "via Esempio 1, Cuorgnè" in office["text"]
    )
    stack.api.push_text(CHAT, "opportunità")
    [opp] = await stack.texts_after(1)
    assert "<b>Corso di italiano</b>" in opp["text"]


@pytest.mark.parametrize(
    ("command", "payload"),
    [
        ("/start", "/greet"),
        ("/aiuto", "/ask_capabilities"),
        ("/operatore", "/request_human"),
        ("/cancella", "/request_data_deletion"),
    ],
)
async def test_commands_map_to_intents(stack: Stack, command: str, payload: str):
    stack.api.push_text(CHAT, command)
    await stack.texts_after(0)
    assert stack.rasa.messages() == [payload]
    assert stack.log()[0].event == "command"


async def test_handoff_and_data_deletion_payloads(stack: Stack):
    stack.api.push_text(CHAT, "/operatore")
    sent = await stack.texts_after(0, 2)
    assert sent[0]["text"] == "Ti metto in contatto con un operatore."
    assert any("operatore" in m["text"] for m in sent[1:])
    assert stack.store.find_conversation(f"tg-{CHAT}").ente_gestore_id == "ciss38"


async def test_location_gives_nearest_comune(stack: Stack):
    stack.api.push_location(CHAT, 45.3905, 7.6510)  # Cuorgnè
    notice, answer = await stack.texts_after(0, 2)
    assert notice["text"] == citizen_texts().text("gateway.location_found", comune="Cuorgnè")
    assert stack.rasa.messages() == ['/inform{"comune": "Cuorgnè"}']
    assert answer["text"].startswith("Ricevuto")
    logged = stack.log()[0]
    assert logged.event == "location" and logged.payload["location"] == {"lat": 45.39, "lon": 7.65}


async def test_location_outside_area_asks_the_comune(stack: Stack):
    stack.api.push_location(CHAT, 41.9028, 12.4964)  # Roma
    [msg] = await stack.texts_after(0)
    assert msg["text"] == citizen_texts().text("gateway.location_outside")
    assert stack.rasa.messages() == []


async def test_edited_message_is_a_new_message(stack: Stack):
    stack.api.push_text(CHAT, "cerco lavoro")
    await stack.texts_after(0)
    stack.api.push_edit(CHAT, 1001, "cerco lavoro a Ivrea")
    [msg] = await stack.texts_after(1)
    assert msg["text"] == "Hai scritto: cerco lavoro a Ivrea"
    assert [m.event for m in stack.log() if m.direction == "in"] == ["text", "edit"]


@pytest.mark.parametrize("kind", ["photo", "voice", "sticker", "document", "video"])
async def test_media_gets_text_only_answer(stack: Stack, kind: str):
    stack.api.push_media(CHAT, kind)
    [msg] = await stack.texts_after(0)
    assert msg["text"] == citizen_texts().text("gateway.text_only")
    assert stack.rasa.messages() == []
    inbound = stack.log()[0]
    assert (inbound.event, inbound.text, inbound.payload["media"]) == ("unsupported", "", kind)


async def test_retry_after_is_respected(stack: Stack):
    stack.api.fail_next("sendMessage", retry_after=1)
    stack.api.push_text(CHAT, "ciao")
    [msg] = await stack.texts_after(0)
    assert msg["text"].startswith("Ciao!")
    assert stack.api.sent("sendMessage!429", chat_id=CHAT)
    await stack.wait_log(lambda log: log[-1].status == "delivered")


async def test_per_chat_rate_limit_through_the_bot_api(stack: Stack):
    stack.api.push_text(CHAT, "ciao")
    await stack.texts_after(0)
    conv = stack.store.find_conversation(f"tg-{CHAT}")
    replies = [
        Reply(text=f"messaggio {n}", sender_kind="operator", sender_name="Anna") for n in range(8)
    ]
    await stack.app.state.gateway.outbox.push(conv.id, replies)
    sent = (await stack.texts_after(1, 8))[:8]
    assert [m["text"] for m in sent] == [f"Anna: messaggio {n}" for n in range(8)]
    start = sent[0]["_time"]
    offsets = [m["_time"] - start for m in sent]
    # a burst goes out at once, then about one message per second (bucket of 5, the greeting
    # used one slot): 8 messages need at least ~3 s
    assert offsets[2] < 1.0 and offsets[7] >= 2.5
    assert stack.log()[-1].status == "delivered"


async def test_rasa_down_on_telegram(stack: Stack):
    stack.rasa.down = True
    stack.api.push_text(CHAT, "aiuto per le bollette")
    [msg] = await stack.texts_after(0)
    assert "il tuo messaggio è stato registrato" in msg["text"].lower()
    assert stack.log()[0].status == "queued"


async def test_operator_message_pushed_to_telegram(stack: Stack):
    stack.api.push_text(CHAT, "ciao")
    await stack.texts_after(0)
    conv = stack.store.find_conversation(f"tg-{CHAT}")
    reply = Reply(text="Sono Anna del CISS 38.", sender_kind="operator", sender_name="Anna")
    [logged] = await stack.app.state.gateway.outbox.push(conv.id, [reply])
    [msg] = await stack.texts_after(1)
    assert msg["text"] == "Anna: Sono Anna del CISS 38."
    assert stack.log()[-1].status == "delivered"


async def test_webhook_mode_with_secret(gateway_settings, fake_bot_api, fake_rasa):
    settings = replace(
        gateway_settings,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=f"{fake_bot_api.url}/bot",
        telegram_webhook_url="https://wecare.example.org/telegram/webhook",
        telegram_webhook_secret="s3cret-token",
    )
    async for app in _running(settings):
        assert app.state.gateway.telegram.mode == "webhook"
        [hook] = fake_bot_api.sent("setWebhook")
        assert hook["url"] == settings.telegram_webhook_url
        assert hook["secret_token"] == "s3cret-token"
        update = fake_bot_api.push_text(CHAT, "ciao")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            bad = await client.post("/telegram/webhook", json=update)
            wrong = await client.post(
                "/telegram/webhook",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": "nope"},
            )
            ok = await client.post(
                "/telegram/webhook",
                content=json.dumps(update),
                headers={
                    "X-Telegram-Bot-Api-Secret-Token": "s3cret-token",
                    "content-type": "application/json",
                },
            )
            not_json = await client.post(
                "/telegram/webhook",
                content=b"{not json",
                headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"},
            )
            not_update = await client.post(
                "/telegram/webhook",
                json={"hello": 1},
                headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"},
            )
        assert (bad.status_code, wrong.status_code, ok.status_code) == (403, 403, 200)
        assert bad.json() == {"error": "missing or wrong secret token", "status": 403}
        assert (not_json.status_code, not_update.status_code) == (400, 400)
        assert not_json.json()["error"] == "body is not JSON"
        sent = await asyncio.to_thread(
            fake_bot_api.wait_sent, lambda s: len(s) >= 1, "sendMessage", CHAT
        )
        assert sent[0]["text"].startswith("Ciao!")
        assert not fake_bot_api.sent("getUpdates")
