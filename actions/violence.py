"""Violence reports: emergency numbers first, then local help, then an operator.

The first thing ``action_report_violence`` sends is the SPEC §5 ``emergency`` payload, with
no question and no text before it (``actions.safety.send_emergency``, also when the catalog
cannot be read). The comune is used when known and never asked.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    PAGE_SIZE,
    Area,
    CatalogAction,
    CatalogDown,
    attr,
    catalog_call,
    is_low_confidence,
    resolve_area,
    services_message,
)
from actions.safety import VIOLENCE, interruption_events, risk_of, send_emergency
from actions.search import WIDE_LIMIT, WIDE_SCOPES

CATEGORY = "violence"


def _is_helpline(service: Any, numbers: set[str]) -> bool:
    """Tell whether a search result is one of the emergency numbers already sent."""
    helpline = attr(service, "helpline")
    return helpline is not None and attr(helpline, "number") in numbers


class ActionReportViolence(CatalogAction):
    """Answer a violence report: emergency payload, support, local services, operator."""

    def name(self) -> str:
        """Return the action name."""
        return "action_report_violence"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the emergency numbers first, then the rest; never ask before them."""
        risk = risk_of(tracker)
        events: list[EventType] = [SlotSet("minor_involved", risk["minor"])]
        order = [VIOLENCE] + [k for k in risk["kinds"] if k != VIOLENCE]
        numbers = await send_emergency(dispatcher, {**risk, "kind": VIOLENCE}, order)
        dispatcher.utter_message(response="utter_violence_support")
        try:
            events += await self._local_help(dispatcher, tracker, numbers)
        except CatalogDown:
            pass  # logged by catalog_call; the numbers and the operator are enough now
        dispatcher.utter_message(response="utter_violence_offer_operator")
        return [*events, *interruption_events(tracker)]

    async def _local_help(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, numbers: set[str]
    ) -> list[EventType]:
        """Send the anti-violence services for the comune (or regional ones)."""
        area: Area = await resolve_area(tracker)
        result = await catalog_call(
            "search_services", category=CATEGORY, comune=area.comune, page_size=WIDE_LIMIT
        )
        items = [s for s in attr(result, "items", default=[]) if not _is_helpline(s, numbers)]
        if not area.comune:
            items = [s for s in items if attr(s, "scope") in WIDE_SCOPES]
        # anti-violence services first (stable: the area order stays within each group)
        items.sort(key=lambda s: attr(s, "category") != CATEGORY)
        items = items[:PAGE_SIZE]
        events: list[EventType] = list(area.slot_events(tracker))
        if not items:
            return events
        dispatcher.utter_message(response="utter_violence_local")
        dispatcher.utter_message(
            json_message=services_message(CATEGORY, area, items, 1, len(items))
        )
        if any(is_low_confidence(item) for item in items):
            dispatcher.utter_message(response="utter_verify_caveat")
        ids = [str(attr(item, "id")) for item in items]
        return [*events, SlotSet("last_service_ids", ids)]
