"""Candidates of the NLU inbox, read from Rasa's SQL tracker store (table ``events``).

Rasa 3.6 keeps every event of every conversation in ``events`` (``id``, ``sender_id``,
``type_name``, ``timestamp``, ``intent_name``, ``action_name``, ``data``: the event as JSON).
A user event's ``data`` carries ``text``, ``parse_data`` (``intent``, ``intent_ranking``,
``entities``) and ``input_channel``. :meth:`TrackerEvents.read` scans the events after a
cursor (the last ``id`` seen, kept by the inbox) and returns:

* the text messages whose intent is ``nlu_fallback`` or whose confidence is below the
  threshold (button payloads, ``/intent``, are never candidates);
* the message before a "No, altro" (``/out_of_scope`` right after
  ``action_default_ask_affirmation``, the "Intendevi…?" question): ``rejected_suggestion``;
* the last two messages before a bot ``handoff`` payload with reason ``fallback``:
  ``handoff_fallback``.

A message hit by several rules is one candidate with every reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import column, inspect, select, table

from bot.store.tracker_db import TrackerStoreDB

NLU_FALLBACK = "nlu_fallback"
REASON_FALLBACK = "nlu_fallback"
REASON_LOW = "low_confidence"
REASON_REJECTED = "rejected_suggestion"
REASON_HANDOFF = "handoff_fallback"
REASON_FLAG = "operator_flag"
REASONS = (REASON_FALLBACK, REASON_LOW, REASON_REJECTED, REASON_HANDOFF, REASON_FLAG)
ASK_AFFIRMATION = "action_default_ask_affirmation"
DENY_PAYLOAD = "/out_of_scope"
#: How many earlier events a trigger ("No, altro", fallback handoff) looks back at.
LOOK_BACK = 30

_EVENTS = table(
    "events",
    column("id"),
    column("sender_id"),
    column("type_name"),
    column("timestamp"),
    column("intent_name"),
    column("action_name"),
    column("data"),
)


@dataclass
class Candidate:
    """A citizen message for the inbox (``text`` is the original: the repository masks it).

    Attributes:
        event_id: ``events.id`` of the user event.
        sender_id: Rasa's conversation id (``web-…``, ``tg-…``).
        text: what the citizen wrote.
        intent: the intent the NLU predicted (the best one below ``nlu_fallback``).
        confidence: its confidence.
        ranking: up to five ``{"name", "confidence"}`` alternatives.
        channel: input channel.
        comune: the comune the NLU read in the message, if any.
        received_at: time of the message (UTC).
        reasons: why it is in the inbox (``REASONS``).
    """

    event_id: int
    sender_id: str
    text: str
    intent: str | None
    confidence: float | None
    ranking: list[dict[str, Any]]
    channel: str
    comune: str | None
    received_at: datetime
    reasons: list[str] = field(default_factory=list)


def _data(raw: Any) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _candidate(row: Any) -> Candidate | None:
    """The user event ``row`` as a candidate without reasons (None: not a text message)."""
    data = _data(row.data)
    text = str(data.get("text") or "").strip()
    if not text or text.startswith("/"):
        return None
    parse = data.get("parse_data") or {}
    ranking = [
        {"name": str(r.get("name")), "confidence": round(float(r.get("confidence") or 0), 4)}
        for r in parse.get("intent_ranking") or []
        if isinstance(r, dict) and r.get("name") and r.get("name") != NLU_FALLBACK
    ][:5]
    intent = (parse.get("intent") or {}).get("name")
    confidence = (parse.get("intent") or {}).get("confidence")
    if intent == NLU_FALLBACK and ranking:
        intent, confidence = ranking[0]["name"], ranking[0]["confidence"]
    comune = next(
        (
            str(e.get("value"))
            for e in parse.get("entities") or []
            if isinstance(e, dict) and e.get("entity") == "comune" and e.get("value")
        ),
        None,
    )
    metadata = data.get("metadata") or {}
    channel = str(
        metadata.get("channel") or data.get("input_channel") or row.sender_id.split("-", 1)[0]
    )
    return Candidate(
        event_id=int(row.id),
        sender_id=str(row.sender_id),
        text=text,
        intent=str(intent) if intent else None,
        confidence=float(confidence) if confidence is not None else None,
        ranking=ranking,
        channel=channel[:20],
        comune=comune,
        received_at=datetime.fromtimestamp(float(row.timestamp or 0), tz=timezone.utc),
    )


def _is_fallback_handoff(row: Any) -> bool:
    custom = (_data(row.data).get("data") or {}).get("custom")
    return (
        isinstance(custom, dict)
        and custom.get("type") == "handoff"
        and custom.get("reason") == "fallback"
    )


class TrackerEvents(TrackerStoreDB):
    """Reads inbox candidates from Rasa's SQL tracker store.

    Args:
        url: SQLAlchemy URL of the tracker store (``RASA_TRACKER_STORE_URL``); empty: Rasa
            keeps trackers in memory and the inbox gets only the operators' flags.
    """

    def read(self, after: int, threshold: float, limit: int = 5000) -> tuple[list[Candidate], int]:
        """Scan the events after ``after``; return the candidates and the new cursor.

        Args:
            after: last ``events.id`` already scanned.
            threshold: confidence below which a message is unsure.
            limit: most events scanned per call.
        """
        if not self.configured:
            return [], after
        engine = self._get_engine()
        if not inspect(engine).has_table("events"):
            return [], after
        found: dict[int, Candidate] = {}
        cursor = after
        with engine.connect() as conn:
            rows = conn.execute(
                select(_EVENTS).where(_EVENTS.c.id > after).order_by(_EVENTS.c.id).limit(limit)
            ).all()
            for row in rows:
                cursor = max(cursor, int(row.id))
                if row.type_name == "user":
                    self._user_event(conn, row, threshold, found)
                elif row.type_name == "bot" and _is_fallback_handoff(row):
                    for prior in self._previous_messages(conn, row, 2):
                        self._add(found, prior, REASON_HANDOFF)
        return sorted(found.values(), key=lambda c: c.event_id), cursor

    def _user_event(
        self, conn: Any, row: Any, threshold: float, found: dict[int, Candidate]
    ) -> None:
        data = _data(row.data)
        text = str(data.get("text") or "").strip()
        if text == DENY_PAYLOAD:
            earlier = self._earlier(conn, row)
            last_action = next(
                (
                    e.action_name
                    for e in earlier
                    if e.type_name == "action" and e.action_name != "action_listen"
                ),
                None,
            )
            if last_action == ASK_AFFIRMATION:
                for prior in self._previous_messages(conn, row, 1):
                    self._add(found, prior, REASON_REJECTED)
            return
        candidate = _candidate(row)
        if candidate is None:
            return
        intent = ((data.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent == NLU_FALLBACK:
            self._add(found, candidate, REASON_FALLBACK)
        elif candidate.confidence is not None and candidate.confidence < threshold:
            self._add(found, candidate, REASON_LOW)

    @staticmethod
    def _add(found: dict[int, Candidate], candidate: Candidate, reason: str) -> None:
        kept = found.setdefault(candidate.event_id, candidate)
        if reason not in kept.reasons:
            kept.reasons.append(reason)

    @staticmethod
    def _earlier(conn: Any, row: Any) -> list[Any]:
        return list(
            conn.execute(
                select(_EVENTS)
                .where(_EVENTS.c.sender_id == row.sender_id, _EVENTS.c.id < row.id)
                .order_by(_EVENTS.c.id.desc())
                .limit(LOOK_BACK)
            ).all()
        )

    def _previous_messages(self, conn: Any, row: Any, count: int) -> list[Candidate]:
        """The last ``count`` text messages of the sender before ``row`` (newest first)."""
        out: list[Candidate] = []
        for earlier in self._earlier(conn, row):
            if earlier.type_name != "user":
                continue
            candidate = _candidate(earlier)
            if candidate is not None:
                out.append(candidate)
                if len(out) == count:
                    break
        return out

    def original_text(self, event_id: int) -> str | None:
        """The unmasked text of one user event (the audited "reveal"), if still stored."""
        if not self.configured:
            return None
        engine = self._get_engine()
        if not inspect(engine).has_table("events"):
            return None
        with engine.connect() as conn:
            row = conn.execute(select(_EVENTS.c.data).where(_EVENTS.c.id == event_id)).first()
        return str(_data(row.data).get("text") or "") if row is not None else None
