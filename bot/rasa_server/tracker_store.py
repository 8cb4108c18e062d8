"""Rasa's SQL tracker store without re-reading the whole conversation on every message.

Rasa 3.6's ``SQLTrackerStore`` loads every event of the conversation's session from the
database, decodes it and replays it into a new tracker for each message, then counts the stored
events again to know which ones to insert: 8 ms of the 42 ms of CPU of one of our replies
(docs/benchmarks.md, "Where a reply's CPU goes"), and growing with the conversation.

:class:`CachedSQLTrackerStore` keeps the trackers it loaded or saved in a bounded LRU and, for
each, the id of the last event in the database and how many events of the tracker are stored.

* ``retrieve`` asks the database one indexed question, the conversation's last event id; when it
  equals the cached one and the cached tracker holds no unsaved event, the cached tracker is
  returned, otherwise the conversation is loaded as Rasa does. So a change made elsewhere (another
  Rasa instance after a fail-over, the data-deletion path deleting the events, a message whose
  handling failed before the save) always causes a fresh load: the database stays the source of
  truth and the cache is only a shortcut.
* ``save`` inserts only the events after the stored ones, in one statement, and remembers the new
  last id. After a save that starts a new session (``session_started``) the cached tracker is
  rebuilt from the events of that session only, so the next message sees exactly what Rasa's
  store would read back (the latest session).

Rasa serialises the messages of one conversation with its lock store (Redis with several
instances, and the gateways route a conversation to one instance), so one process never handles
two messages of the same conversation at once. With an event broker configured the class behaves
exactly like ``SQLTrackerStore`` (the broker's diff needs a fresh old tracker).

Endpoints (``bot/endpoints.yml``)::

    tracker_store:
      type: bot.rasa_server.tracker_store.CachedSQLTrackerStore
      url: ${RASA_TRACKER_STORE_URL}
      cache_size: 2000        # conversations kept in memory (default 2000)
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 2000


@dataclass
class _Entry:
    tracker: DialogueStateTracker
    stored: int  # events of ``tracker`` already in the database
    last_id: int | None  # id of the conversation's last event in the database


class CachedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with an in-process cache checked against the last event id."""

    def __init__(self, *args: Any, cache_size: int = DEFAULT_CACHE_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cache_size = max(0, int(cache_size))
        self._cache: OrderedDict[str, _Entry] = OrderedDict()

    @property
    def _caching(self) -> bool:
        return self.cache_size > 0 and self.event_broker is None

    def _last_id(self, connection: Any, sender_id: str) -> int | None:
        table = self.SQLEvent.__table__
        query = sa.select(sa.func.max(table.c.id)).where(table.c.sender_id == sender_id)
        return connection.execute(query).scalar()

    def _remember(self, sender_id: str, entry: _Entry) -> None:
        self._cache[sender_id] = entry
        self._cache.move_to_end(sender_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def forget(self, sender_id: str) -> None:
        """Drop the cached tracker of ``sender_id`` (the next retrieve reads the database)."""
        self._cache.pop(sender_id, None)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The tracker of the latest session: the cached one when the database has no news."""
        if not self._caching:
            return await super().retrieve(sender_id)
        entry = self._cache.get(sender_id)
        with self.engine.connect() as connection:
            last_id = self._last_id(connection, sender_id)
        if (
            entry is not None
            and last_id is not None
            and entry.last_id == last_id
            and len(entry.tracker.events) == entry.stored
        ):
            self._cache.move_to_end(sender_id)
            return entry.tracker
        self.forget(sender_id)
        tracker = await super().retrieve(sender_id)
        if tracker is not None and last_id is not None:
            self._remember(sender_id, _Entry(tracker, len(tracker.events), last_id))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Insert the events the database does not have yet, then remember the tracker."""
        if not self._caching:
            await super().save(tracker)
            return
        sender_id = tracker.sender_id
        entry = self._cache.get(sender_id)
        events = list(tracker.events)
        if entry is not None and entry.tracker is tracker:
            stored = entry.stored
        else:  # a tracker this store did not hand out: count as Rasa does
            with self.session_scope() as session:
                stored = self._event_query(
                    session, sender_id, fetch_events_from_all_sessions=False
                ).count()
        new = events[stored:]
        with self.engine.begin() as connection:
            if new:
                connection.execute(
                    self.SQLEvent.__table__.insert(), [_row(sender_id, e) for e in new]
                )
            last_id = self._last_id(connection, sender_id)
        if last_id is None:
            self.forget(sender_id)
            return
        starts = [i for i, e in enumerate(events) if isinstance(e, SessionStarted)]
        if starts and starts[-1] >= stored:
            # a new session: Rasa's store reads back only the events from session_started on
            tracker = DialogueStateTracker.from_events(
                sender_id, events[starts[-1] :], self.domain.slots
            )
        self._remember(sender_id, _Entry(tracker, len(tracker.events), last_id))
        logger.debug(f"Tracker with sender_id '{sender_id}' stored ({len(new)} new events)")


def _row(sender_id: str, event: Any) -> dict[str, Any]:
    """One ``events`` row, with the same columns ``SQLTrackerStore.save`` writes."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }
