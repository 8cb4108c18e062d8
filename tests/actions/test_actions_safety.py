"""The safety net in the actions: self-harm answer, risk kinds, interrupted forms, resume."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.safety import (
    ActionOfferResume,
    ActionReportSelfHarm,
    ActionResumeGoal,
    interrupted_goal,
    risk_of,
)
from actions.violence import ActionReportViolence
from tests.actions.conftest import customs, make_tracker, responses, slot_sets, user_event

FORM_ASKING = [
    user_event("ho bisogno di aiuto per l'affitto", "need_housing"),
    {"event": "slot", "name": "pending_goal", "value": "search"},
    {"event": "action", "name": "comune_form"},
    {"event": "active_loop", "name": "comune_form"},
    {"event": "slot", "name": "requested_slot", "value": "comune"},
]


def with_risk(tracker: Tracker, **risk: Any) -> Tracker:
    tracker.latest_message["risk"] = {"kinds": ["self_harm"], "kind": "self_harm", **risk}
    return tracker


def numbers(payload: dict[str, Any]) -> list[str]:
    return [n["number"] for n in payload["numbers"]]


async def test_self_harm_answer_starts_with_112_then_listening_lines(dispatcher, domain) -> None:
    tracker = with_risk(make_tracker("voglio farla finita", "report_self_harm"))
    events = await ActionReportSelfHarm().run(dispatcher, tracker, domain)
    first = dispatcher.messages[0]
    assert first["custom"]["type"] == "emergency" and not first["text"]
    assert first["custom"]["kind"] == "self_harm"
    assert numbers(first["custom"]) == ["112", "02 2327 2327"]
    # Telefono Amico is marked [?] in the sources: flagged and followed by the caveat
    flags = {n["number"]: n["to_verify"] for n in first["custom"]["numbers"]}
    assert flags == {"112": False, "02 2327 2327": True}
    assert responses(dispatcher) == [
        "custom:emergency",
        "utter_emergency_to_verify",
        "utter_self_harm_support",
        "utter_self_harm_offer_operator",
    ]
    assert slot_sets(events) == {"minor_involved": False}


async def test_self_harm_of_a_minor_adds_telefono_azzurro(dispatcher, domain) -> None:
    tracker = with_risk(make_tracker("ho 15 anni e mi taglio", "report_self_harm"), minor=True)
    await ActionReportSelfHarm().run(dispatcher, tracker, domain)
    assert numbers(customs(dispatcher)[0]) == ["112", "02 2327 2327", "19696"]


async def test_self_harm_and_violence_together_get_both_sets_of_numbers(dispatcher, domain) -> None:
    tracker = with_risk(
        make_tracker("mi picchia e voglio morire", "report_self_harm"),
        kinds=["violence", "self_harm"],
    )
    await ActionReportSelfHarm().run(dispatcher, tracker, domain)
    assert numbers(customs(dispatcher)[0]) == ["112", "02 2327 2327", "1522"]


async def test_self_harm_numbers_reach_the_citizen_with_the_catalog_down(
    dispatcher, domain, catalog_down
) -> None:
    tracker = with_risk(make_tracker("mi voglio ammazzare", "report_self_harm"))
    await ActionReportSelfHarm().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "utter_emergency_numbers_fallback_self_harm"
    fallback = domain["responses"]["utter_emergency_numbers_fallback_self_harm"][0]["custom"]
    assert numbers(fallback)[0] == "112" and fallback["kind"] == "self_harm"


async def test_violence_answer_keeps_its_order_and_flags_114(dispatcher, domain) -> None:
    tracker = make_tracker("mio marito picchia i bambini", "report_violence")
    await ActionReportViolence().run(dispatcher, tracker, domain)
    payload = customs(dispatcher)[0]
    assert numbers(payload) == ["1522", "112", "114"] and payload["kind"] == "violence"
    assert [n["to_verify"] for n in payload["numbers"]] == [False, False, True]


def test_risk_of_a_button_comes_from_the_intent() -> None:
    risk = risk_of(make_tracker("/report_self_harm", "report_self_harm"))
    assert risk["kinds"] == ["self_harm"] and risk["minor"] is False


def test_the_goal_of_the_form_asking_is_the_interrupted_one() -> None:
    tracker = make_tracker("mi picchia", "report_violence", history=FORM_ASKING)
    assert interrupted_goal(tracker) == "search"
    assert interrupted_goal(make_tracker("mi picchia", "report_violence")) is None
    closed = [*FORM_ASKING, {"event": "active_loop", "name": None}]
    assert interrupted_goal(make_tracker("mi picchia", "report_violence", history=closed)) is None


async def test_risk_inside_the_form_keeps_the_goal_and_resume_is_offered(
    dispatcher, domain
) -> None:
    tracker = make_tracker("mio marito mi prende a calci", "report_violence", history=FORM_ASKING)
    events = await ActionReportViolence().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "custom:emergency"
    assert slot_sets(events)["interrupted_goal"] == "search"

    offer = make_tracker("/deny", "deny", slots={"interrupted_goal": "search"})
    events = await ActionOfferResume().run(dispatcher, offer, domain)
    assert responses(dispatcher)[-1] == "utter_offer_resume"
    assert slot_sets(events) == {"resume_offered": True}


async def test_nothing_to_resume_means_no_question(dispatcher, domain) -> None:
    assert await ActionOfferResume().run(dispatcher, make_tracker("no", "deny"), domain) == []
    assert dispatcher.messages == []


async def test_resume_yes_restores_the_goal_no_drops_it(dispatcher, domain) -> None:
    slots = {"interrupted_goal": "office", "resume_offered": True}
    events = await ActionResumeGoal().run(dispatcher, make_tracker("sì", "affirm", slots), domain)
    assert slot_sets(events) == {
        "interrupted_goal": None,
        "resume_offered": False,
        "pending_goal": "office",
    }
    events = await ActionResumeGoal().run(dispatcher, make_tracker("no", "deny", slots), domain)
    assert slot_sets(events) == {"interrupted_goal": None, "resume_offered": False}
    assert responses(dispatcher) == ["utter_resume_goal", "utter_anytime"]


def need_risk(tracker: Tracker, intent: str, confidence: float) -> Tracker:
    tracker.latest_message["risk"] = {
        "kinds": ["violence"],
        "kind": "violence",
        "original_intent": {"name": intent, "confidence": confidence},
    }
    return tracker


async def test_a_need_asked_with_the_risk_is_offered_after_the_numbers(dispatcher, domain) -> None:
    text = "mio marito mi picchia e devo trovare una casa popolare a ivrea"
    tracker = need_risk(make_tracker(text, "report_violence"), "need_housing", 0.93)
    events = await ActionReportViolence().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[0] == "custom:emergency"  # the numbers stay first
    assert slot_sets(events)["interrupted_goal"] == "need:housing"
    assert slot_sets(events)["resume_offered"] is False

    offer = make_tracker("/deny", "deny", slots={"interrupted_goal": "need:housing"})
    events = await ActionOfferResume().run(dispatcher, offer, domain)
    assert dispatcher.messages[-1]["response"] == "utter_offer_resume_need"
    assert dispatcher.messages[-1]["need_label"] == "casa e affitto"
    assert slot_sets(events) == {"resume_offered": True}

    slots = {"interrupted_goal": "need:housing", "resume_offered": True}
    events = await ActionResumeGoal().run(dispatcher, make_tracker("sì", "affirm", slots), domain)
    assert slot_sets(events) == {
        "interrupted_goal": None,
        "resume_offered": False,
        "need_category": "housing",
        "pending_goal": "search",
    }
    events = await ActionResumeGoal().run(dispatcher, make_tracker("no", "deny", slots), domain)
    assert slot_sets(events) == {"interrupted_goal": None, "resume_offered": False}


async def test_no_need_offered_when_unsure_or_not_a_need(dispatcher, domain) -> None:
    for intent, confidence in (("need_housing", 0.3), ("greet", 0.99), ("report_violence", 0.9)):
        tracker = need_risk(make_tracker("mi picchia", "report_violence"), intent, confidence)
        events = await ActionReportViolence().run(dispatcher, tracker, domain)
        assert "interrupted_goal" not in slot_sets(events), intent
    # a form the risk interrupted comes first
    tracker = make_tracker("mi picchia, cerco lavoro", "report_violence", history=FORM_ASKING)
    events = await ActionReportViolence().run(
        dispatcher, need_risk(tracker, "need_employment", 0.9), domain
    )
    assert slot_sets(events)["interrupted_goal"] == "search"
    garbage = make_tracker("/deny", "deny", slots={"interrupted_goal": "need:nonsense"})
    assert await ActionOfferResume().run(dispatcher, garbage, domain) == []
