"""validate_comune_form with the catalog's resolve_comune."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.forms import ValidateComuneForm
from tests.actions.conftest import make_tracker, responses, slot_sets


def form_tracker(answer: Any, text: str | None = None) -> Tracker:
    """The tracker Rasa sends: form active, the slot candidate appended at the end."""
    tracker = make_tracker(
        text if text is not None else str(answer),
        "inform",
        slots={"comune": answer, "requested_slot": "comune"},
        trailing=[{"event": "slot", "name": "comune", "value": answer}],
    )
    tracker.active_loop = {"name": "comune_form"}
    return tracker


async def validate(dispatcher: Any, domain: dict[str, Any], answer: Any) -> dict[str, Any]:
    events = await ValidateComuneForm().run(dispatcher, form_tracker(answer), domain)
    return slot_sets(events)


@pytest.mark.parametrize(
    ("answer", "comune", "ente", "distretto"),
    [
        ("Cuorgnè", "Cuorgnè", "ciss38", "24"),
        ("cuorgne", "Cuorgnè", "ciss38", "24"),
        ("10082", "Cuorgnè", "ciss38", "24"),
        ("abito a Ivrea", "Ivrea", "inrete", "24"),
        ("settimo t.se", "Settimo Torinese", "unione_net", "23"),
        (["Chivasso"], "Chivasso", "ciss_chivasso", "22"),
    ],
)
async def test_known_comune_sets_ente_and_distretto(
    dispatcher, domain, answer: Any, comune: str, ente: str, distretto: str
) -> None:
    slots = await validate(dispatcher, domain, answer)
    assert slots == {"comune": comune, "ente_gestore_id": ente, "distretto": distretto}
    assert dispatcher.messages == []


async def test_typo_gets_suggestions_as_buttons(dispatcher, domain) -> None:
    slots = await validate(dispatcher, domain, "Ivera")
    assert slots == {"comune": None}
    (message,) = dispatcher.messages
    assert message["response"] == "utter_comune_suggest" and message["comune"] == "Ivera"
    assert message["buttons"][0] == {"title": "Ivrea", "payload": '/inform{"comune": "Ivrea"}'}


async def test_out_of_area_is_accepted_without_ente(dispatcher, domain) -> None:
    slots = await validate(dispatcher, domain, "torino")
    assert slots == {"comune": "Torino", "ente_gestore_id": None, "distretto": None}
    # the action that follows the form says it (see test_actions_search)
    assert dispatcher.messages == []


async def test_shared_cap_offers_the_comuni(dispatcher, domain) -> None:
    slots = await validate(dispatcher, domain, "10040")
    assert slots == {"comune": None}
    (message,) = dispatcher.messages
    assert message["response"] == "utter_comune_ambiguous_cap"
    assert [b["title"] for b in message["buttons"]] == ["Leini", "Lombardore", "Rivarossa"]


async def test_cap_of_many_comuni_asks_the_name(dispatcher, domain) -> None:
    assert await validate(dispatcher, domain, "10010") == {"comune": None}
    assert responses(dispatcher) == ["utter_comune_cap_many"]


async def test_unknown_name(dispatcher, domain) -> None:
    assert await validate(dispatcher, domain, "Qwertyville") == {"comune": None}
    assert responses(dispatcher) == ["utter_comune_unknown"]


@pytest.mark.parametrize(
    "answer",
    [
        "non lo so, perché me lo chiedi? voglio solo sapere come pagare l'affitto",
        "???",
        "   ",
        "12",
        "che tempo fa domani?",
    ],
)
async def test_junk_is_rejected_without_echo(dispatcher, domain, answer: str) -> None:
    assert await validate(dispatcher, domain, answer) == {"comune": None}
    assert responses(dispatcher) == ["utter_comune_not_understood"]


async def test_catalog_down_keeps_a_plausible_answer(dispatcher, domain, catalog_down) -> None:
    slots = await validate(dispatcher, domain, "Ivrea")
    assert slots == {"comune": "Ivrea", "ente_gestore_id": None, "distretto": None}
    assert dispatcher.messages == []
