"""The citizens of the soak run (scripts/soak.py): widget conversations that survive restarts.

Each simulated citizen replays the conversations of ``scripts/bench_conversations.py`` over
the gateway's widget WebSocket, one new session per conversation
(``<prefix>-<n>-<citizen>``), waiting for the reply to each message before the next one
(``think`` seconds later). When its gateway
goes away it reconnects, to another gateway when there are several, and goes on with the
next message: the answer it did not receive is the durable inbox's job (pushed late or in the
history), which scripts/soak_check.py verifies in the stores.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
from dataclasses import dataclass
from typing import Any

import websockets
from bench_conversations import SCRIPTS

REPLY_TIMEOUT = 60.0


@dataclass
class Counts:
    """What the clients saw (the verdict comes from the stores)."""

    sent: int = 0  # frames written to an open socket
    replies: int = 0  # answered on the same socket
    no_reply: int = 0  # socket closed or no answer within REPLY_TIMEOUT
    connect_errors: int = 0


class Load:
    """``concurrency`` citizens against ``gateway_urls`` until :meth:`stop`.

    Args:
        gateway_urls: the gateways (``http://…``); citizen ``i`` starts on ``i % len``.
        concurrency: simultaneous conversations.
        think: seconds between a reply and the next message.
        prefix: session prefix of this run (its conversations are ``web-<prefix>…``).
    """

    def __init__(self, gateway_urls: list[str], concurrency: int, think: float, prefix: str):
        self.urls = [u.replace("http://", "ws://").rstrip("/") for u in gateway_urls]
        self.concurrency = concurrency
        self.think = think
        self.prefix = prefix
        self.counts = Counts()
        self._stop = threading.Event()
        self._numbers = itertools.count()

    def stop(self) -> None:
        """Let every citizen finish its current message and stop."""
        self._stop.set()

    def run(self) -> None:
        """Run the citizens (blocking; call it in a worker thread)."""
        asyncio.run(self._run())

    async def _run(self) -> None:
        await asyncio.gather(*(self._citizen(i) for i in range(self.concurrency)))

    async def _citizen(self, index: int) -> None:
        turn = index
        while not self._stop.is_set():
            script = SCRIPTS[turn % len(SCRIPTS)]
            turn += 1
            session = f"{self.prefix}-{next(self._numbers):06d}-{index:03d}"  # 16+ chars
            ws: Any = None
            try:
                for text in script:
                    if self._stop.is_set():
                        break
                    ws = ws or await self._connect(index, session)
                    if ws is None:
                        break
                    ws = await self._say(ws, text)
                    await asyncio.sleep(self.think)
            finally:
                if ws is not None:
                    with contextlib.suppress(Exception):
                        await ws.close()

    async def _connect(self, index: int, session: str) -> Any:
        for attempt in itertools.count():
            if self._stop.is_set():
                return None
            url = self.urls[(index + attempt) % len(self.urls)]
            try:
                ws = await websockets.connect(f"{url}/ws/chat?session={session}", open_timeout=5)
                ready = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if ready.get("type") == "ready":
                    return ws
                await ws.close()
            except (OSError, asyncio.TimeoutError, websockets.WebSocketException):
                pass
            self.counts.connect_errors += 1
            await asyncio.sleep(1.0)
        return None

    async def _say(self, ws: Any, text: str) -> Any:
        """Send one message and wait for its reply; return the socket, or None if it closed."""
        frame = {"type": "message", ("payload" if text.startswith("/") else "text"): text}
        try:
            await ws.send(json.dumps(frame))
        except websockets.WebSocketException:
            return None  # never reached the gateway: the next message goes on a new socket
        self.counts.sent += 1
        try:
            while True:
                event = json.loads(await asyncio.wait_for(ws.recv(), REPLY_TIMEOUT))
                if event.get("type") == "messages":
                    self.counts.replies += 1
                    return ws
        except (OSError, asyncio.TimeoutError, websockets.WebSocketException):
            self.counts.no_reply += 1
            with contextlib.suppress(Exception):
                await ws.close()
            return None
