"""Outbound delivery outside a request (operator messages, notices), one deliverer per channel.

A channel answers the citizen's own request with the replies returned by
:meth:`bot.gateway.router.Router.handle_incoming`. Messages that originate elsewhere — an
operator typing in the console, a queue notice — are pushed with
:meth:`bot.gateway.outbox.Outbox.push`, which logs them and hands them to the channel's
:class:`Deliverer`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from bot.gateway.replies import Reply
from bot.store.records import ConversationRecord


@runtime_checkable
class Deliverer(Protocol):
    """Sends replies to a citizen on one channel, outside any request of theirs."""

    channel: str

    async def deliver(self, conversation: ConversationRecord, replies: Sequence[Reply]) -> bool:
        """Send ``replies`` to the citizen of ``conversation``.

        Returns:
            True when the channel accepted every reply (e.g. Telegram answered OK, or at least
            one open widget received them); False when nothing could be delivered now.
        """
        ...
