"""action_search_services and action_show_more against the real SQLite catalog."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.search import ActionSearchServices, ActionShowMore
from tests.actions.conftest import customs, make_tracker, responses, slot_sets, user_event

RENT = "abito a Cuorgnè e non riesco a pagare l'affitto"


async def search(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], **kwargs: Any
) -> list[dict[str, Any]]:
    return await ActionSearchServices().run(dispatcher, make_tracker(**kwargs), domain)


async def test_cuorgne_rent_gives_ciss38_housing_services_local_first(dispatcher, domain) -> None:
    events = await search(
        dispatcher, domain, text=RENT, intent="need_housing", slots={"comune": "Cuorgnè"}
    )
    assert responses(dispatcher) == [
        "utter_services_found",
        "custom:services",
        "utter_verify_caveat",
        "utter_services_next_more",
    ]
    assert dispatcher.messages[0]["comune"] == "Cuorgnè"
    assert "C.I.S.S. 38" in dispatcher.messages[0]["ente_name"]
    (payload,) = customs(dispatcher)
    assert payload["type"] == "services"
    assert payload["category"] == "housing"
    assert payload["comune"] == "Cuorgnè"
    assert payload["ente_gestore"]["id"] == "ciss38"
    assert payload["page"] == 1
    assert payload["total"] > len(payload["services"]) == 5
    ids = [s["id"] for s in payload["services"]]
    assert ids[0] == "ciss38-emergenza-abitativa"
    assert payload["services"][0]["provider"]["id"] == "ciss38"
    scopes = [s["scope"] for s in payload["services"]]
    assert scopes == sorted(scopes, key=["local", "distretto", "regional", "national"].index)
    for service in payload["services"]:
        assert {"id", "name", "summary", "category", "provider", "url", "how_to_apply"} <= set(
            service
        )
        assert {"documents", "contacts", "verified"} <= set(service)
    assert slot_sets(events) == {
        "ente_gestore_id": "ciss38",
        "distretto": "24",
        "need_category": "housing",
        "results_page": 1.0,
        "last_service_ids": ids,
    }


async def test_comune_asked_by_the_form_uses_the_need_message(dispatcher, domain) -> None:
    history = [user_event("non riesco a pagare le bollette", "need_economic_support")]
    events = await search(
        dispatcher,
        domain,
        text="Ivrea",
        intent="inform",
        slots={"comune": "Ivrea", "ente_gestore_id": "inrete", "distretto": "24"},
        history=history,
    )
    (payload,) = customs(dispatcher)
    assert payload["category"] == "economic_support"
    assert payload["ente_gestore"] == {"id": "inrete", "name": payload["ente_gestore"]["name"]}
    assert payload["services"][0]["provider"]["id"] == "inrete"
    assert "bonus-sociale-luce-gas-acqua" in [s["id"] for s in payload["services"]] or (
        payload["total"] > 5
    )
    # slots already right: not set again
    assert "ente_gestore_id" not in slot_sets(events)
    assert slot_sets(events)["need_category"] == "economic_support"


async def test_button_payload_searches_by_category_only(dispatcher, domain) -> None:
    await search(
        dispatcher,
        domain,
        text="/need_employment",
        intent="need_employment",
        slots={"comune": "Chivasso"},
    )
    (payload,) = customs(dispatcher)
    assert payload["category"] == "employment"
    assert payload["ente_gestore"]["id"] == "ciss_chivasso"


async def test_unmatched_text_falls_back_to_the_category(dispatcher, domain) -> None:
    await search(
        dispatcher, domain, text="zzzz qqqq", intent="need_disability", slots={"comune": "Ivrea"}
    )
    (payload,) = customs(dispatcher)
    assert payload["category"] == "disability"
    assert payload["total"] > 0


async def test_no_comune_gives_regional_and_national_services(dispatcher, domain) -> None:
    events = await search(dispatcher, domain, text="cerco lavoro", intent="need_employment")
    assert responses(dispatcher)[0] == "utter_services_found_general"
    (payload,) = customs(dispatcher)
    assert payload["comune"] is None and payload["ente_gestore"] is None
    assert {s["scope"] for s in payload["services"]} <= {"regional", "national"}
    assert "ente_gestore_id" not in slot_sets(events)


async def test_out_of_area_comune_is_said_and_general_services_shown(dispatcher, domain) -> None:
    events = await search(
        dispatcher, domain, text="sfratto", intent="need_housing", slots={"comune": "Torino"}
    )
    assert responses(dispatcher)[:2] == ["utter_out_of_area_services", "custom:services"]
    assert dispatcher.messages[0]["comune"] == "Torino"
    (payload,) = customs(dispatcher)
    assert payload["comune"] is None and payload["ente_gestore"] is None
    assert slot_sets(events)["need_category"] == "housing"


async def test_low_confidence_comune_gets_the_area_caveat(dispatcher, domain) -> None:
    await search(
        dispatcher,
        domain,
        text="/need_elderly_care",
        intent="need_elderly_care",
        slots={"comune": "Agliè"},
    )
    assert "utter_comune_area_caveat" in responses(dispatcher)
    (payload,) = customs(dispatcher)
    assert payload["ente_gestore"]["id"] == "ciss38"


async def test_age_and_target_group_are_passed_to_the_search(dispatcher, domain) -> None:
    await search(
        dispatcher,
        domain,
        text="/need_family_minors",
        intent="need_family_minors",
        slots={"comune": "Ivrea", "target_group": "minori", "age": 15.0},
    )
    (payload,) = customs(dispatcher)
    assert payload["category"] == "family_minors"
    assert payload["services"]


async def test_no_need_yet_asks_what_the_citizen_needs(dispatcher, domain) -> None:
    events = await search(dispatcher, domain, text="Ivrea", intent="inform")
    assert responses(dispatcher) == ["utter_ask_need"]
    assert events == []


async def test_catalog_down_gives_a_polite_message(dispatcher, domain, catalog_down) -> None:
    events = await search(
        dispatcher, domain, text=RENT, intent="need_housing", slots={"comune": "Cuorgnè"}
    )
    assert responses(dispatcher) == ["utter_catalog_unavailable"]
    assert events == []


async def test_show_more_pages_through_the_same_search(dispatcher, domain) -> None:
    need = user_event(RENT, "need_housing")
    first = await search(
        dispatcher, domain, text=RENT, intent="need_housing", slots={"comune": "Cuorgnè"}
    )
    page1 = customs(dispatcher)[0]
    slots = {"comune": "Cuorgnè", **slot_sets(first)}
    more = CollectingDispatcher()
    events = await ActionShowMore().run(
        more,
        make_tracker("/ask_more_results", "ask_more_results", slots=slots, history=[need]),
        domain,
    )
    (page2,) = customs(more)
    assert page2["category"] == "housing" and page2["page"] == 2
    assert page2["ente_gestore"]["id"] == "ciss38" and page2["comune"] == "Cuorgnè"
    assert page2["total"] == page1["total"]
    ids1 = {s["id"] for s in page1["services"]}
    ids2 = [s["id"] for s in page2["services"]]
    assert ids2 and not ids1 & set(ids2)
    assert responses(more)[0] == "utter_services_page"
    last_page = page2["total"] <= 10
    assert responses(more)[-1] == (
        "utter_services_next" if last_page else "utter_services_next_more"
    )
    assert slot_sets(events) == {"results_page": 2.0, "last_service_ids": ids2}


async def test_show_more_after_the_last_page(dispatcher, domain) -> None:
    slots = {"comune": "Cuorgnè", "need_category": "housing", "results_page": 9.0}
    events = await ActionShowMore().run(
        dispatcher, make_tracker("/ask_more_results", "ask_more_results", slots=slots), domain
    )
    assert responses(dispatcher) == ["utter_no_more_results"]
    assert events == []


async def test_show_more_without_a_search(dispatcher, domain) -> None:
    await ActionShowMore().run(
        dispatcher, make_tracker("/ask_more_results", "ask_more_results"), domain
    )
    assert responses(dispatcher) == ["utter_no_previous_search", "utter_ask_need"]


async def test_a_need_taken_up_after_a_risk_message_is_searched(dispatcher, domain) -> None:
    # an older housing search, then a risk message that also asked for work, taken up with "sì"
    history = [
        user_event(RENT, "need_housing"),
        {"event": "slot", "name": "need_category", "value": "housing"},
        user_event("mi picchia e mi serve un lavoro", "report_violence"),
        {"event": "slot", "name": "need_category", "value": "employment"},
    ]
    slots = {"comune": "Cuorgnè", "need_category": "employment"}
    tracker = make_tracker("sì", "affirm", slots=slots, history=history)
    events = await ActionSearchServices().run(dispatcher, tracker, domain)
    (payload,) = customs(dispatcher)
    assert payload["category"] == "employment"
    assert slot_sets(events)["need_category"] == "employment"
    # without the take-up the latest need message still decides (and its text is used)
    slots["need_category"] = "housing"
    plain = make_tracker("sì", "affirm", slots=slots, history=history[:2])
    dispatcher.messages.clear()
    await ActionSearchServices().run(dispatcher, plain, domain)
    assert customs(dispatcher)[0]["category"] == "housing"
