"""Handoff to a human operator of the competent ente gestore (docs/dialogue.md, "Handoff").

``action_handoff`` sends the SPEC §5 ``handoff`` payload; the gateway puts the conversation in
the queue of that ente gestore. The comune decides the queue, so the comune question is part of
the dialogue, through the same ``comune_form`` the needs use:

1. a person at risk (violence or self-harm reported in this session): the payload at once, never
   a question first; the ente of the comune when known, else ``null`` (the gateway's triage
   queue, routed by a supervisor);
2. comune known: the payload with its ente gestore (``utter_handoff``); a comune outside ASL
   TO4 gets ``utter_handoff_out_of_area`` and no handoff;
3. comune unknown: the action sends nothing and sets ``handoff_needs_comune`` and
   ``pending_goal: handoff``; a rule runs ``comune_form`` (``utter_ask_comune``, handoff
   wording), and the end of the form runs ``action_handoff`` again;
4. the citizen does not know or will not say it (two answers not understood, "non lo so",
   "no", or asking for a person again): the payload with ``null`` (``utter_handoff_triage``).

:func:`handoff_way_out` is the part of case 4 that ``validate_comune_form`` runs.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Area, CatalogDown, resolve_area
from wecare.text import normalize

#: Reasons carried by the handoff payload.
REASON_REQUEST = "citizen_request"
REASON_VIOLENCE = "violence"
REASON_SELF_HARM = "self_harm"
REASON_FALLBACK = "fallback"
#: Reasons of a person at risk: the console puts them first and marks them as urgent.
URGENT_REASONS = (REASON_SELF_HARM, REASON_VIOLENCE)
_RISK_INTENTS = {"report_violence": REASON_VIOLENCE, "report_self_harm": REASON_SELF_HARM}

#: Set when the action needs the comune: a rule then runs ``comune_form``.
NEEDS_COMUNE_SLOT = "handoff_needs_comune"
#: Answers to the handoff's comune question that were not a comune of ASL TO4.
ATTEMPTS_SLOT = "handoff_comune_attempts"
#: Answers not understood before the request goes to the triage queue.
MAX_COMUNE_ATTEMPTS = 2
GOAL = "handoff"
#: Actions after which ``action_handoff`` follows the comune question (form ended or left).
_FORM_EXITS = ("comune_form", "action_deactivate_loop")
_DOES_NOT_KNOW = re.compile(
    r"\b(?:non (?:lo )?so|non saprei|non (?:me lo )?ricordo|boh+|"
    r"non (?:te lo |lo )?(?:voglio|posso) dire|preferisco non dirlo|nessun comune)\b"
)


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
    area = await _area(tracker)
    if area is None:
        return tracker.get_slot("ente_gestore_id"), None, []
    return area.ente_id, area.ente_name, area.slot_events(tracker)


async def _area(tracker: Tracker) -> Area | None:
    """The citizen's area from the ``comune`` slot; None when the catalog is down."""
    try:
        return await resolve_area(tracker)
    except CatalogDown:
        return None


def does_not_know(text: str) -> bool:
    """Tell whether an answer to "in quale comune abiti?" says "I don't know / won't say"."""
    return bool(_DOES_NOT_KNOW.search(normalize(text)))


def _previous_action(tracker: Tracker) -> str | None:
    for event in reversed(tracker.events):
        if event.get("event") == "action":
            return str(event.get("name"))
    return None


def _slot_before_latest_message(tracker: Tracker, slot: str) -> Any:
    """The value ``slot`` had before the citizen's latest message (mappings come after it)."""
    seen_user = False
    for event in reversed(tracker.events):
        if not seen_user:
            seen_user = event.get("event") == "user"
        elif event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def comune_question_ended(tracker: Tracker) -> bool:
    """Tell whether the handoff's comune question just ended without a comune.

    True right after ``comune_form`` gave up (:func:`handoff_way_out`) or was left ("no",
    "un operatore!") while it was asking the comune for a handoff.
    """
    if _previous_action(tracker) not in _FORM_EXITS:
        return False
    return _slot_before_latest_message(tracker, "pending_goal") == GOAL


def handoff_way_out(
    events: list[EventType],
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    first_message: int,
) -> list[EventType]:
    """End ``comune_form`` of a handoff after too many answers that are not a comune.

    Called by ``validate_comune_form`` with its events. While the form asks the comune for a
    handoff, an answer that leaves the slot empty counts as a miss; "non lo so" or the
    :data:`MAX_COMUNE_ATTEMPTS`-th miss ends the form without a comune (``requested_slot``
    None) and drops the validation's "try again" messages (from ``first_message`` on):
    ``action_handoff`` then hands off to the triage queue.
    """
    if tracker.get_slot("pending_goal") != GOAL:
        return events
    answers = [e for e in events if e.get("event") == "slot" and e.get("name") == "comune"]
    if not answers or answers[-1].get("value"):
        return events
    try:
        attempts = int(float(tracker.get_slot(ATTEMPTS_SLOT) or 0)) + 1
    except (TypeError, ValueError):
        attempts = 1
    extra: list[EventType] = [SlotSet(ATTEMPTS_SLOT, float(attempts))]
    text = str((tracker.latest_message or {}).get("text") or "")
    if attempts >= MAX_COMUNE_ATTEMPTS or does_not_know(text):
        del dispatcher.messages[first_message:]
        extra.append(SlotSet("requested_slot", None))
    return [*events, *extra]


def _finished() -> list[EventType]:
    """Say the handoff is decided (the rules listen next; true would run ``comune_form``)."""
    return [SlotSet(NEEDS_COMUNE_SLOT, False)]


def _ask_comune() -> list[EventType]:
    """Let the dialogue ask the comune (rule: ``handoff_needs_comune`` → ``comune_form``)."""
    return [
        SlotSet("pending_goal", GOAL),
        SlotSet(NEEDS_COMUNE_SLOT, True),
        SlotSet(ATTEMPTS_SLOT, 0.0),
    ]


class ActionHandoff(Action):
    """Hand the conversation to an operator (``handoff`` payload with the ente gestore)."""

    def name(self) -> str:
        """Return the action name."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Hand off, or first let ``comune_form`` ask the comune (see the module docstring)."""
        reason = handoff_reason(tracker)
        area = await _area(tracker)
        if reason in URGENT_REASONS:
            return self._hand_off(dispatcher, tracker, area, reason)
        if area is not None and area.out_of_area:
            dispatcher.utter_message(response="utter_handoff_out_of_area", comune=area.given)
            return _finished()
        if tracker.get_slot("comune"):
            return self._hand_off(dispatcher, tracker, area, reason)
        if comune_question_ended(tracker):
            dispatcher.utter_message(response="utter_handoff_triage")
            dispatcher.utter_message(json_message=handoff_message(None, reason))
            return _finished()
        return _ask_comune()

    @staticmethod
    def _hand_off(
        dispatcher: CollectingDispatcher, tracker: Tracker, area: Area | None, reason: str
    ) -> list[EventType]:
        """Say who will answer and send the payload (``null`` ente: the triage queue)."""
        if area is None:  # catalog down: the ente the conversation learned, if any
            ente_id, ente_name, events = tracker.get_slot("ente_gestore_id"), None, []
        else:
            ente_id, ente_name, events = area.ente_id, area.ente_name, area.slot_events(tracker)
        if ente_id and ente_name:
            dispatcher.utter_message(response="utter_handoff", ente_name=ente_name)
        else:
            dispatcher.utter_message(response="utter_handoff_no_ente")
        dispatcher.utter_message(json_message=handoff_message(ente_id, reason))
        return [*events, *_finished()]
