"""Fixtures of the registry tests (browser, and the console's test settings)."""

from tests.fixtures.browser import browser  # noqa: F401
from tests.fixtures.handoff import clock, fake_rasa, settings  # noqa: F401
