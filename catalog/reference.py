"""Catalog-owned readers of reference files in ``catalog_data/`` for the gateway (``bot/``).

``catalog_data/`` is read only through ``catalog``: the gateway gets the enti gestori's short
names (console, handoff notices) and the comuni's centroids and ISTAT boundaries (a shared
Telegram location → comune) from here, without a catalog database.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from catalog.constants import ENTE_IDS

ENTI_FILE = "enti_gestori.yaml"
COORDINATES_FILE = "comuni_geo.csv"
BOUNDARIES_FILE = "comuni_confini.json"

Ring = list[tuple[float, float]]  # (lon, lat) vertices, closed


@dataclass(frozen=True)
class ComuneGeo:
    """A comune's centroid and boundary polygons (each a list of rings; may be empty)."""

    name: str
    lat: float
    lon: float
    polygons: list[list[Ring]] = field(default_factory=list)


def ente_short_names(data_dir: Path) -> dict[str, str]:
    """Return ``{ente id: short name}`` from ``enti_gestori.yaml`` (ids as names if missing)."""
    names = {e: e for e in ENTE_IDS}
    path = data_dir / ENTI_FILE
    if path.exists():
        with open(path, encoding="utf-8") as fh:
            for item in yaml.safe_load(fh) or []:
                if isinstance(item, dict) and item.get("id"):
                    names[str(item["id"])] = str(item.get("short_name") or item.get("name"))
    return names


def read_comuni_geo(points_csv: Path, boundaries_json: Path | None = None) -> list[ComuneGeo]:
    """Comuni of ``istat_code,name,lat,lon`` rows, with their boundaries when given."""
    if not points_csv.is_file():
        return []
    shapes: dict[str, list[list[list[list[float]]]]] = {}
    if boundaries_json is not None and boundaries_json.is_file():
        shapes = json.loads(boundaries_json.read_text(encoding="utf-8"))
    with points_csv.open(encoding="utf-8", newline="") as fh:
        return [
            ComuneGeo(
                row["name"],
                float(row["lat"]),
                float(row["lon"]),
                [
                    [[(x, y) for x, y in ring] for ring in polygon]
                    for polygon in shapes.get(row.get("istat_code") or "", [])
                ],
            )
            for row in csv.DictReader(fh)
            if row.get("name") and row.get("lat") and row.get("lon")
        ]


def comuni_geo(data_dir: Path) -> list[ComuneGeo]:
    """The comuni of ``data_dir`` (``comuni_geo.csv`` + ``comuni_confini.json``)."""
    return read_comuni_geo(data_dir / COORDINATES_FILE, data_dir / BOUNDARIES_FILE)
