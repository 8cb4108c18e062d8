"""The gateway's analytics turn: facts from the replies and Rasa's tracker store, no text."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from functools import partial

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.analytics.recorder import turn_facts
from bot.analytics.tracker import TrackerReader, understood_from_event
from bot.app import create_app
from bot.gateway.replies import Reply
from bot.store.models import AnalyticsTurn, Conversation
from bot.store.records import ConversationRecord
from tests.fixtures.fake_rasa import EMERGENCY, SERVICES, create_tracker_store

CONV = ConversationRecord(7, "web", "web-x", "bot", "ciss38", "Cuorgnè")


def test_facts_of_a_services_reply():
    facts = turn_facts(CONV, [Reply(text="Ecco", custom=SERVICES)], None)
    assert facts.category == "housing" and facts.services_total == 7
    assert facts.service_ids == ("ciss38-emergenza-abitativa", "atc-case-popolari")
    assert (facts.comune, facts.ente_gestore_id, facts.channel) == ("Cuorgnè", "ciss38", "web")


def test_facts_of_an_empty_search_an_emergency_and_a_handoff():
    empty = {**SERVICES, "services": [], "total": 0}
    facts = turn_facts(CONV, [Reply(custom=empty)], None)
    assert facts.services_total == 0 and facts.service_ids == ()
    risk = turn_facts(CONV, [Reply(custom=EMERGENCY)], None)
    assert risk.risk_kind == "violence"
    handoff = {"type": "handoff", "ente_gestore_id": "ciss38", "reason": "citizen_request"}
    assert turn_facts(CONV, [Reply(custom=handoff)], None).handoff_reason == "citizen_request"


def test_a_fallback_keeps_the_intent_the_assistant_could_not_confirm():
    data = {
        "event": "user",
        "text": "ho un problema con la cosa",
        "parse_data": {
            "intent": {"name": "nlu_fallback", "confidence": 0.3},
            "intent_ranking": [
                {"name": "nlu_fallback", "confidence": 0.3},
                {"name": "need_housing", "confidence": 0.28},
            ],
        },
    }
    understood = understood_from_event("nlu_fallback", json.dumps(data))
    assert understood.fallback and understood.misunderstood == "need_housing"
    facts = turn_facts(CONV, [Reply(text="Non ho capito")], understood)
    assert facts.fallback and facts.misunderstood_intent == "need_housing"
    assert "cosa" not in repr(facts)  # the text is never kept


def test_tracker_reader_reads_the_last_user_event(tmp_path):
    url = create_tracker_store(tmp_path / "tracker.db")
    data = json.dumps({"parse_data": {"intent": {"confidence": 0.9}}})
    with sqlite3.connect(tmp_path / "tracker.db") as conn:
        for intent in ("greet", "need_housing"):
            conn.execute(
                "INSERT INTO events (sender_id, type_name, intent_name, data) VALUES (?,?,?,?)",
                ("web-x", "user", intent, data),
            )
    reader = TrackerReader(url)
    found = reader.last_user_turn("web-x")
    assert found is not None and found.intent == "need_housing" and found.confidence == 0.9
    assert reader.last_user_turn("web-nobody") is None
    assert TrackerReader("").last_user_turn("web-x") is None
    reader.dispose()


def test_the_router_records_each_answered_message(gateway_settings, fake_rasa, tmp_path):
    url = create_tracker_store(tmp_path / "tracker.db")
    fake_rasa.tracker_db = tmp_path / "tracker.db"
    settings = replace(gateway_settings, rasa_tracker_store_url=url)
    app = create_app(settings, telegram=False)
    with TestClient(app) as client:
        router = app.state.gateway.router
        client.portal.call(router.handle_incoming, "web", "web-rec", "ho perso la casa")
        button = partial(router.handle_incoming, event="button")
        client.portal.call(button, "web", "web-rec", "/need_housing")
        engine = app.state.gateway.repos.conversations.engine
        with Session(engine) as session:
            turns = list(session.scalars(select(AnalyticsTurn).order_by(AnalyticsTurn.id)))
    assert len(turns) == 2
    assert turns[0].intent == "fake_intent" and turns[1].intent == "need_housing"
    assert turns[1].category == "housing" and "ciss38-emergenza-abitativa" in turns[1].service_ids
    assert turns[1].comune == "Cuorgnè" and turns[1].ente_gestore_id == "ciss38"
    columns = {c.name for c in AnalyticsTurn.__table__.columns}
    assert not columns & {"text", "message", "payload"}


def test_the_erasure_removes_the_turns_of_a_conversation(app_engine):
    from bot.store.deletion import DataEraser, TrackerStoreEraser
    from bot.store.repo import ConversationRepository
    from tests.fixtures.analytics import SCENARIO, seed

    seed(app_engine, SCENARIO[:1])
    with Session(app_engine) as session:
        turn = session.scalars(select(AnalyticsTurn)).first()
        sender = session.get(Conversation, turn.conversation_id).sender_id
    eraser = DataEraser(ConversationRepository(app_engine), TrackerStoreEraser(""), "key")
    report = eraser.erase(sender, requested_by="admin")
    assert report.counts.get("analytics_turn", 0) >= 2
    with Session(app_engine) as session:
        assert session.scalars(select(AnalyticsTurn)).first() is None
