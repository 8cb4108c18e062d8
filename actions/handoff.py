"""Handoff to a human operator of the competent ente gestore.

``action_handoff`` sends the SPEC §5 ``handoff`` payload; the gateway moves the
conversation to the operator console. When the comune is not known the payload carries
``ente_gestore_id: null`` and the citizen is asked to tell the operator the comune: the
handoff is never delayed by a question (documented in docs/actions.md).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import CatalogDown, resolve_area

#: Reasons carried by the handoff payload.
REASON_REQUEST = "citizen_request"
REASON_VIOLENCE = "violence"
REASON_SELF_HARM = "self_harm"
REASON_FALLBACK = "fallback"
#: Reasons of a person at risk: the console puts them first and marks them as urgent.
URGENT_REASONS = (REASON_SELF_HARM, REASON_VIOLENCE)
_RISK_INTENTS = {"report_violence": REASON_VIOLENCE, "report_self_harm": REASON_SELF_HARM}


def handoff_message(ente_gestore_id: str | None, reason: str) -> dict[str, Any]:
    """Build the SPEC §5 ``handoff`` payload (``priority`` ``urgent`` for a risk)."""
    priority = "urgent" if reason in URGENT_REASONS else "normal"
    return {
        "type": "handoff",
        "ente_gestore_id": ente_gestore_id,
        "reason": reason,
        "priority": priority,
    }


def handoff_reason(tracker: Tracker) -> str:
    """Return why the citizen is handed off.

    ``self_harm`` or ``violence`` when a risk was reported in this session (the latest one;
    the operator console shows these first, as urgent), else ``citizen_request``.
    """
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "session_started":
            break
        if kind == "user":
            parse = event.get("parse_data") or {}
            intent = (parse.get("intent") or {}).get("name")
            if intent in _RISK_INTENTS:
                return _RISK_INTENTS[intent]
            risk = parse.get("risk")
            if isinstance(risk, dict) and risk.get("kind") in URGENT_REASONS:
                return str(risk["kind"])
    return REASON_REQUEST


async def ente_for_handoff(tracker: Tracker) -> tuple[str | None, str | None, list[EventType]]:
    """Return the ente gestore id and name for a handoff, and slot updates.

    Falls back to the ``ente_gestore_id`` slot when the catalog cannot be read, so that
    the handoff itself never fails.
    """
    try:
        area = await resolve_area(tracker)
    except CatalogDown:
        return tracker.get_slot("ente_gestore_id"), None, []
    return area.ente_id, area.ente_name, area.slot_events(tracker)


class ActionHandoff(Action):
    """Hand the conversation to an operator (``handoff`` payload with the ente gestore)."""

    def name(self) -> str:
        """Return the action name."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Say an operator will answer, then send the payload for the gateway."""
        ente_id, ente_name, events = await ente_for_handoff(tracker)
        if ente_id and ente_name:
            dispatcher.utter_message(response="utter_handoff", ente_name=ente_name)
        else:
            dispatcher.utter_message(response="utter_handoff_no_ente")
        dispatcher.utter_message(json_message=handoff_message(ente_id, handoff_reason(tracker)))
        return events
