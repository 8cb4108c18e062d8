"""Open widget connections per session, and the web :class:`~bot.gateway.delivery.Deliverer`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from starlette.websockets import WebSocket

from bot.gateway.replies import Reply
from bot.store.records import ConversationRecord

log = logging.getLogger(__name__)


class WebConnections:
    """Tracks the open WebSockets of each widget session (a session may have several tabs)."""

    channel = "web"

    def __init__(self) -> None:
        self._sockets: dict[str, set[WebSocket]] = {}

    def add(self, session: str, ws: WebSocket) -> None:
        """Register an accepted socket."""
        self._sockets.setdefault(session, set()).add(ws)

    def remove(self, session: str, ws: WebSocket) -> None:
        """Forget a closed socket."""
        sockets = self._sockets.get(session)
        if sockets is not None:
            sockets.discard(ws)
            if not sockets:
                del self._sockets[session]

    def count(self, session: str) -> int:
        """Number of open sockets of ``session``."""
        return len(self._sockets.get(session, ()))

    async def send(self, session: str, message: dict[str, Any]) -> bool:
        """Send a JSON message to every socket of ``session``; True if at least one got it."""
        delivered = False
        for ws in list(self._sockets.get(session, ())):
            try:
                await ws.send_json(message)
                delivered = True
            except Exception:  # noqa: BLE001 - a dead socket is dropped, others still get it
                self.remove(session, ws)
        return delivered

    async def deliver(self, conversation: ConversationRecord, replies: Sequence[Reply]) -> bool:
        """Push replies to the widget(s) of the conversation (Deliverer interface)."""
        session = conversation.sender_id.removeprefix("web-")
        return await self.send(session, messages_event(replies))


def messages_event(replies: Sequence[Reply]) -> dict[str, Any]:
    """Return the widget protocol message carrying ``replies``."""
    return {"type": "messages", "items": [r.to_json() for r in replies]}
