"""Comune normalisation: accents, case, CAPs, short forms, out-of-area names, typos."""

from __future__ import annotations

import pytest

from catalog.service import CatalogService
from catalog.textquery import postgres_tsquery, query_terms, sqlite_match


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cuorgne", "Cuorgnè"),
        ("CUORGNÈ", "Cuorgnè"),
        ("Cuorgnè", "Cuorgnè"),
        ("  cuorgnè ", "Cuorgnè"),
        ("CUORGNE'", "Cuorgnè"),
        ("10082", "Cuorgnè"),
        ("Comune di Ivrea", "Ivrea"),
        ("san mauro t.se", "San Mauro Torinese"),
        ("SETTIMO TORINESE", "Settimo Torinese"),
        ("leini", "Leini"),
        ("rivodora", "Baldissero Torinese – frazione Rivodora"),
    ],
)
def test_resolves_official_name(svc: CatalogService, text: str, expected: str) -> None:
    match = svc.resolve_comune(text)
    assert match.comune is not None, match
    assert match.comune.name == expected
    assert match.query == text.strip()


def test_comune_info_carries_ente_and_distretto(svc: CatalogService) -> None:
    info = svc.resolve_comune("cuorgne").comune
    assert info is not None
    assert (info.ente_gestore_id, info.distretto, info.cap) == ("ciss38", 24, "10082")
    assert info.istat_code == "001098" and info.source


def test_shared_cap_is_ambiguous(svc: CatalogService) -> None:
    match = svc.resolve_comune("10020")
    assert match.comune is None
    assert len(match.ambiguous_cap) > 1 and "Brozolo" in match.ambiguous_cap


def test_out_of_area_comune(svc: CatalogService) -> None:
    for name in ("Torino", "torino", "MONCALIERI"):
        match = svc.resolve_comune(name)
        assert match.comune is None and match.out_of_area, name


def test_typo_gives_suggestions_not_a_guess(svc: CatalogService) -> None:
    match = svc.resolve_comune("cuorgnee")
    assert match.comune is None and not match.out_of_area
    assert match.suggestions[0] == "Cuorgnè"


@pytest.mark.parametrize("text", ["", "   ", "xyzzy", "99999"])
def test_nothing_found(svc: CatalogService, text: str) -> None:
    match = svc.resolve_comune(text)
    assert match.comune is None and not match.out_of_area and not match.ambiguous_cap


def test_query_terms() -> None:
    assert query_terms("Non riesco a pagare l'AFFITTO!") == ["riesco", "pagare", "affitto"]
    assert query_terms("sfrattò") == ["sfratto"]
    assert query_terms("di per il") == []
    assert sqlite_match(query_terms("legge 104 sfratti")) == '"legg"* OR "104"* OR "sfratt"*'
    assert postgres_tsquery(["legge", "104"]) == "legge:* | 104:*"
