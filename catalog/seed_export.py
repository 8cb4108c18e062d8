"""``wecare catalog export --format seed``: the catalog database written as ``catalog_data/``.

The seed files stay the source of a fresh install; after edits in the admin area this export
writes the edited catalog back in the same format, so that ``wecare catalog load --data-dir
<export>`` reproduces it (tests/catalog/test_catalog_admin.py checks the round trip). Each
service goes back to the file it was loaded from; services created in the admin area go to
``services/admin.yaml``; the services instantiated from ``standard_ente_gestore.yaml`` are
written out one by one (``services/standard_ente_gestore_servizi.yaml``, templates emptied),
since each may now differ. Reference files that are not in the database (comuni names, guard
words, geography) are copied from the seed folder.
"""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, select

from catalog.admin import records
from catalog.db import session_scope
from catalog.models import ComuneFuoriArea
from catalog.repository import export as rows
from catalog.seedfiles import COMUNI_COLUMNS, FUORI_AREA_COLUMNS, TEMPLATES_FILE

COPIED = (
    "comuni_confini.json",
    "comuni_geo.csv",
    "comuni_geo.meta.json",
    "comuni_guard_words.txt",
    "comuni_nomi.yaml",
    "luoghi_fuori_area.yaml",
)
INSTANCES_FILE = "services/standard_ente_gestore_servizi.yaml"
ADMIN_FILE = "services/admin.yaml"
HEADER = "# Exported by `wecare catalog export --format seed` from the catalog database.\n"


def _dump(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(HEADER + text, encoding="utf-8")


def _service_file(origin: str) -> str:
    file = origin.split(":", 1)[0]
    if file == TEMPLATES_FILE:
        return INSTANCES_FILE
    if file.startswith("services/") and file.endswith(".yaml"):
        return file
    return ADMIN_FILE


def export_seed(engine: Engine, out: Path, source_dir: Path) -> dict[str, int]:
    """Write the catalog of ``engine`` under ``out`` in the seed format; return counts."""
    out.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        if (source_dir / name).exists():
            shutil.copyfile(source_dir / name, out / name)
    with session_scope(engine) as session:
        orgs = rows.organizations(session)
        by_id = {o.id: o for o in orgs}
        enti = rows.enti_gestori(session)
        ente_ids = {e.id for e in enti}
        _dump(out / "enti_gestori.yaml", [records.ente_record(e, by_id[e.id]) for e in enti])
        _dump(
            out / "organizations.yaml",
            [records.organization_record(o) for o in orgs if o.id not in ente_ids],
        )
        files: dict[str, list[dict[str, Any]]] = defaultdict(list)
        services = rows.services(session)
        for s in services:
            files[_service_file(s.origin)].append(records.service_record(s))
        services_dir = out / "services"
        if services_dir.exists():
            for stale in services_dir.glob("*.yaml"):
                stale.unlink()
        for file, items in sorted(files.items()):
            _dump(out / file, {"services": items})
        _dump(out / TEMPLATES_FILE, {"templates": []})
        opportunities = rows.opportunities(session)
        _dump(
            out / "opportunities.yaml",
            {"opportunities": [records.opportunity_record(o) for o in opportunities]},
        )
        comuni = rows.comuni(session)
        _write_csv(
            out / "comuni.csv",
            COMUNI_COLUMNS,
            [
                {
                    "name": c.name,
                    "istat_code": c.istat_code,
                    "cap": c.cap or "",
                    "ente_gestore_id": c.ente_gestore_id or "",
                    "ente_gestore_alt_id": c.ente_gestore_alt_id or "",
                    "distretto": c.distretto or "",
                    "population": c.population or "",
                    "confidence": c.confidence,
                    "source": c.source,
                    "notes": c.notes or "",
                }
                for c in sorted(comuni, key=lambda c: c.istat_code)
            ],
        )
        fuori = session.scalars(select(ComuneFuoriArea).order_by(ComuneFuoriArea.name))
        _write_csv(
            out / "comuni_fuori_area.csv",
            FUORI_AREA_COLUMNS,
            [
                {"name": f.name, "provincia": f.provincia, "asl": f.asl, "source": f.source}
                for f in fuori
            ],
        )
        return {
            "enti_gestori": len(enti),
            "organizations": len(orgs) - len(enti),
            "services": len(services),
            "opportunities": len(opportunities),
            "comuni": len(comuni),
        }


def _write_csv(path: Path, columns: list[str], items: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(items)
