"""Validation of ``comune_form``: the citizen's comune, by name (typos too) or CAP.

``validate_comune_form`` strips "abito a …" from the answer, rejects sentences
(``catalog.comuni.answers``) and resolves the rest with ``CatalogService.resolve_comune`` (the
comune resolver of ``catalog.comuni``, the NLU's too):
- a comune of ASL TO4 → ``comune`` (official name), ``ente_gestore_id``, ``distretto``;
- a CAP shared by several comuni, or a name with likely typos → the slot stays empty and
  the citizen gets buttons with the candidates (payload ``/inform{"comune": …}``);
- a comune outside ASL TO4 → accepted, without ente gestore: the action that follows
  the form tells the citizen so and shows regional and national resources;
- anything else (a sentence, symbols, an unknown name) → the slot stays empty and the form
  asks again; while the form asks for a handoff, "non lo so" or a second miss ends it without
  a comune (``actions.handoff.handoff_way_out``: the triage queue).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import CatalogDown, catalog
from actions.handoff import handoff_way_out
from catalog.comuni import comune_candidate, looks_like_comune_answer
from catalog.service import ComuneMatch

#: Most candidate buttons offered for a typo or a shared CAP.
MAX_CHOICES = 4


def comune_buttons(names: Sequence[str]) -> list[dict[str, str]]:
    """Return one button per candidate comune (title = official name)."""
    return [
        {
            "title": name,
            "payload": "/inform" + json.dumps({"comune": name}, ensure_ascii=False),
        }
        for name in names[:MAX_CHOICES]
    ]


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if value is None:
        return None
    return str(value).strip() or None


class ValidateComuneForm(FormValidationAction):
    """Validate the ``comune`` slot of ``comune_form``."""

    def name(self) -> str:
        """Return the action name."""
        return "validate_comune_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Validate the answer; while a handoff asks the comune, keep a way out (triage)."""
        first_message = len(dispatcher.messages)
        events = await super().run(dispatcher, tracker, domain)
        return handoff_way_out(events, dispatcher, tracker, first_message)

    async def validate_comune(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        """Resolve the comune; fill ``ente_gestore_id`` and ``distretto`` with it."""
        raw = _first(slot_value)
        given = comune_candidate(raw) if raw else None
        if not given or not looks_like_comune_answer(given):
            dispatcher.utter_message(response="utter_comune_not_understood")
            return {"comune": None}
        try:
            match = await catalog().resolve_comune(given)
        except CatalogDown:
            # The recogniser's names are official: keep the answer, the next action
            # tells the citizen the catalog is unavailable.
            return {"comune": given, "ente_gestore_id": None, "distretto": None}
        return _answer(dispatcher, given, match)


def _answer(dispatcher: CollectingDispatcher, given: str, match: ComuneMatch) -> dict[str, Any]:
    """The slots for a resolved answer, and the message when it names no ASL TO4 comune."""
    info = match.comune
    if info is not None:
        distretto = info.distretto
        return {
            "comune": info.name,
            "ente_gestore_id": info.ente_gestore_id,
            "distretto": str(distretto) if distretto is not None else None,
        }
    if len(match.ambiguous_cap) > MAX_CHOICES:
        dispatcher.utter_message(response="utter_comune_cap_many", cap=given)
        return {"comune": None}
    if match.ambiguous_cap:
        dispatcher.utter_message(
            response="utter_comune_ambiguous_cap",
            cap=given,
            buttons=comune_buttons(match.ambiguous_cap),
        )
        return {"comune": None}
    if match.out_of_area:
        # accepted silently: the action that follows the form says it is outside
        # ASL TO4 and what it can offer instead (regional and national resources)
        name = given[:1].upper() + given[1:]
        return {"comune": name, "ente_gestore_id": None, "distretto": None}
    if match.suggestions:
        dispatcher.utter_message(
            response="utter_comune_suggest",
            comune=given,
            buttons=comune_buttons(match.suggestions),
        )
        return {"comune": None}
    dispatcher.utter_message(response="utter_comune_unknown", comune=given)
    return {"comune": None}
