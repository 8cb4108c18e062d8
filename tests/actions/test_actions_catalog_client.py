"""The typed async catalog facade: one worker-thread hop per call, one call per search turn."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from actions import catalog_client
from actions.catalog_client import AsyncCatalog, CatalogDown
from actions.common import resolve_area
from actions.search import ActionSearchServices, ActionShowMore
from actions.violence import ActionReportViolence
from catalog.service import CatalogService, CitizenResults, ComuneMatch, Place
from tests.actions.conftest import make_tracker


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the service methods run in a worker thread, in order."""
    calls: list[str] = []
    real = asyncio.to_thread

    async def counting(function: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(function.__name__)
        return await real(function, *args, **kwargs)

    monkeypatch.setattr(catalog_client.asyncio, "to_thread", counting)
    return calls


async def test_typed_results(catalog_service: CatalogService) -> None:
    client = AsyncCatalog(catalog_service)
    match = await client.resolve_comune("cuorgne")
    assert isinstance(match, ComuneMatch) and match.comune and match.comune.name == "Cuorgnè"
    place = await client.locate("Ivrea")
    assert isinstance(place, Place) and place.ente is not None and place.ente.id == "inrete"
    found = await client.find_for_citizen("housing", comune="Ivrea")
    assert isinstance(found, CitizenResults) and found.page.items
    numbers = [h.number for h in await client.emergency_numbers(minor_involved=True)]
    assert numbers == ["1522", "112", "114"]


async def test_a_search_turn_resolves_the_comune_in_one_call(
    dispatcher: Any, domain: dict[str, Any], hops: list[str]
) -> None:
    tracker = make_tracker(
        "abito a Cuorgnè e non riesco a pagare l'affitto",
        "need_housing",
        slots={"comune": "Cuorgnè", "target_group": "anziani", "age": 80.0},
    )
    await ActionSearchServices().run(dispatcher, tracker, domain)
    assert hops == ["find_for_citizen"]
    hops.clear()
    more = make_tracker(
        "/ask_more_results",
        "ask_more_results",
        slots={"comune": "Cuorgnè", "need_category": "housing", "results_page": 1.0},
    )
    await ActionShowMore().run(dispatcher, more, domain)
    assert hops == ["find_for_citizen"]


async def test_violence_is_numbers_then_one_search(
    dispatcher: Any, domain: dict[str, Any], hops: list[str]
) -> None:
    tracker = make_tracker("mio marito mi picchia", "report_violence", slots={"comune": "Ivrea"})
    await ActionReportViolence().run(dispatcher, tracker, domain)
    assert hops == ["emergency_numbers", "find_for_citizen"]


async def test_resolve_area_is_one_call(hops: list[str]) -> None:
    area = await resolve_area(make_tracker(slots={"comune": "settimo"}))
    assert (area.comune, area.ente_id, area.distretto) == ("Settimo Torinese", "unione_net", "23")
    assert area.ente is not None and area.ente_name == area.ente.name
    assert hops == ["locate"]
    assert await resolve_area(make_tracker()) == type(area)()
    assert hops == ["locate"]  # no comune: no catalog call


async def test_out_of_area_and_unknown_areas(catalog_service: CatalogService) -> None:
    torino = await resolve_area(make_tracker(slots={"comune": "Torino"}))
    assert torino.out_of_area and torino.comune is None and torino.given == "Torino"
    unknown = await resolve_area(make_tracker(slots={"comune": "Qwertyville"}))
    assert not unknown.out_of_area and unknown.comune is None


async def test_catalog_down_raises(catalog_down: CatalogService) -> None:
    with pytest.raises(CatalogDown):
        await catalog_client.catalog().locate("Ivrea")
