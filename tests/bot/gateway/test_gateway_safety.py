"""The gateway's safety net in bot mode: Rasa down, and the guard on Rasa's replies."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.gateway.replies import Reply
from bot.gateway.safety import SafetyNet, load_fallback_payloads
from bot.texts import citizen_texts
from nlu.risk.detector import default_detector
from tests.bot.gateway.test_gateway import _chat
from tests.fixtures.servers import free_port

TEXTS = citizen_texts()


def test_rasa_down_a_person_at_risk_still_gets_the_numbers_first(gateway_settings):
    settings = replace(gateway_settings, rasa_url=f"http://127.0.0.1:{free_port()}")
    with TestClient(create_app(settings)) as client:
        [items] = _chat(client, [{"text": "mio marito mi prende a calci quando beve"}])
    assert items[0]["custom"]["type"] == "emergency"
    assert [n["number"] for n in items[0]["custom"]["numbers"]][:2] == ["1522", "112"]
    assert items[-1]["text"] == TEXTS.text("gateway.queued")


def test_rasa_down_an_ordinary_message_gets_only_the_notice(gateway_settings):
    settings = replace(gateway_settings, rasa_url=f"http://127.0.0.1:{free_port()}")
    with TestClient(create_app(settings)) as client:
        [items] = _chat(client, [{"text": "sto morendo di caldo, serve un aiuto per le bollette"}])
    assert len(items) == 1 and items[0]["text"] == TEXTS.text("gateway.queued")


def test_guard_puts_the_numbers_first_when_rasa_did_not(gateway_settings, fake_rasa, caplog):
    caplog.set_level(logging.WARNING, logger="bot.gateway.safety")
    text = "non ce la faccio più, voglio farla finita"
    with TestClient(create_app(gateway_settings)) as client:
        [items] = _chat(client, [{"text": text}])
    assert fake_rasa.messages() == [text]  # Rasa answered (the fake knows no risk)
    assert items[0]["custom"]["type"] == "emergency" and items[0]["custom"]["kind"] == "self_harm"
    assert items[0]["custom"]["numbers"][0]["number"] == "112"
    assert "safety net" in caplog.text and text not in caplog.text  # never the citizen's words


def test_guard_leaves_a_correct_rasa_answer_alone(gateway_settings, fake_rasa):
    with TestClient(create_app(gateway_settings)) as client:
        [items] = _chat(client, [{"text": "mio marito mi picchia"}])
    emergencies = [i for i in items if (i.get("custom") or {}).get("type") == "emergency"]
    assert items[0] == emergencies[0] and len(emergencies) == 1  # Rasa's own, not doubled


def test_button_payloads_are_not_assessed():
    net = SafetyNet(default_detector(), None, load_fallback_payloads(), TEXTS)
    assert not net.assess("/report_violence", "button").at_risk
    assert not net.assess("voglio farla finita", "button").at_risk
    assert net.assess("voglio farla finita", "text").at_risk


@pytest.mark.parametrize(
    ("text", "kind", "first"),
    [("mi picchia", "violence", "1522"), ("mi voglio ammazzare", "self_harm", "112")],
)
async def test_domain_fallback_numbers_without_a_catalog(text, kind, first):
    net = SafetyNet(default_detector(), None, load_fallback_payloads(), TEXTS)
    replies = await net.replies(net.assess(text), "")
    assert replies[0].custom["kind"] == kind and replies[0].custom["numbers"][0]["number"] == first
    if kind == "self_harm":  # Telefono Amico is unconfirmed: the caveat follows
        assert replies[1].text == TEXTS.text("gateway.safety_to_verify")


async def test_guard_removes_a_later_duplicate_emergency():
    net = SafetyNet(default_detector(), None, load_fallback_payloads(), TEXTS)
    emergency = Reply(custom={"type": "emergency", "numbers": []})
    out = await net.guard(net.assess("mi picchia"), [Reply(text="ciao"), emergency])
    assert [r.custom["type"] if r.custom else r.text for r in out] == ["emergency", "ciao"]


def test_an_empty_rasa_answer_is_never_silence(gateway_settings, fake_rasa):
    """Rasa says nothing when a custom action fails (action server down): a notice, logged."""
    from bot.store import ConversationRepository, create_store_engine

    with TestClient(create_app(gateway_settings)) as client:
        [items] = _chat(client, [{"text": "silenzio, mi serve un aiuto"}])
    assert fake_rasa.messages() == ["silenzio, mi serve un aiuto"]
    assert [i.get("text") for i in items] == [TEXTS.text("gateway.empty_answer")]
    engine = create_store_engine(gateway_settings.app_database_url)
    repo = ConversationRepository(engine)
    failed = repo.messages_with_status("failed")
    engine.dispose()
    assert [m.text for m in failed] == ["silenzio, mi serve un aiuto"]


def test_an_empty_rasa_answer_to_a_person_at_risk_gets_the_numbers(gateway_settings, fake_rasa):
    with TestClient(create_app(gateway_settings)) as client:
        [items] = _chat(client, [{"text": "silenzio, mio marito mi prende a calci"}])
    assert items[0]["custom"]["type"] == "emergency"
    assert TEXTS.text("gateway.empty_answer") not in [i.get("text") for i in items]
