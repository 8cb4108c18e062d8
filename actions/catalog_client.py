"""The catalog as the actions see it: typed async methods over ``CatalogService``.

``CatalogService`` (docs/contracts.md) is blocking (SQLAlchemy): every method of
:class:`AsyncCatalog` runs one service call in a worker thread — the only thread hop of the
actions — so the action server's event loop is never blocked. When the catalog database cannot
be read, the call raises :class:`CatalogDown` and logs the cause at ERROR, without the call's
arguments (they may hold the citizen's words; message text is never logged).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import OperationalError

from catalog.service import (
    CatalogService,
    CatalogUnavailable,
    CitizenResults,
    ComuneMatch,
    EnteGestoreInfo,
    Helpline,
    OpportunityInfo,
    Place,
    ServiceInfo,
)

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

#: Results per page of a service search.
PAGE_SIZE = 5
#: Errors that mean "the catalog database cannot be read".
CATALOG_DOWN_ERRORS: tuple[type[BaseException], ...] = (CatalogUnavailable, OperationalError)


class CatalogDown(Exception):
    """The catalog database could not be read (wraps the original error)."""


class AsyncCatalog:
    """Async, typed access to the catalog for the actions (one worker-thread hop per call)."""

    def __init__(self, service: CatalogService) -> None:
        """Wrap ``service`` (thread-safe: each call opens its own session)."""
        self.service = service

    async def _call(self, method: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``method`` in a worker thread; an unreadable catalog becomes :class:`CatalogDown`."""
        try:
            return await asyncio.to_thread(method, *args, **kwargs)
        except CATALOG_DOWN_ERRORS as exc:
            name = getattr(method, "__name__", "catalog")
            cause = getattr(exc, "orig", None) or exc
            log.error("catalog unavailable in %s: %s: %s", name, type(exc).__name__, cause)
            raise CatalogDown(name) from exc

    async def resolve_comune(self, text: str) -> ComuneMatch:
        """The ASL TO4 comune named by ``text`` (see ``CatalogService.resolve_comune``)."""
        return await self._call(self.service.resolve_comune, text)

    async def locate(self, comune: str | None) -> Place:
        """The comune as resolved, with its ente gestore (one session)."""
        return await self._call(self.service.locate, comune)

    async def find_for_citizen(
        self,
        category: str,
        *,
        text: str | None = None,
        comune: str | None = None,
        target_group: str | None = None,
        age: int | None = None,
        page: int = 1,
        page_size: int = PAGE_SIZE,
        exclude_numbers: Collection[str] = (),
    ) -> CitizenResults:
        """One page of what the citizen is shown for a need (see ``find_for_citizen``)."""
        return await self._call(
            self.service.find_for_citizen,
            category,
            text=text,
            comune=comune,
            target_group=target_group,
            age=age,
            page=page,
            page_size=page_size,
            exclude_numbers=frozenset(exclude_numbers),
        )

    async def get_service(self, service_id: str) -> ServiceInfo | None:
        """The service with this id, or None."""
        return await self._call(self.service.get_service, service_id)

    async def get_ente_gestore(self, ente_id: str) -> EnteGestoreInfo | None:
        """The ente gestore with its offices, contacts and comuni, or None."""
        return await self._call(self.service.get_ente_gestore, ente_id)

    async def list_opportunities(
        self, comune: str | None, today: date, limit: int
    ) -> list[OpportunityInfo]:
        """Opportunities valid ``today``, local first."""
        return await self._call(
            self.service.list_opportunities, comune=comune, today=today, limit=limit
        )

    async def emergency_numbers(
        self, minor_involved: bool, kinds: Sequence[str] = ("violence",)
    ) -> list[Helpline]:
        """The numbers of the first reply to a person in danger, in order."""
        return await self._call(
            self.service.emergency_numbers, minor_involved=minor_involved, kinds=tuple(kinds)
        )


_catalog: AsyncCatalog | None = None


def set_catalog(service: CatalogService | None) -> None:
    """Use ``service`` as the catalog of every action (tests); None goes back to the default."""
    global _catalog
    _catalog = AsyncCatalog(service) if service is not None else None


def catalog() -> AsyncCatalog:
    """The process-wide catalog, over ``CatalogService.from_settings()`` on first use.

    Building it opens no connection, so no thread hop is needed here.
    """
    global _catalog
    if _catalog is None:
        _catalog = AsyncCatalog(CatalogService.from_settings())
    return _catalog
