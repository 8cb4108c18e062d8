"""Search: area ranking (local → distretto → regional → national), filters, text, pagination."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from catalog.service import CatalogService, SearchPage, UnknownCategory, UnknownComune

SCOPE_ORDER = {"local": 0, "distretto": 1, "regional": 2, "national": 3}


def _all(svc: CatalogService, **kwargs: object) -> SearchPage:
    return svc.search_services(page_size=50, **kwargs)  # type: ignore[arg-type]


def test_cuorgne_housing_lists_ciss38_first_then_wider_areas(svc: CatalogService) -> None:
    page = _all(svc, comune="cuorgne", category="housing")
    scopes = [s.scope for s in page.items]
    assert scopes == sorted(scopes, key=SCOPE_ORDER.__getitem__)
    assert page.items[0].provider_id == "ciss38"
    assert page.items[0].id == "ciss38-emergenza-abitativa"  # primary housing before extras
    local = [s for s in page.items if s.scope == "local"]
    assert local and all(s.provider_id == "ciss38" for s in local)
    assert {"regional", "national"} <= set(scopes)
    assert page.comune is not None and page.comune.name == "Cuorgnè"
    assert page.ente_gestore is not None and page.ente_gestore.id == "ciss38"
    assert page.total == len(page.items)


ENTI = {"cis_cirie", "ciss38", "inrete", "cissac", "unione_net", "ciss_chivasso", "cisa_gassino"}


def test_no_other_ente_local_services_leak_in(svc: CatalogService) -> None:
    for comune, ente in (
        ("Ivrea", "inrete"),
        ("Leinì", "unione_net"),
        ("Chivasso", "ciss_chivasso"),
    ):
        page = _all(svc, comune=comune)
        providers = {s.provider_id for s in page.items if s.scope == "local"}
        assert ente in providers
        assert providers & ENTI == {ente}, providers


def test_every_category_has_a_local_service_in_every_ente(svc: CatalogService) -> None:
    for comune in ("Cuorgnè", "Ivrea", "Ciriè", "Caluso", "Settimo Torinese", "Chivasso"):
        for category in (
            "economic_support", "housing", "employment", "family_minors", "elderly_care",
            "disability", "violence", "health", "social_inclusion",
        ):  # fmt: skip
            page = svc.search_services(comune=comune, category=category, page_size=1)
            assert page.items and page.items[0].scope == "local", (comune, category)


def test_category_matches_extra_categories_after_primary(svc: CatalogService) -> None:
    page = _all(svc, comune="Cuorgnè", category="housing")
    ids = [s.id for s in page.items]
    assert "ciss38-segretariato-sociale" in ids  # housing is one of its extra categories
    assert ids.index("ciss38-emergenza-abitativa") < ids.index("ciss38-segretariato-sociale")


def test_without_comune_widest_areas_come_first(svc: CatalogService) -> None:
    page = _all(svc, category="violence")
    assert page.items[0].scope == "national"
    assert page.comune is None and page.ente_gestore is None


def test_target_group_filter(svc: CatalogService) -> None:
    page = _all(svc, comune="Ivrea", target_group="anziani")
    assert page.items
    for item in page.items:
        assert "anziani" in item.target_groups
    assert page.total < _all(svc, comune="Ivrea").total


def test_age_filter_drops_services_outside_the_age_range(svc: CatalogService) -> None:
    child = {s.id for s in _all(svc, comune="Ivrea", age=10).items}
    adult = {s.id for s in _all(svc, comune="Ivrea", age=40).items}
    every = _all(svc, comune="Ivrea").items
    for item in every:
        assert (item.id in child) == ((item.min_age or 0) <= 10 <= (item.max_age or 200))
        assert (item.id in adult) == ((item.min_age or 0) <= 40 <= (item.max_age or 200))
    assert child != adult


@pytest.mark.parametrize("text", ["sfratto", "SFRATTO", "sfratti", "sfrattò"])
def test_text_search_is_accent_and_case_insensitive(svc: CatalogService, text: str) -> None:
    page = _all(svc, text=text, comune="Cuorgnè")
    ids = [s.id for s in page.items]
    assert "ciss38-emergenza-abitativa" in ids
    assert "fimi-morosita-incolpevole" in ids


def test_text_search_finds_words_with_accents_in_the_data(svc: CatalogService) -> None:
    # "disabilità" / "non autosufficienza" are written with accents in the seed files.
    ids = [s.id for s in _all(svc, text="disabilita").items]
    assert any("disabil" in i for i in ids), ids


def test_text_search_with_citizen_sentence(svc: CatalogService) -> None:
    page = svc.search_services(text="non riesco a pagare l'affitto", comune="10082")
    assert page.items and page.items[0].provider_id == "ciss38"
    assert page.total > 0


def test_text_and_category_combined(svc: CatalogService) -> None:
    page = _all(svc, text="1522", category="violence")
    assert page.items[0].id == "helpline-1522-antiviolenza"


def test_text_of_only_stopwords_behaves_like_no_text(svc: CatalogService) -> None:
    assert _all(svc, text="di per il", category="health", comune="Ivrea").total == (
        _all(svc, category="health", comune="Ivrea").total
    )


def test_pagination_is_stable_and_complete(svc: CatalogService) -> None:
    every = [s.id for s in _all(svc, comune="Ivrea").items]
    pages = []
    for n in range(1, 100):
        page = svc.search_services(comune="Ivrea", page=n, page_size=7)
        assert page.total == len(every)
        if not page.items:
            break
        pages.extend(s.id for s in page.items)
        assert page.has_more == (n * 7 < len(every))
    assert pages == every
    beyond = svc.search_services(comune="Ivrea", page=1000, page_size=7)
    assert beyond.items == [] and beyond.total == len(every)


def test_payload_follows_the_reply_contract(svc: CatalogService) -> None:
    page = svc.search_services(comune="Cuorgnè", category="housing", page_size=2)
    payload = page.to_payload()
    assert payload["type"] == "services" and payload["comune"] == "Cuorgnè"
    assert payload["ente_gestore"]["id"] == "ciss38"
    service = payload["services"][0]
    assert set(service) == {
        "id", "name", "summary", "category", "provider", "url", "how_to_apply", "documents",
        "contacts", "verified", "scope", "confidence",
    }  # fmt: skip
    assert set(service["provider"]) <= {"id", "name", "contacts"}


def test_unknown_category_and_comune(svc: CatalogService) -> None:
    with pytest.raises(UnknownCategory):
        svc.search_services(category="casa")
    with pytest.raises(UnknownComune) as info:
        svc.search_services(comune="Torino", category="housing")
    assert info.value.match.out_of_area
    with pytest.raises(UnknownComune) as info:
        svc.search_services(comune="10020")
    assert len(info.value.match.ambiguous_cap) > 1
    with pytest.raises(ValueError):
        svc.search_services(target_group="pensionati")


def test_emergency_numbers_order(svc: CatalogService) -> None:
    assert [h.number for h in svc.emergency_numbers()] == ["1522", "112"]
    assert [h.number for h in svc.emergency_numbers(minor_involved=True)] == ["1522", "112", "114"]
    assert all(h.label for h in svc.emergency_numbers(True))


def test_helplines_by_category(svc: CatalogService) -> None:
    numbers = [h.number for h in svc.helplines()]
    assert numbers[:3] == ["1522", "112", "114"]
    assert "1522" in [h.number for h in svc.helplines("violence")]
    assert "1522" not in [h.number for h in svc.helplines("employment")]


def test_expired_opportunities_are_never_listed(svc: CatalogService) -> None:
    today = date(2026, 3, 1)
    ids = {o.id for o in svc.list_opportunities(today=today, limit=50)}
    assert ids and all(o.valid_to is None or o.valid_to >= today
                       for o in svc.list_opportunities(today=today, limit=50))  # fmt: skip
    later = {o.id for o in svc.list_opportunities(today=date(2028, 1, 1), limit=50)}
    assert (
        "regione-affitto-mutuo-2025-2027" in ids and "regione-affitto-mutuo-2025-2027" not in later
    )
    before = {o.id for o in svc.list_opportunities(today=date(2020, 1, 1), limit=50)}
    assert before == set()


def test_opportunities_for_a_comune_put_local_first(svc: CatalogService) -> None:
    items = svc.list_opportunities(comune="Leinì", today=date(2026, 3, 1), limit=50)
    assert items[0].id == "stazione-posta-villa-caviglietto-servizi"
    assert items[0].scope == "local"
    outside = svc.list_opportunities(comune="Ivrea", today=date(2026, 3, 1), limit=50)
    assert "stazione-posta-villa-caviglietto-servizi" not in {o.id for o in outside}
    assert all(o.category == "housing" for o in svc.list_opportunities(category="housing"))


def test_get_service_and_ente(svc: CatalogService) -> None:
    info = svc.get_service("helpline-1522-antiviolenza")
    assert info is not None and info.helpline is not None and info.helpline.number == "1522"
    assert info.scope == "national" and info.contacts == {"phone": "1522"}
    assert svc.get_service("nope") is None
    ente = svc.get_ente_gestore("ciss38")
    assert ente is not None and "Cuorgnè" in ente.comuni
    # CISS 38's letterhead (2022): the second number may be the fax, so it is not "confirmed".
    assert ente.contacts == {
        "address": "Via Ivrea 100, 10082 Cuorgnè (TO)",
        "phone": "0124/657931",
        "website": "http://www.ciss38.it",
    }
    assert ente.unknown_contacts == ["email"]
    second = [p for p in ente.contact_points if p.value == "0124/651796"]
    assert len(second) == 1 and second[0].confidence == "low"
    assert ente.contacts_last_verified == date(2022, 1, 25)
    assert ente.offices and ente.offices[0].comune == "Cuorgnè"
    inrete = svc.get_ente_gestore("inrete")
    assert inrete is not None and inrete.contacts["pec"] == "consorzio@pec.inrete.to.it"
    assert {p.kind for p in inrete.contact_points} == {"address", "phone", "fax", "email", "pec"}
    assert all(p.source and p.last_verified == date(2021, 11, 25) for p in inrete.contact_points)
    payload = inrete.to_payload()
    assert payload["contacts_last_verified"] == "2021-11-25"
    assert payload["contact_points"][0]["verified"] is True
    chivasso = svc.get_ente_gestore("ciss_chivasso")
    assert chivasso is not None and chivasso.contacts == {"website": "https://www.ciss-chivasso.it"}
    assert svc.get_ente_gestore("nope") is None


@pytest.mark.parametrize("category", [None, "housing", "elderly_care", "violence"])
@pytest.mark.parametrize("comune", ["Cuorgnè", "Ivrea", "Leinì", "Ciriè", "Cuceglio", None])
def test_fast_area_path_matches_the_general_ranking(
    loaded_engine: Engine, comune: str | None, category: str | None
) -> None:
    """The index-range fast path returns exactly what the general GROUP BY ranking returns."""
    from catalog.db import session_scope
    from catalog.repository import fastpath, places
    from catalog.repository import services as repo
    from wecare.text import normalize

    with session_scope(loaded_engine) as session:
        found = places.comune_by_key(session, normalize(comune)) if comune else None
        for extra in ({}, {"target_group": "anziani"}, {"age": 10}):
            filters = repo.SearchFilters(category=category, comune=found, **extra)
            for offset, limit in ((0, 100), (3, 4), (7, 5)):
                fast = fastpath.by_area(session, filters, offset, limit)
                general = repo._ranked(session, filters, offset, limit)
                assert fast == general, (comune, category, extra, offset)


@pytest.mark.parametrize("text", ["affitto sfratto", "non riesco a pagare l'affitto", "badante"])
@pytest.mark.parametrize("category", [None, "housing", "elderly_care"])
def test_text_fast_path_finds_the_same_services_in_the_same_area_order(
    catalog_db_url: str, text: str, category: str | None
) -> None:
    """SQLite text+comune fast path: same matches and area order as the bm25 ranking.

    SQLite only (the shared SQLite catalog); PostgreSQL: the next test.
    """
    from catalog.db import make_engine, session_scope
    from catalog.repository import fastpath, places
    from catalog.repository import services as repo
    from catalog.textquery import query_terms
    from wecare.text import normalize

    loaded_engine = make_engine(catalog_db_url)
    with session_scope(loaded_engine) as session:
        for comune in ("Cuorgnè", "Ivrea", "Leinì", "Cuceglio"):  # Cuceglio: two enti
            found = places.comune_by_key(session, normalize(comune))
            filters = repo.SearchFilters(category=category, comune=found, terms=query_terms(text))
            fast, fast_total = fastpath.by_area_and_text(session, filters, 0, 500)
            general, general_total = repo._ranked(session, filters, 0, 500)
            assert fast_total == general_total == len(fast)
            assert sorted(fast) == sorted(general)
            assert [rank for _, rank in fast] == sorted(rank for _, rank in fast)
            window, total = fastpath.by_area_and_text(session, filters, 2, 3)
            assert window == fast[2:5] and total == fast_total


@pytest.mark.parametrize("text", ["affitto sfratto", "non riesco a pagare l'affitto", "badante"])
@pytest.mark.parametrize("category", [None, "housing", "elderly_care"])
@pytest.mark.postgres
def test_postgres_text_fast_path_gives_the_general_ranking(
    pg_loaded_engine: Engine, text: str, category: str | None
) -> None:
    """PostgreSQL text+comune fast path: the same services, order and total as ts_rank's path."""
    loaded_engine = pg_loaded_engine
    assert loaded_engine.dialect.name == "postgresql"
    from catalog.db import session_scope
    from catalog.repository import fastpath, places
    from catalog.repository import services as repo
    from catalog.textquery import query_terms
    from wecare.text import normalize

    matched = 0
    with session_scope(loaded_engine) as session:
        for comune in ("Cuorgnè", "Ivrea", "Leinì", "Cuceglio"):  # Cuceglio: two enti
            found = places.comune_by_key(session, normalize(comune))
            filters = repo.SearchFilters(category=category, comune=found, terms=query_terms(text))
            fast = fastpath.by_area_and_text_postgres(session, filters, 0, 500)
            assert fast == repo._ranked(session, filters, 0, 500), (comune, category, text)
            window = fastpath.by_area_and_text_postgres(session, filters, 2, 3)
            assert window == (fast[0][2:5], fast[1])
            matched += len(fast[0])
    assert matched or (category, text) == ("housing", "badante")
