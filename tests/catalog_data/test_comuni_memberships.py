"""Every comune of ``catalog_data/comuni.csv`` against the expected memberships.

The expected table (``comuni_memberships.yaml``, next to this file) is derived from the
sources in ``../shared/data/`` and names the source of each group: this test checks all
171 rows, not a sample.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "catalog_data"
ENTE_IDS = {
    "cis_cirie",
    "ciss38",
    "inrete",
    "cissac",
    "unione_net",
    "ciss_chivasso",
    "cisa_gassino",
}


def _groups() -> list[dict[str, Any]]:
    with (HERE / "comuni_memberships.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["groups"]


def _rows() -> dict[str, dict[str, str]]:
    with (DATA / "comuni.csv").open(encoding="utf-8", newline="") as handle:
        return {row["name"]: row for row in csv.DictReader(handle)}


def _expected() -> dict[str, dict[str, Any]]:
    return {name: group for group in _groups() for name in group["comuni"]}


def test_the_expected_table_lists_every_comune_once() -> None:
    names = [name for group in _groups() for name in group["comuni"]]
    duplicates = [name for name, n in Counter(names).items() if n > 1]
    assert not duplicates, f"listed twice: {duplicates}"
    rows = _rows()
    assert set(names) == set(rows), (
        f"missing from the table: {sorted(set(rows) - set(names))}; "
        f"not in comuni.csv: {sorted(set(names) - set(rows))}"
    )
    assert len(rows) == 171
    for group in _groups():
        assert group["ente"] in ENTE_IDS | {""}, group
        assert group["alt"] in ENTE_IDS | {""}, group
        assert group["confidence"] in {"high", "medium", "low"}, group
        assert group["why"].strip() and group["source_key"].strip(), group


@pytest.mark.parametrize("name", sorted(_rows()))
def test_comune_membership(name: str) -> None:
    row, group = _rows()[name], _expected()[name]
    got = (row["ente_gestore_id"], row["ente_gestore_alt_id"], row["confidence"])
    assert got == (group["ente"], group["alt"], group["confidence"]), name
    assert group["source_key"] in row["source"], f"{name}: source must cite {group['source_key']!r}"


def test_inrete_has_the_42_members_of_its_2021_letterhead() -> None:
    members = sorted(n for n, r in _rows().items() if r["ente_gestore_id"] == "inrete")
    assert len(members) == 42
    assert all(_rows()[n]["confidence"] == "high" for n in members)
    assert {"Baldissero Canavese", "Torre Canavese"} <= set(members)


def test_former_inrete_comuni_get_the_suggested_alternative_with_low_confidence() -> None:
    rows = _rows()
    for name in ("Borgomasino", "Maglione", "Vestignè", "Strambino", "Scarmagno"):
        assert rows[name]["ente_gestore_id"] == "cissac", name
        assert rows[name]["confidence"] == "low", name
        assert "verificare" in rows[name]["notes"], name


def test_cisa_2026_members() -> None:
    cisa = {n for n, r in _rows().items() if r["ente_gestore_id"] == "cisa_gassino"}
    assert cisa == {
        "San Mauro Torinese",
        "Gassino Torinese",
        "Castiglione Torinese",
        "San Raffaele Cimena",
        "Castagneto Po",
        "Sciolze",
        "Rivalba",
        "Cinzano",
        "Casalborgone",
    }


def test_low_confidence_rows_say_why() -> None:
    for name, row in _rows().items():
        if row["confidence"] == "low":
            assert row["notes"].strip(), f"{name}: a low-confidence row needs a note"
