"""A web-widget client for the end-to-end tests: the citizen's whole path.

``WidgetChat`` opens ``/ws/chat`` on the REAL gateway process (``bot.gateway``) of the e2e
stack, which logs every message and forwards it to the real Rasa server and action server:
exactly what the widget on a consortium's site does.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import websockets

from tests.e2e.helpers import Replies

#: Seconds to wait for an answer (custom actions on a loaded 2-core machine).
ANSWER_TIMEOUT = 60.0


@dataclass
class WidgetChat:
    """One widget session (``web-<session>`` conversation) on the gateway."""

    gateway_url: str
    consortium: str = "ciss38"
    session: str = field(default_factory=lambda: f"e2e{uuid.uuid4().hex}")
    pushed: list[dict[str, Any]] = field(default_factory=list)
    _ws: Any = None
    _n: int = 0

    @property
    def sender(self) -> str:
        """The conversation id the gateway and Rasa use."""
        return f"web-{self.session}"

    async def __aenter__(self) -> WidgetChat:
        url = self.gateway_url.replace("http://", "ws://", 1)
        self._ws = await websockets.connect(
            f"{url}/ws/chat?session={self.session}&consortium={self.consortium}",
            open_timeout=20,
        )
        ready = json.loads(await asyncio.wait_for(self._ws.recv(), 20))
        assert ready["type"] == "ready", ready
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._ws.close()

    async def say(self, text: str | None = None, payload: str | None = None) -> Replies:
        """Send typed text or a button payload; return the gateway's answer to it.

        Messages pushed meanwhile (queue notices, operator messages) go to ``pushed``.
        """
        self._n += 1
        client_id = f"c{self._n}"
        frame: dict[str, Any] = {"type": "message", "client_id": client_id}
        if payload is not None:
            frame.update(payload=payload, title=payload)
        else:
            frame["text"] = text or ""
        await self._ws.send(json.dumps(frame))
        while True:
            data = json.loads(await asyncio.wait_for(self._ws.recv(), ANSWER_TIMEOUT))
            if data.get("type") == "messages" and data.get("client_id") == client_id:
                return Replies(list(data["items"]))
            self.pushed.append(data)

    async def next_push(self, timeout: float = ANSWER_TIMEOUT) -> list[dict[str, Any]]:
        """The items of the next message pushed outside a request."""
        if self.pushed:
            return list(self.pushed.pop(0).get("items") or [])
        data = json.loads(await asyncio.wait_for(self._ws.recv(), timeout))
        return list(data.get("items") or [])


def first_is_emergency(replies: Replies) -> dict[str, Any]:
    """The emergency payload, checked to be the FIRST thing the citizen receives."""
    assert replies.messages, "no answer"
    first = replies.messages[0]
    custom = first.get("custom")
    assert isinstance(custom, dict) and custom.get("type") == "emergency", replies
    assert "112" in [str(n["number"]) for n in custom["numbers"]], custom
    return custom
