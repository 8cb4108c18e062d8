"""Nearest comune for a shared location, from ``catalog_data/comuni_coordinates.csv``.

The table holds approximate centres of the comuni (see its ``source`` column). A location
farther than ``max_km`` from every known centre gives no answer: the bot then asks the
citizen to write the comune instead of guessing.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ComunePoint:
    """Approximate centre of a comune."""

    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class ComuneMatch:
    """Result of a nearest-comune lookup."""

    name: str
    distance_km: float


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


class ComuneLocator:
    """Finds the comune whose centre is nearest to a point.

    Args:
        points: known comune centres.
        max_km: farther than this from every centre → no match.
    """

    def __init__(self, points: list[ComunePoint], max_km: float = 5.0) -> None:
        self.points = points
        self.max_km = max_km

    @classmethod
    def from_csv(cls, path: Path, max_km: float = 5.0) -> ComuneLocator | None:
        """Load ``name,lat,lon,...`` rows; return None when the file does not exist."""
        if not path.is_file():
            return None
        with path.open(encoding="utf-8", newline="") as fh:
            points = [
                ComunePoint(row["name"], float(row["lat"]), float(row["lon"]))
                for row in csv.DictReader(fh)
                if row.get("name") and row.get("lat") and row.get("lon")
            ]
        return cls(points, max_km) if points else None

    def nearest(self, lat: float, lon: float) -> ComuneMatch | None:
        """Return the nearest comune within ``max_km``, or None."""
        best: ComuneMatch | None = None
        for point in self.points:
            dist = haversine_km(lat, lon, point.lat, point.lon)
            if best is None or dist < best.distance_km:
                best = ComuneMatch(point.name, dist)
        if best is None or best.distance_km > self.max_km:
            return None
        return best
