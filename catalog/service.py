"""The catalog facade used by actions and the gateway (the API of docs/contracts.md).

Methods are synchronous and thread-safe (one session per call on a shared engine); async code
calls them with ``asyncio.to_thread``. No ORM object leaves this module: results are the
dataclasses of :mod:`catalog.info`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from threading import Lock

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from catalog import convert
from catalog.constants import CATEGORIES, TARGET_GROUPS
from catalog.db import make_engine, session_scope
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
from catalog.repository import places, services
from catalog.textquery import query_terms
from wecare.text import is_cap, normalize

__all__ = [
    "CatalogService",
    "CatalogUnavailable",
    "ComuneInfo",
    "ComuneMatch",
    "EnteGestoreInfo",
    "Helpline",
    "OfficeInfo",
    "OpportunityInfo",
    "SearchPage",
    "ServiceInfo",
    "UnknownCategory",
    "UnknownComune",
]

MAX_PAGE_SIZE = 50


class CatalogUnavailable(Exception):
    """The catalog database cannot be reached or is not initialised (``wecare catalog load``)."""


class UnknownComune(ValueError):
    """The comune given to a search is not an ASL TO4 comune; ``match`` tells why."""

    def __init__(self, query: str, match: ComuneMatch) -> None:
        super().__init__(f"unknown comune: {query!r}")
        self.query = query
        self.match = match


class UnknownCategory(ValueError):
    """The category is not one of the 9 fixed category ids."""

    def __init__(self, category: str) -> None:
        super().__init__(f"unknown category: {category!r} (one of: {', '.join(CATEGORIES)})")
        self.category = category


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = Lock()


class CatalogService:
    """Read-only access to the catalog: comuni, services, enti gestori, opportunities."""

    def __init__(self, engine: Engine) -> None:
        """Wrap ``engine`` (shared by threads; each call opens its own session)."""
        self.engine = engine

    @classmethod
    def from_settings(cls) -> CatalogService:
        """Service over ``DATABASE_URL`` (one engine per URL and process)."""
        from wecare.settings import get_settings

        url = get_settings().database_url
        with _ENGINES_LOCK:
            if url not in _ENGINES:
                _ENGINES[url] = make_engine(url)
            return cls(_ENGINES[url])

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            with session_scope(self.engine) as session:
                yield session
        except DBAPIError as exc:
            raise CatalogUnavailable(f"catalog database unavailable: {exc.orig!r}") from exc

    # --- comuni ---------------------------------------------------------------------------

    def resolve_comune(self, text: str) -> ComuneMatch:
        """Find the ASL TO4 comune named by ``text`` ("cuorgne", "CUORGNÈ", CAP "10082")."""
        query = (text or "").strip()
        with self._session() as session:
            comune, match = self._resolve(session, query)
            return match

    def _required_comune(self, session: Session, comune: str | None) -> Comune | None:
        """The comune a search is restricted to (None when not given).

        Raises:
            UnknownComune: ``comune`` is given but is not an ASL TO4 comune.
        """
        if comune is None or not comune.strip():
            return None
        found, match = self._resolve(session, comune.strip())
        if found is None:
            raise UnknownComune(comune, match)
        return found

    def _resolve(self, session: Session, query: str) -> tuple[Comune | None, ComuneMatch]:
        if not query:
            return None, ComuneMatch(query=query)
        if is_cap(query):
            found = places.comuni_by_cap(session, query)
            if len(found) == 1:
                return found[0], ComuneMatch(convert.comune_info(found[0]), query=query)
            return None, ComuneMatch(ambiguous_cap=[c.name for c in found], query=query)
        for key in _name_keys(query):
            comune = places.comune_by_key(session, key)
            if comune is not None:
                return comune, ComuneMatch(convert.comune_info(comune), query=query)
        key = _name_keys(query)[-1]
        frazioni = places.comuni_by_key_suffix(session, key) if len(key) >= 4 else []
        if len(frazioni) == 1:
            return frazioni[0], ComuneMatch(convert.comune_info(frazioni[0]), query=query)
        if places.fuori_area_by_key(session, key) is not None:
            return None, ComuneMatch(out_of_area=True, query=query)
        names = places.comune_keys(session)
        close = difflib.get_close_matches(key, list(names), n=3, cutoff=0.75)
        return None, ComuneMatch(suggestions=[names[k] for k in close], query=query)

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
        if category is not None and category not in CATEGORIES:
            raise UnknownCategory(category)
        if target_group is not None and target_group not in TARGET_GROUPS:
            raise ValueError(f"unknown target group: {target_group!r}")
        page, page_size = max(1, int(page)), min(MAX_PAGE_SIZE, max(1, int(page_size)))
        with self._session() as session:
            found = self._required_comune(session, comune)
            filters = services.SearchFilters(
                category=category,
                terms=query_terms(text or ""),
                comune=found,
                target_group=target_group,
                age=int(age) if age is not None else None,
            )
            hits, total = services.search(session, filters, (page - 1) * page_size, page_size)
            ente = None
            if found is not None and found.ente_gestore_id:
                ente = self._ente(session, found.ente_gestore_id, with_comuni=False)
            return SearchPage(
                items=[convert.service_info(h.service, h.scope_rank) for h in hits],
                page=page,
                page_size=page_size,
                total=total,
                comune=convert.comune_info(found) if found else None,
                ente_gestore=ente,
                category=category,
            )

    def get_service(self, service_id: str) -> ServiceInfo | None:
        """The service with this id (active or not), or None."""
        with self._session() as session:
            service = services.get(session, service_id)
            if service is None:
                return None
            scope = services.narrowest_scope(session, service_id) or "national"
            return convert.service_info(service, convert.scope_rank_of(scope))

    # --- enti gestori, opportunities, helplines --------------------------------------------

    def get_ente_gestore(self, ente_id: str) -> EnteGestoreInfo | None:
        """The ente gestore with its offices and the comuni it serves, or None."""
        with self._session() as session:
            return self._ente(session, ente_id)

    @staticmethod
    def _ente(session: Session, ente_id: str, with_comuni: bool = True) -> EnteGestoreInfo | None:
        found = places.ente_gestore(session, ente_id)
        if found is None:
            return None
        comuni = places.comuni_of_ente(session, ente_id) if with_comuni else []
        ente, offices, contacts = found
        return convert.ente_info(ente, offices, comuni, contacts)

    def list_opportunities(
        self,
        comune: str | None = None,
        category: str | None = None,
        today: date | None = None,
        limit: int = 10,
    ) -> list[OpportunityInfo]:
        """Opportunities valid ``today`` (expired ones never), local first.

        Raises:
            UnknownCategory: ``category`` is not a category id.
            UnknownComune: ``comune`` is not an ASL TO4 comune.
        """
        if category is not None and category not in CATEGORIES:
            raise UnknownCategory(category)
        with self._session() as session:
            found = self._required_comune(session, comune)
            rows = places.current_opportunities(
                session, today or date.today(), found, category, max(1, limit)
            )
            return [
                convert.opportunity_info(o, rank, provider, found) for o, rank, provider in rows
            ]

    def emergency_numbers(
        self, minor_involved: bool = False, kinds: Sequence[str] = ("violence",)
    ) -> list[Helpline]:
        """The numbers of the first reply to a person in danger, in order.

        Args:
            minor_involved: add the lines for children (114, Telefono Azzurro).
            kinds: ``violence`` (1522, 112, then 114 for minors) and/or ``self_harm`` (112,
                then the listening lines); in the given order, each number once.
        """
        every = self.helplines()
        ranks: dict[str, Callable[[Helpline], int | None]] = {
            "violence": lambda h: h.emergency_rank,
            "self_harm": lambda h: h.self_harm_rank,
        }
        out: list[Helpline] = []
        for kind in kinds:
            rank = ranks.get(kind)
            if rank is None:
                raise ValueError(f"unknown emergency kind {kind!r}")
            lines = sorted((h for h in every if rank(h) is not None), key=lambda h: rank(h) or 0)
            for line in lines:
                taken = {h.number for h in out}
                if (minor_involved or not line.for_minors) and line.number not in taken:
                    out.append(line)
        return out

    def helplines(self, category: str | None = None) -> list[Helpline]:
        """Every helpline (optionally of one category), emergency ones first."""
        if category is not None and category not in CATEGORIES:
            raise UnknownCategory(category)
        with self._session() as session:
            found = services.helplines(session, category)
            return [line for s in found if (line := convert.helpline(s)) is not None]


def _name_keys(query: str) -> list[str]:
    """Lookup keys of a comune name: as typed, then without "comune di", T.se expanded."""
    key = normalize(query)
    keys = [key]
    for prefix in ("comune di ", "comune ", "citta di "):
        if key.startswith(prefix):
            key = key[len(prefix) :]
            keys.append(key)
    expanded = key.replace(" t se", " torinese").replace(" tse", " torinese")
    if expanded != key:
        keys.append(expanded)
    return keys
