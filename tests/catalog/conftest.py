"""Catalog test fixtures: every database test runs on SQLite and, when available, PostgreSQL.

PostgreSQL comes from ``TEST_POSTGRES_URL`` (``.ci/run`` starts a server on loopback and sets
it). Each fixture instance works in its own schema, dropped afterwards, so tests never see each
other's data. Without the URL the PostgreSQL variants skip, or fail when
``WECARE_REQUIRE_ALL_TESTS=1``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from catalog.db import make_engine
from catalog.loader import load
from catalog.service import CatalogService
from tests.fixtures.catalog_admin import catalog_template, catalog_url  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
CATALOG_DATA = REPO / "catalog_data"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _postgres_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL", "").strip()
    if not url:
        message = "TEST_POSTGRES_URL is not set: PostgreSQL catalog tests not run"
        if os.environ.get("WECARE_REQUIRE_ALL_TESTS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return url


def _new_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """Fresh, empty database: a SQLite file or a new PostgreSQL schema."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'catalog.db'}")
        yield engine
        engine.dispose()
        return
    url = _postgres_url()
    schema = f"catalog_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database per test (SQLite, then PostgreSQL)."""
    yield from _new_engine(request.param, tmp_path)


@pytest.fixture(scope="module")
def pg_loaded_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A PostgreSQL database loaded from the real ``catalog_data/`` (PostgreSQL-only tests)."""
    for engine in _new_engine("postgres", tmp_path_factory.mktemp("pgloaded")):
        load(engine, CATALOG_DATA)
        yield engine


@pytest.fixture(scope="module", params=BACKENDS)
def loaded_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A database loaded from the real ``catalog_data/``, shared by a module (read-only)."""
    for engine in _new_engine(request.param, tmp_path_factory.mktemp("loaded")):
        load(engine, CATALOG_DATA)
        yield engine


@pytest.fixture(scope="module")
def svc(loaded_engine: Engine) -> CatalogService:
    """CatalogService over ``loaded_engine``."""
    return CatalogService(loaded_engine)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of ``catalog_data/`` for tests that break or edit seed files."""
    target = tmp_path / "catalog_data"
    shutil.copytree(CATALOG_DATA, target)
    return target
