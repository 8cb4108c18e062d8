"""Live updates for open consoles over WebSocket, filtered by what each operator may see.

Subscribed to the gateway's event bus (``bot.gateway.events.EventBus``): every logged message
(:class:`~bot.gateway.events.GatewayEvent`) and every handoff change
(:class:`~bot.handoff.events.HandoffEvent`: queue, notes, contacts). Messages are sent only to
operators who can see the conversation's ente gestore. With several gateway instances the
Redis event bus (``bot.cluster``) brings the events of the other instances here too, so every
console sees every change (docs/deploy.md).
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.websockets import WebSocket

from bot.console.accounts import OperatorRecord
from bot.console.views import message_view
from bot.gateway.events import GatewayEvent
from bot.handoff.events import HandoffEvent
from bot.texts import Texts

log = logging.getLogger(__name__)

_KINDS = {"queue": "queue", "note": "notes", "contact": "contacts"}


class ConsoleHub:
    """Open console sockets and the fan-out of events to them.

    Args:
        texts: the console texts (message summaries).
    """

    def __init__(self, texts: Texts) -> None:
        self.texts = texts
        self._sockets: dict[WebSocket, OperatorRecord] = {}

    def add(self, ws: WebSocket, operator: OperatorRecord) -> None:
        """Register an accepted socket of ``operator``."""
        self._sockets[ws] = operator

    def remove(self, ws: WebSocket) -> None:
        """Forget a socket."""
        self._sockets.pop(ws, None)

    def __len__(self) -> int:
        return len(self._sockets)

    async def on_event(self, event: object) -> None:
        """Bus subscriber: forward the events the consoles show."""
        if isinstance(event, GatewayEvent):
            await self.on_gateway_event(event)
        elif isinstance(event, HandoffEvent):
            await self.on_handoff_event(event)

    async def on_gateway_event(self, event: GatewayEvent) -> None:
        """Forward a logged message to the consoles that may see it."""
        conv = event.conversation
        message = {
            "type": "message",
            "conversation_id": conv.id,
            "mode": conv.mode,
            "message": message_view(event.message, self.texts),
        }
        await self.broadcast(conv.ente_gestore_id, message)

    async def on_handoff_event(self, event: HandoffEvent) -> None:
        """Tell the consoles to refresh the queue, notes or contacts."""
        ente: str | None
        conv_id: int | None
        if event.handoff is not None:
            ente = event.handoff.ente_gestore_id
            conv_id = event.handoff.conversation_id
        else:
            ente, conv_id = event.ente_gestore_id, event.conversation_id
        kind = _KINDS.get(event.kind, "queue")
        await self.broadcast(ente, {"type": kind, "conversation_id": conv_id})
        if event.kind == "queue" and event.data and "from_ente" in event.data:
            await self.broadcast(event.data["from_ente"], {"type": "queue"})

    async def broadcast(self, ente_id: str | None, message: dict[str, Any]) -> None:
        """Send ``message`` to every console whose operator can see ``ente_id``."""
        for ws, operator in list(self._sockets.items()):
            if not operator.can_see(ente_id):
                continue
            try:
                await ws.send_json(message)
            except Exception:  # noqa: BLE001 - a dead socket is dropped
                self.remove(ws)
