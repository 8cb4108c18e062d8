"""action_handoff and action_data_deletion."""

from __future__ import annotations

from actions.handoff import ActionHandoff
from actions.privacy import ActionDataDeletion
from tests.actions.conftest import customs, make_tracker, responses, slot_sets, user_event


async def test_handoff_carries_the_ente_of_the_comune(dispatcher, domain) -> None:
    tracker = make_tracker(
        "voglio parlare con una persona", "request_human", slots={"comune": "Cuorgnè"}
    )
    events = await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_handoff", "custom:handoff"]
    assert "C.I.S.S. 38" in dispatcher.messages[0]["ente_name"]
    assert customs(dispatcher) == [
        {
            "type": "handoff",
            "ente_gestore_id": "ciss38",
            "reason": "citizen_request",
            "priority": "normal",
        }
    ]
    assert slot_sets(events) == {
        "ente_gestore_id": "ciss38",
        "distretto": "24",
        "handoff_needs_comune": False,
    }


async def test_handoff_without_comune_lets_the_form_ask_it(dispatcher, domain) -> None:
    events = await ActionHandoff().run(
        dispatcher, make_tracker("/request_human", "request_human"), domain
    )
    assert dispatcher.messages == []  # comune_form asks (utter_ask_comune, handoff wording)
    assert slot_sets(events) == {
        "pending_goal": "handoff",
        "handoff_needs_comune": True,
        "handoff_comune_attempts": 0.0,
    }


async def test_handoff_after_violence_says_why(dispatcher, domain) -> None:
    history = [
        user_event("mio marito mi picchia", "report_violence"),
        {"event": "action", "name": "action_report_violence"},
    ]
    tracker = make_tracker("sì", "affirm", slots={"comune": "Ivrea"}, history=history)
    await ActionHandoff().run(dispatcher, tracker, domain)
    assert customs(dispatcher)[0] == {
        "type": "handoff",
        "ente_gestore_id": "inrete",
        "reason": "violence",
        "priority": "urgent",
    }


async def test_handoff_after_self_harm_is_urgent(dispatcher, domain) -> None:
    history = [
        user_event("non ce la faccio piu voglio farla finita", "report_self_harm"),
        {"event": "action", "name": "action_report_self_harm"},
    ]
    tracker = make_tracker("/request_human", "request_human", history=history)
    await ActionHandoff().run(dispatcher, tracker, domain)
    payload = customs(dispatcher)[0]
    assert payload["reason"] == "self_harm" and payload["priority"] == "urgent"


async def test_handoff_works_with_the_catalog_down(dispatcher, domain, catalog_down) -> None:
    tracker = make_tracker(
        "/request_human", "request_human", slots={"comune": "Ivrea", "ente_gestore_id": "inrete"}
    )
    events = await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_handoff_no_ente", "custom:handoff"]
    assert customs(dispatcher)[0]["ente_gestore_id"] == "inrete"
    assert slot_sets(events) == {"handoff_needs_comune": False}


async def test_data_deletion_sends_the_payload_and_forgets_slots(dispatcher, domain) -> None:
    tracker = make_tracker("sì", "affirm", slots={"comune": "Ivrea"})
    events = await ActionDataDeletion().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_data_deleted", "custom:data_deletion"]
    assert customs(dispatcher) == [{"type": "data_deletion"}]
    assert [e["event"] for e in events] == ["reset_slots"]


async def test_handoff_later_in_a_violence_session_keeps_the_reason(dispatcher, domain) -> None:
    history = [
        {"event": "session_started"},
        user_event("mio marito mi picchia", "report_violence"),
        {"event": "action", "name": "action_report_violence"},
        user_event("no", "deny"),
        {"event": "action", "name": "utter_violence_no_operator"},
    ]
    tracker = make_tracker("voglio un operatore", "request_human", history=history)
    await ActionHandoff().run(dispatcher, tracker, domain)
    assert customs(dispatcher)[0]["reason"] == "violence"


async def test_violence_in_an_earlier_session_does_not_count(dispatcher, domain) -> None:
    history = [
        user_event("mio marito mi picchia", "report_violence"),
        {"event": "session_started"},
    ]
    tracker = make_tracker(
        "voglio un operatore", "request_human", slots={"comune": "Ivrea"}, history=history
    )
    await ActionHandoff().run(dispatcher, tracker, domain)
    assert customs(dispatcher)[0]["reason"] == "citizen_request"
