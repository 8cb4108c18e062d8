"""The catalog facade's foundation: sessions, errors, comuni, enti gestori, helplines.

:class:`catalog.service.CatalogService` adds the service searches; this module holds the rest
of the API of docs/contracts.md. Methods are synchronous and thread-safe (one session per call
on a shared engine). No ORM object leaves: results are the dataclasses of :mod:`catalog.info`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from catalog import convert, locate
from catalog.citizen import Place
from catalog.comuni.data import DATA_DIR
from catalog.constants import CATEGORIES, TARGET_GROUPS
from catalog.db import session_scope
from catalog.info import ComuneMatch, EnteGestoreInfo, Helpline, OpportunityInfo
from catalog.models import Comune
from catalog.repository import places, services

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


class CatalogBase:
    """Sessions and the catalog's comuni, enti gestori, opportunities and helplines."""

    def __init__(self, engine: Engine, data_dir: Path = DATA_DIR) -> None:
        """Wrap ``engine`` (shared by threads; each call opens its own session).

        Args:
            engine: the catalog database.
            data_dir: seed folder whose comune name lists and guard words the comune resolver
                uses with the comuni of the database (``catalog_data/``).
        """
        self.engine = engine
        self.data_dir = data_dir

    @contextmanager
    def _session(self) -> Iterator[Session]:
        try:
            with session_scope(self.engine) as session:
                yield session
        except DBAPIError as exc:
            raise CatalogUnavailable(f"catalog database unavailable: {exc.orig!r}") from exc

    # --- comuni ---------------------------------------------------------------------------

    def resolve_comune(self, text: str) -> ComuneMatch:
        """Find the ASL TO4 comune named by ``text`` ("cuorgne", "CUORGNÈ", CAP "10082").

        The resolver of :mod:`catalog.comuni` (the NLU's too) over the comuni of the database:
        names, short forms ("settimo"), CAPs; typos give ``suggestions``, never a guess.
        """
        with self._session() as session:
            return locate.resolve(session, (text or "").strip(), self.data_dir)[1]

    def locate(self, comune: str | None) -> Place:
        """Resolve ``comune`` and load its ente gestore, in one session (see :class:`Place`)."""
        with self._session() as session:
            return self._place(session, comune)[1]

    def _place(self, session: Session, comune: str | None) -> tuple[Comune | None, Place]:
        found, match = locate.resolve(session, (comune or "").strip(), self.data_dir)
        if found is None or not found.ente_gestore_id:
            return found, Place(match)
        return found, Place(match, self._ente(session, found.ente_gestore_id, with_comuni=False))

    def _required_comune(self, session: Session, comune: str | None) -> Comune | None:
        """The comune a search is restricted to (None when not given).

        Raises:
            UnknownComune: ``comune`` is given but is not an ASL TO4 comune.
        """
        if comune is None or not comune.strip():
            return None
        found, match = locate.resolve(session, comune.strip(), self.data_dir)
        if found is None:
            raise UnknownComune(comune, match)
        return found

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


def check_filters(category: str | None, target_group: str | None) -> None:
    """Check the category and target group of a search.

    Raises:
        UnknownCategory: ``category`` is not a category id.
        ValueError: unknown ``target_group``.
    """
    if category is not None and category not in CATEGORIES:
        raise UnknownCategory(category)
    if target_group is not None and target_group not in TARGET_GROUPS:
        raise ValueError(f"unknown target group: {target_group!r}")


def page_bounds(page: int, page_size: int) -> tuple[int, int]:
    """``page`` at least 1 and ``page_size`` within 1..MAX_PAGE_SIZE."""
    return max(1, int(page)), min(MAX_PAGE_SIZE, max(1, int(page_size)))
