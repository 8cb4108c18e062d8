"""The console page test needs the handoff fixtures (fake Rasa with tracker, clock)."""

from tests.fixtures.handoff import clock, fake_rasa, settings  # noqa: F401
