"""action_office_info and action_request_appointment."""

from __future__ import annotations

from actions.office import ActionOfficeInfo, ActionRequestAppointment
from tests.actions.conftest import customs, make_tracker, responses, slot_sets


async def test_office_info_for_cuorgne(dispatcher, domain) -> None:
    tracker = make_tracker(
        "dove sono i servizi sociali?", "ask_office_info", slots={"comune": "Cuorgnè"}
    )
    events = await ActionOfficeInfo().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[:2] == ["utter_office_intro", "custom:office"]
    (payload,) = customs(dispatcher)
    assert payload["type"] == "office"
    ente = payload["ente_gestore"]
    assert ente["id"] == "ciss38" and "C.I.S.S. 38" in ente["name"]
    # no contact is known for CISS 38: the fields exist and are empty, the text says so
    assert ente["phone"] is None and ente["email"] is None and ente["website"] is None
    assert "utter_office_contacts_unknown" in responses(dispatcher)
    assert payload["offices"] and payload["offices"][0]["comune"] == "Cuorgnè"
    assert slot_sets(events) == {"ente_gestore_id": "ciss38", "distretto": "24"}


async def test_office_info_known_website(dispatcher, domain) -> None:
    tracker = make_tracker("orari consorzio", "ask_office_info", slots={"comune": "Chivasso"})
    await ActionOfficeInfo().run(dispatcher, tracker, domain)
    (payload,) = customs(dispatcher)
    assert payload["ente_gestore"]["id"] == "ciss_chivasso"
    if payload["ente_gestore"]["website"]:
        assert "utter_office_contacts_unknown" not in responses(dispatcher)


async def test_office_info_low_confidence_comune_gets_a_caveat(dispatcher, domain) -> None:
    tracker = make_tracker("/ask_office_info", "ask_office_info", slots={"comune": "Agliè"})
    await ActionOfficeInfo().run(dispatcher, tracker, domain)
    assert "utter_comune_area_caveat" in responses(dispatcher)


async def test_office_info_without_comune_asks_it(dispatcher, domain) -> None:
    events = await ActionOfficeInfo().run(
        dispatcher, make_tracker("/ask_office_info", "ask_office_info"), domain
    )
    assert responses(dispatcher) == ["utter_ask_comune"]
    assert events == []


async def test_office_info_out_of_area(dispatcher, domain) -> None:
    tracker = make_tracker("/ask_office_info", "ask_office_info", slots={"comune": "Torino"})
    await ActionOfficeInfo().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_out_of_area"]


async def test_office_info_comune_without_ente(dispatcher, domain) -> None:
    tracker = make_tracker("/ask_office_info", "ask_office_info", slots={"comune": "Rivodora"})
    await ActionOfficeInfo().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_office_no_ente"]


async def test_office_info_catalog_down(dispatcher, domain, catalog_down) -> None:
    tracker = make_tracker("/ask_office_info", "ask_office_info", slots={"comune": "Ivrea"})
    assert await ActionOfficeInfo().run(dispatcher, tracker, domain) == []
    assert responses(dispatcher) == ["utter_catalog_unavailable"]


async def test_appointment_points_to_the_ente_and_offers_an_operator(dispatcher, domain) -> None:
    tracker = make_tracker(
        "vorrei un appuntamento", "request_appointment", slots={"comune": "Ivrea"}
    )
    events = await ActionRequestAppointment().run(dispatcher, tracker, domain)
    kinds = responses(dispatcher)
    assert kinds[:2] == ["utter_appointment_how", "custom:office"]
    assert kinds[-1] == "utter_appointment_operator"
    assert customs(dispatcher)[0]["ente_gestore"]["id"] == "inrete"
    assert slot_sets(events)["ente_gestore_id"] == "inrete"
    (variant,) = domain["responses"]["utter_appointment_operator"]
    assert variant["buttons"][0]["payload"] == "/request_human"


async def test_appointment_without_ente(dispatcher, domain) -> None:
    tracker = make_tracker("appuntamento", "request_appointment")
    await ActionRequestAppointment().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_appointment_no_ente", "utter_appointment_operator"]
