"""Deletion of the citizen's data, after the confirmation asked by the dialogue."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


class ActionDataDeletion(Action):
    """Confirm the deletion, send the ``data_deletion`` payload and forget every slot.

    The gateway, which owns the message log, deletes the conversation when it sees the
    payload; the action clears what the dialogue remembers (comune, last search, …).
    """

    def name(self) -> str:
        """Return the action name."""
        return "action_data_deletion"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the confirmation and the payload, then reset all slots."""
        dispatcher.utter_message(response="utter_data_deleted")
        dispatcher.utter_message(json_message={"type": "data_deletion"})
        return [AllSlotsReset()]
