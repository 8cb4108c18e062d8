"""``wecare catalog coverage``: services per ente gestore x category, and the no-gap gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from catalog.constants import CATEGORIES, ENTE_IDS
from catalog.coverage import compute, coverage, gaps, markdown
from catalog.repository.coverage import FacetRow
from wecare.cli import main

DOCS = Path(__file__).resolve().parents[2] / "docs" / "catalog_data.md"


def test_every_ente_has_services_in_every_category(loaded_engine: Engine) -> None:
    """The gate: a category without any service for some ente gestore fails here."""
    cells = coverage(loaded_engine)
    assert len(cells) == len(ENTE_IDS) * len(CATEGORIES)
    assert gaps(cells) == []
    # and each has at least one local service (the standard functions of every ente)
    assert [(c.ente_gestore_id, c.category) for c in cells if c.local == 0] == []


def test_counts_follow_the_areas(loaded_engine: Engine) -> None:
    cells = {(c.ente_gestore_id, c.category): c for c in coverage(loaded_engine)}
    inrete = cells[("inrete", "social_inclusion")]
    cisa = cells[("cisa_gassino", "social_inclusion")]
    # CPIA 4 has a site for In.Re.Te. and one for CISA (Settimo): local and verified
    assert inrete.local_verified >= 1 and cisa.local_verified >= 1
    # the regional/national services reach every ente alike
    assert len({c.regional for (_, cat), c in cells.items() if cat == "housing"}) == 1
    for c in cells.values():
        assert c.local_verified <= c.local and c.regional_verified <= c.regional


def test_a_missing_category_is_a_gap() -> None:
    rows = [
        FacetRow("a", "housing", "ente_gestore", "ciss38", True),
        FacetRow("b", "housing", "comune", "Ivrea", False),
        FacetRow("c", "violence", "distretto", "24", False),
        FacetRow("d", "health", "national", "true", True),
    ]
    cells = compute(
        rows, {"Ivrea": "inrete"}, {e: 24 if e != "cis_cirie" else 21 for e in ENTE_IDS}
    )
    by_key = {(c.ente_gestore_id, c.category): c for c in cells}
    assert by_key[("ciss38", "housing")].local == 1 == by_key[("ciss38", "housing")].local_verified
    assert by_key[("inrete", "housing")].local == 1
    assert by_key[("inrete", "violence")].distretto == 1
    assert by_key[("cis_cirie", "violence")].total == 0  # distretto 21 is not reached
    assert by_key[("cis_cirie", "health")].regional_verified == 1
    missing = gaps(cells)
    assert ("cis_cirie", "violence") in missing and ("ciss38", "housing") not in missing
    assert ("cissac", "employment") in missing


def test_cli_formats(catalog_db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "coverage", "--database-url", catalog_db_url, "--json"]) == 0
    cells = json.loads(capsys.readouterr().out)
    assert len(cells) == 63
    keys = {"ente_gestore_id", "category", "total"}
    keys |= {f"{level}{suffix}" for level in ("local", "distretto", "regional")
             for suffix in ("", "_verified")}  # fmt: skip
    assert keys <= set(cells[0])
    assert main(["catalog", "coverage", "--database-url", catalog_db_url, "--markdown"]) == 0
    table = capsys.readouterr().out
    assert table.startswith("| category | `cis_cirie` |") and table.count("\n") == 11
    assert main(["catalog", "coverage", "--database-url", catalog_db_url]) == 0
    assert "ente gestore" in capsys.readouterr().out


def test_the_table_in_the_docs_is_current(loaded_engine: Engine) -> None:
    """docs/catalog_data.md holds the output of `wecare catalog coverage --markdown`."""
    assert markdown(coverage(loaded_engine)) in DOCS.read_text(encoding="utf-8")
