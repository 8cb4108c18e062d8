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
    PAGE_SIZE,
    Area,
    CatalogAction,
    age_value,
    attr,
    catalog_call,
    is_low_confidence,
    last_user_event,
    resolve_area,
    services_message,
)
from actions.parsing import INTENT_CATEGORY, page_count
from catalog.service import UnknownComune

#: Intents that start a service search (violence has its own action).
SEARCH_INTENTS = tuple(i for i in INTENT_CATEGORY if i != "report_violence")
#: Scopes shown when the comune is unknown or outside ASL TO4.
WIDE_SCOPES = ("regional", "national")
#: Results read to pick the regional and national ones (the catalog's largest page).
WIDE_LIMIT = 50


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
    text = event.get("text") or ""
    if text.startswith("/"):
        text = ""
    return category, text or None


def _attempts(tracker: Tracker, text: str | None, use_filters: bool) -> list[dict[str, Any]]:
    """The queries to try in order: text and filters, then fewer constraints."""
    filters = (
        {"target_group": tracker.get_slot("target_group"), "age": age_value(tracker)}
        if use_filters
        else {}
    )
    attempts: list[dict[str, Any]] = []
    if text:
        attempts.append({"text": text, **filters})
    attempts.append(dict(filters))
    if any(v is not None for v in filters.values()):
        attempts.append({})
    return attempts


async def search_page(
    tracker: Tracker,
    area: Area,
    category: str,
    text: str | None,
    page: int,
    use_filters: bool = True,
) -> Any:
    """Search the catalog for one page of results.

    The first query uses the need's free text and (``use_filters``) the ``target_group``
    and ``age`` slots; when it matches nothing at all, the text and then the filters are
    dropped, so that the citizen always gets the services of the category. The same
    sequence runs for every page, so pagination stays consistent.

    Without a comune of ASL TO4 only regional and national services apply (the local
    services of some ente gestore would mislead): see :func:`wide_area_page`.

    Raises:
        CatalogDown: the catalog is unreachable.
    """
    attempts = _attempts(tracker, text, use_filters)
    if not area.comune:
        return await wide_area_page(category, attempts, page)
    base = {"category": category, "comune": area.comune, "page": page, "page_size": PAGE_SIZE}
    result: Any = None
    for extra in attempts:
        try:
            result = await catalog_call("search_services", **base, **extra)
        except UnknownComune:  # resolve_area passes only resolved names; be safe anyway
            return await wide_area_page(category, attempts, page)
        if attr(result, "total", default=0):
            return result
    return result


async def wide_area_page(
    category: str, attempts: list[dict[str, Any]], page: int
) -> dict[str, Any]:
    """One page of the regional and national services of a category (no comune known).

    The catalog has no area filter, so the action reads up to :data:`WIDE_LIMIT` results
    and keeps the regional and national ones.
    """
    wide: list[Any] = []
    for extra in attempts:
        found = await catalog_call(
            "search_services", category=category, page=1, page_size=WIDE_LIMIT, **extra
        )
        wide = [s for s in attr(found, "items", default=[]) if attr(s, "scope") in WIDE_SCOPES]
        if wide:
            break
    start = (page - 1) * PAGE_SIZE
    return {
        "items": wide[start : start + PAGE_SIZE],
        "page": page,
        "page_size": PAGE_SIZE,
        "total": len(wide),
    }


def send_results(
    dispatcher: CollectingDispatcher,
    category: str,
    area: Area,
    result: Any,
    first_page: bool,
) -> list[str]:
    """Send the texts, payload, caveats and buttons of one page; return its service ids."""
    items = list(attr(result, "items", default=[]))
    page = int(attr(result, "page", default=1))
    total = int(attr(result, "total", default=len(items)))
    pages = page_count(total, int(attr(result, "page_size", default=PAGE_SIZE)))
    if first_page:
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
    else:
        dispatcher.utter_message(response="utter_services_page", page=page, pages=pages)
    dispatcher.utter_message(json_message=services_message(category, area, items, page, total))
    if first_page and area.low_confidence and area.ente_id:
        dispatcher.utter_message(
            response="utter_comune_area_caveat", comune=area.comune, ente_name=area.ente_name
        )
    if any(is_low_confidence(item) for item in items):
        dispatcher.utter_message(response="utter_verify_caveat")
    more = page < pages
    dispatcher.utter_message(response="utter_services_next_more" if more else "utter_services_next")
    return [str(attr(item, "id")) for item in items]


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
        area = await resolve_area(tracker)
        result = await search_page(tracker, area, category, text, page=1)
        events: list[EventType] = [
            *area.slot_events(tracker),
            SlotSet("need_category", category),
        ]
        if not attr(result, "items", default=[]):
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
        area = await resolve_area(tracker)
        result = await search_page(tracker, area, category, text, page=page)
        if not attr(result, "items", default=[]):
            dispatcher.utter_message(response="utter_no_more_results")
            return []
        ids = send_results(dispatcher, category, area, result, first_page=False)
        return [
            *area.slot_events(tracker),
            SlotSet("results_page", float(page)),
            SlotSet("last_service_ids", ids),
        ]
