"""Repository of the NLU inbox (synchronous; async code uses ``bot.nlu_inbox.store``).

Texts are masked here, before anything is stored (``bot.nlu_inbox.masking``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.nlu_inbox.masking import mask
from bot.nlu_inbox.records import InboxFilter, InboxGroup, InboxItem, group
from bot.nlu_inbox.tracker import REASON_FLAG, Candidate
from bot.nlu_inbox.training import group_key, normalise
from bot.store.models import AdminAudit, Conversation, Message, NluInboxCursor, NluInboxItem

STATUSES = ("new", "annotated", "added", "ignored")
#: A flag and a tracker event of the same text this close in time are one message.
SAME_MESSAGE = timedelta(minutes=2)


def _record(row: NluInboxItem) -> InboxItem:
    return InboxItem(
        id=row.id,
        text=row.text,
        group_key=row.group_key,
        predicted_intent=row.predicted_intent,
        confidence=row.confidence,
        ranking=list(row.ranking or []),
        reasons=list(row.reasons or []),
        channel=row.channel,
        comune=row.comune,
        received_at=row.received_at,
        status=row.status,
        intent=row.intent,
        entities=list(row.entities or []),
        annotated_by=row.annotated_by,
        training_file=row.training_file,
        event_id=row.event_id,
    )


def _aware(value: datetime) -> datetime:
    from datetime import timezone

    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class InboxRepository:
    """Inbox items, the read cursors and the admin audit.

    Args:
        engine: engine of the app database.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success."""
        with self._sessions() as session, session.begin():
            yield session

    def cursor(self, name: str) -> int:
        """Last position read from source ``name`` (0 at first)."""
        with self.session() as s:
            row = s.get(NluInboxCursor, name)
            return row.position if row else 0

    def set_cursor(self, name: str, position: int) -> None:
        """Remember the position read from ``name``."""
        with self.session() as s:
            row = s.get(NluInboxCursor, name)
            if row is None:
                s.add(NluInboxCursor(name=name, position=position))
            else:
                row.position = position

    def ingest(self, candidates: Sequence[Candidate], known: set[str]) -> int:
        """Store new candidates (masked) and add reasons to known ones; return how many new.

        Messages whose text is already training or held-out data (``known``) are skipped.
        """
        added = 0
        with self.session() as s:
            for cand in candidates:
                if normalise(cand.text) in known:
                    continue
                row = s.scalar(select(NluInboxItem).where(NluInboxItem.event_id == cand.event_id))
                row = row or self._same_message(
                    s, cand.sender_id, mask(cand.text), cand.received_at
                )
                if row is not None:
                    row.reasons = list(dict.fromkeys([*(row.reasons or []), *cand.reasons]))
                    row.event_id = row.event_id or cand.event_id
                    row.predicted_intent = row.predicted_intent or cand.intent
                    row.confidence = (
                        row.confidence if row.confidence is not None else cand.confidence
                    )
                    row.ranking = row.ranking or cand.ranking
                    continue
                conv = s.scalar(
                    select(Conversation).where(Conversation.sender_id == cand.sender_id)
                )
                masked = mask(cand.text)
                s.add(
                    NluInboxItem(
                        conversation_id=conv.id if conv else None,
                        sender_id=cand.sender_id,
                        event_id=cand.event_id,
                        text=masked,
                        group_key=group_key(masked),
                        predicted_intent=cand.intent,
                        confidence=cand.confidence,
                        ranking=cand.ranking,
                        reasons=list(cand.reasons),
                        channel=cand.channel,
                        comune=cand.comune or (conv.comune if conv else None),
                        received_at=cand.received_at,
                    )
                )
                s.flush()
                added += 1
        return added

    @staticmethod
    def _same_message(
        s: Session, sender_id: str, masked: str, when: datetime
    ) -> NluInboxItem | None:
        rows = s.scalars(
            select(NluInboxItem).where(
                NluInboxItem.sender_id == sender_id, NluInboxItem.text == masked
            )
        ).all()
        return next(
            (r for r in rows if abs(_aware(r.received_at) - _aware(when)) <= SAME_MESSAGE), None
        )

    def flag_message(self, conversation_id: int, message_id: int) -> InboxItem | None:
        """Put a citizen message of the log in the inbox (an operator's flag).

        Returns:
            The item, or None when ``message_id`` is not a citizen's text message of
            ``conversation_id``.
        """
        with self.session() as s:
            msg = s.get(Message, message_id)
            if msg is None or msg.conversation_id != conversation_id:
                return None
            if msg.direction != "in" or msg.sender_kind != "citizen":
                return None
            if not msg.text.strip() or msg.text.startswith("/"):
                return None
            conv = s.get(Conversation, msg.conversation_id)
            assert conv is not None
            masked = mask(msg.text)
            row = s.scalar(select(NluInboxItem).where(NluInboxItem.message_id == message_id))
            row = row or self._same_message(s, conv.sender_id, masked, msg.created_at)
            if row is None:
                row = NluInboxItem(
                    conversation_id=conv.id,
                    sender_id=conv.sender_id,
                    message_id=message_id,
                    text=masked,
                    group_key=group_key(masked),
                    reasons=[REASON_FLAG],
                    channel=msg.channel,
                    comune=conv.comune,
                    received_at=msg.created_at,
                )
                s.add(row)
            else:
                row.message_id = message_id
                row.reasons = list(dict.fromkeys([*(row.reasons or []), REASON_FLAG]))
                if row.status == "ignored":
                    row.status = "new"
            s.flush()
            return _record(row)

    def get(self, item_id: int) -> InboxItem | None:
        """One item."""
        with self.session() as s:
            row = s.get(NluInboxItem, item_id)
            return _record(row) if row else None

    def items(self, flt: InboxFilter) -> list[InboxItem]:
        """Items matching ``flt``, newest first."""
        query = select(NluInboxItem)
        if flt.status:
            query = query.where(NluInboxItem.status == flt.status)
        if flt.intent:
            query = query.where(
                (NluInboxItem.predicted_intent == flt.intent) | (NluInboxItem.intent == flt.intent)
            )
        if flt.since:
            query = query.where(NluInboxItem.received_at >= flt.since)
        if flt.until:
            query = query.where(NluInboxItem.received_at < flt.until)
        query = query.order_by(NluInboxItem.received_at.desc(), NluInboxItem.id.desc())
        with self.session() as s:
            return [_record(r) for r in s.scalars(query.limit(flt.limit)).all()]

    def counts(self) -> dict[str, int]:
        """Items per status."""
        with self.session() as s:
            rows = s.execute(select(NluInboxItem.status)).scalars().all()
        return {status: sum(1 for r in rows if r == status) for status in STATUSES}

    def annotate(
        self, ids: Sequence[int], intent: str, entities: list[dict[str, Any]], actor: str
    ) -> list[int]:
        """Choose the intent (and entities) of items not yet added; return the ids changed."""
        return self._update(ids, actor, status="annotated", intent=intent, entities=entities)

    def set_status(self, ids: Sequence[int], status: str, actor: str) -> list[int]:
        """``ignored`` or back to ``new`` (items already added stay added)."""
        return self._update(ids, actor, status=status)

    def _update(self, ids: Sequence[int], actor: str, **values: Any) -> list[int]:
        changed: list[int] = []
        with self.session() as s:
            for row in s.scalars(select(NluInboxItem).where(NluInboxItem.id.in_(ids))).all():
                if row.status == "added":
                    continue
                for key, value in values.items():
                    setattr(row, key, value)
                if values.get("status") == "new":
                    row.intent, row.entities = None, []
                row.annotated_by = actor
                changed.append(row.id)
        return sorted(changed)

    def mark_added(self, item_id: int, training_file: str) -> None:
        """The item's example is in ``training_file``."""
        with self.session() as s:
            row = s.get(NluInboxItem, item_id)
            if row is not None:
                row.status, row.training_file = "added", training_file

    def purge(self, before: datetime) -> int:
        """Delete the items received before ``before`` (retention); return how many."""
        with self.session() as s:
            result = s.execute(delete(NluInboxItem).where(NluInboxItem.received_at < before))
            return max(int(getattr(result, "rowcount", 0) or 0), 0)

    def delete_sender(self, sender_id: str) -> int:
        """Delete every item of one conversation (the erasure on request)."""
        with self.session() as s:
            result = s.execute(delete(NluInboxItem).where(NluInboxItem.sender_id == sender_id))
            return max(int(getattr(result, "rowcount", 0) or 0), 0)

    def audit(self, actor: str, action: str, target: str, detail: dict[str, Any]) -> None:
        """Record an audited admin action (no message text in ``detail``)."""
        with self.session() as s:
            s.add(AdminAudit(actor=actor, action=action, target=target, detail=detail))

    def audits(self, action: str | None = None) -> list[dict[str, Any]]:
        """The audit records, newest first."""
        query = select(AdminAudit).order_by(AdminAudit.id.desc())
        if action:
            query = query.where(AdminAudit.action == action)
        with self.session() as s:
            return [
                {
                    "actor": a.actor,
                    "action": a.action,
                    "target": a.target,
                    "detail": a.detail,
                    "at": a.created_at.isoformat(),
                }
                for a in s.scalars(query.limit(200)).all()
            ]


__all__ = ["STATUSES", "InboxFilter", "InboxGroup", "InboxItem", "InboxRepository", "group"]
