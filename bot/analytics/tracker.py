"""What Rasa understood of a citizen's last message, read from Rasa's SQL tracker store.

Rasa's REST channel answers only the bot's messages; the intent of the message is in the
tracker store (table ``events``, one row per event: ``sender_id``, ``type_name``,
``intent_name``, ``data`` JSON), written before the webhook answers. Only the intent name,
its confidence and the runner-up of a fallback are read out; the message text in ``data``
is never kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import column, inspect, select, table

from bot.analytics.vocab import FALLBACK_INTENT
from bot.store.tracker_db import TrackerStoreDB

_EVENTS = table(
    "events", column("id"), column("sender_id"), column("type_name"), column("intent_name"),
    column("data"),
)  # fmt: skip


@dataclass(frozen=True)
class Understood:
    """The NLU result of one message.

    Attributes:
        intent: predicted intent (``nlu_fallback`` when none was confident enough).
        confidence: its confidence, if recorded.
        misunderstood: with a fallback, the best real intent of the ranking (what the
            assistant could not confirm); else None.
    """

    intent: str | None
    confidence: float | None = None
    misunderstood: str | None = None

    @property
    def fallback(self) -> bool:
        """True when the assistant did not understand the message."""
        return self.intent == FALLBACK_INTENT


def understood_from_event(intent_name: str | None, data: Any) -> Understood:
    """The :class:`Understood` of one ``user`` event row (``data``: JSON text or dict)."""
    try:
        event = json.loads(data) if isinstance(data, str | bytes) else dict(data or {})
    except (TypeError, ValueError):
        event = {}
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    name = intent_name or intent.get("name")
    confidence = intent.get("confidence")
    runner_up = None
    if name == FALLBACK_INTENT:
        ranking = parse.get("intent_ranking") or []
        runner_up = next(
            (r.get("name") for r in ranking if r.get("name") not in (None, FALLBACK_INTENT)), None
        )
    return Understood(
        name, float(confidence) if isinstance(confidence, int | float) else None, runner_up
    )


class TrackerReader(TrackerStoreDB):
    """Reads the last ``user`` event of a sender from Rasa's SQL tracker store.

    Args:
        url: SQLAlchemy URL of the tracker store (``RASA_TRACKER_STORE_URL``); empty: Rasa
            keeps trackers elsewhere and intents are not recorded.
    """

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._has_table = False

    def last_user_turn(self, sender_id: str) -> Understood | None:
        """The NLU result of ``sender_id``'s last message (None: unknown / no store)."""
        if not self.configured:
            return None
        engine = self._get_engine()
        if not self._has_table:
            if not inspect(engine).has_table("events"):
                return None
            self._has_table = True
        query = (
            select(_EVENTS.c.intent_name, _EVENTS.c.data)
            .where(_EVENTS.c.sender_id == sender_id, _EVENTS.c.type_name == "user")
            .order_by(_EVENTS.c.id.desc())
            .limit(1)
        )
        with engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else understood_from_event(row[0], row[1])
