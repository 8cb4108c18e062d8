"""CatalogService.find_for_citizen: relaxation, scope policy, emergency lines (SQLite + PostgreSQL).

Also the policy itself (catalog/citizen.py) on a fake search, and that the comune is resolved
once per call.
"""

from __future__ import annotations

import pytest

from catalog import locate
from catalog.citizen import WINDOW, Attempt, citizen_page, relaxation
from catalog.info import ServiceInfo
from catalog.service import CatalogService, UnknownCategory

SCOPES = ["local", "distretto", "regional", "national"]
WIDE = {"regional", "national"}


def ids(svc: CatalogService, **kwargs: object) -> list[str]:
    return [s.id for s in svc.find_for_citizen(**kwargs).page.items]  # type: ignore[arg-type]


def test_known_comune_is_a_ranked_local_search(svc: CatalogService) -> None:
    found = svc.find_for_citizen("housing", text="non riesco a pagare l'affitto", comune="cuorgne")
    place, page = found.place, found.page
    assert place.comune is not None and place.comune.name == "Cuorgnè"
    assert place.ente is not None and place.ente.id == "ciss38"
    assert page.comune == place.comune and page.ente_gestore == place.ente
    assert page.items[0].id == "ciss38-emergenza-abitativa"
    scopes = [s.scope for s in page.items]
    assert scopes == sorted(scopes, key=SCOPES.index)
    same = svc.search_services(
        category="housing", text="non riesco a pagare l'affitto", comune="Cuorgnè"
    )
    assert [s.id for s in page.items] == [s.id for s in same.items]
    assert page.total == same.total


def test_text_then_filters_are_relaxed_until_something_matches(svc: CatalogService) -> None:
    relaxed = svc.find_for_citizen("disability", text="zzzz qqqq", comune="Ivrea")
    assert relaxed.page.total == svc.search_services(category="disability", comune="Ivrea").total
    narrow = svc.find_for_citizen(
        "employment", comune="Ivrea", target_group="anziani", age=99, text="zzzz"
    )
    assert narrow.page.total > 0  # text, then target group and age dropped


def test_pages_continue_the_same_list(svc: CatalogService) -> None:
    first = svc.find_for_citizen("housing", comune="Cuorgnè", page=1)
    second = svc.find_for_citizen("housing", comune="Cuorgnè", page=2)
    assert first.page.total == second.page.total
    assert not {s.id for s in first.page.items} & {s.id for s in second.page.items}


@pytest.mark.parametrize("comune", [None, "", "Torino", "Qwertyville"])
def test_without_an_asl_to4_comune_only_regional_and_national(
    svc: CatalogService, comune: str | None
) -> None:
    found = svc.find_for_citizen("employment", text="cerco lavoro", comune=comune)
    assert found.place.comune is None and found.place.ente is None
    assert found.page.items and {s.scope for s in found.page.items} <= WIDE
    assert found.place.match.out_of_area == (comune == "Torino")


def test_out_of_area_pages_through_the_wide_window(svc: CatalogService) -> None:
    pages = [svc.find_for_citizen("economic_support", comune="Torino", page=n) for n in (1, 2)]
    assert pages[0].page.total == pages[1].page.total <= WINDOW
    seen = [s.id for p in pages for s in p.page.items]
    assert len(seen) == len(set(seen))


def test_violence_lists_anti_violence_first_without_the_numbers_given(
    svc: CatalogService,
) -> None:
    found = svc.find_for_citizen("violence", comune="Settimo Torinese", exclude_numbers={"1522"})
    items = found.page.items
    assert "helpline-1522-antiviolenza" not in [s.id for s in items]
    assert "cav-settimo-uscire-dal-silenzio" in [s.id for s in items]
    primary = [s.category == "violence" for s in items]
    assert primary == sorted(primary, reverse=True)
    assert len(items) <= 5


def test_violence_in_chivasso_puts_punto_a_capo_first(svc: CatalogService) -> None:
    numbers = {"1522", "112"}
    assert ids(svc, category="violence", comune="Chivasso", exclude_numbers=numbers)[0] == (
        "sportello-antiviolenza-chivasso-punto-a-capo"
    )


def test_errors(svc: CatalogService) -> None:
    with pytest.raises(UnknownCategory):
        svc.find_for_citizen("soldi")
    with pytest.raises(ValueError):
        svc.find_for_citizen("housing", target_group="marziani")


def test_the_comune_is_resolved_once(svc: CatalogService, monkeypatch) -> None:
    calls: list[str] = []
    real = locate.resolve

    def counting(session, query, data_dir):  # type: ignore[no-untyped-def]
        calls.append(query)
        return real(session, query, data_dir)

    monkeypatch.setattr(locate, "resolve", counting)
    svc.find_for_citizen("housing", text="zzzz qqqq", comune="cuorgne", target_group="anziani")
    assert calls == ["cuorgne"]


# --- the policy on a fake search ----------------------------------------------------------


def service(sid: str, scope: str, category: str = "violence") -> ServiceInfo:
    return ServiceInfo(sid, sid, "", category, "p", "P", "", scope, "high", True)


def fake(results: dict[Attempt, list[ServiceInfo]], log: list[tuple[Attempt, int, int]]):  # type: ignore[no-untyped-def]
    def run(attempt: Attempt, offset: int, limit: int) -> tuple[list[ServiceInfo], int]:
        log.append((attempt, offset, limit))
        found = results.get(attempt, [])
        return found[offset : offset + limit], len(found)

    return run


def test_relaxation_order() -> None:
    assert relaxation("affitto", "anziani", 70) == [
        Attempt("affitto", "anziani", 70),
        Attempt(None, "anziani", 70),
        Attempt(),
    ]
    assert relaxation(None, None, None) == [Attempt()]
    assert relaxation("affitto", None, None) == [Attempt("affitto"), Attempt()]


def test_in_area_pages_the_first_attempt_that_matches() -> None:
    log: list[tuple[Attempt, int, int]] = []
    hits = [service(f"s{i}", "local", "housing") for i in range(7)]
    run = fake({Attempt(): hits}, log)
    items, total = citizen_page(run, relaxation("zz", None, None), "housing", True, 2, 5)
    assert ([s.id for s in items], total) == (["s5", "s6"], 7)
    assert log == [(Attempt("zz"), 5, 5), (Attempt(), 5, 5)]


def test_wide_and_emergency_policies_use_one_window() -> None:
    log: list[tuple[Attempt, int, int]] = []
    hits = [
        service("local", "local"),
        service("other", "regional", "health"),
        service("cav", "national"),
        service("reg", "regional"),
    ]
    items, total = citizen_page(fake({Attempt(): hits}, log), [Attempt()], "violence", False, 1, 5)
    assert [s.id for s in items] == ["cav", "reg", "other"] and total == 3
    assert log == [(Attempt(), 0, WINDOW)]
