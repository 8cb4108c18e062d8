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
    # CISS 38's letterhead (bando of 25/01/2022): seat, phone and site; no e-mail, no PEC
    assert ente["address"] == "Via Ivrea 100, 10082 Cuorgnè (TO)"
    assert ente["phone"] == "0124/657931" and ente["website"] == "http://www.ciss38.it"
    assert ente["email"] is None and ente["pec"] is None and ente["fax"] is None
    # the second number of the letterhead may be the fax: only in contact_points, unverified
    (second,) = [p for p in ente["contact_points"] if p["value"] == "0124/651796"]
    assert second["verified"] is False and second["confidence"] == "low"
    assert all(p["source"] for p in ente["contact_points"])
    assert "utter_office_contacts_unknown" not in responses(dispatcher)
    assert "utter_office_contacts_unverified" in responses(dispatcher)
    (dated,) = [
        m for m in dispatcher.messages if m.get("response") == "utter_office_contacts_dated"
    ]
    assert dated["date"] == "25/01/2022"
    assert payload["offices"] and payload["offices"][0]["comune"] == "Cuorgnè"
    assert slot_sets(events) == {"ente_gestore_id": "ciss38", "distretto": "24"}


async def test_office_info_for_ivrea_has_the_inrete_letterhead_contacts(dispatcher, domain) -> None:
    tracker = make_tracker("contatti consorzio", "ask_office_info", slots={"comune": "Ivrea"})
    await ActionOfficeInfo().run(dispatcher, tracker, domain)
    ente = customs(dispatcher)[0]["ente_gestore"]
    assert ente["id"] == "inrete"
    assert (ente["phone"], ente["fax"]) == ("0125-646111", "0125-646190")
    assert (ente["email"], ente["pec"]) == ("consorzio@inrete.to.it", "consorzio@pec.inrete.to.it")
    assert ente["address"] == "Via Circonvallazione 54/b, 10015 Ivrea (TO)"
    assert ente["contacts_last_verified"] == "2021-11-25"
    kinds = responses(dispatcher)
    assert "utter_office_contacts_dated" in kinds and "utter_office_contacts_unknown" not in kinds
    assert "utter_office_contacts_unverified" not in kinds


async def test_office_info_for_cirie_has_phone_and_fax(dispatcher, domain) -> None:
    tracker = make_tracker("numero servizi sociali", "ask_office_info", slots={"comune": "Ciriè"})
    await ActionOfficeInfo().run(dispatcher, tracker, domain)
    ente = customs(dispatcher)[0]["ente_gestore"]
    assert (ente["phone"], ente["fax"]) == ("011 921.28.96", "011 920.60.42")
    assert ente["address"] == "Piazza Castello 20, 10073 Ciriè (TO)"


async def test_office_info_without_any_contact_says_so(dispatcher, domain) -> None:
    tracker = make_tracker(
        "/ask_office_info", "ask_office_info", slots={"comune": "Gassino Torinese"}
    )
    await ActionOfficeInfo().run(dispatcher, tracker, domain)
    ente = customs(dispatcher)[0]["ente_gestore"]
    assert ente["id"] == "cisa_gassino"
    assert all(ente[k] is None for k in ("address", "phone", "fax", "email", "pec", "website"))
    assert "utter_office_contacts_unknown" in responses(dispatcher)


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
