"""The NLU inbox's operations (synchronous: the CLI calls them, the console via ``store``).

:class:`Inbox` reads new candidates from Rasa's tracker store into the app database
(:meth:`collect`, incremental: a cursor on ``events.id``), lists them without the messages
that are already training or held-out data, writes annotated items to the training data
(:meth:`add_to_training`, refusing those that resemble a held-out example) and reveals one
original text to an admin (audited).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.nlu_inbox.repo import InboxFilter, InboxItem, InboxRepository
from bot.nlu_inbox.tracker import TrackerEvents
from bot.nlu_inbox.training import TrainingData, example_line, normalise

log = logging.getLogger(__name__)
audit_log = logging.getLogger("wecare.audit")

TRACKER_CURSOR = "tracker"


@dataclass
class AddResult:
    """What :meth:`Inbox.add_to_training` did."""

    added: list[tuple[int, str]] = field(default_factory=list)  # (item id, file)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (item id, reason code)

    def view(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "added": [{"id": i, "file": f} for i, f in self.added],
            "refused": [{"id": i, "reason": r} for i, r in self.refused],
        }


class Inbox:
    """The inbox of one deployment.

    Args:
        repo: the inbox repository (app database).
        tracker: Rasa's tracker store reader.
        training: the NLU data directory and the held-out split.
        threshold: confidence below which a message is "unsure" (``NLU_INBOX_THRESHOLD``).
        retention_days: inbox retention (``NLU_INBOX_RETENTION_DAYS``).
    """

    def __init__(
        self,
        repo: InboxRepository,
        tracker: TrackerEvents,
        training: TrainingData,
        threshold: float,
        retention_days: int,
    ) -> None:
        self.repo = repo
        self.tracker = tracker
        self.training = training
        self.threshold = threshold
        self.retention_days = retention_days

    def collect(self) -> int:
        """Read the tracker events not seen yet; return how many new items."""
        start = self.repo.cursor(TRACKER_CURSOR)
        total = 0
        known = self.training.known()
        while True:
            candidates, cursor = self.tracker.read(start, self.threshold)
            total += self.repo.ingest(candidates, known)
            if cursor == start:
                break
            self.repo.set_cursor(TRACKER_CURSOR, cursor)
            start = cursor
        if total:
            log.info("nlu inbox: %d new messages", total)
        return total

    def items(self, flt: InboxFilter) -> list[InboxItem]:
        """Items of ``flt``; new/annotated ones already in the training data are hidden."""
        known = self.training.known()
        return [
            item
            for item in self.repo.items(flt)
            if item.status in ("added", "ignored") or normalise(item.text) not in known
        ]

    def add_to_training(self, ids: Sequence[int], actor: str) -> AddResult:
        """Write the annotated items among ``ids`` to ``nlu/data/inbox/<intent>.yml``.

        Refused (and left ``annotated``): ``not_annotated``, ``held_out`` (resembles an
        example of the held-out split), ``unknown_intent``.
        """
        result = AddResult()
        intents = set(self.training.intents())
        by_intent: dict[str, list[InboxItem]] = {}
        for item_id in ids:
            item = self.repo.get(item_id)
            if item is None or item.status != "annotated" or not item.intent:
                result.refused.append((item_id, "not_annotated"))
            elif item.intent not in intents:
                result.refused.append((item_id, "unknown_intent"))
            elif self.training.leak_of(item.text) is not None:
                result.refused.append((item_id, "held_out"))
            else:
                by_intent.setdefault(item.intent, []).append(item)
        for intent, items in sorted(by_intent.items()):
            path = self.training.add(intent, [example_line(i.text, i.entities) for i in items])
            data = self.training.data_dir
            rel = "/".join([data.parent.name, data.name, *path.relative_to(data).parts])
            for item in items:
                self.repo.mark_added(item.id, rel)
                result.added.append((item.id, rel))
        if result.added:
            self.repo.audit(
                actor,
                "inbox_add",
                ",".join(sorted({f for _, f in result.added})),
                {"items": [i for i, _ in result.added]},
            )
        return result

    def reveal(self, item_id: int, actor: str) -> str | None:
        """The unmasked text of one item for ``actor`` (audited); None if no longer stored."""
        item = self.repo.get(item_id)
        if item is None or item.event_id is None:
            return None
        original = self.tracker.original_text(item.event_id)
        self.repo.audit(actor, "inbox_reveal", str(item_id), {"found": original is not None})
        audit_log.info("inbox_reveal item=%s by=%s", item_id, actor)
        return original

    def purge(self, now: datetime | None = None) -> int:
        """Delete the items older than the retention period; return how many."""
        now = now or datetime.now(timezone.utc)
        removed = self.repo.purge(now - timedelta(days=self.retention_days))
        audit_log.info("inbox_purge removed=%d retention_days=%d", removed, self.retention_days)
        return removed
