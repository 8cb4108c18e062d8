"""Shared base and helpers of the actions: catalog access, comune resolution, payloads.

The catalog is reached only through ``catalog.service.CatalogService`` (docs/contracts.md),
whose calls are blocking (SQLAlchemy): :func:`catalog_call` runs them in a worker thread so
that the action server's event loop is never blocked. When the catalog database cannot be
read, :class:`CatalogAction` answers ``utter_catalog_unavailable`` and logs the error.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import OperationalError

from catalog.service import CatalogService, CatalogUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Results per page of a service search.
PAGE_SIZE = 5

_catalog: Any = None


class CatalogDown(Exception):
    """The catalog database could not be read (wraps the original error)."""


def set_catalog(service: Any) -> None:
    """Use ``service`` as the catalog of every action (tests); None goes back to the default."""
    global _catalog
    _catalog = service


def get_catalog() -> CatalogService:
    """Return the process-wide ``CatalogService``, created from the settings on first use."""
    global _catalog
    if _catalog is None:
        _catalog = CatalogService.from_settings()
    return _catalog


#: Errors that mean "the catalog database cannot be read".
CATALOG_DOWN_ERRORS: tuple[type[BaseException], ...] = (CatalogUnavailable, OperationalError)


async def catalog_call(method: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``CatalogService.<method>(*args, **kwargs)`` in a worker thread.

    Raises:
        CatalogDown: the catalog database is unreachable or broken. The cause is logged
            at ERROR without the arguments (they may hold the citizen's words).
    """
    try:
        # get_catalog only builds an engine once (no connection): no thread hop needed.
        function: Callable[..., Any] = getattr(get_catalog(), method)
        return await asyncio.to_thread(function, *args, **kwargs)
    except CATALOG_DOWN_ERRORS as exc:
        cause = getattr(exc, "orig", None) or exc
        log.error("catalog unavailable in %s: %s: %s", method, type(exc).__name__, cause)
        raise CatalogDown(method) from exc


class CatalogAction(Action, ABC):
    """Base of the actions that read the catalog (abstract: rasa-sdk does not register it).

    Subclasses implement :meth:`act`; a :class:`CatalogDown` raised there becomes the
    polite ``utter_catalog_unavailable`` answer (messages already sent stay sent).
    """

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Run :meth:`act`, turning an unreachable catalog into a polite answer."""
        try:
            return await self.act(dispatcher, tracker, domain)
        except CatalogDown:
            dispatcher.utter_message(response="utter_catalog_unavailable")
            return []
        except Exception:  # noqa: BLE001 - never leave the citizen without an answer
            log.exception("action %s failed", self.name())
            dispatcher.utter_message(response="utter_catalog_unavailable")
            return []

    @abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Do the work of the action (see :meth:`rasa_sdk.Action.run`)."""


@dataclass
class Area:
    """Where the citizen lives, as far as the conversation tells.

    Attributes:
        comune: official name of a comune of ASL TO4, or None.
        ente_id: id of its ente gestore, or None (unknown comune, Rivodora, out of area).
        ente_name: name of the ente gestore.
        distretto: distretto della coesione sociale ("21".."24"), or None.
        out_of_area: the citizen named a comune outside ASL TO4 (``given`` holds it).
        given: the comune as the conversation holds it (slot value).
        low_confidence: the comune → ente gestore link is not confirmed.
        ente: the ``EnteGestoreInfo`` of the catalog, when known.
    """

    comune: str | None = None
    ente_id: str | None = None
    ente_name: str | None = None
    distretto: str | None = None
    out_of_area: bool = False
    given: str | None = None
    low_confidence: bool = False
    ente: Any = field(default=None, repr=False)

    def ente_ref(self) -> dict[str, str] | None:
        """Return the ``{"id", "name"}`` of the ente gestore for payloads, or None."""
        if not self.ente_id:
            return None
        return {"id": self.ente_id, "name": self.ente_name or self.ente_id}

    def slot_events(self, tracker: Tracker) -> list[EventType]:
        """Return SlotSet events for ``ente_gestore_id``/``distretto`` that changed."""
        events: list[EventType] = []
        for slot, value in (("ente_gestore_id", self.ente_id), ("distretto", self.distretto)):
            if tracker.get_slot(slot) != value:
                events.append(SlotSet(slot, value))
        return events


def attr(obj: Any, *names: str, default: Any = None) -> Any:
    """Return the first present, non-None attribute (or mapping key) of ``obj``."""
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return default


def is_low_confidence(obj: Any) -> bool:
    """Tell whether a catalog record needs the "verifica con il tuo Comune" caveat."""
    if attr(obj, "confidence") == "low":
        return True
    return attr(obj, "verified") is False


async def resolve_area(tracker: Tracker) -> Area:
    """Resolve the ``comune`` slot through the catalog into an :class:`Area`.

    The slot may have been filled without the form's validation (a comune said before
    any request), so every action resolves it again; the catalog call is cheap.

    Raises:
        CatalogDown: the catalog is unreachable.
    """
    given = tracker.get_slot("comune")
    if not given or not isinstance(given, str):
        return Area()
    match = await catalog_call("resolve_comune", given)
    info = attr(match, "comune")
    if info is None:
        return Area(given=given, out_of_area=bool(attr(match, "out_of_area", default=False)))
    ente_id = attr(info, "ente_gestore_id")
    area = Area(
        comune=attr(info, "name"),
        ente_id=ente_id,
        distretto=_distretto(attr(info, "distretto")),
        given=given,
        low_confidence=attr(info, "confidence") == "low",
    )
    if ente_id:
        area.ente = await catalog_call("get_ente_gestore", ente_id)
        area.ente_name = attr(area.ente, "name", default=ente_id)
    return area


def _distretto(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def service_payload(service: Any) -> dict[str, Any]:
    """Return the SPEC §5 dict of a catalog service (``ServiceInfo.to_payload()``)."""
    return dict(service.to_payload())


def services_message(
    category: str | None,
    area: Area,
    services: Iterable[Any],
    page: int,
    total: int,
) -> dict[str, Any]:
    """Build the SPEC §5 ``services`` payload."""
    return {
        "type": "services",
        "category": category,
        "comune": area.comune,
        "ente_gestore": area.ente_ref(),
        "services": [service_payload(s) for s in services],
        "page": page,
        "total": total,
    }


def latest_entity_values(tracker: Tracker, entity: str) -> list[Any]:
    """Return the values of ``entity`` in the latest message."""
    entities = (tracker.latest_message or {}).get("entities") or []
    return [e.get("value") for e in entities if e.get("entity") == entity]


def last_user_event(tracker: Tracker, intents: Iterable[str]) -> dict[str, Any] | None:
    """Return the latest ``user`` event whose intent is one of ``intents``, or None."""
    wanted = set(intents)
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent in wanted:
            return event
    return None


def age_value(tracker: Tracker) -> int | None:
    """Return the ``age`` slot as an int (None when unknown or out of range)."""
    value = tracker.get_slot("age")
    try:
        age = int(float(value))
    except (TypeError, ValueError):
        return None
    return age if 0 <= age <= 120 else None
