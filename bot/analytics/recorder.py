"""The gateway's record of each answered citizen message, for the needs analytics.

:func:`turn_facts` reads what matters out of Rasa's replies (need category, services shown,
empty searches, emergency kind, handoff reason) and the NLU result; the repository stores it
as one :class:`bot.store.models.AnalyticsTurn`. No message text is read or stored. The
async :class:`TurnRecorder` is what the router calls; a failure is logged and never stops
the reply.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.analytics.tracker import TrackerReader, Understood
from bot.analytics.vocab import INTENT_CATEGORY, RISK_INTENTS
from bot.gateway.replies import Reply
from bot.store.facade import ThreadFacade
from bot.store.models import AnalyticsTurn, utcnow
from bot.store.records import ConversationRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnFacts:
    """What one answered message tells the analytics (see ``AnalyticsTurn``)."""

    conversation_id: int
    channel: str
    comune: str | None = None
    ente_gestore_id: str | None = None
    intent: str | None = None
    confidence: float | None = None
    fallback: bool = False
    misunderstood_intent: str | None = None
    category: str | None = None
    service_ids: tuple[str, ...] = ()
    services_total: int | None = None
    risk_kind: str | None = None
    handoff_reason: str | None = None
    created_at: datetime | None = field(default=None, compare=False)


def turn_facts(
    conv: ConversationRecord, replies: Sequence[Reply], understood: Understood | None
) -> TurnFacts:
    """The facts of one turn: the conversation's area, the NLU result, the reply payloads."""
    category: str | None = None
    shown: list[str] = []
    total: int | None = None
    risk: str | None = None
    reason: str | None = None
    for reply in replies:
        custom: dict[str, Any] = reply.custom or {}
        kind = custom.get("type")
        if kind == "services":
            category = custom.get("category") if isinstance(custom.get("category"), str) else None
            items = custom.get("services") or []
            shown += [str(s["id"]) for s in items if isinstance(s, dict) and s.get("id")]
            found = custom.get("total")
            total = (total or 0) + (int(found) if isinstance(found, int) else len(items))
        elif kind == "emergency":
            risk = str(custom.get("kind") or "violence")
        elif kind == "handoff":
            reason = str(custom.get("reason") or "request")[:40]
    intent = understood.intent if understood else None
    if category is None and intent in INTENT_CATEGORY:
        category = INTENT_CATEGORY[intent]
    if risk is None and intent in RISK_INTENTS:
        risk = RISK_INTENTS[intent]
    return TurnFacts(
        conversation_id=conv.id,
        channel=conv.channel,
        comune=conv.comune,
        ente_gestore_id=conv.ente_gestore_id,
        intent=intent,
        confidence=understood.confidence if understood else None,
        fallback=bool(understood and understood.fallback),
        misunderstood_intent=understood.misunderstood if understood else None,
        category=category,
        service_ids=tuple(dict.fromkeys(shown)),
        services_total=total,
        risk_kind=risk,
        handoff_reason=reason,
    )


class AnalyticsRepository:
    """Writes analytics turns (synchronous; tests and the seeding CLI use it directly).

    Args:
        engine: engine of the app database.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def add(self, facts: TurnFacts) -> int:
        """Store one turn; return its id."""
        row = AnalyticsTurn(
            conversation_id=facts.conversation_id,
            channel=facts.channel,
            comune=facts.comune,
            ente_gestore_id=facts.ente_gestore_id,
            intent=facts.intent,
            confidence=facts.confidence,
            fallback=facts.fallback,
            misunderstood_intent=facts.misunderstood_intent,
            category=facts.category,
            service_ids=list(facts.service_ids),
            services_total=facts.services_total,
            risk_kind=facts.risk_kind,
            handoff_reason=facts.handoff_reason,
            created_at=facts.created_at or utcnow(),
        )
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            return row.id


class TurnRecorder(ThreadFacade):
    """Async recorder the router calls after logging Rasa's replies.

    Args:
        repo: where turns are stored.
        tracker: reader of Rasa's tracker store (the intent of the message).
    """

    def __init__(self, repo: AnalyticsRepository, tracker: TrackerReader) -> None:
        self._repo = repo
        self._tracker = tracker

    def _record(self, conv: ConversationRecord, replies: Sequence[Reply]) -> None:
        try:
            understood = self._tracker.last_user_turn(conv.sender_id)
        except SQLAlchemyError as exc:  # the tracker store is Rasa's: it may be down
            log.warning("tracker store not readable for analytics: %s", type(exc).__name__)
            understood = None
        self._repo.add(turn_facts(conv, replies, understood))

    async def record(self, conv: ConversationRecord, replies: Sequence[Reply]) -> None:
        """Record the turn of ``conv`` answered by ``replies`` (errors are only logged)."""
        try:
            await self._call(self._record, conv, replies)
        except Exception:  # noqa: BLE001 - analytics must never stop a reply
            log.exception("analytics turn not recorded for conversation %s", conv.id)

    def dispose(self) -> None:
        """Close the tracker store's connections."""
        self._tracker.dispose()
