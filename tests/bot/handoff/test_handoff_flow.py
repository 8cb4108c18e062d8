"""Handoff flow through the widget WebSocket and the console API (in-process TestClient)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.texts import citizen_texts
from tests.fixtures.handoff import (
    CLOSED_TIME,
    OPEN_TIME,
    Console,
    add_operators,
    handoff_app,
    repos,
)

TEXTS = citizen_texts()


def handoff_notice(key: str, **values: object) -> str:
    """The handoff notice ``handoff.<key>`` as the citizen reads it."""
    return TEXTS.text(f"handoff.{key}", **values)


SESSION = "handoff-session-000001"
OTHER = "handoff-session-000002"


@pytest.fixture
def app(settings, clock):
    app = handoff_app(settings, clock)
    add_operators(app)
    return app


def ask(ws: Any, **frame: Any) -> list[dict]:
    """Send one widget frame; return the items of the answer."""
    ws.send_json({"type": "message", **frame})
    return ws.receive_json()["items"]


def pushed(ws: Any) -> list[dict]:
    """Next message pushed to the widget outside a request (operator, notices)."""
    return ws.receive_json()["items"]


@contextmanager
def running(app: Any) -> Iterator[TestClient]:
    """A TestClient whose widget sockets are closed on exit, even when an assertion fails."""
    with TestClient(app) as client:
        client.sockets = []  # type: ignore[attr-defined]
        try:
            yield client
        finally:
            for ws in client.sockets:  # type: ignore[attr-defined]
                ws.__exit__(None, None, None)


def widget(client: TestClient, session: str = SESSION, consortium: str = "ciss38") -> Any:
    """Open a widget WebSocket (closed by :func:`running`)."""
    ws = client.websocket_connect(f"/ws/chat?session={session}&consortium={consortium}")
    ws.__enter__()
    client.sockets.append(ws)  # type: ignore[attr-defined]
    assert ws.receive_json()["type"] == "ready"
    return ws


def conversation(app, session: str = SESSION):
    return repos(app).conversations.find_conversation(f"web-{session}")


def test_widget_handoff_claim_chat_and_hand_back(app, fake_rasa):
    sender = f"web-{SESSION}"
    with running(app) as client:
        ws = widget(client)
        items = ask(ws, payload="/request_human", title="Parla con un operatore")
        assert items[0]["text"] == "Ti metto in contatto con un operatore."
        assert items[1]["custom"]["type"] == "handoff"
        assert items[2]["sender_kind"] == "system"
        assert "posizione 1" in items[2]["text"] and "CISS 38" in items[2]["text"]
        assert [b["payload"] for b in items[2]["buttons"]] == ["/handoff_cancel"]
        assert conversation(app).mode == "human"
        assert fake_rasa.event_kinds(sender) == ["pause", "bot"]  # paused, then the queue notice

        # While queued the bot stays silent and Rasa does not get the message.
        assert ask(ws, text="Ho bisogno di aiuto con l'affitto") == []
        assert "Ho bisogno di aiuto con l'affitto" not in fake_rasa.messages()  # not predicted
        assert fake_rasa.paused_messages == ["Ho bisogno di aiuto con l'affitto"]  # but stored

        anna = Console.of(app, client)
        assert anna.login("anna").status_code == 303
        queue = anna.get("/queue").json()
        [row] = queue["queued"]
        assert row["position"] == 1 and row["conversation"]["comune"] is None
        assert row["waiting_seconds"] >= 0 and row["ente_name"] == "CISS 38"
        conv_id = row["conversation"]["id"]

        assert anna.post(f"/conversations/{conv_id}/claim").status_code == 200
        [claimed] = pushed(ws)
        assert "Anna Bianchi" in claimed["text"] and claimed["sender_kind"] == "system"

        assert anna.post(f"/conversations/{conv_id}/messages", {"text": "Buongiorno!"}).is_success
        [op_msg] = pushed(ws)
        assert op_msg["sender_kind"] == "operator"
        assert op_msg["sender_name"] == "Anna Bianchi" and op_msg["text"] == "Buongiorno!"

        assert ask(ws, text="Grazie, pago 600 euro di affitto") == []
        detail = anna.get(f"/conversations/{conv_id}").json()
        kinds = [(m["sender_kind"], m["text"]) for m in detail["messages"]]
        assert ("bot", "Ti metto in contatto con un operatore.") in kinds  # bot part
        assert ("operator", "Buongiorno!") in kinds
        assert kinds[-1] == ("citizen", "Grazie, pago 600 euro di affitto")
        assert detail["messages"][-1]["status"] == "to_operator"
        assert detail["mine"] is True and detail["handoff"]["status"] == "assigned"

        assert anna.post(f"/conversations/{conv_id}/handback").status_code == 200
        [back] = pushed(ws)
        assert back["text"] == handoff_notice("back_to_bot")
        assert conversation(app).mode == "bot"

        items = ask(ws, text="ciao")
        assert items[0]["text"].startswith("Ciao! Sono l'assistente WeCare")

    events = fake_rasa.tracker(sender)
    kinds = ["pause", "bot", "user", "bot", "bot", "user", "bot", "resume", "action"]
    assert [e["event"] for e in events] == kinds
    assert "posizione 1" in events[1]["text"]  # the gateway's notices are there too
    assert events[1]["metadata"] == {"sender_kind": "system"}
    assert events[2]["text"] == "Ho bisogno di aiuto con l'affitto"
    assert events[4]["text"] == "Buongiorno!"
    assert events[4]["metadata"] == {"sender_kind": "operator", "operator": "Anna Bianchi"}
    assert events[6]["text"] == handoff_notice("back_to_bot")
    assert events[8]["name"] == "action_listen"


def test_queue_position_is_updated_when_the_first_is_claimed(app):
    with running(app) as client:
        first, second = widget(client, SESSION), widget(client, OTHER)
        assert "posizione 1" in ask(first, payload="/request_human")[-1]["text"]
        assert "posizione 2" in ask(second, payload="/request_human")[-1]["text"]
        anna = Console.of(app, client)
        anna.login("anna")
        queue = anna.get("/queue").json()["queued"]
        assert [r["position"] for r in queue] == [1, 2]
        assert anna.post(f"/conversations/{queue[0]['conversation']['id']}/claim").is_success
        [update] = pushed(second)
        assert update["text"] == handoff_notice("queue_position", position=1)


def test_handoff_without_ente_from_a_consortium_widget_goes_to_that_consortium(app, fake_rasa):
    fake_rasa.default_ente = None  # e.g. a person at risk whose comune is unknown
    with running(app) as client:
        ws = widget(client, consortium="inrete")
        items = ask(ws, text="voglio parlare con un operatore")
        assert "In.Re.Te" in items[-1]["text"] and "posizione 1" in items[-1]["text"]
        ivo, anna = Console.of(app, client), Console.of(app, client)
        ivo.login("ivo")
        anna.login("anna")
        assert len(ivo.get("/queue").json()["queued"]) == 1
        assert anna.get("/queue").json()["queued"] == []


def test_handoff_without_ente_goes_to_the_triage_queue_of_supervisors(app, fake_rasa):
    """Rasa asks the comune first (actions/handoff.py); null means: nobody knows it."""
    fake_rasa.default_ente = None
    with running(app) as client:
        ws = widget(client, consortium="")
        items = ask(ws, text="operatore")
        assert items[-1]["text"] == handoff_notice("triage_queued", position=1)
        assert [b["payload"] for b in items[-1]["buttons"]] == ["/handoff_cancel"]
        sara, anna = Console.of(app, client), Console.of(app, client)
        sara.login("sara")
        anna.login("anna")
        [row] = sara.get("/queue").json()["queued"]
        assert row["conversation"]["ente_gestore_id"] is None
        assert anna.get("/queue").json()["queued"] == []
        conv_id = row["conversation"]["id"]
        assert anna.get(f"/conversations/{conv_id}").status_code == 404
        # The supervisor routes it to a consortium, whose operators now see it.
        assert sara.post(
            f"/conversations/{conv_id}/transfer", {"ente_gestore_id": "ciss38"}
        ).is_success
        [moved] = pushed(ws)
        assert "CISS 38" in moved["text"]
        assert len(anna.get("/queue").json()["queued"]) == 1


def test_out_of_hours_gives_hours_emergency_numbers_and_takes_a_contact(app, clock):
    clock.now = CLOSED_TIME
    with running(app) as client:
        ws = widget(client)
        notice = ask(ws, payload="/request_human")[-1]
        assert "non sono disponibili" in notice["text"]
        assert "lunedì–giovedì 9:00–13:00 e 14:00–16:00" in notice["text"]
        assert "112" in notice["text"] and "1522" in notice["text"]
        assert [b["payload"] for b in notice["buttons"]] == ["/handoff_contact", "/handoff_cancel"]
        assert ask(ws, payload="/handoff_contact", title="Lascia un recapito")[-1]["text"] == (
            handoff_notice("ask_contact")
        )
        items = ask(ws, text="3331234567, meglio dopo le 18")
        assert items[-1]["text"] == handoff_notice("contact_saved")
        assert conversation(app).mode == "bot"
        # The next morning the operators of the consortium see the contact.
        clock.now = OPEN_TIME
        anna, ivo = Console.of(app, client), Console.of(app, client)
        anna.login("anna")
        ivo.login("ivo")
        [contact] = anna.get("/contacts").json()["contacts"]
        assert contact["contact"] == "3331234567, meglio dopo le 18"
        assert ivo.get("/contacts").json()["contacts"] == []
        assert ivo.post(f"/contacts/{contact['id']}/handled").status_code == 404
        assert anna.post(f"/contacts/{contact['id']}/handled").status_code == 200
        assert anna.get("/contacts").json()["contacts"] == []
        # Bot mode again: the bot answers.
        assert ask(ws, text="ciao")[0]["text"].startswith("Ciao!")


def test_out_of_hours_a_phone_number_is_taken_directly_and_other_text_goes_to_the_bot(app, clock):
    clock.now = CLOSED_TIME
    with running(app) as client:
        ws = widget(client)
        ask(ws, payload="/request_human")
        assert ask(ws, text="mi chiami al 011 1234567")[-1]["text"] == handoff_notice(
            "contact_saved"
        )
        ws2 = widget(client, OTHER)
        ask(ws2, payload="/request_human")
        items = ask(ws2, text="ciao")  # not a contact: back to the bot, which answers
        assert items[0]["text"].startswith("Ciao!")
        assert conversation(app, OTHER).mode == "bot"


def test_citizen_can_leave_the_queue(app, fake_rasa):
    with running(app) as client:
        ws = widget(client)
        ask(ws, payload="/request_human")
        items = ask(ws, payload="/handoff_cancel", title="Esci dalla coda")
        assert items[-1]["text"] == handoff_notice("cancelled")
        assert conversation(app).mode == "bot"
        assert fake_rasa.event_kinds(f"web-{SESSION}")[-2:] == ["resume", "action"]


def test_operator_takes_over_a_bot_conversation_then_closes(app, fake_rasa):
    with running(app) as client:
        ws = widget(client)
        assert ask(ws, text="ciao")[0]["text"].startswith("Ciao!")
        anna = Console.of(app, client)
        anna.login("anna")
        [conv] = anna.get("/bot-conversations").json()["conversations"]
        assert anna.post(f"/conversations/{conv['id']}/takeover").status_code == 200
        assert "Anna Bianchi" in pushed(ws)[0]["text"]
        assert conversation(app).mode == "human"
        assert anna.post(f"/conversations/{conv['id']}/takeover").status_code == 409
        assert ask(ws, text="casa") == []  # the bot stays silent
        assert anna.post(f"/conversations/{conv['id']}/close").status_code == 200
        assert pushed(ws)[0]["text"] == handoff_notice("closed")
        assert ask(ws, text="casa")[0]["text"].startswith("Ecco i servizi")


def test_transfer_to_another_operator_and_to_another_consortium(app):
    with running(app) as client:
        ws = widget(client)
        ask(ws, payload="/need_housing", title="Casa")  # bot part: comune and need
        ask(ws, payload="/request_human")
        anna, bruno, ivo = (Console.of(app, client) for _ in range(3))
        anna.login("anna")
        bruno.login("bruno")
        ivo.login("ivo")
        conv_id = anna.get("/queue").json()["queued"][0]["conversation"]["id"]
        detail = anna.get(f"/conversations/{conv_id}").json()
        assert detail["conversation"]["comune"] == "Cuorgnè" and detail["need"] == "housing"
        anna.post(f"/conversations/{conv_id}/claim")
        pushed(ws)
        listed = {o["username"] for o in anna.get("/operators").json()["operators"]}
        assert "ivo" not in listed  # other consortia's accounts are not offered
        ops = {o.username: o.id for o in repos(app).accounts.list()}
        # Ivo (inrete) cannot receive a CISS 38 conversation.
        bad = anna.post(f"/conversations/{conv_id}/transfer", {"operator_id": ops["ivo"]})
        assert bad.status_code == 400
        assert anna.post(
            f"/conversations/{conv_id}/transfer", {"operator_id": ops["bruno"]}
        ).is_success
        assert pushed(ws)[0]["text"] == handoff_notice(
            "transferred_operator", operator="Bruno Verdi"
        )
        assert anna.post(f"/conversations/{conv_id}/messages", {"text": "x"}).status_code == 403
        assert bruno.post(f"/conversations/{conv_id}/messages", {"text": "Eccomi"}).is_success
        assert pushed(ws)[0]["sender_name"] == "Bruno Verdi"
        moved = bruno.post(f"/conversations/{conv_id}/transfer", {"ente_gestore_id": "inrete"})
        assert moved.is_success
        assert "In.Re.Te" in pushed(ws)[0]["text"]
        assert bruno.get(f"/conversations/{conv_id}").status_code == 404
        [row] = ivo.get("/queue").json()["queued"]
        assert row["conversation"]["id"] == conv_id
        assert ivo.post(f"/conversations/{conv_id}/claim").is_success


def test_internal_notes_are_never_sent_to_the_citizen(app):
    with running(app) as client:
        ws = widget(client)
        ask(ws, payload="/request_human")
        anna, bruno = Console.of(app, client), Console.of(app, client)
        anna.login("anna")
        bruno.login("bruno")
        conv_id = anna.get("/queue").json()["queued"][0]["conversation"]["id"]
        assert anna.post(
            f"/conversations/{conv_id}/notes", {"text": "Già seguita dal CSM"}
        ).is_success
        [note] = bruno.get(f"/conversations/{conv_id}").json()["notes"]
        assert note["author"] == "Anna Bianchi" and note["text"] == "Già seguita dal CSM"
        history = client.get(f"/api/chat/history?session={SESSION}").json()["messages"]
        assert all("CSM" not in m["text"] for m in history)


def test_handoff_after_repeated_misunderstanding_keeps_its_reason(app, fake_rasa):
    fake_rasa.handoff_reason = "fallback"  # what action_default_fallback sends
    with running(app) as client:
        ws = widget(client)
        assert "posizione 1" in ask(ws, text="operatore")[-1]["text"]
        anna = Console.of(app, client)
        anna.login("anna")
        [row] = anna.get("/queue").json()["queued"]
        assert row["handoff"]["reason"] == "fallback"
