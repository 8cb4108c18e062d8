"""action_report_violence: emergency payload first, local help, operator offer."""

from __future__ import annotations

from typing import Any

import pytest

from actions.violence import ActionReportViolence
from tests.actions.conftest import customs, make_tracker, responses, slot_sets


async def report(dispatcher: Any, domain: dict[str, Any], text: str, **kwargs: Any) -> list:
    tracker = make_tracker(text, "report_violence", **kwargs)
    return await ActionReportViolence().run(dispatcher, tracker, domain)


def numbers(payload: dict[str, Any]) -> list[str]:
    return [n["number"] for n in payload["numbers"]]


async def test_emergency_payload_comes_first_then_help_then_operator(dispatcher, domain) -> None:
    events = await report(dispatcher, domain, "mio marito mi picchia")
    first = dispatcher.messages[0]
    assert first["custom"]["type"] == "emergency" and not first["text"]
    assert not first["response"] and not first["buttons"]
    assert numbers(first["custom"]) == ["1522", "112"]
    assert all(n["label"] for n in first["custom"]["numbers"])
    kinds = responses(dispatcher)
    assert kinds[1] == "utter_violence_support"
    assert kinds[-1] == "utter_violence_offer_operator"
    assert slot_sets(events)["minor_involved"] is False


async def test_local_anti_violence_services_for_the_comune(dispatcher, domain) -> None:
    events = await report(
        dispatcher, domain, "il mio compagno mi minaccia", slots={"comune": "Settimo Torinese"}
    )
    emergency, services = customs(dispatcher)
    assert emergency["type"] == "emergency"
    assert services["type"] == "services" and services["category"] == "violence"
    assert services["ente_gestore"]["id"] == "unione_net"
    ids = [s["id"] for s in services["services"]]
    assert "cav-settimo-uscire-dal-silenzio" in ids
    # the numbers already given are not repeated as services
    assert "helpline-1522-antiviolenza" not in ids and "helpline-112-emergenza" not in ids
    assert responses(dispatcher).index("utter_violence_local") < responses(dispatcher).index(
        "custom:services"
    )
    assert slot_sets(events)["last_service_ids"] == ids
    assert slot_sets(events)["ente_gestore_id"] == "unione_net"


async def test_without_comune_only_wide_area_services(dispatcher, domain) -> None:
    await report(dispatcher, domain, "ho paura di mio marito")
    services = customs(dispatcher)[1]
    assert services["comune"] is None
    assert {s["scope"] for s in services["services"]} <= {"regional", "national"}


@pytest.mark.parametrize(
    ("text", "kwargs"),
    [
        ("il mio compagno picchia mio figlio", {}),
        ("la bambina della vicina viene maltrattata", {}),
        ("ho 15 anni e a casa mi picchiano", {}),
        ("mi picchiano a casa", {"slots": {"target_group": "minori"}}),
        ("mi picchiano a casa", {"slots": {"age": 14.0}}),
        (
            "mi picchiano",
            {"entities": [{"entity": "age", "value": "12"}]},
        ),
    ],
)
async def test_minor_involved_adds_114(dispatcher, domain, text: str, kwargs: dict) -> None:
    events = await report(dispatcher, domain, text, **kwargs)
    assert numbers(customs(dispatcher)[0]) == ["1522", "112", "114"]
    assert slot_sets(events)["minor_involved"] is True


async def test_adult_age_does_not_add_114(dispatcher, domain) -> None:
    await report(dispatcher, domain, "mi picchia", slots={"age": 34.0})
    assert numbers(customs(dispatcher)[0]) == ["1522", "112"]


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("mio marito mi picchia", "utter_emergency_numbers_fallback"),
        ("picchia mio figlio", "utter_emergency_numbers_fallback_minor"),
    ],
)
async def test_catalog_down_still_gives_the_numbers_first(
    dispatcher, domain, catalog_down, text: str, response: str
) -> None:
    events = await report(dispatcher, domain, text, slots={"comune": "Ivrea"})
    assert responses(dispatcher) == [
        response,
        "utter_violence_support",
        "utter_violence_offer_operator",
    ]
    # the fallback response in the domain is the emergency payload itself
    (variant,) = domain["responses"][response]
    assert variant["custom"]["type"] == "emergency"
    expected = ["1522", "112", "114"] if response.endswith("_minor") else ["1522", "112"]
    assert numbers(variant["custom"]) == expected
    assert "minor_involved" in slot_sets(events)


async def test_operator_offer_buttons(domain) -> None:
    (variant,) = domain["responses"]["utter_violence_offer_operator"]
    assert [b["payload"] for b in variant["buttons"]] == ["/request_human", "/deny"]
