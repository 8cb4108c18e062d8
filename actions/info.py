"""Documents needed (ISEE/DSU and the last services shown) and open opportunities."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import CatalogAction, catalog, is_low_confidence, resolve_area
from catalog.citizen import WIDE_SCOPES
from catalog.service import OpportunityInfo

#: At most this many services of the last page get their documents listed.
MAX_DOCUMENT_SERVICES = 3
#: At most this many opportunities are shown.
MAX_OPPORTUNITIES = 10


class ActionDocuments(CatalogAction):
    """List the documents of the last services shown, plus ISEE/DSU guidance."""

    def name(self) -> str:
        """Return the action name."""
        return "action_documents"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send one line per recent service with its documents, then the ISEE guidance."""
        ids = [i for i in tracker.get_slot("last_service_ids") or [] if isinstance(i, str)]
        shown = 0
        unverified = False
        for service_id in ids:
            if shown >= MAX_DOCUMENT_SERVICES:
                break
            service = await catalog().get_service(service_id)
            if service is None:
                continue
            name = service.name or service_id
            documents = [str(d) for d in service.documents if d]
            if documents:
                dispatcher.utter_message(
                    response="utter_documents_service", service=name, documents=", ".join(documents)
                )
                unverified = unverified or is_low_confidence(service)
            else:
                dispatcher.utter_message(response="utter_documents_service_unknown", service=name)
            shown += 1
        if not shown:
            dispatcher.utter_message(response="utter_documents_general")
        dispatcher.utter_message(response="utter_documents_isee")
        if unverified:
            dispatcher.utter_message(response="utter_verify_caveat")
        return []


def opportunity_payload(item: OpportunityInfo) -> dict[str, Any]:
    """Return the JSON dict of a catalog opportunity (dates as ISO strings)."""
    return item.to_payload()


def is_current(item: dict[str, Any], today: dt.date) -> bool:
    """Tell whether an opportunity payload is valid today (open dates count as valid)."""
    start, end = item.get("valid_from"), item.get("valid_to")
    if start and str(start)[:10] > today.isoformat():
        return False
    return not (end and str(end)[:10] < today.isoformat())


class ActionOpportunities(CatalogAction):
    """Show the calls, courses and events open today for the citizen's area."""

    def name(self) -> str:
        """Return the action name."""
        return "action_opportunities"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the ``opportunities`` payload (current items only) or say there are none."""
        area = await resolve_area(tracker)
        today = dt.date.today()
        found = await catalog().list_opportunities(
            comune=area.comune, today=today, limit=MAX_OPPORTUNITIES
        )
        shown = [o for o in found if is_current(opportunity_payload(o), today)]
        if not area.comune:  # unknown or out of area: not the local items of some ente
            shown = [o for o in shown if o.scope in WIDE_SCOPES]
        if not shown:
            dispatcher.utter_message(response="utter_opportunities_none")
            return area.slot_events(tracker)
        items = [opportunity_payload(o) for o in shown]
        dispatcher.utter_message(response="utter_opportunities_found")
        dispatcher.utter_message(json_message={"type": "opportunities", "items": items})
        if any(is_low_confidence(o) for o in shown):
            dispatcher.utter_message(response="utter_verify_caveat")
        return area.slot_events(tracker)
