"""The citizen's questions of issue 14, through the actions (catalog loaded from catalog_data/)."""

from __future__ import annotations

from actions.search import ActionSearchServices
from actions.violence import ActionReportViolence
from tests.actions.conftest import customs, make_tracker


async def test_foreigner_in_ivrea_who_wants_to_learn_italian_gets_the_cpia_first(
    dispatcher, domain
) -> None:
    tracker = make_tracker(
        "sono straniero, vorrei imparare l'italiano, abito a Ivrea",
        "need_social_inclusion",
        slots={"comune": "Ivrea"},
    )
    await ActionSearchServices().run(dispatcher, tracker, domain)
    (payload,) = customs(dispatcher)
    assert payload["services"][0]["id"] == "cpia4-ivrea"
    assert payload["services"][0]["provider"]["id"] == "cpia4_torino"


async def test_violence_in_chivasso_lists_punto_a_capo_first(dispatcher, domain) -> None:
    tracker = make_tracker("mio marito mi picchia", "report_violence", slots={"comune": "Chivasso"})
    await ActionReportViolence().run(dispatcher, tracker, domain)
    emergency, services = customs(dispatcher)
    assert emergency["type"] == "emergency"
    assert services["services"][0]["id"] == "sportello-antiviolenza-chivasso-punto-a-capo"
