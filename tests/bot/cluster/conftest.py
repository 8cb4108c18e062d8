"""Fixtures of the production-profile tests: real PostgreSQL and Redis (tests/fixtures)."""

from tests.fixtures.production import pg, redis_url

__all__ = ["pg", "redis_url"]
