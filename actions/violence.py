"""Violence reports: emergency numbers first, then local help, then an operator.

The first thing ``action_report_violence`` sends is the SPEC §5 ``emergency`` payload, with
no question and no text before it, even when the catalog cannot be read (the numbers then
come from the domain response ``utter_emergency_numbers_fallback[_minor]``). The comune is
used when known and never asked.
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
    last_user_event,
    latest_entity_values,
    resolve_area,
    services_message,
)
from actions.parsing import minor_involved
from actions.search import WIDE_LIMIT, WIDE_SCOPES

CATEGORY = "violence"


def emergency_message(helplines: list[Any]) -> dict[str, Any]:
    """Build the SPEC §5 ``emergency`` payload from catalog helplines (in their order)."""
    numbers = [
        {"number": str(attr(h, "number")), "label": attr(h, "label", default="")}
        for h in helplines
        if attr(h, "number")
    ]
    return {"type": "emergency", "numbers": numbers}


def is_minor_case(tracker: Tracker) -> bool:
    """Tell whether the violence report involves a child (slots, entities or words)."""
    event = last_user_event(tracker, ["report_violence"])
    text = (event or {}).get("text") or (tracker.latest_message or {}).get("text")
    groups = [tracker.get_slot("target_group"), *latest_entity_values(tracker, "target_group")]
    ages = [tracker.get_slot("age"), *latest_entity_values(tracker, "age")]
    return minor_involved(text, groups, ages)


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
        minor = is_minor_case(tracker)
        events: list[EventType] = [SlotSet("minor_involved", minor)]
        numbers: set[str] = set()
        try:
            helplines = await catalog_call("emergency_numbers", minor_involved=minor)
        except CatalogDown:
            helplines = []
        if helplines:
            payload = emergency_message(list(helplines))
            numbers = {n["number"] for n in payload["numbers"]}
            dispatcher.utter_message(json_message=payload)
        else:
            fallback = "utter_emergency_numbers_fallback" + ("_minor" if minor else "")
            dispatcher.utter_message(response=fallback)
            numbers = {"1522", "112", "114"}
        dispatcher.utter_message(response="utter_violence_support")
        try:
            events += await self._local_help(dispatcher, tracker, numbers)
        except CatalogDown:
            pass  # logged by catalog_call; the numbers and the operator are enough now
        dispatcher.utter_message(response="utter_violence_offer_operator")
        return events

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
