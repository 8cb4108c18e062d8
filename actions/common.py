"""Shared base and helpers of the actions: the catalog base action, the area, payloads.

The catalog is reached only through :mod:`actions.catalog_client` (``catalog()``: typed async
methods over ``catalog.service.CatalogService``, docs/contracts.md). When the catalog database
cannot be read, :class:`CatalogAction` answers ``utter_catalog_unavailable``.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.catalog_client import PAGE_SIZE, CatalogDown, catalog, set_catalog
from catalog.service import EnteGestoreInfo, Place, ServiceInfo

__all__ = [
    "PAGE_SIZE",
    "Area",
    "CatalogAction",
    "CatalogDown",
    "age_value",
    "catalog",
    "is_low_confidence",
    "last_user_event",
    "latest_entity_values",
    "resolve_area",
    "services_message",
    "set_catalog",
]

log = logging.getLogger(__name__)


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
        ente: the ente gestore of the catalog, when known.
    """

    comune: str | None = None
    ente_id: str | None = None
    ente_name: str | None = None
    distretto: str | None = None
    out_of_area: bool = False
    given: str | None = None
    low_confidence: bool = False
    ente: EnteGestoreInfo | None = field(default=None, repr=False)

    @classmethod
    def from_place(cls, place: Place, given: str | None) -> Area:
        """The area of a comune the catalog resolved (``given``: the slot value)."""
        info = place.comune
        if not given:
            return cls()
        if info is None:
            return cls(given=given, out_of_area=place.match.out_of_area)
        ente_id = info.ente_gestore_id
        return cls(
            comune=info.name,
            ente_id=ente_id,
            ente_name=(place.ente.name if place.ente else ente_id) if ente_id else None,
            distretto=str(info.distretto) if info.distretto is not None else None,
            given=given,
            low_confidence=info.confidence == "low",
            ente=place.ente,
        )

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


class Checked(Protocol):
    """A catalog record with a confidence and a verified flag (services, enti, opportunities)."""

    @property
    def confidence(self) -> str:
        """``high`` | ``medium`` | ``low``."""

    @property
    def verified(self) -> bool:
        """Whether a person checked the record against its source."""


def is_low_confidence(record: Checked) -> bool:
    """Tell whether a catalog record needs the "verifica con il tuo Comune" caveat."""
    return record.confidence == "low" or record.verified is False


def comune_slot(tracker: Tracker) -> str | None:
    """The ``comune`` slot when it holds a name (None otherwise)."""
    given = tracker.get_slot("comune")
    return given if isinstance(given, str) and given else None


async def resolve_area(tracker: Tracker) -> Area:
    """Resolve the ``comune`` slot through the catalog into an :class:`Area`.

    The slot may have been filled without the form's validation (a comune said before
    any request), so every action resolves it again: one catalog call (comune and ente).

    Raises:
        CatalogDown: the catalog is unreachable.
    """
    given = comune_slot(tracker)
    if given is None:
        return Area()
    return Area.from_place(await catalog().locate(given), given)


def services_message(
    category: str | None,
    area: Area,
    services: Iterable[ServiceInfo],
    page: int,
    total: int,
) -> dict[str, Any]:
    """Build the SPEC §5 ``services`` payload (``ServiceInfo.to_payload()`` per service)."""
    return {
        "type": "services",
        "category": category,
        "comune": area.comune,
        "ente_gestore": area.ente_ref(),
        "services": [s.to_payload() for s in services],
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
