"""Telegram locations → comune, with the generated ISTAT boundaries (all 171 comuni)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.gateway.geo import ComuneLocator, ComunePoint
from wecare.settings import ROOT

DATA = ROOT / "catalog_data"


@pytest.fixture(scope="module")
def locator() -> ComuneLocator:
    loaded = ComuneLocator.from_files(DATA / "comuni_geo.csv", DATA / "comuni_confini.json")
    assert loaded is not None
    return loaded


def _centroids() -> list[tuple[str, float, float]]:
    with (DATA / "comuni_geo.csv").open(encoding="utf-8", newline="") as handle:
        return [(r["name"], float(r["lat"]), float(r["lon"])) for r in csv.DictReader(handle)]


def test_every_comune_has_a_boundary(locator: ComuneLocator) -> None:
    assert len(locator.points) == 171
    assert all(p.polygons for p in locator.points)


@pytest.mark.parametrize(("name", "lat", "lon"), _centroids(), ids=lambda v: str(v))
def test_the_point_of_each_comune_resolves_to_it(
    locator: ComuneLocator, name: str, lat: float, lon: float
) -> None:
    match = locator.nearest(lat, lon)
    assert match is not None and match.name == name
    assert match.distance_km < 0.01


@pytest.mark.parametrize(
    ("lat", "lon", "name"),
    [
        (45.3905, 7.6510, "Cuorgnè"),  # piazza Morgando area
        (45.4668, 7.8760, "Ivrea"),
        (45.1916, 7.8891, "Chivasso"),
        (45.2337, 7.6005, "Ciriè"),
        (45.1395, 7.7703, "Settimo Torinese"),
        (45.2761, 7.1360, "Usseglio"),  # a mountain hamlet far from the centroid
    ],
)
def test_known_places(locator: ComuneLocator, lat: float, lon: float, name: str) -> None:
    match = locator.nearest(lat, lon)
    assert match is not None and match.name == name


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (45.0703, 7.6869),  # Torino, centre
        (45.1250, 7.7000),  # Torino, Falchera: a few km from Settimo and Mappano
        (45.7376, 7.3201),  # Aosta
        (45.5628, 8.0583),  # Biella
        (45.4642, 9.1900),  # Milano
        (41.9028, 12.4964),  # Roma
    ],
)
def test_points_outside_asl_to4_are_refused(locator: ComuneLocator, lat: float, lon: float) -> None:
    assert locator.nearest(lat, lon) is None


def test_a_point_just_outside_a_boundary_is_within_the_margin() -> None:
    square = [[(7.0, 45.0), (7.01, 45.0), (7.01, 45.01), (7.0, 45.01), (7.0, 45.0)]]
    locator = ComuneLocator([ComunePoint("Quadrato", 45.005, 7.005, [square])], margin_km=0.5)
    assert locator.nearest(45.005, 7.013).name == "Quadrato"  # ~0.24 km east of the edge
    assert locator.nearest(45.005, 7.03) is None  # ~1.6 km away


def test_a_hole_is_not_part_of_the_comune() -> None:
    outer = [(7.0, 45.0), (7.1, 45.0), (7.1, 45.1), (7.0, 45.1), (7.0, 45.0)]
    hole = [(7.04, 45.04), (7.06, 45.04), (7.06, 45.06), (7.04, 45.06), (7.04, 45.04)]
    ring = ComunePoint("Anello", 45.02, 7.02, [[outer, hole]])
    inner = ComunePoint("Enclave", 45.05, 7.05, [[hole]])
    locator = ComuneLocator([ring, inner], margin_km=0.0)
    assert locator.nearest(45.05, 7.05).name == "Enclave"
    assert locator.nearest(45.02, 7.02).name == "Anello"


def test_missing_files_give_no_locator(tmp_path: Path) -> None:
    assert ComuneLocator.from_files(tmp_path / "no.csv", tmp_path / "no.json") is None
