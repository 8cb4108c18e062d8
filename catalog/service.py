"""The catalog facade used by actions and the gateway (the API of docs/contracts.md).

Methods are synchronous and thread-safe (one session per call on a shared engine); async code
calls them in a worker thread (the actions: ``actions.catalog_client.AsyncCatalog``). No ORM
object leaves this module: results are the dataclasses of :mod:`catalog.info`. Sessions, comuni,
enti gestori, opportunities and helplines are in :mod:`catalog.service_base`; the citizen's
search policy is in :mod:`catalog.citizen`.
"""

from __future__ import annotations

from collections.abc import Collection
from threading import Lock

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from catalog import convert
from catalog.citizen import Attempt, CitizenResults, Place, Search, citizen_page, relaxation
from catalog.db import make_engine
from catalog.info import (
    ComuneInfo,
    ComuneMatch,
    EnteGestoreInfo,
    Helpline,
    OfficeInfo,
    OpportunityInfo,
    SearchPage,
    ServiceInfo,
)
from catalog.models import Comune
from catalog.repository import services
from catalog.service_base import (
    MAX_PAGE_SIZE,
    CatalogBase,
    CatalogUnavailable,
    UnknownCategory,
    UnknownComune,
    check_filters,
    page_bounds,
)
from catalog.textquery import query_terms

__all__ = [
    "MAX_PAGE_SIZE",
    "CatalogService",
    "CatalogUnavailable",
    "CitizenResults",
    "ComuneInfo",
    "ComuneMatch",
    "EnteGestoreInfo",
    "Helpline",
    "OfficeInfo",
    "OpportunityInfo",
    "Place",
    "SearchPage",
    "ServiceInfo",
    "UnknownCategory",
    "UnknownComune",
]

_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = Lock()


class CatalogService(CatalogBase):
    """Read-only access to the catalog: comuni, services, enti gestori, opportunities."""

    @classmethod
    def from_settings(cls) -> CatalogService:
        """Service over ``DATABASE_URL`` (one engine per URL and process)."""
        from wecare.settings import get_settings

        settings = get_settings()
        url = settings.database_url
        with _ENGINES_LOCK:
            if url not in _ENGINES:
                _ENGINES[url] = make_engine(url)
            return cls(_ENGINES[url], settings.catalog_data_dir)

    # --- services -------------------------------------------------------------------------

    def search_services(
        self,
        category: str | None = None,
        text: str | None = None,
        comune: str | None = None,
        target_group: str | None = None,
        age: int | float | None = None,
        page: int = 1,
        page_size: int = 5,
    ) -> SearchPage:
        """Search active services, local ones first, then distretto, regional and national.

        Args:
            category: one of the 9 category ids (primary or extra category of the service).
            text: free text, accent-insensitive full-text search.
            comune: comune name or CAP; only services available there are returned.
            target_group: one of the 8 target group ids.
            age: age of the person; services whose age range excludes it are dropped.
            page: 1-based page number.
            page_size: results per page (1..50).

        Raises:
            UnknownCategory: ``category`` is not a category id.
            UnknownComune: ``comune`` is not an ASL TO4 comune (``.match`` says why).
            ValueError: unknown ``target_group``.
            CatalogUnavailable: the database cannot be reached.
        """
        check_filters(category, target_group)
        page, page_size = page_bounds(page, page_size)
        with self._session() as session:
            found = self._required_comune(session, comune)
            attempt = Attempt(text, target_group, int(age) if age is not None else None)
            items, total = self._search(session, category, found)(
                attempt, (page - 1) * page_size, page_size
            )
            ente = None
            if found is not None and found.ente_gestore_id:
                ente = self._ente(session, found.ente_gestore_id, with_comuni=False)
            return SearchPage(
                items=items,
                page=page,
                page_size=page_size,
                total=total,
                comune=convert.comune_info(found) if found else None,
                ente_gestore=ente,
                category=category,
            )

    def find_for_citizen(
        self,
        category: str,
        text: str | None = None,
        comune: str | None = None,
        target_group: str | None = None,
        age: int | None = None,
        page: int = 1,
        page_size: int = 5,
        exclude_numbers: Collection[str] = (),
    ) -> CitizenResults:
        """What the assistant shows a citizen for a need: one page, and the comune as resolved.

        The comune is resolved once (name, short form, CAP; unknown and out-of-area names are
        reported in ``place.match``), then the policy of :mod:`catalog.citizen` runs: the text
        and filters are relaxed until something matches, only regional and national services
        are shown without an ASL TO4 comune, ``exclude_numbers`` (helplines already given) are
        not repeated, and for violence the anti-violence services come first.

        Args:
            category: the need's category id.
            text: the citizen's words (full-text filter, dropped when nothing matches).
            comune: the comune as the conversation holds it (any spelling), or None.
            target_group: target group id filter (dropped when nothing matches).
            age: age filter (dropped with the target group).
            page: 1-based page.
            page_size: results per page (1..50).
            exclude_numbers: helpline numbers not to list as services.

        Raises:
            UnknownCategory: ``category`` is not a category id.
            ValueError: unknown ``target_group``.
            CatalogUnavailable: the database cannot be reached.
        """
        check_filters(category, target_group)
        page, page_size = page_bounds(page, page_size)
        with self._session() as session:
            found, place = self._place(session, comune)
            items, total = citizen_page(
                self._search(session, category, found),
                relaxation(text, target_group, age),
                category,
                in_area=found is not None,
                page=page,
                page_size=page_size,
                exclude_numbers=exclude_numbers,
            )
            result = SearchPage(items, page, page_size, total, place.comune, place.ente, category)
            return CitizenResults(place, result)

    @staticmethod
    def _search(session: Session, category: str | None, comune: Comune | None) -> Search:
        """One ranked search on ``comune`` per call: ``(attempt, offset, limit) -> (items, n)``."""

        def run(attempt: Attempt, offset: int, limit: int) -> tuple[list[ServiceInfo], int]:
            filters = services.SearchFilters(
                category=category,
                terms=query_terms(attempt.text or ""),
                comune=comune,
                target_group=attempt.target_group,
                age=attempt.age,
            )
            hits, total = services.search(session, filters, offset, limit)
            return [convert.service_info(h.service, h.scope_rank) for h in hits], total

        return run

    def get_service(self, service_id: str) -> ServiceInfo | None:
        """The service with this id (active or not), or None."""
        with self._session() as session:
            service = services.get(session, service_id)
            if service is None:
                return None
            scope = services.narrowest_scope(session, service_id) or "national"
            return convert.service_info(service, convert.scope_rank_of(scope))
