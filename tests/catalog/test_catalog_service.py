"""CatalogService behaviour beyond search: threads, unavailable database, shared fixtures."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from catalog.db import make_engine
from catalog.service import CatalogService, CatalogUnavailable


def test_concurrent_calls_from_threads(svc: CatalogService) -> None:
    def work(n: int) -> tuple[str, int]:
        comune = ["Cuorgnè", "Ivrea", "Ciriè", "Chivasso"][n % 4]
        page = svc.search_services(comune=comune, category="housing")
        return page.items[0].provider_id, page.total

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(40)))
    assert {r for r in results} == {r for r in results[:4]}
    assert results[0][0] == "ciss38"


def test_missing_schema_raises_catalog_unavailable(tmp_path: Path) -> None:
    svc = CatalogService(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"))
    with pytest.raises(CatalogUnavailable):
        svc.search_services(category="housing")
    with pytest.raises(CatalogUnavailable):
        svc.resolve_comune("Ivrea")


def test_unreachable_server_raises_catalog_unavailable() -> None:
    engine = make_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
    )
    with pytest.raises(CatalogUnavailable):
        CatalogService(engine).emergency_numbers()


def test_shared_fixtures(catalog_service: CatalogService, catalog_db_url: str) -> None:
    assert catalog_db_url.startswith("sqlite:///")
    assert catalog_service.resolve_comune("cuorgne").comune is not None


def test_from_settings_uses_database_url(catalog_env: str) -> None:
    svc = CatalogService.from_settings()
    assert str(svc.engine.url) == catalog_env
    assert svc.search_services(comune="Ivrea", page_size=1).total > 0
