"""End-to-end through the gateway: widget WebSocket -> gateway -> real Rasa -> actions -> catalog.

The citizen's whole path (issue 9): the REAL ``bot.gateway`` process of the e2e stack (the one
``make run`` starts), the real Rasa server with the trained model and the real action server on
a temporary SQLite catalog. Nothing is faked. A Telegram conversation goes through the same
stack with the Bot API replaced by the local fake (Telegram's servers are not reachable here).
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from tests.e2e.conftest import E2EStack
from tests.e2e.widget import WidgetChat, first_is_emergency

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


@pytest.fixture
def gateway(e2e_stack: E2EStack) -> str:
    if not e2e_stack.gateway_url:
        pytest.skip("the reused stack has no gateway (set WECARE_E2E_GATEWAY_URL)")
    return e2e_stack.gateway_url


def _rows(url: str | None, query: str, *args: object) -> list[tuple]:
    assert url and url.startswith("sqlite:///"), url
    with sqlite3.connect(Path(url.removeprefix("sqlite:///"))) as conn:
        return conn.execute(query, args).fetchall()


@pytest.mark.parametrize(
    ("text", "kind", "first_number"),
    [
        ("mio marito mi prende a calci quando beve", "violence", "1522"),
        ("non ce la faccio più, voglio farla finita", "self_harm", "112"),
        ("mio figlio mi ruba i soldi della pensione e mi spinge", "violence", "1522"),
    ],
)
async def test_the_issue_examples_get_the_numbers_first(gateway, text, kind, first_number):
    async with WidgetChat(gateway) as chat:
        replies = await chat.say(text)
    emergency = first_is_emergency(replies)
    assert emergency["kind"] == kind
    assert emergency["numbers"][0]["number"] == first_number
    # then the offer of a person, never a question about the comune first
    assert any(p == "/request_human" for p in replies.payloads), replies


async def test_risk_inside_the_comune_form_interrupts_it_and_it_resumes(gateway):
    async with WidgetChat(gateway) as chat:
        asked = await chat.say("ho bisogno di aiuto per pagare l'affitto")
        assert "comune" in asked.text.lower(), asked
        emergency = first_is_emergency(await chat.say("stanotte voglio farla finita"))
        assert emergency["kind"] == "self_harm"
        resume = await chat.say(payload="/deny")
        assert "/affirm" in resume.payloads, resume  # "riprendiamo?"
        again = await chat.say(payload="/affirm")
        assert "comune" in again.text.lower(), again
        services = (await chat.say("Cuorgnè")).custom("services")
    assert services["category"] == "housing" and services["ente_gestore"]["id"] == "ciss38"


async def test_risk_after_intendevi_gets_the_numbers(gateway):
    async with WidgetChat(gateway) as chat:
        unclear = await chat.say("boh forse volevo dire quella cosa")
        assert unclear.buttons, unclear  # "Intendevi…?" (or a rephrase request)
        first_is_emergency(await chat.say("mi picchia tutte le sere e ho paura"))


@pytest.mark.parametrize(
    "text",
    [
        "sto morendo di caldo",
        "il padrone di casa mi ha mandato la disdetta",
        "mio figlio ha la 104",
    ],
)
async def test_ordinary_needs_do_not_get_the_emergency_answer(gateway, text):
    async with WidgetChat(gateway) as chat:
        replies = await chat.say(text)
    assert "emergency" not in replies.kinds(), replies


async def test_headline_need_cuorgne_affitto(gateway):
    async with WidgetChat(gateway) as chat:
        replies = await chat.say("abito a Cuorgnè e non riesco più a pagare l'affitto")
    services = replies.custom("services")
    assert services["category"] == "housing" and services["comune"] == "Cuorgnè"
    assert services["ente_gestore"]["id"] == "ciss38" and services["services"], services


async def test_handoff_with_a_comune_reaches_the_right_queue(gateway, e2e_stack):
    async with WidgetChat(gateway, consortium="") as chat:
        await chat.say("voglio parlare con un operatore")
        answer = await chat.say("Ivrea")
        sender = chat.sender
    assert "posizione" in answer.text or any("posizione" in str(p) for p in chat.pushed)
    rows = _rows(
        e2e_stack.app_database_url,
        "SELECT h.ente_gestore_id, h.status FROM handoff h JOIN conversation c "
        "ON c.id = h.conversation_id WHERE c.sender_id = ?",
        sender,
    )
    assert rows == [("inrete", "queued")]


async def test_data_deletion_erases_the_gateway_log_and_the_tracker(gateway, e2e_stack):
    async with WidgetChat(gateway) as chat:
        await chat.say("ho bisogno di un aiuto per le bollette, abito a Ivrea")
        sender = chat.sender
        assert _rows(
            e2e_stack.tracker_store_url, "SELECT 1 FROM events WHERE sender_id = ?", sender
        )
        confirm = await chat.say("cancella i miei dati")
        assert "/affirm" in confirm.payloads, confirm
        done = await chat.say(payload="/affirm")
    assert "data_deletion" in done.kinds(), done
    convs = _rows(
        e2e_stack.app_database_url, "SELECT id FROM conversation WHERE sender_id = ?", sender
    )
    assert convs == []
    await asyncio.sleep(0.5)  # Rasa writes the last turn after answering; the gateway erases it
    events = _rows(e2e_stack.tracker_store_url, "SELECT 1 FROM events WHERE sender_id = ?", sender)
    assert events == []


async def test_telegram_bridge_to_the_real_stack(e2e_stack, tmp_path):
    """A Telegram chat (fake Bot API) through the gateway to the real Rasa: numbers first."""
    from bot.app import create_app
    from tests.fixtures.fake_telegram import TOKEN, FakeBotAPI
    from tests.fixtures.servers import gateway_test_settings, serve_fake

    api_gen = serve_fake(FakeBotAPI())
    api = next(api_gen)
    try:
        settings = replace(
            gateway_test_settings(tmp_path / "app.db", e2e_stack.rasa_url),
            telegram_bot_token=TOKEN,
            telegram_api_base_url=f"{api.url}/bot",
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            await asyncio.wait_for(app.state.gateway.telegram.ready.wait(), 15)
            api.push_text(777, "mio marito mi prende a calci quando beve")
            sent = await asyncio.to_thread(
                api.wait_sent, lambda s: len(s) >= 2, "sendMessage", 777, 60
            )
    finally:
        next(api_gen, None)
    assert "Numeri di emergenza" in sent[0]["text"] and "1522" in sent[0]["text"]
