"""``wecare db status`` / ``wecare db migrate`` on the catalog and the app database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import inspect

from bot.store.db import create_store_engine, current_revision
from tests.fixtures.app_schema import legacy_database
from wecare.cli import main
from wecare.settings import get_settings


@pytest.fixture
def databases(app_url, other_url, monkeypatch) -> Iterator[tuple[str, str]]:
    """``(app, catalog)`` URLs of empty databases, in the environment of the CLI."""
    monkeypatch.setenv("APP_DATABASE_URL", app_url)
    monkeypatch.setenv("DATABASE_URL", other_url)
    monkeypatch.delenv("WECARE_PROFILE", raising=False)
    get_settings.cache_clear()
    yield app_url, other_url
    get_settings.cache_clear()


def test_status_is_1_until_migrate_brings_both_databases_to_head(databases, capsys):
    app_url, _catalog_url = databases
    assert main(["db", "status"]) == 1
    out = capsys.readouterr().out
    assert out.count("needs `wecare db migrate`") == 2 and "app      current           none" in out
    assert main(["db", "migrate"]) == 0
    out = capsys.readouterr().out
    assert "catalog" in out and "app" in out and "none -> 0002" in out
    assert main(["db", "status"]) == 0
    out = capsys.readouterr().out
    assert out.count("up to date") == 2 and "needs" not in out
    engine = create_store_engine(app_url)
    assert current_revision(engine) == "0002"
    engine.dispose()


def test_an_old_app_database_is_pending_then_upgraded(databases, capsys):
    app_url, _catalog_url = databases
    assert main(["db", "migrate"]) == 0
    engine = create_store_engine(app_url)
    for table in inspect(engine).get_table_names():  # back to what the old code left at v6
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE {table} CASCADE" if "postgres" in app_url
                                 else f"DROP TABLE {table}")  # fmt: skip
    engine.dispose()
    engine = create_store_engine(app_url)
    legacy_database(engine, 6)
    engine.dispose()
    capsys.readouterr()
    assert main(["db", "status"]) == 1
    out = capsys.readouterr().out
    assert "v6 (old)" in out and "catalog  current" in out
    assert main(["db", "migrate"]) == 0
    assert "v6 (old) -> 0002" in capsys.readouterr().out
    assert main(["db", "status"]) == 0


def test_production_commands_refuse_an_old_schema_in_one_line(databases, monkeypatch, capsys):
    monkeypatch.setenv("WECARE_PROFILE", "production")
    get_settings.cache_clear()
    assert main(["operators", "list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the app database has no schema") and "Traceback" not in err
    assert "run `wecare db migrate` first" in err
    engine = create_store_engine(databases[0])
    assert inspect(engine).get_table_names() == []  # nothing migrated implicitly
    engine.dispose()
