"""Fixtures of the handoff and console tests (defined in tests/fixtures/handoff.py)."""

from tests.fixtures.browser import browser  # noqa: F401
from tests.fixtures.catalog_admin import catalog_engine, catalog_template, catalog_url  # noqa: F401
from tests.fixtures.handoff import clock, fake_rasa, settings  # noqa: F401
