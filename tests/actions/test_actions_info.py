"""action_documents and action_opportunities."""

from __future__ import annotations

import datetime as dt

from actions.info import ActionDocuments, ActionOpportunities, is_current
from tests.actions.conftest import customs, make_tracker, responses


async def test_documents_of_the_last_services(dispatcher, domain, catalog) -> None:
    ids = ["adi-assegno-inclusione", "ciss38-emergenza-abitativa", "fondo-sostegno-locazione"]
    tracker = make_tracker("/ask_documents", "ask_documents", slots={"last_service_ids": ids})
    assert await ActionDocuments().run(dispatcher, tracker, domain) == []
    kinds = responses(dispatcher)
    per_service = [m for m in dispatcher.messages if m["response"].startswith("utter_documents_s")]
    assert len(per_service) == 3
    adi = catalog.get_service("adi-assegno-inclusione")
    assert per_service[0]["service"] == adi.name
    if adi.documents:
        assert per_service[0]["response"] == "utter_documents_service"
        assert per_service[0]["documents"] == ", ".join(adi.documents)
    assert "utter_documents_isee" in kinds
    assert "utter_documents_general" not in kinds


async def test_documents_without_a_search(dispatcher, domain) -> None:
    await ActionDocuments().run(
        dispatcher, make_tracker("che documenti servono", "ask_documents"), domain
    )
    assert responses(dispatcher) == ["utter_documents_general", "utter_documents_isee"]


async def test_documents_unknown_ids_are_skipped(dispatcher, domain) -> None:
    tracker = make_tracker(
        "/ask_documents", "ask_documents", slots={"last_service_ids": ["no-such-service"]}
    )
    await ActionDocuments().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_documents_general", "utter_documents_isee"]


async def test_documents_catalog_down(dispatcher, domain, catalog_down) -> None:
    tracker = make_tracker(
        "/ask_documents", "ask_documents", slots={"last_service_ids": ["adi-assegno-inclusione"]}
    )
    await ActionDocuments().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_catalog_unavailable"]


async def test_opportunities_are_current_only(dispatcher, domain) -> None:
    tracker = make_tracker("ci sono bandi?", "ask_opportunities", slots={"comune": "Cuorgnè"})
    await ActionOpportunities().run(dispatcher, tracker, domain)
    assert responses(dispatcher)[:2] == ["utter_opportunities_found", "custom:opportunities"]
    (payload,) = customs(dispatcher)
    assert payload["type"] == "opportunities"
    today = dt.date.today().isoformat()
    ids = [item["id"] for item in payload["items"]]
    assert "programma-gol-piemonte" in ids
    for item in payload["items"]:
        assert item["title"] and item["valid_from"] <= today
        assert item["valid_to"] is None or item["valid_to"] >= today


async def test_opportunities_without_comune_are_regional_or_national(dispatcher, domain) -> None:
    await ActionOpportunities().run(dispatcher, make_tracker("bandi", "ask_opportunities"), domain)
    for payload in customs(dispatcher):
        assert {i["scope"] for i in payload["items"]} <= {"regional", "national"}


async def test_opportunities_catalog_down(dispatcher, domain, catalog_down) -> None:
    await ActionOpportunities().run(dispatcher, make_tracker("bandi", "ask_opportunities"), domain)
    assert responses(dispatcher) == ["utter_catalog_unavailable"]


def test_is_current() -> None:
    today = dt.date(2026, 11, 26)
    assert is_current({"valid_from": "2026-01-01", "valid_to": None}, today)
    assert is_current({"valid_from": "2026-01-01", "valid_to": "2026-11-26"}, today)
    assert not is_current({"valid_from": "2026-01-01", "valid_to": "2026-11-25"}, today)
    assert not is_current({"valid_from": "2026-12-01", "valid_to": None}, today)
