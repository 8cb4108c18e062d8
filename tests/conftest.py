"""Shared pytest fixtures: a loaded catalog database for every test layer.

``catalog_service`` / ``catalog_db_url`` are session-scoped: one temporary SQLite catalog,
migrated and loaded from the real ``catalog_data/``, shared (read-only) by catalog, action and
end-to-end tests. Imports are lazy so that this file also works in the Rasa environment, which
has no SQLAlchemy 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from catalog.service import CatalogService

REPO = Path(__file__).resolve().parent.parent
CATALOG_DATA = REPO / "catalog_data"


@pytest.fixture(scope="session")
def catalog_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of a temporary SQLite catalog loaded from ``catalog_data/`` (do not write to it)."""
    from catalog.db import make_engine
    from catalog.loader import load

    path = tmp_path_factory.mktemp("catalog") / "catalog.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    load(engine, CATALOG_DATA)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def catalog_service(catalog_db_url: str) -> Iterator[CatalogService]:
    """A :class:`catalog.service.CatalogService` over ``catalog_db_url``."""
    from catalog.db import make_engine
    from catalog.service import CatalogService

    engine = make_engine(catalog_db_url)
    yield CatalogService(engine)
    engine.dispose()


@pytest.fixture
def catalog_env(catalog_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point ``DATABASE_URL`` (hence ``CatalogService.from_settings()``) at the test catalog."""
    from catalog import service
    from wecare.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", catalog_db_url)
    monkeypatch.setenv("CATALOG_DATA_DIR", str(CATALOG_DATA))
    get_settings.cache_clear()
    yield catalog_db_url
    get_settings.cache_clear()
    service._ENGINES.pop(catalog_db_url, None)
