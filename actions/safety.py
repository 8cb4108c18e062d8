"""The safety net in the dialogue: emergency numbers first, then words, then a person.

Shared by ``action_report_violence`` (actions/violence.py) and ``action_report_self_harm``
(below). The first message either action sends is the SPEC §5 ``emergency`` payload, with no
question and no text before it, even when the catalog cannot be read (the numbers then come
from the domain responses ``utter_emergency_numbers_fallback*``). The risk comes from the NLU
(``risk`` in the parse data, set by ``nlu.components.risk_detector``) or, for a button, from
the intent alone.

A risk message that arrives while ``comune_form`` is asking the comune interrupts it: the goal
it served (search, office, appointment) is kept in ``interrupted_goal``; if the citizen then
declines the operator, ``action_offer_resume`` offers to go back to it and
``action_resume_goal`` restores it (the rules run the form again). A risk message that also
asks for a service ("mio marito mi picchia, mi serve una casa": the classifier's own intent,
``risk.original_intent``, is a need) keeps that need as ``interrupted_goal`` ``need:<category>``
and the same offer searches it, so a citizen (or a false alarm) does not have to ask again.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import CatalogAction, CatalogDown, catalog, latest_entity_values
from actions.parsing import INTENT_CATEGORY, minor_involved
from catalog.service import Helpline

VIOLENCE = "violence"
SELF_HARM = "self_harm"
#: Intent -> kind of risk, when the message carries no ``risk`` assessment (buttons).
INTENT_KIND = {"report_violence": VIOLENCE, "report_self_harm": SELF_HARM}
#: Goals of comune_form that can be taken up again after an interruption.
RESUMABLE_GOALS = ("search", "office", "appointment")
FORM = "comune_form"
#: ``interrupted_goal`` of a need asked for in the risk message itself (``need:<category>``).
NEED_PREFIX = "need:"
#: Least confidence of the classifier's own need intent for it to be offered again.
MIN_NEED_CONFIDENCE = 0.5
#: How the offer names each category (the titles of the "Intendevi…?" buttons).
NEED_LABELS = {
    "economic_support": "spese e bollette",
    "housing": "casa e affitto",
    "employment": "lavoro",
    "family_minors": "famiglia e figli",
    "elderly_care": "anziani",
    "disability": "disabilità",
    "health": "salute e dipendenze",
    "social_inclusion": "stranieri e inclusione",
}


def risk_of(tracker: Tracker) -> dict[str, Any]:
    """The risk of the latest message: ``{"kinds": [...], "kind", "minor", "groups"}``."""
    latest = tracker.latest_message or {}
    found = latest.get("risk")
    intent = (latest.get("intent") or {}).get("name")
    kinds = list(found.get("kinds") or []) if isinstance(found, dict) else []
    if not kinds and intent in INTENT_KIND:
        kinds = [INTENT_KIND[intent]]
    groups = [tracker.get_slot("target_group"), *latest_entity_values(tracker, "target_group")]
    ages = [tracker.get_slot("age"), *latest_entity_values(tracker, "age")]
    minor = bool(isinstance(found, dict) and found.get("minor")) or minor_involved(
        latest.get("text"), groups, ages
    )
    kind = SELF_HARM if SELF_HARM in kinds else (kinds[0] if kinds else VIOLENCE)
    groups_found = list(found.get("groups") or []) if isinstance(found, dict) else []
    return {"kinds": kinds or [kind], "kind": kind, "minor": minor, "groups": groups_found}


def emergency_message(helplines: list[Helpline], kind: str) -> dict[str, Any]:
    """Build the SPEC §5 ``emergency`` payload from catalog helplines (in their order).

    Each number carries ``to_verify`` (True: unconfirmed source, shown with a caveat); the
    payload's ``kind`` (``violence``/``self_harm``) lets channels word the banner.
    """
    numbers = [
        {"number": h.number, "label": h.label, "to_verify": h.needs_caveat}
        for h in helplines
        if h.number
    ]
    return {"type": "emergency", "kind": kind, "numbers": numbers}


async def send_emergency(
    dispatcher: CollectingDispatcher, risk: dict[str, Any], kinds_order: list[str]
) -> set[str]:
    """Send the emergency payload FIRST; return the numbers sent.

    When the catalog cannot be read the domain's fallback payload is sent instead, so the
    numbers always reach the citizen.
    """
    minor = bool(risk["minor"])
    try:
        lines = await catalog().emergency_numbers(minor_involved=minor, kinds=kinds_order)
    except CatalogDown:
        lines = []
    if lines:
        payload = emergency_message(lines, risk["kind"])
        dispatcher.utter_message(json_message=payload)
        if any(n["to_verify"] for n in payload["numbers"]):
            dispatcher.utter_message(response="utter_emergency_to_verify")
        return {n["number"] for n in payload["numbers"]}
    suffix = "_self_harm" if risk["kind"] == SELF_HARM else ""
    dispatcher.utter_message(
        response="utter_emergency_numbers_fallback" + suffix + ("_minor" if minor else "")
    )
    return {"112", "1522", "114"}


def interrupted_goal(tracker: Tracker) -> str | None:
    """The goal of the comune form that was asking when the latest message arrived."""
    events = tracker.events
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    loop: str | None = None
    goal: str | None = None
    for event in events[:last_user]:
        kind = event.get("event")
        if kind == "active_loop":
            loop = event.get("name")
        elif kind == "slot" and event.get("name") == "pending_goal":
            goal = event.get("value")
    return goal if loop == FORM and goal in RESUMABLE_GOALS else None


def risk_need(tracker: Tracker) -> str | None:
    """The category the risk message also asked for (its classifier intent), or None."""
    found = (tracker.latest_message or {}).get("risk")
    original = found.get("original_intent") if isinstance(found, dict) else None
    if not isinstance(original, dict):
        return None
    category = INTENT_CATEGORY.get(str(original.get("name")))
    try:
        confident = float(original.get("confidence") or 0.0) >= MIN_NEED_CONFIDENCE
    except (TypeError, ValueError):
        confident = False
    return category if category in NEED_LABELS and confident else None


def resumable(goal: object) -> bool:
    """A goal ``action_offer_resume`` can offer: a form goal or ``need:<category>``."""
    if not isinstance(goal, str):
        return False
    return goal in RESUMABLE_GOALS or goal.removeprefix(NEED_PREFIX) in NEED_LABELS


def interruption_events(tracker: Tracker) -> list[EventType]:
    """``interrupted_goal``: the form the risk message interrupted, else the need it asked."""
    goal = interrupted_goal(tracker)
    if goal is None and (need := risk_need(tracker)) is not None:
        goal = NEED_PREFIX + need
    return [SlotSet("interrupted_goal", goal), SlotSet("resume_offered", False)] if goal else []


class ActionReportSelfHarm(CatalogAction):
    """Answer a self-harm risk: 112 and the listening lines, kind words, a person."""

    def name(self) -> str:
        """Return the action name."""
        return "action_report_self_harm"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Numbers first (with violence lines too when both risks show), then the rest."""
        risk = risk_of(tracker)
        order = [SELF_HARM] + [k for k in risk["kinds"] if k != SELF_HARM]
        await send_emergency(dispatcher, risk, order)
        dispatcher.utter_message(response="utter_self_harm_support")
        dispatcher.utter_message(response="utter_self_harm_offer_operator")
        return [SlotSet("minor_involved", risk["minor"]), *interruption_events(tracker)]


class ActionOfferResume(Action):
    """After the emergency answer, offer to take up the request the risk interrupted."""

    def name(self) -> str:
        """Return the action name."""
        return "action_offer_resume"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask "riprendiamo?" only when a request was interrupted (or asked with the risk)."""
        goal = tracker.get_slot("interrupted_goal")
        if not resumable(goal):
            return []
        if goal.startswith(NEED_PREFIX):
            label = NEED_LABELS[goal.removeprefix(NEED_PREFIX)]
            dispatcher.utter_message(response="utter_offer_resume_need", need_label=label)
        else:
            dispatcher.utter_message(response="utter_offer_resume")
        return [SlotSet("resume_offered", True)]


class ActionResumeGoal(Action):
    """Answer to "riprendiamo?": restore the interrupted goal (yes) or drop it (no)."""

    def name(self) -> str:
        """Return the action name."""
        return "action_resume_goal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """On ``affirm`` set ``pending_goal`` back (the rules then run comune_form).

        A ``need:<category>`` goal becomes a search of that category (``need_category``,
        which ``actions.search.search_request`` prefers when it was set after the latest need
        message).
        """
        goal = tracker.get_slot("interrupted_goal")
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        events: list[EventType] = [
            SlotSet("interrupted_goal", None),
            SlotSet("resume_offered", False),
        ]
        if intent == "affirm" and resumable(goal):
            dispatcher.utter_message(response="utter_resume_goal")
            if goal.startswith(NEED_PREFIX):
                need = goal.removeprefix(NEED_PREFIX)
                return [*events, SlotSet("need_category", need), SlotSet("pending_goal", "search")]
            return [*events, SlotSet("pending_goal", goal)]
        dispatcher.utter_message(response="utter_anytime")
        return events
