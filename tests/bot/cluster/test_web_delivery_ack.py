"""Widget delivery across gateways (bot/cluster/redis_link.py) on a real Redis server.

A late answer for a widget session that no gateway holds (the citizen closed the widget) must
be recorded as not delivered after one round trip to the other instances, not after the
whole acknowledgement timeout: the durable inbox delivers its backlog one message after the
other when Rasa comes back, and a 2 s wait for each left it draining at 0.4 messages/s.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from bot.cluster.redis_link import RedisLink, RedisWebDeliverer
from bot.gateway.events import EventBus
from bot.gateway.replies import Reply
from bot.store.records import ConversationRecord
from bot.web.deliverer import WebConnections


class Socket:
    """What WebConnections needs of a WebSocket: a JSON send."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send_json(self, message: dict[str, Any]) -> None:
        self.sent.append(message)


def conversation(session: str) -> ConversationRecord:
    return ConversationRecord(1, "web", f"web-{session}", "bot", None, None)


async def test_no_socket_anywhere_is_answered_at_once_and_a_remote_socket_gets_it(
    redis_url: str,
) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}"
    links = [RedisLink(redis_url, name, prefix) for name in ("gw-a", "gw-b", "gw-c")]
    sockets = [WebConnections() for _ in links]
    web = [
        RedisWebDeliverer(link, conns, ack_timeout=30)
        for link, conns in zip(links, sockets, strict=True)
    ]
    for link, deliverer in zip(links, web, strict=True):
        link.start(EventBus(), deliverer)
    try:
        for link in links:
            await asyncio.wait_for(link.subscribed.wait(), 10)
        replies = [Reply(text="risposta in ritardo", message_id=7)]
        started = time.monotonic()
        assert await web[0].deliver(conversation("closedwidget0001"), replies) is False
        assert time.monotonic() - started < 10  # not the 30 s acknowledgement timeout

        citizen = Socket()
        sockets[2].add("openwidget000001", citizen)  # type: ignore[arg-type]
        assert await web[0].deliver(conversation("openwidget000001"), replies) is True
        assert citizen.sent and citizen.sent[0]["items"][0]["text"] == "risposta in ritardo"
    finally:
        for link in links:
            await link.aclose()
