"""Violence reports: emergency numbers first, then local help, then an operator.

The first thing ``action_report_violence`` sends is the SPEC §5 ``emergency`` payload, with
no question and no text before it (``actions.safety.send_emergency``, also when the catalog
cannot be read). The comune is used when known and never asked.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    Area,
    CatalogAction,
    CatalogDown,
    catalog,
    comune_slot,
    is_low_confidence,
    services_message,
)
from actions.safety import VIOLENCE, interruption_events, risk_of, send_emergency

CATEGORY = "violence"


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
            pass  # logged by the catalog client; the numbers and the operator are enough now
        dispatcher.utter_message(response="utter_violence_offer_operator")
        return [*events, *interruption_events(tracker)]

    async def _local_help(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, numbers: set[str]
    ) -> list[EventType]:
        """Send the anti-violence services for the comune (or regional ones).

        The catalog lists them anti-violence first, without the numbers just sent, and only
        regional and national ones without a comune of ASL TO4 (``find_for_citizen``).
        """
        given = comune_slot(tracker)
        found = await catalog().find_for_citizen(CATEGORY, comune=given, exclude_numbers=numbers)
        area = Area.from_place(found.place, given)
        items = found.page.items
        events: list[EventType] = list(area.slot_events(tracker))
        if not items:
            return events
        dispatcher.utter_message(response="utter_violence_local")
        dispatcher.utter_message(
            json_message=services_message(CATEGORY, area, items, 1, len(items))
        )
        if any(is_low_confidence(item) for item in items):
            dispatcher.utter_message(response="utter_verify_caveat")
        return [*events, SlotSet("last_service_ids", [item.id for item in items])]
