"""Real PostgreSQL and Redis for the Rasa store checks (tests/fixtures/production.py)."""

from tests.fixtures.production import pg, redis_url

__all__ = ["pg", "redis_url"]
