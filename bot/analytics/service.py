"""One report from the app database and the catalog: sync for the CLI, async for the console."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.analytics.report import Labels, Report, build_report
from bot.analytics.rolled import RolledSource
from bot.analytics.source import AnalyticsSource, Scope
from bot.store.facade import ThreadFacade
from catalog.constants import ENTE_IDS
from catalog.figures import active_services, comuni_figures

log = logging.getLogger(__name__)


class AnalyticsService:
    """Builds reports (synchronous).

    Args:
        app_engine: engine of the app database (conversations, turns, handoffs).
        catalog_engine: engine of the catalog (comuni and their population, services).
        rollups: read the daily roll-ups (``bot.analytics.rolled``); False: the whole period
            from the log (the reference the tests compare the roll-ups with).
        today: the current Europe/Rome day (tests fix it).
    """

    def __init__(
        self,
        app_engine: Engine,
        catalog_engine: Engine,
        rollups: bool = True,
        today: Callable[[], date] | None = None,
    ) -> None:
        self.source = AnalyticsSource(app_engine)
        self.rolled = RolledSource(app_engine, today) if rollups else None
        self.catalog_engine = catalog_engine

    def report(self, scope: Scope, labels: Labels) -> Report:
        """The suppressed report of ``scope``."""
        rows = self.rolled.rows(scope) if self.rolled else self.source.rows(scope)
        try:
            comuni = comuni_figures(self.catalog_engine)
            services = active_services(self.catalog_engine, frozenset(ENTE_IDS))
        except SQLAlchemyError as exc:  # no populations, no catalog gaps: the rest stands
            log.warning("catalog not readable for the analytics: %s", type(exc).__name__)
            comuni, services = [], []
        return build_report(rows, scope, comuni, services, labels)


class AnalyticsReports(ThreadFacade):
    """Async reports for the console (one worker-thread hop per report).

    Args:
        service: the synchronous service.
    """

    def __init__(self, service: AnalyticsService) -> None:
        self._service = service

    async def report(self, scope: Scope, labels: Labels) -> Report:
        """The suppressed report of ``scope``."""
        return await self._call(self._service.report, scope, labels)
