"""What the router does with Rasa's replies besides logging them.

* :func:`learn_area`: the comune / ente gestore a structured reply names is copied into the
  conversation (routing, analytics, the operator console);
* :func:`erase_conversation`: the citizen asked for deletion (``data_deletion`` payload).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.gateway.ports import HandoffPort
from bot.gateway.replies import Reply, learned_area
from bot.store.deletion import Erasure
from bot.store.facade import ConversationStore
from bot.store.records import ConversationRecord

log = logging.getLogger(__name__)


async def learn_area(
    conversations: ConversationStore, conv: ConversationRecord, replies: Sequence[Reply]
) -> ConversationRecord:
    """Copy comune / ente gestore from structured replies into the conversation."""
    comune, ente = learned_area(replies)
    if (comune and comune != conv.comune) or (ente and ente != conv.ente_gestore_id):
        updated = await conversations.update_conversation(
            conv.id, comune=comune, ente_gestore_id=ente
        )
        return updated or conv
    return conv


async def erase_conversation(
    erasure: Erasure, handoff: HandoffPort | None, conv: ConversationRecord
) -> None:
    """Erase one conversation and tell the handoff (consoles, queue positions)."""
    report = await erasure.erase(conv.sender_id, requested_by="citizen", channel=conv.channel)
    if handoff is None:
        return
    try:
        await handoff.on_conversation_deleted(conv.id, report.active_handoffs)
    except Exception:  # noqa: BLE001 - the data is gone; a console refresh may fail
        log.exception("handoff notification after a deletion failed")
