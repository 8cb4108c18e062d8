"""Safety net during a handoff: emergency numbers at once, the handoff becomes urgent."""

from __future__ import annotations

from bot.texts import citizen_texts
from tests.bot.handoff.test_handoff_flow import (
    OTHER,
    SESSION,
    ask,
    conversation,
    running,
    widget,
)
from tests.fixtures.handoff import Console, add_operators, handoff_app


def _app(settings, clock):
    app = handoff_app(settings, clock)
    add_operators(app)
    return app


def test_risk_while_queued_gets_numbers_and_jumps_the_queue(settings, clock, fake_rasa):
    app = _app(settings, clock)
    with running(app) as client:
        first, second = widget(client, OTHER), widget(client, SESSION)
        assert "posizione 1" in ask(first, payload="/request_human")[-1]["text"]
        assert "posizione 2" in ask(second, payload="/request_human")[-1]["text"]

        items = ask(second, text="nn ce la faccio piu, stanotte la faccio finita")
        assert items[0]["custom"]["type"] == "emergency"
        assert items[0]["custom"]["kind"] == "self_harm"
        assert items[0]["custom"]["numbers"][0]["number"] == "112"
        assert items[-1]["text"] == citizen_texts().text("gateway.safety_handoff")
        # Rasa is paused: it stores the message but nobody asked it to answer
        assert "nn ce la faccio piu, stanotte la faccio finita" in fake_rasa.paused_messages
        assert conversation(app, SESSION).mode == "human"

        anna = Console.of(app, client)
        anna.login("anna")
        queue = anna.get("/queue").json()["queued"]
        assert [r["conversation"]["id"] for r in queue][0] == conversation(app, SESSION).id
        assert queue[0]["handoff"]["urgent"] is True
        assert queue[0]["handoff"]["risk"] == "self_harm"
        assert [r["position"] for r in queue] == [1, 2] and queue[1]["handoff"]["urgent"] is False


def test_risk_while_an_operator_has_it_reaches_citizen_and_operator(settings, clock):
    app = _app(settings, clock)
    with running(app) as client:
        ws = widget(client)
        ask(ws, payload="/request_human")
        anna = Console.of(app, client)
        anna.login("anna")
        conv_id = conversation(app).id
        assert anna.post(f"/conversations/{conv_id}/claim").is_success
        ws.receive_json()  # "Anna ti risponde"
        items = ask(ws, text="sta tornando, mi ha picchiata ancora, ho paura")
        assert items[0]["custom"]["type"] == "emergency"
        assert [n["number"] for n in items[0]["custom"]["numbers"]][:2] == ["1522", "112"]
        detail = anna.get(f"/conversations/{conv_id}").json()
        assert detail["handoff"]["urgent"] is True and detail["handoff"]["risk"] == "violence"
        kinds = [m["sender_kind"] for m in detail["messages"]][-3:]
        assert kinds == ["citizen", "system", "system"]  # the operator sees what was sent


def test_ordinary_message_in_a_handoff_is_not_an_alarm(settings, clock):
    app = _app(settings, clock)
    with running(app) as client:
        ws = widget(client)
        ask(ws, payload="/request_human")
        assert ask(ws, text="mi ammazzo di lavoro e non arrivo a fine mese") == []
        anna = Console.of(app, client)
        anna.login("anna")
        [row] = anna.get("/queue").json()["queued"]
        assert row["handoff"]["urgent"] is False


def test_violence_handoff_from_the_bot_is_urgent(settings, clock, fake_rasa):
    fake_rasa.handoff_reason = "violence"
    app = _app(settings, clock)
    with running(app) as client:
        ask(widget(client, OTHER), payload="/request_human")
        fake_rasa.handoff_reason = "citizen_request"
        ask(widget(client, SESSION), payload="/request_human")
        anna = Console.of(app, client)
        anna.login("anna")
        queue = anna.get("/queue").json()["queued"]
    assert [r["handoff"]["urgent"] for r in queue] == [True, False]


def test_upgraded_database_gets_the_priority_column(tmp_path):
    from sqlalchemy import create_engine, text

    from bot.store.db import head_revision, init_db

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:  # a version-1 database with a violence handoff
        conn.execute(text("CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER)"))
        conn.execute(text("INSERT INTO schema_version VALUES (1, 1)"))
        conn.execute(
            text(
                "CREATE TABLE handoff (id INTEGER PRIMARY KEY, conversation_id INTEGER, "
                "ente_gestore_id VARCHAR(40), status VARCHAR(20), reason VARCHAR(40), "
                "need VARCHAR(40), operator_id INTEGER, meta JSON, created_at DATETIME, "
                "queued_at DATETIME, claimed_at DATETIME, ended_at DATETIME)"
            )
        )
        conn.execute(
            text("INSERT INTO handoff (id, status, reason) VALUES (1, 'queued', 'violence')")
        )
    assert init_db(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT priority FROM handoff WHERE id = 1")).scalar() == 1
