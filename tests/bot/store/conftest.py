"""Fixtures of the app-database tests: empty databases on SQLite and PostgreSQL."""

from tests.fixtures.app_schema import app_url, other_url  # noqa: F401 - fixtures
