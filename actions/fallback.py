"""The two custom steps of Rasa's two-stage fallback (docs/dialogue.md, "Fallback design").

- ``action_default_ask_affirmation``: "Intendevi …?" with one button per likely intent and
  "No, altro" (``/out_of_scope``, so that Rasa's loop asks to rephrase). Button titles and
  payloads are read from the domain response ``utter_ask_affirmation_buttons``.
- ``action_default_fallback``: apologises and lists what the bot can do; after
  :data:`HANDOFF_AFTER` misunderstandings in a row it hands off to an operator.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import REASON_FALLBACK, ente_for_handoff, handoff_message

#: Misunderstandings in a row before the handoff.
HANDOFF_AFTER = 2
#: Most intents suggested by "Intendevi …?".
MAX_SUGGESTIONS = 3
#: Minimum NLU confidence of an intent worth suggesting.
MIN_SUGGESTION_CONFIDENCE = 0.05
BUTTONS_RESPONSE = "utter_ask_affirmation_buttons"
OTHER_PAYLOAD = "/out_of_scope"
_NOT_SUGGESTED = {"nlu_fallback", "out_of_scope"}
#: Actions that belong to the fallback itself: they do not end a series of misunderstandings.
_FALLBACK_ACTIONS = {
    "action_listen",
    "action_extract_slots",
    "action_session_start",
    "action_two_stage_fallback",
    "action_default_ask_affirmation",
    "action_default_ask_rephrase",
    "action_default_fallback",
}


def domain_buttons(domain: DomainDict) -> dict[str, dict[str, Any]]:
    """Return the buttons of ``utter_ask_affirmation_buttons`` by payload."""
    variants = (domain.get("responses") or {}).get(BUTTONS_RESPONSE) or []
    buttons = (variants[0].get("buttons") if variants else None) or []
    return {b["payload"]: b for b in buttons if isinstance(b, dict) and b.get("payload")}


def suggested_intents(latest_message: dict[str, Any]) -> list[str]:
    """Return the most likely real intents of an unclear message, best first."""
    ranking = latest_message.get("intent_ranking") or []
    names = [
        r.get("name")
        for r in ranking
        if r.get("name") not in _NOT_SUGGESTED
        and float(r.get("confidence") or 0.0) >= MIN_SUGGESTION_CONFIDENCE
    ]
    return [n for n in names if n][:MAX_SUGGESTIONS]


class ActionDefaultAskAffirmation(Action):
    """Ask "Intendevi …?" with the likely intents as buttons, plus "No, altro"."""

    def name(self) -> str:
        """Return the action name."""
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the question; the buttons' payloads are ``/<intent>`` and ``/out_of_scope``."""
        known = domain_buttons(domain)
        buttons = [
            known[f"/{intent}"]
            for intent in suggested_intents(tracker.latest_message or {})
            if f"/{intent}" in known
        ]
        other = known.get(OTHER_PAYLOAD)
        if other is not None:
            buttons.append(other)
        dispatcher.utter_message(response="utter_ask_affirmation", buttons=buttons)
        return []


def misunderstandings_in_a_row(tracker: Tracker) -> int:
    """Return how many misunderstandings in a row there were before this one.

    ``fallback_count`` holds the count at the last fallback; it is stale (0) when any
    other action ran since that fallback set it.
    """
    events = tracker.events
    last_set = None
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") == "slot" and event.get("name") == "fallback_count":
            last_set = index
            break
    if last_set is None:
        return 0
    for event in events[last_set + 1 :]:
        if event.get("event") == "action" and event.get("name") not in _FALLBACK_ACTIONS:
            return 0
    try:
        return int(float(tracker.get_slot("fallback_count") or 0))
    except (TypeError, ValueError):
        return 0


class ActionDefaultFallback(Action):
    """Apologise and list capabilities; hand off after repeated misunderstandings."""

    def name(self) -> str:
        """Return the action name."""
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Answer the misunderstanding; revert the unclear message like Rasa's default."""
        count = misunderstandings_in_a_row(tracker) + 1
        if count < HANDOFF_AFTER:
            dispatcher.utter_message(response="utter_fallback_capabilities")
            return [UserUtteranceReverted(), SlotSet("fallback_count", float(count))]
        ente_id, _name, events = await ente_for_handoff(tracker)
        dispatcher.utter_message(response="utter_handoff_after_fallback")
        dispatcher.utter_message(json_message=handoff_message(ente_id, REASON_FALLBACK))
        return [UserUtteranceReverted(), SlotSet("fallback_count", 0.0), *events]
