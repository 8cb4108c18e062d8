"""Service search for the need intents, and the next pages of the last search.

``action_search_services`` runs when ``comune_form`` ends after a ``need_*`` intent (and
again when the citizen adds details with ``inform``); ``action_show_more`` serves the
"Altri risultati" button. Both send, in order: a short text, the SPEC §5 ``services``
payload, the caveats for unverified data, and the follow-up buttons.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    Area,
    CatalogAction,
    age_value,
    catalog,
    comune_slot,
    is_low_confidence,
    last_user_event,
    services_message,
)
from actions.parsing import INTENT_CATEGORY, page_count
from catalog.service import CitizenResults, SearchPage

#: Intents that start a service search (violence has its own action).
SEARCH_INTENTS = tuple(i for i in INTENT_CATEGORY if i != "report_violence")


def search_request(tracker: Tracker) -> tuple[str | None, str | None]:
    """Return the category and free text of the citizen's latest need.

    The category comes from the latest ``need_*`` message (the form may have asked the
    comune in between), else from the ``need_category`` slot; the text is that message's
    text (None for button payloads).
    """
    event = last_user_event(tracker, SEARCH_INTENTS)
    slot_category = tracker.get_slot("need_category")
    if event is None:
        return slot_category, None
    intent = event["parse_data"]["intent"]["name"]
    category = INTENT_CATEGORY[intent]
    if slot_category and slot_category != category and _slot_set_after(tracker, event):
        return slot_category, None  # a need taken up after a risk message (actions/safety.py)
    text = event.get("text") or ""
    if text.startswith("/"):
        text = ""
    return category, text or None


def _slot_set_after(tracker: Tracker, event: dict[str, Any]) -> bool:
    """Whether ``need_category`` was set after the user event ``event``."""
    after = False
    for item in tracker.events:
        if item is event:
            after = True
        elif after and item.get("event") == "slot" and item.get("name") == "need_category":
            return True
    return False


async def search_page(
    tracker: Tracker, category: str, text: str | None, page: int
) -> tuple[Area, SearchPage]:
    """Resolve the comune slot and search one page, in one catalog call.

    The catalog's ``find_for_citizen`` relaxes the need's text and the ``target_group`` /
    ``age`` slots until something matches (the same order for every page, so pagination
    stays consistent) and shows only regional and national services without a comune of
    ASL TO4.

    Raises:
        CatalogDown: the catalog is unreachable.
    """
    given = comune_slot(tracker)
    group = tracker.get_slot("target_group")
    found: CitizenResults = await catalog().find_for_citizen(
        category,
        text=text,
        comune=given,
        target_group=group if isinstance(group, str) else None,
        age=age_value(tracker),
        page=page,
    )
    return Area.from_place(found.place, given), found.page


def send_results(
    dispatcher: CollectingDispatcher,
    category: str,
    area: Area,
    result: SearchPage,
    first_page: bool,
) -> list[str]:
    """Send the texts, payload, caveats and buttons of one page; return its service ids."""
    items = result.items
    pages = page_count(result.total, result.page_size)
    if first_page:
        _send_intro(dispatcher, area)
    else:
        dispatcher.utter_message(response="utter_services_page", page=result.page, pages=pages)
    dispatcher.utter_message(
        json_message=services_message(category, area, items, result.page, result.total)
    )
    if first_page and area.low_confidence and area.ente_id:
        dispatcher.utter_message(
            response="utter_comune_area_caveat", comune=area.comune, ente_name=area.ente_name
        )
    if any(is_low_confidence(item) for item in items):
        dispatcher.utter_message(response="utter_verify_caveat")
    more = result.page < pages
    dispatcher.utter_message(response="utter_services_next_more" if more else "utter_services_next")
    return [item.id for item in items]


def _send_intro(dispatcher: CollectingDispatcher, area: Area) -> None:
    """The sentence before the first page: where the services are for."""
    if area.out_of_area:
        dispatcher.utter_message(response="utter_out_of_area_services", comune=area.given)
    elif area.comune and area.ente_id:
        dispatcher.utter_message(
            response="utter_services_found", comune=area.comune, ente_name=area.ente_name
        )
    elif area.comune:
        dispatcher.utter_message(response="utter_services_found_no_ente", comune=area.comune)
    else:
        dispatcher.utter_message(response="utter_services_found_general")


class ActionSearchServices(CatalogAction):
    """Search the services of the latest need for the citizen's comune (first page)."""

    def name(self) -> str:
        """Return the action name."""
        return "action_search_services"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the first page of results and remember the search in slots."""
        category, text = search_request(tracker)
        if not category:
            dispatcher.utter_message(response="utter_ask_need")
            return []
        area, result = await search_page(tracker, category, text, page=1)
        events: list[EventType] = [
            *area.slot_events(tracker),
            SlotSet("need_category", category),
        ]
        if not result.items:
            if area.out_of_area:
                dispatcher.utter_message(response="utter_out_of_area", comune=area.given)
            dispatcher.utter_message(response="utter_services_none")
            return [*events, SlotSet("results_page", 1.0), SlotSet("last_service_ids", [])]
        ids = send_results(dispatcher, category, area, result, first_page=True)
        return [*events, SlotSet("results_page", 1.0), SlotSet("last_service_ids", ids)]


class ActionShowMore(CatalogAction):
    """Show the next page of the last search (same category, comune, text and filters)."""

    def name(self) -> str:
        """Return the action name."""
        return "action_show_more"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the next page, or say there is nothing more."""
        category = tracker.get_slot("need_category")
        if not category:
            dispatcher.utter_message(response="utter_no_previous_search")
            dispatcher.utter_message(response="utter_ask_need")
            return []
        last_category, text = search_request(tracker)
        if last_category != category:
            text = None
        try:
            page = int(float(tracker.get_slot("results_page") or 1)) + 1
        except (TypeError, ValueError):
            page = 2
        area, result = await search_page(tracker, category, text, page=page)
        if not result.items:
            dispatcher.utter_message(response="utter_no_more_results")
            return []
        ids = send_results(dispatcher, category, area, result, first_page=False)
        return [
            *area.slot_events(tracker),
            SlotSet("results_page", float(page)),
            SlotSet("last_service_ids", ids),
        ]
