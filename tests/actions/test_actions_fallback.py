"""action_default_ask_affirmation and action_default_fallback."""

from __future__ import annotations

from actions.fallback import ActionDefaultAskAffirmation, ActionDefaultFallback
from tests.actions.conftest import customs, make_tracker, responses, slot_sets, user_event

RANKING = [
    {"name": "nlu_fallback", "confidence": 0.7},
    {"name": "need_housing", "confidence": 0.4},
    {"name": "greet", "confidence": 0.2},
    {"name": "need_economic_support", "confidence": 0.15},
    {"name": "out_of_scope", "confidence": 0.1},
    {"name": "need_employment", "confidence": 0.06},
    {"name": "need_health", "confidence": 0.01},
]


async def test_ask_affirmation_offers_likely_intents_and_no_altro(dispatcher, domain) -> None:
    tracker = make_tracker("boh casa soldi", "nlu_fallback", intent_ranking=RANKING)
    assert await ActionDefaultAskAffirmation().run(dispatcher, tracker, domain) == []
    (message,) = dispatcher.messages
    assert message["response"] == "utter_ask_affirmation"
    payloads = [b["payload"] for b in message["buttons"]]
    # greet has no suggestion button; at most 3 intents; "No, altro" last
    assert payloads == ["/need_housing", "/need_economic_support", "/out_of_scope"]
    assert message["buttons"][-1]["title"] == "No, altro"
    assert all(b["title"] for b in message["buttons"])


async def test_ask_affirmation_without_ranking_still_offers_no_altro(dispatcher, domain) -> None:
    tracker = make_tracker("xx", "nlu_fallback", intent_ranking=[])
    await ActionDefaultAskAffirmation().run(dispatcher, tracker, domain)
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/out_of_scope"]


async def test_first_misunderstanding_lists_capabilities(dispatcher, domain) -> None:
    events = await ActionDefaultFallback().run(
        dispatcher, make_tracker("asdf", "nlu_fallback"), domain
    )
    assert responses(dispatcher) == ["utter_fallback_capabilities"]
    assert events[0]["event"] == "rewind"
    assert slot_sets(events) == {"fallback_count": 1.0}


def _after_first_fallback(*between: dict) -> list[dict]:
    return [
        user_event("asdf", "nlu_fallback"),
        {"event": "rewind"},
        {"event": "slot", "name": "fallback_count", "value": 1.0},
        {"event": "active_loop", "name": None},
        {"event": "action", "name": "action_two_stage_fallback"},
        *between,
    ]


async def test_second_misunderstanding_in_a_row_hands_off(dispatcher, domain) -> None:
    tracker = make_tracker(
        "qwerty",
        "nlu_fallback",
        slots={"fallback_count": 1.0, "comune": "Ivrea"},
        history=_after_first_fallback(),
    )
    events = await ActionDefaultFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_handoff_after_fallback", "custom:handoff"]
    assert customs(dispatcher) == [
        {"type": "handoff", "ente_gestore_id": "inrete", "reason": "fallback", "priority": "normal"}
    ]
    assert slot_sets(events)["fallback_count"] == 0.0


async def test_an_understood_turn_in_between_restarts_the_count(dispatcher, domain) -> None:
    history = _after_first_fallback(
        {"event": "action", "name": "action_listen"},
        user_event("/need_housing", "need_housing"),
        {"event": "action", "name": "action_search_services"},
    )
    tracker = make_tracker("qwerty", "nlu_fallback", slots={"fallback_count": 1.0}, history=history)
    events = await ActionDefaultFallback().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_fallback_capabilities"]
    assert slot_sets(events) == {"fallback_count": 1.0}


async def test_handoff_after_fallback_with_the_catalog_down(
    dispatcher, domain, catalog_down
) -> None:
    tracker = make_tracker(
        "qwerty", "nlu_fallback", slots={"fallback_count": 1.0}, history=_after_first_fallback()
    )
    await ActionDefaultFallback().run(dispatcher, tracker, domain)
    assert customs(dispatcher)[0]["type"] == "handoff"
