"""Catalog search benchmark: 100 000 synthetic services, p50/p95 of CatalogService searches.

Usage (``make bench-catalog``)::

    .venv/bin/python scripts/bench_catalog.py [--services 100000] [--queries 1000]
        [--database-url URL [--reuse]] [--no-write] [--check FILE]

Builds a fresh database (a temporary SQLite file unless ``--database-url`` is given; that
database's catalog tables are DROPPED), loads the real ``catalog_data/`` (comuni, enti
gestori, organizations, real services) and adds synthetic services spread over the real
areas like the real catalog (mostly local, few national). Then it times
``CatalogService.search_services`` – the call the actions make: comune resolution, ranked and
filtered search with the total, the page's services with their parts and the ente gestore –
for a random mix of queries, and writes the numbers into docs/benchmarks.md between
``<!-- BEGIN catalog -->`` and ``<!-- END catalog -->``. ``--check FILE`` records the result
ids and totals of every query in FILE, or compares them with FILE when it exists (a speed-up
must not change what a citizen sees); ``--reuse`` brings the schema to the Alembic head first.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, make_url, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog.builders import service_facets  # noqa: E402
from catalog.constants import AREA_KEYS, CATEGORIES, DISTRETTI, ENTE_IDS, TARGET_GROUPS  # noqa: E402
from catalog.db import make_engine, session_scope, upgrade  # noqa: E402
from catalog.loader import load  # noqa: E402
from catalog.models import (  # noqa: E402
    Comune,
    Organization,
    RequiredDocument,
    Service,
    ServiceArea,
    ServiceCategory,
    ServiceFacet,
    ServiceSearch,
    ServiceTargetGroup,
)
from catalog.repository.maintenance import analyze  # noqa: E402
from catalog.service import CatalogService  # noqa: E402
from catalog.textquery import facets_document  # noqa: E402
from wecare.text import fold  # noqa: E402

BENCH_MD = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- BEGIN catalog -->", "<!-- END catalog -->"
TARGET_P95_MS = 10.0


def vocabulary() -> list[str]:
    """Distinct words of the real service texts, most frequent first (synthetic text source)."""
    from collections import Counter

    from catalog.seedfiles import read_seed
    from catalog.textquery import STOPWORDS
    from wecare.text import normalize

    seed = read_seed(ROOT / "catalog_data")
    counter: Counter[str] = Counter()
    for record in seed.services + seed.templates:
        text = " ".join(str(record.get(k) or "") for k in ("name", "summary", "description"))
        text += " " + " ".join(map(str, record.get("keywords") or []))
        counter.update(w for w in normalize(text).split() if len(w) > 3 and w not in STOPWORDS)
    return [w for w, _ in counter.most_common()]


TEXTS = ["sfratto", "non riesco a pagare l'affitto", "badante per mia madre", "corso di italiano",
         "bollette luce gas", "centro diurno disabili", "psicologo", "lavoro giovani"]  # fmt: skip
# Area mix of the synthetic services (scope, share): mostly local, like the real catalog.
AREA_MIX = [("ente_gestore", 0.45), ("comune", 0.25), ("distretto", 0.15), ("asl", 0.08),
            ("region", 0.05), ("national", 0.02)]  # fmt: skip


def _area_value(scope: str, rng: random.Random, comuni: list[str]) -> str:
    return {
        "ente_gestore": lambda: rng.choice(ENTE_IDS),
        "comune": lambda: rng.choice(comuni),
        "distretto": lambda: str(rng.choice(DISTRETTI)),
        "asl": lambda: "to4",
        "region": lambda: "piemonte",
        "national": lambda: "true",
    }[scope]()


def generate(engine: Any, n: int, seed: int = 7) -> None:
    """Insert ``n`` synthetic services (with categories, groups, areas, documents, text)."""
    rng = random.Random(seed)
    words_bank = vocabulary()
    with session_scope(engine) as session:
        next_search_id = (session.scalar(select(func.max(ServiceSearch.id))) or 0) + 1
    # Zipf-like weights: frequent real words are common, rare ones rare (as in real text).
    zipf = [1 / (rank + 10) for rank in range(len(words_bank))]
    with session_scope(engine) as session:
        comuni = list(session.scalars(select(Comune.name)))
        orgs = list(session.scalars(select(Organization.id)))
    scopes, weights = zip(*AREA_MIX, strict=True)
    batch = 5000
    for start in range(0, n, batch):
        services, cats, groups, areas, docs, search = [], [], [], [], [], []
        facets: list[dict[str, Any]] = []
        for i in range(start, min(n, start + batch)):
            sid = f"synthetic-{i:06d}"
            category = rng.choice(CATEGORIES)
            words = rng.choices(words_bank, zipf, k=12)
            name = f"Servizio {' '.join(words[:3])} {i}"
            summary = f"Aiuto per {' '.join(words[3:10])}."
            keywords = words[10:12]
            min_age = rng.choice([None] * 8 + [18, 65])
            services.append({
                "id": sid, "organization_id": rng.choice(orgs), "name": name,
                "category": category, "summary": summary, "how_to_apply": "Chiedi allo sportello.",
                "keywords": keywords, "status": "active" if rng.random() > 0.02 else "inactive",
                "verified": False, "confidence": "low", "source": "synthetic benchmark data",
                "origin": "bench", "content_hash": "", "min_age": min_age,
                "max_age": rng.choice([None] * 9 + [17]) if min_age is None else None,
            })  # fmt: skip
            my_cats = [{"service_id": sid, "category": category, "is_primary": True}]
            for extra in rng.sample([c for c in CATEGORIES if c != category], rng.randint(0, 2)):
                my_cats.append({"service_id": sid, "category": extra, "is_primary": False})
            my_groups = rng.sample(TARGET_GROUPS, rng.randint(1, 3))
            scope = rng.choices(scopes, weights)[0]
            value = _area_value(scope, rng, comuni)
            cats += my_cats
            groups += [{"service_id": sid, "target_group": g} for g in my_groups]
            areas.append({"service_id": sid, "scope": scope, "value": value})
            docs.append({"service_id": sid, "position": 0, "document": "documento d'identità"})
            record = {
                **services[-1],
                "target_groups": my_groups,
                "extra_categories": [c["category"] for c in my_cats[1:]],
                "area": {AREA_SEED_KEY[scope]: _seed_value(scope, value)},
            }
            search_id, next_search_id = next_search_id, next_search_id + 1
            document = ServiceSearch()
            facets += [_facet_row(sid, search_id, f) for f in service_facets(record, document)]
            title = fold(f"{name} {' '.join(keywords)}")
            facet_text = facets_document([category, *record["extra_categories"]], [(scope, value)])
            search.append({"id": search_id, "service_id": sid, "title": title,
                           "body": fold(summary), "facets": facet_text})  # fmt: skip
        with session_scope(engine) as session:
            session.execute(insert(Service), services)
            for model, rows in ((ServiceCategory, cats), (ServiceTargetGroup, groups),
                                (ServiceArea, areas), (RequiredDocument, docs),
                                (ServiceSearch, search), (ServiceFacet, facets)):  # fmt: skip
                session.execute(insert(model), rows)
        print(f"\r  generated {min(n, start + batch):>7}/{n}", end="", flush=True)
    print()
    analyze(engine)


AREA_SEED_KEY = {v: k for k, v in AREA_KEYS.items()}


def _seed_value(scope: str, value: str) -> Any:
    if scope == "national":
        return True
    if scope == "distretto":
        return [int(value)]
    if scope in ("ente_gestore", "comune"):
        return [value]
    return value


def _facet_row(service_id: str, search_id: int, facet: ServiceFacet) -> dict[str, Any]:
    skip = ("id", "service_id", "search_id")
    columns = [c.key for c in ServiceFacet.__table__.columns if c.key not in skip]
    row = {c: getattr(facet, c) for c in columns}
    return {"service_id": service_id, "search_id": search_id, **row}


# Query kinds. The actions always pass the category and the comune (plus the citizen's words
# as text on the first attempt, and target group/age when known): those form the headline mix.
# Text without category and category without comune are measured too, reported apart.
ACTIONS_KINDS = ("category", "category+text")


def queries(n: int, comuni: list[str], seed: int = 11) -> list[dict[str, Any]]:
    """A reproducible mix: 55 % category, 35 % category + text (both with a comune; a third
    with target group or age), 5 % text + comune, 5 % category without comune (50 results)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        q: dict[str, Any] = {"comune": rng.choice(comuni), "page": rng.choice([1, 1, 1, 2, 3])}
        r = rng.random()
        if r < 0.9:
            q["category"] = rng.choice(CATEGORIES)
            if r >= 0.55:
                q["text"] = rng.choice(TEXTS)
            if rng.random() < 0.2:
                q["target_group"] = rng.choice(TARGET_GROUPS)
            elif rng.random() < 0.15:
                q["age"] = rng.choice([8, 30, 80])
        elif r < 0.95:
            q["text"] = rng.choice(TEXTS)
        else:
            q = {"category": rng.choice(CATEGORIES), "page_size": 50}
        out.append(q)
    return out


def kind_of(q: dict[str, Any]) -> str:
    """Label of a query for the report."""
    label = "+".join(k for k in ("category", "text") if k in q)
    return label if "comune" in q else f"{label}, no comune"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Build the database, time the queries, return the results."""
    tmp = None
    url = args.database_url
    if not url:
        tmp = tempfile.TemporaryDirectory(prefix="wecare-bench-")
        url = f"sqlite:///{tmp.name}/catalog.db"
    engine = make_engine(url)
    t0 = time.perf_counter()
    if not args.reuse:
        load(engine, ROOT / "catalog_data", reset=True)
        generate(engine, args.services)
    else:
        upgrade(engine)
    build_s = time.perf_counter() - t0
    with session_scope(engine) as session:
        total = session.scalar(select(func.count()).select_from(Service))
        comuni = list(
            session.scalars(select(Comune.name).where(Comune.ente_gestore_id.isnot(None)))
        )
    svc = CatalogService(engine)
    mix = queries(args.queries, comuni)
    if args.check:
        check_results(svc, mix, Path(args.check))
    for q in mix[:50]:  # warm-up (connection pool, statement cache, page cache)
        svc.search_services(**q)
    timings: dict[str, list[float]] = {"actions mix": [], "all": []}
    cpu: dict[str, list[float]] = {"actions mix": [], "all": []}
    for q in mix:
        start, start_cpu = time.perf_counter(), time.process_time()
        svc.search_services(**q)
        ms = (time.perf_counter() - start) * 1000
        cpu_ms = (time.process_time() - start_cpu) * 1000
        kind = kind_of(q)
        keys = ["all", kind] + (["actions mix"] if kind in ACTIONS_KINDS else [])
        for key in keys:
            timings.setdefault(key, []).append(ms)
            cpu.setdefault(key, []).append(cpu_ms)
    engine.dispose()
    if tmp is not None:
        tmp.cleanup()
    return {"url": engine.url.render_as_string(True).split("@")[-1] if "@" in url else
            engine.url.drivername, "services": total, "build_s": build_s,
            "timings": timings, "cpu": cpu}  # fmt: skip


def check_results(svc: CatalogService, mix: list[dict[str, Any]], path: Path) -> None:
    """Record (first run) or compare the ids and totals of every query of ``mix``.

    Raises:
        SystemExit: a query returns other services, in another order, or another total.
    """
    found = []
    for q in mix:
        page = svc.search_services(**q)
        found.append({"query": q, "ids": [s.id for s in page.items], "total": page.total})
    if not path.exists():
        path.write_text(json.dumps(found, indent=0), encoding="utf-8")
        print(f"results of {len(found)} queries recorded in {path}")
        return
    expected = json.loads(path.read_text(encoding="utf-8"))
    diff = [(e, f) for e, f in zip(expected, found, strict=True) if e != f]
    for e, f in diff[:5]:
        print(f"DIFFERENT: {e['query']}: {e['ids']} ({e['total']}) -> {f['ids']} ({f['total']})")
    if diff:
        raise SystemExit(f"--check: {len(diff)} of {len(found)} queries differ from {path}")
    print(f"--check: the {len(found)} queries give the same ids, order and totals as {path}")


def report(result: dict[str, Any], command: str, dialect: str = "sqlite") -> str:
    """Markdown block for docs/benchmarks.md."""
    p95 = percentile(result["timings"]["actions mix"], 95)
    p95_all = percentile(result["timings"]["all"], 95)
    verdict = "meets" if p95 <= TARGET_P95_MS else "MISSES"
    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "## Catalog search" + ("" if dialect == "sqlite" else " on PostgreSQL"),
        "",
        f"Command: `{command}`  ",
        f"Run: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.node() or 'host'} "
        f"({os.cpu_count()} cores, load average {load1:.1f} at the end; Python "
        f"{platform.python_version()}, {result['url']})  ",
        f"Data: {result['services']} services ({result['services'] - 134} synthetic + the real "
        f"catalog), built in {result['build_s']:.0f} s. Call timed: "
        "`CatalogService.search_services` (comune resolution, ranked filtered search with total, "
        "page of 5 with documents/contacts, ente gestore). *actions mix* = what the actions "
        "send (category + comune, with the citizen's words as text on the first attempt, target "
        "group/age when known); *all* adds text without category and category without comune.",
        "",
        "| queries | n | p50 ms | p95 ms | p99 ms | max ms | CPU p50 ms | CPU p95 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, values in result["timings"].items():
        if values:
            cpu = result["cpu"][kind]
            lines.append(
                f"| {kind} | {len(values)} | {percentile(values, 50):.2f} | "
                f"{percentile(values, 95):.2f} | {percentile(values, 99):.2f} | {max(values):.2f} "
                f"| {percentile(cpu, 50):.2f} | {percentile(cpu, 95):.2f} |"
            )
    lines += [
        "",
        f"Target p95 ≤ {TARGET_P95_MS:.0f} ms on the actions mix (wall clock): **{verdict}** "
        f"(p95 {p95:.2f} ms; all queries p95 {p95_all:.2f} ms). CPU time of the process "
        f"(what the search itself costs, without waiting for a core on a shared machine): "
        f"p95 {percentile(result['cpu']['actions mix'], 95):.2f} ms on the actions mix, "
        f"{percentile(result['cpu']['all'], 95):.2f} ms on all queries.",
    ]
    if dialect != "sqlite":
        lines += ["", "CPU here is the benchmark process's own (the Python side of the search); "
                  "the database server's work shows in the wall-clock columns only."]  # fmt: skip
    return "\n".join(lines)


def write_block(block: str, path: Path = BENCH_MD, dialect: str = "sqlite") -> None:
    """Replace (or append) the catalog block of docs/benchmarks.md, leaving the rest alone.

    SQLite and PostgreSQL runs have a block each (``catalog`` / ``catalog-postgresql``).
    """
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    name = "catalog" if dialect == "sqlite" else f"catalog-{dialect}"
    begin, end = BEGIN.replace("catalog", name), END.replace("catalog", name)
    new = f"{begin}\n{block}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + new + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    """Parse arguments, run, print and record the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--database-url", help="benchmark on this database (tables dropped!)")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    parser.add_argument(
        "--reuse", action="store_true", help="time an already built --database-url (no build)"
    )
    parser.add_argument("--check", metavar="FILE", help="record/compare the result ids in FILE")
    args = parser.parse_args()
    command = "make bench-catalog" if len(sys.argv) == 1 else (
        "python scripts/bench_catalog.py " + " ".join(sys.argv[1:]))  # fmt: skip
    result = run(args)
    dialect = make_url(args.database_url).get_backend_name() if args.database_url else "sqlite"
    block = report(result, command, dialect)
    print(block)
    if not args.no_write:
        write_block(block, dialect=dialect)
        print(f"\nwritten to {BENCH_MD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
