"""What a citizen is shown for a need: the search relaxation and the scope policy, in one place.

:meth:`catalog.service.CatalogService.find_for_citizen` resolves the comune once and runs
:func:`citizen_page` over it:

* **relaxation** — the full-text search is a filter, so the queries are tried in order
  (text + target group/age) → (target group/age) → (nothing) and the first that matches
  anything is kept; the same order runs for every page, so "Altri risultati" continues the
  same list;
* **scope** — without a comune of ASL TO4 (none given, unknown, or outside the area) only
  regional and national services are shown: the local services of some other ente gestore
  would mislead;
* **emergency lines** — numbers already given to the citizen (``exclude_numbers``: the
  emergency payload) are not repeated as services, and for :data:`PRIMARY_FIRST` categories
  the services whose primary category it is come first (the anti-violence centres before the
  services that also cover violence).

Those last two need the whole list, so they read one window of :data:`WINDOW` results and
page through it, as does the wide-area scope (the search has no scope filter).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from catalog.info import ComuneInfo, ComuneMatch, EnteGestoreInfo, SearchPage, ServiceInfo

#: Scopes shown when the comune is unknown or outside ASL TO4.
WIDE_SCOPES = ("regional", "national")
#: Results read when the list must be filtered or re-ordered (the catalog's largest page).
WINDOW = 50
#: Categories whose own services come before the ones that only also cover them.
PRIMARY_FIRST = ("violence",)


@dataclass(frozen=True)
class Place:
    """Where the citizen lives, as the catalog understood it.

    Attributes:
        match: the resolution of the comune given (empty when none was given).
        ente: the ente gestore of the comune (offices and contacts, no comuni list), or None.
    """

    match: ComuneMatch
    ente: EnteGestoreInfo | None = None

    @property
    def comune(self) -> ComuneInfo | None:
        """The ASL TO4 comune, when one was named."""
        return self.match.comune


@dataclass(frozen=True)
class Attempt:
    """One query of the relaxation: free text and filters."""

    text: str | None = None
    target_group: str | None = None
    age: int | None = None


@dataclass(frozen=True)
class CitizenResults:
    """The comune as resolved and one page of what the citizen is shown."""

    place: Place
    page: SearchPage


#: ``run(attempt, offset, limit) -> (services, total)``: one search on the resolved comune.
Search = Callable[[Attempt, int, int], tuple[list[ServiceInfo], int]]


def relaxation(text: str | None, target_group: str | None, age: int | None) -> list[Attempt]:
    """The queries to try in order: text and filters, then the filters, then nothing."""
    attempts = [Attempt(text, target_group, age)] if text else []
    attempts.append(Attempt(None, target_group, age))
    if target_group is not None or age is not None:
        attempts.append(Attempt())
    return attempts


def citizen_page(
    run: Search,
    attempts: list[Attempt],
    category: str,
    in_area: bool,
    page: int,
    page_size: int,
    exclude_numbers: Collection[str] = (),
) -> tuple[list[ServiceInfo], int]:
    """One page of services and the total, under the policy of the module docstring.

    Args:
        run: the search on the resolved comune (None outside the area).
        attempts: the relaxation, see :func:`relaxation`.
        category: the need's category.
        in_area: a comune of ASL TO4 is known.
        page: 1-based page.
        page_size: services per page.
        exclude_numbers: helpline numbers already given, not to repeat as services.
    """
    offset = (page - 1) * page_size
    if in_area and not exclude_numbers and category not in PRIMARY_FIRST:
        items: list[ServiceInfo] = []
        total = 0
        for attempt in attempts:
            items, total = run(attempt, offset, page_size)
            if total:
                break
        return items, total
    kept: list[ServiceInfo] = []
    for attempt in attempts:
        found, _ = run(attempt, 0, WINDOW)
        kept = [s for s in found if _shown(s, in_area, exclude_numbers)]
        if kept:
            break
    if category in PRIMARY_FIRST:  # stable: the area order stays within each group
        kept.sort(key=lambda s: s.category != category)
    return kept[offset : offset + page_size], len(kept)


def _shown(service: ServiceInfo, in_area: bool, exclude_numbers: Collection[str]) -> bool:
    if service.helpline is not None and service.helpline.number in exclude_numbers:
        return False
    return in_area or service.scope in WIDE_SCOPES
