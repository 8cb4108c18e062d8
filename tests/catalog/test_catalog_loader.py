"""Loader: validated, idempotent, reports what it did; malformed files give file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from catalog.db import session_scope
from catalog.loader import ensure_loaded, is_loaded, load
from catalog.models import Service, ServiceSearch
from catalog.seedfiles import SeedFileError, read_seed
from catalog.service import CatalogService
from catalog.validation import validate

CATALOG_DATA = Path(__file__).resolve().parents[2] / "catalog_data"

ENTI = ["cis_cirie", "ciss38", "inrete", "cissac", "unione_net", "ciss_chivasso", "cisa_gassino"]


def _count(engine: Engine, model: type) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _errors_for(data_dir: Path) -> list[str]:
    return [str(e) for e in validate(read_seed(data_dir))]


def test_real_seed_files_are_valid() -> None:
    assert _errors_for(CATALOG_DATA) == []


def test_load_then_reload_changes_nothing(empty_engine: Engine) -> None:
    first = load(empty_engine, CATALOG_DATA)
    assert first.changed
    assert first.tables["comuni"].added == 171
    assert first.tables["enti_gestori"].added == 7
    second = load(empty_engine, CATALOG_DATA)
    assert not second.changed
    assert second.tables["services"].unchanged == first.tables["services"].added
    assert _count(empty_engine, ServiceSearch) == _count(empty_engine, Service)


def test_templates_are_instantiated_for_every_ente(empty_engine: Engine) -> None:
    load(empty_engine, CATALOG_DATA)
    svc = CatalogService(empty_engine)
    templates = read_seed(CATALOG_DATA).templates
    for ente in ENTI:
        for template in templates:
            info = svc.get_service(f"{ente}-{template['slug']}")
            assert info is not None, f"{ente}-{template['slug']}"
            assert info.provider_id == ente and not info.verified and info.scope == "local"
            assert "{" not in info.name + info.summary + info.how_to_apply


def test_edit_and_removal_are_synchronised(empty_engine: Engine, data_copy: Path) -> None:
    load(empty_engine, data_copy)
    national = data_copy / "services" / "national.yaml"
    _replace(national, "name: Assegno di Inclusione (ADI)", "name: Assegno di Inclusione ADI 2")
    report = load(empty_engine, data_copy)
    assert report.tables["services"].updated == 1
    assert report.tables["services"].added == report.tables["services"].removed == 0
    svc = CatalogService(empty_engine)
    assert svc.get_service("adi-assegno-inclusione").name == "Assegno di Inclusione ADI 2"
    hits = svc.search_services(text="ADI 2", comune="Ivrea", page_size=50).items
    assert "adi-assegno-inclusione" in [s.id for s in hits]
    # Dropping a template removes its service for all 7 enti.
    templates = data_copy / "services" / "standard_ente_gestore.yaml"
    text = templates.read_text(encoding="utf-8")
    start = text.index("  - slug: servizio-sociale-professionale")
    end = text.index("  - slug:", start + 10)
    templates.write_text(text[:start] + text[end:], encoding="utf-8")
    report = load(empty_engine, data_copy)
    assert report.tables["services"].removed == 7
    assert svc.get_service("ciss38-servizio-sociale-professionale") is None


def test_edited_offices_and_contacts_of_an_ente_are_updated_in_place(
    empty_engine: Engine, data_copy: Path
) -> None:
    """Enti and their organization rows are updated in place with their children."""
    load(empty_engine, data_copy)
    enti = data_copy / "enti_gestori.yaml"
    _replace(enti, "      address: strada Leini 18", "      address: strada Leini 18 (piano terra)")
    _replace(enti, "      value: 0125-646111", "      value: 0125-646190")
    report = load(empty_engine, data_copy)
    # the organization row of an ente follows its whole record (offices and contacts)
    assert report.tables["organizations"].updated == 2
    assert report.tables["enti_gestori"].updated == 2
    svc = CatalogService(empty_engine)
    cis = svc.get_ente_gestore("cis_cirie")
    assert cis is not None and "strada Leini 18 (piano terra)" in [o.address for o in cis.offices]
    inrete = svc.get_ente_gestore("inrete")
    assert inrete is not None and inrete.contacts["phone"] == "0125-646190"
    assert len(inrete.contact_points) == 5
    assert not load(empty_engine, data_copy).changed


def test_upgrade_to_0006_fills_the_contacts_at_the_next_load(empty_engine: Engine) -> None:
    """Downgrading below 0006 drops the contacts; upgrade + load brings them back."""
    from catalog.db import downgrade, upgrade

    load(empty_engine, CATALOG_DATA)
    downgrade(empty_engine, "0005")
    upgrade(empty_engine)
    report = load(empty_engine, CATALOG_DATA)
    assert report.tables["enti_gestori"].updated == 7
    ente = CatalogService(empty_engine).get_ente_gestore("ciss38")
    assert ente is not None and ente.contacts["phone"] == "0124/657931"


def test_reset_reloads_from_scratch(empty_engine: Engine) -> None:
    load(empty_engine, CATALOG_DATA)
    report = load(empty_engine, CATALOG_DATA, reset=True)
    assert report.reset and report.tables["comuni"].added == 171


def test_ensure_loaded_loads_only_an_empty_catalog(empty_engine: Engine) -> None:
    assert not is_loaded(empty_engine)
    assert ensure_loaded(empty_engine, CATALOG_DATA) is not None
    assert is_loaded(empty_engine)
    assert ensure_loaded(empty_engine, CATALOG_DATA) is None


def test_invalid_files_write_nothing(empty_engine: Engine, data_copy: Path) -> None:
    _replace(data_copy / "services" / "national.yaml", "category: economic_support", "category: x")
    with pytest.raises(SeedFileError) as info:
        load(empty_engine, data_copy)
    assert info.value.errors
    assert not is_loaded(empty_engine)


@pytest.mark.parametrize(
    ("relpath", "old", "new", "pattern"),
    [
        (
            "services/national.yaml",
            "category: economic_support",
            "category: soldi",
            r"services/national\.yaml:\d+: service '[a-z0-9-]+': category 'soldi'",
        ),
        (
            "services/helplines.yaml",
            "    area: {national: true}",
            "    area: {nazionale: true}",
            r"services/helplines\.yaml:\d+: service 'helpline-1522-antiviolenza': unknown area key",
        ),
        (
            "services/local.yaml",
            "confidence: medium",
            "confidence: sure",
            r"services/local\.yaml:\d+: service .*confidence 'sure'",
        ),
        (
            "opportunities.yaml",
            "valid_to: 2027-12-31",
            "valid_to: 2020-01-01",
            r"opportunities\.yaml:\d+: opportunity 'regione-affitto-mutuo-2025-2027': valid_to",
        ),
        (
            "services/standard_ente_gestore.yaml",
            "Il segretariato sociale di {ente_name}",
            "Il segretariato sociale di {ente}",
            r"standard_ente_gestore\.yaml:\d+: template 'segretariato-sociale'.*placeholder",
        ),
        (
            "services/national.yaml",
            "id: adi-assegno-inclusione",
            "id: adi-assegno-inclusione\n    colour: red",
            r"national\.yaml:\d+: service 'adi-assegno-inclusione': unknown key\(s\) colour",
        ),
        (
            "comuni.csv",
            "Cuorgnè,001098,10082,ciss38",
            "Cuorgnè,001098,1008,ciss38",
            r"comuni\.csv:\d+: comune 'Cuorgnè': cap '1008'",
        ),
        (
            "comuni.csv",
            "Cuorgnè,001098,10082,ciss38",
            "Cuorgnè,001098,10082,ciss99",
            r"comuni\.csv:\d+: comune 'Cuorgnè': unknown ente_gestore_id 'ciss99'",
        ),
        (
            "enti_gestori.yaml",
            "  distretto: 24\n  seat_comune: Cuorgnè",
            "  distretto: 25\n  seat_comune: Cuorgnè",
            r"enti_gestori\.yaml:\d+: ente gestore 'ciss38': distretto '25'",
        ),
    ],
)
def test_malformed_records_are_reported_with_file_and_line(
    data_copy: Path, relpath: str, old: str, new: str, pattern: str
) -> None:
    _replace(data_copy / relpath, old, new)
    errors = _errors_for(data_copy)
    assert any(re.search(pattern, e) for e in errors), errors


def test_line_numbers_point_at_the_record(data_copy: Path) -> None:
    path = data_copy / "services" / "national.yaml"
    _replace(path, "category: economic_support", "category: soldi")
    lines = path.read_text(encoding="utf-8").splitlines()
    (error,) = [e for e in _errors_for(data_copy) if "soldi" in e]
    line = int(error.split(":")[1])
    assert lines[line - 1].lstrip().startswith("- id:")


def test_yaml_syntax_error_has_a_line(data_copy: Path) -> None:
    path = data_copy / "services" / "regional.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(12, "  - id: [unclosed")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = _errors_for(data_copy)
    assert any(re.match(r"services/regional\.yaml:\d+: invalid YAML", e) for e in errors), errors


def test_duplicate_ids_and_missing_files(data_copy: Path) -> None:
    _replace(
        data_copy / "services" / "regional.yaml",
        "- id: ",
        "- id: adi-assegno-inclusione\n    name: dup\n  - id: ",
    )
    (data_copy / "organizations.yaml").unlink()
    errors = _errors_for(data_copy)
    assert "organizations.yaml: file missing" in errors
    assert any("duplicate service id 'adi-assegno-inclusione'" in e for e in errors), errors


def test_csv_header_is_checked(data_copy: Path) -> None:
    _replace(data_copy / "comuni.csv", "name,istat_code", "comune,istat_code")
    assert any(e.startswith("comuni.csv:1: header must be") for e in _errors_for(data_copy))
