"""In-process events of the gateway and the one bus that carries them to the consoles.

The outbox publishes a :class:`GatewayEvent` for every logged message; the handoff publishes
its own events (``bot.handoff.events.HandoffEvent``). Subscribers (the operator console's hub)
are given to the bus when the composition root (``bot.app``) builds it. This bus is one
process's; with several gateway instances (production profile) ``bot.app`` builds
``bot.cluster.redis_link.RedisEventBus`` instead, which also carries them to the others.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.store.records import ConversationRecord, MessageRecord

log = logging.getLogger(__name__)

Subscriber = Callable[[object], Awaitable[None]]
"""Receives every event published on the bus (it picks the kinds it knows)."""


@dataclass(frozen=True)
class GatewayEvent:
    """Something that happened in a conversation (for live consoles and tests).

    Attributes:
        kind: ``message`` (a message was logged).
        conversation: the conversation as it was at that moment.
        message: the logged message.
    """

    kind: str
    conversation: ConversationRecord
    message: MessageRecord


class EventBus:
    """Delivers each published event to every subscriber, in order.

    Args:
        subscribers: who listens (fixed at construction).
    """

    def __init__(self, subscribers: Sequence[Subscriber] = ()) -> None:
        self._subscribers = tuple(subscribers)

    async def publish(self, event: object) -> None:
        """Send ``event`` to every subscriber; a failing subscriber is logged and skipped."""
        for subscriber in self._subscribers:
            try:
                await subscriber(event)
            except Exception:  # noqa: BLE001 - a broken console must not lose messages
                log.exception("event subscriber failed on %s", type(event).__name__)
