"""The handoff's comune question: asked through comune_form, with a way out (triage)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.forms import ValidateComuneForm
from actions.handoff import ActionHandoff, does_not_know
from tests.actions.conftest import customs, make_tracker, responses, slot_sets, user_event

ASKED = [
    user_event("voglio parlare con un operatore", "request_human"),
    {"event": "slot", "name": "pending_goal", "value": "handoff"},
    {"event": "action", "name": "action_handoff"},
    {"event": "slot", "name": "handoff_needs_comune", "value": True},
    {"event": "action", "name": "comune_form"},
    {"event": "active_loop", "name": "comune_form"},
    {"event": "slot", "name": "requested_slot", "value": "comune"},
]
FORM_GAVE_UP = [
    {"event": "action", "name": "comune_form"},
    {"event": "slot", "name": "comune", "value": None},
    {"event": "slot", "name": "requested_slot", "value": None},
    {"event": "active_loop", "name": None},
]
LEFT_THE_FORM = [
    {"event": "action", "name": "action_deactivate_loop"},
    {"event": "active_loop", "name": None},
]


def after_question(text: str, intent: str, trailing: list[dict[str, Any]], **slots: Any) -> Tracker:
    return make_tracker(
        text,
        intent,
        slots={"pending_goal": "handoff", "handoff_needs_comune": True, **slots},
        history=ASKED,
        trailing=trailing,
    )


async def test_comune_named_gives_the_competent_ente(dispatcher, domain) -> None:
    tracker = after_question(
        "Cuorgnè",
        "inform",
        [{"event": "action", "name": "comune_form"}, {"event": "active_loop", "name": None}],
        comune="Cuorgnè",
    )
    events = await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_handoff", "custom:handoff"]
    assert customs(dispatcher)[0]["ente_gestore_id"] == "ciss38"
    assert slot_sets(events)["handoff_needs_comune"] is False


async def test_form_that_gave_up_hands_off_to_triage(dispatcher, domain) -> None:
    tracker = after_question("boh davvero", "inform", FORM_GAVE_UP)
    events = await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_handoff_triage", "custom:handoff"]
    assert customs(dispatcher)[0] == {
        "type": "handoff",
        "ente_gestore_id": None,
        "reason": "citizen_request",
        "priority": "normal",
    }
    assert slot_sets(events) == {"handoff_needs_comune": False}


@pytest.mark.parametrize(("text", "intent"), [("no", "deny"), ("/request_human", "request_human")])
async def test_no_or_insisting_hands_off_to_triage(dispatcher, domain, text, intent) -> None:
    tracker = after_question(text, intent, LEFT_THE_FORM)
    await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_handoff_triage", "custom:handoff"]
    assert customs(dispatcher)[0]["ente_gestore_id"] is None


async def test_operator_while_a_need_asks_the_comune_asks_it_for_the_handoff(
    dispatcher, domain
) -> None:
    history = [
        user_event("cerco lavoro", "need_employment"),
        {"event": "slot", "name": "pending_goal", "value": "search"},
        {"event": "action", "name": "comune_form"},
        {"event": "active_loop", "name": "comune_form"},
    ]
    tracker = make_tracker(
        "preferisco un operatore",
        "request_human",
        slots={"pending_goal": "handoff"},
        history=history,
        trailing=[{"event": "slot", "name": "pending_goal", "value": "handoff"}, *LEFT_THE_FORM],
    )
    events = await ActionHandoff().run(dispatcher, tracker, domain)
    assert dispatcher.messages == []
    assert slot_sets(events)["handoff_needs_comune"] is True


async def test_comune_outside_the_area_gets_the_out_of_area_answer(dispatcher, domain) -> None:
    tracker = after_question(
        "torino", "out_of_scope", [{"event": "action", "name": "comune_form"}], comune="Torino"
    )
    events = await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_handoff_out_of_area"]
    assert dispatcher.messages[0]["comune"] == "Torino"
    assert customs(dispatcher) == []
    assert slot_sets(events) == {"handoff_needs_comune": False}


async def test_comune_without_ente_goes_to_triage(dispatcher, domain) -> None:
    tracker = make_tracker("/request_human", "request_human", slots={"comune": "Rivodora"})
    await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_handoff_no_ente", "custom:handoff"]
    assert customs(dispatcher)[0]["ente_gestore_id"] is None


@pytest.mark.parametrize("intent", ["report_violence", "report_self_harm"])
async def test_a_person_at_risk_is_never_asked_the_comune(dispatcher, domain, intent) -> None:
    history = [user_event("...", intent), {"event": "action", "name": "action_report_violence"}]
    tracker = make_tracker("sì", "affirm", history=history)
    events = await ActionHandoff().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_handoff_no_ente", "custom:handoff"]
    payload = customs(dispatcher)[0]
    assert payload["ente_gestore_id"] is None and payload["priority"] == "urgent"
    assert slot_sets(events) == {"handoff_needs_comune": False}  # decided: no form


# -- validate_comune_form: the way out ------------------------------------------------------


def answer_tracker(answer: str, goal: str = "handoff", attempts: float = 0.0) -> Tracker:
    tracker = make_tracker(
        answer,
        "inform",
        slots={
            "comune": answer,
            "requested_slot": "comune",
            "pending_goal": goal,
            "handoff_comune_attempts": attempts,
        },
        trailing=[{"event": "slot", "name": "comune", "value": answer}],
    )
    tracker.active_loop = {"name": "comune_form"}
    return tracker


async def test_first_miss_is_counted_and_the_form_asks_again(dispatcher, domain) -> None:
    events = await ValidateComuneForm().run(dispatcher, answer_tracker("Qwertyville"), domain)
    assert slot_sets(events) == {"comune": None, "handoff_comune_attempts": 1.0}
    assert responses(dispatcher) == ["utter_comune_unknown"]


async def test_second_miss_ends_the_form_without_a_comune(dispatcher, domain) -> None:
    tracker = answer_tracker("Qwertyville", attempts=1.0)
    events = await ValidateComuneForm().run(dispatcher, tracker, domain)
    assert slot_sets(events) == {
        "comune": None,
        "handoff_comune_attempts": 2.0,
        "requested_slot": None,
    }
    assert dispatcher.messages == []  # no "try again": action_handoff says what happens


async def test_i_dont_know_ends_the_form_at_once(dispatcher, domain) -> None:
    events = await ValidateComuneForm().run(dispatcher, answer_tracker("non lo so"), domain)
    assert slot_sets(events)["requested_slot"] is None


async def test_a_comune_is_not_a_miss(dispatcher, domain) -> None:
    events = await ValidateComuneForm().run(dispatcher, answer_tracker("Caluso"), domain)
    assert slot_sets(events) == {"comune": "Caluso", "ente_gestore_id": "cissac", "distretto": "24"}


async def test_misses_of_a_need_question_are_not_counted(dispatcher, domain) -> None:
    tracker = answer_tracker("Qwertyville", goal="search", attempts=5.0)
    events = await ValidateComuneForm().run(dispatcher, tracker, domain)
    assert slot_sets(events) == {"comune": None}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("non lo so", True),
        ("Boh", True),
        ("non te lo voglio dire", True),
        ("Ivrea", False),
        ("non sono di qui, abito a Caluso", False),
    ],
)
def test_does_not_know(text: str, expected: bool) -> None:
    assert does_not_know(text) is expected
