"""Catalog administration on SQLite and PostgreSQL: edits, history, expiry, export round trip."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from catalog.admin.editor import CatalogEditor, InvalidRecord, RecordNotFound
from catalog.export import hsds_json
from catalog.loader import load
from catalog.seed_export import export_seed
from catalog.seedfiles import read_seed
from catalog.service import CatalogService
from catalog.validation import validate
from tests.catalog.conftest import BACKENDS, CATALOG_DATA, _new_engine

SERVICE = "ciss38-emergenza-abitativa"
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A freshly loaded catalog per test (the tests write to it)."""
    for e in _new_engine(request.param, tmp_path):
        load(e, CATALOG_DATA)
        yield e


@pytest.fixture
def editor(engine: Engine) -> CatalogEditor:
    return CatalogEditor(engine, clock=lambda: NOW)


def _opportunity(**overrides: Any) -> dict[str, Any]:
    record = {
        "id": "ciss38-bando-test",
        "title": "Bando di prova",
        "kind": "bando",
        "category": "housing",
        "organization": "ciss38",
        "summary": "Contributi per l'affitto.",
        "url": "https://www.ciss38.it/bando",
        "valid_from": "2026-01-01",
        "valid_to": "2099-12-31",
        "area": {"enti_gestori": ["ciss38"]},
        "source": "Delibera n. 1/2026",
        "confidence": "high",
        "verified": True,
        "last_verified": "2026-11-01",
    }
    return {**record, **overrides}


def test_edit_is_searched_at_once_and_kept_in_the_history(editor: CatalogEditor, engine) -> None:
    svc = CatalogService(engine)
    editor.update(
        "service",
        SERVICE,
        {"keywords": ["casa popolare", "zanzibar"], "summary": "Nuova sintesi."},
        "Elia",
    )
    page = svc.search_services(category="housing", text="zanzibar", comune="Cuorgnè")
    assert [s.id for s in page.items] == [SERVICE]
    assert svc.get_service(SERVICE).summary == "Nuova sintesi."  # type: ignore[union-attr]
    (change,) = editor.history("service", SERVICE)
    assert (change.actor, change.action, change.at) == ("Elia", "update", NOW)
    assert change.fields == ["summary", "keywords"]
    assert change.diff()[1]["after"] == ["casa popolare", "zanzibar"]
    # Saving the same values again records nothing.
    editor.update("service", SERVICE, {"summary": "Nuova sintesi."}, "Elia")
    assert len(editor.history("service", SERVICE)) == 1


def test_deactivated_service_is_never_shown(editor: CatalogEditor, engine) -> None:
    svc = CatalogService(engine)
    found = svc.find_for_citizen("housing", comune="Cuorgnè", page_size=50)
    assert SERVICE in [s.id for s in found.page.items]
    editor.deactivate("service", SERVICE, "Ada")
    found = svc.find_for_citizen("housing", comune="Cuorgnè", page_size=50)
    assert SERVICE not in [s.id for s in found.page.items]
    assert editor.history("service", SERVICE)[0].action == "deactivate"
    editor.update("service", SERVICE, {"status": "active"}, "Ada")
    assert editor.history("service", SERVICE)[0].action == "reactivate"


def test_opportunities_are_time_bounded_and_deactivatable(editor: CatalogEditor, engine) -> None:
    svc = CatalogService(engine)
    editor.create("opportunity", _opportunity(valid_to="2026-12-20"), "Elia")
    titles = lambda day: [o.title for o in svc.list_opportunities("Cuorgnè", today=day, limit=50)]  # noqa: E731
    assert "Bando di prova" in titles(date(2026, 12, 20))
    assert "Bando di prova" not in titles(date(2026, 12, 21))  # expired: never shown
    assert "Bando di prova" not in titles(date(2025, 12, 31))  # not yet open
    expiring = editor.expiring(30, today=date(2026, 12, 1))
    assert "ciss38-bando-test" in [r.id for r in expiring]
    assert editor.expiring(30, today=date(2026, 11, 1), organizations={"ciss38"}) == []
    editor.deactivate("opportunity", "ciss38-bando-test", "Elia")
    assert "Bando di prova" not in titles(date(2026, 12, 10))


def test_validation_errors(editor: CatalogEditor) -> None:
    with pytest.raises(InvalidRecord) as caught:
        editor.create(
            "opportunity",
            _opportunity(
                valid_from="2026-05-01",
                valid_to="2026-04-01",
                url="ciss38.it",
                organization="nessuno",
            ),
            "x",
        )
    messages = {e.field: e.message for e in caught.value.errors}
    assert "precedente alla data di inizio" in messages["valid_to"]
    assert "indirizzo web non valido" in messages["url"]
    assert "inesistente" in messages["organization"]
    with pytest.raises(InvalidRecord) as caught:
        editor.create("opportunity", _opportunity(id="programma-gol-piemonte"), "x")
    assert "esiste già" in caught.value.errors[0].message
    with pytest.raises(InvalidRecord) as caught:
        editor.update("service", SERVICE, {"area": {"distretti": [99]}, "target_groups": []}, "x")
    assert {e.field for e in caught.value.errors} == {"area", "target_groups"}
    with pytest.raises(RecordNotFound):
        editor.update("service", "non-esiste", {"summary": "x"}, "x")
    assert editor.history("service", SERVICE) == []


def test_records_to_verify_again(editor: CatalogEditor) -> None:
    before = {r.id for r in editor.stale(12, today=date(2026, 12, 3))}
    assert SERVICE in before
    editor.update("service", SERVICE, {"last_verified": "2026-06-01"}, "Elia")
    assert SERVICE not in {r.id for r in editor.stale(12, today=date(2026, 12, 3))}
    assert SERVICE in {r.id for r in editor.stale(12, today=date(2027, 6, 2))}
    assert SERVICE in {r.id for r in editor.stale(3, today=date(2026, 12, 3))}
    ciss38 = editor.stale(12, today=date(2026, 12, 3), organizations={"ciss38"})
    assert ciss38 and {r.organization for r in ciss38} == {"ciss38"}


def test_export_round_trip_reproduces_the_edited_catalog(
    editor: CatalogEditor, engine: Engine, tmp_path: Path
) -> None:
    editor.update(
        "service",
        SERVICE,
        {"documents": ["ISEE", "sfratto"], "min_age": 18, "url": "https://www.ciss38.it/casa"},
        "Elia",
    )
    editor.create("opportunity", _opportunity(), "Elia")
    editor.deactivate("opportunity", "programma-gol-piemonte", "Ada")
    created = dict(editor.get("service", "ciss38-contributi-economici"))
    created.update(id="ciss38-nuovo-servizio", name="Nuovo servizio del CISS 38")
    editor.create("service", created, "Ada")
    ente = editor.get("ente_gestore", "ciss38")
    offices = [
        {
            "name": "Sportello",
            "comune": "Cuorgnè",
            "source": "sito",
            "confidence": "high",
            "schedules": [
                {"byday": "TU", "opens_at": "09:00", "closes_at": "12:00", "source": "sito"}
            ],
        }
    ]
    editor.update(
        "ente_gestore",
        "ciss38",
        {"offices": ente["offices"] + offices, "last_verified": "2026-11-02"},
        "Ada",
    )
    out = tmp_path / "export"
    export_seed(engine, out, CATALOG_DATA)
    assert validate(read_seed(out)) == []
    assert (out / "services" / "admin.yaml").exists()
    for copy in _new_engine("sqlite", tmp_path / "copy"):
        load(copy, out)
        assert _comparable(hsds_json(copy)) == _comparable(hsds_json(engine))
        reloaded = CatalogEditor(copy)
        assert reloaded.get("service", SERVICE) == editor.get("service", SERVICE)
        assert reloaded.get("ente_gestore", "ciss38") == editor.get("ente_gestore", "ciss38")
        assert reloaded.get("opportunity", "ciss38-bando-test")["last_verified"] == "2026-11-01"
        assert reloaded.get("opportunity", "programma-gol-piemonte")["status"] == "inactive"


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    """The export without the database's own row ids (locations are numbered on insert)."""
    for loc in data["locations"]:
        loc.pop("id")
    data["locations"].sort(key=lambda x: (x["organization_id"], x["name"]))
    return data


def test_history_uses_the_clock_and_lists_newest_first(engine: Engine) -> None:
    times = iter([NOW, NOW + timedelta(minutes=5)])
    editor = CatalogEditor(engine, clock=lambda: next(times))
    editor.update("service", SERVICE, {"cost": "5 euro a pasto"}, "A")
    editor.update("service", SERVICE, {"cost": "a pagamento secondo ISEE"}, "B")
    history = editor.history("service", SERVICE)
    assert [(c.actor, c.at) for c in history] == [("B", NOW + timedelta(minutes=5)), ("A", NOW)]
    assert history[0].diff() == [
        {"field": "cost", "before": "5 euro a pasto", "after": "a pagamento secondo ISEE"}
    ]
