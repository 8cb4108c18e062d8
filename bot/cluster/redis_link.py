"""Several gateway instances as one: console events and widget delivery over Redis pub/sub.

Production profile only (``REDIS_URL``; ``bot.app`` chooses these instead of the in-process
ones). Two channels:

* ``<prefix>:events`` — :class:`RedisEventBus` delivers an event to the subscribers of its own
  instance at once (as :class:`~bot.gateway.events.EventBus`) and publishes it; every other
  instance hands it to its own subscribers (the console hub). A handoff claimed on one gateway
  refreshes the queue of the consoles connected to every gateway.
* ``<prefix>:web`` — :class:`RedisWebDeliverer` pushes replies to the widget sockets of this
  instance and asks the others to push them to theirs; an instance that delivered answers on a
  short-lived list, so :meth:`RedisWebDeliverer.deliver` tells the truth about delivery (an
  operator's reply written on gateway A reaches a citizen connected to gateway B).

Messages carry the sender instance's name; an instance ignores its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.cluster.codec import decode, encode
from bot.gateway.events import EventBus, Subscriber
from bot.gateway.replies import Reply
from bot.store.records import ConversationRecord
from bot.web.deliverer import WebConnections, messages_event

log = logging.getLogger(__name__)

#: Seconds a sender waits for another instance to confirm a widget delivery.
ACK_TIMEOUT = 2.0


class RedisLink:
    """The Redis connection of one gateway instance and its subscription loop.

    Args:
        url: ``REDIS_URL``.
        instance: this instance's name (``WECARE_INSTANCE``).
        prefix: channel/key prefix.
    """

    def __init__(self, url: str, instance: str, prefix: str = "wecare") -> None:
        # a pooled connection broken by a Redis restart is retried on a new one
        self.redis: Redis = Redis.from_url(
            url,
            socket_connect_timeout=3,
            health_check_interval=30,
            retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), 3),
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
        )
        self.instance = instance
        self.events_channel = f"{prefix}:events"
        self.web_channel = f"{prefix}:web"
        self.prefix = prefix
        self.bus: RedisEventBus | None = None
        self.web: RedisWebDeliverer | None = None
        self._task: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()

    async def publish(self, channel: str, body: dict[str, Any]) -> int:
        """Publish ``body`` (with this instance's name); return how many instances got it."""
        message = json.dumps({"from": self.instance, **body}, ensure_ascii=False)
        return int(await self.redis.publish(channel, message))

    async def ping(self) -> bool:
        """Tell whether Redis answers."""
        try:
            return bool(await self.redis.ping())
        except (RedisError, OSError):
            return False

    def start(self, bus: RedisEventBus, web: RedisWebDeliverer) -> None:
        """Start listening (the app's lifespan calls this)."""
        self.bus, self.web = bus, web
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._listen_forever())

    async def _listen_forever(self) -> None:
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                self.subscribed.clear()
                log.warning("Redis subscription lost (%s); retrying in 1 s", exc)
                await asyncio.sleep(1.0)

    async def _listen(self) -> None:
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self.events_channel, self.web_channel)
            self.subscribed.set()
            async for message in pubsub.listen():
                await self._dispatch(message)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    async def _dispatch(self, message: dict[str, Any]) -> None:
        try:
            body = json.loads(message["data"])
        except (ValueError, TypeError, KeyError):
            log.warning("malformed message on Redis channel %s", message.get("channel"))
            return
        if not isinstance(body, dict) or body.get("from") == self.instance:
            return
        channel = message.get("channel")
        channel = channel.decode() if isinstance(channel, bytes) else channel
        try:
            if channel == self.events_channel and self.bus is not None:
                await self.bus.publish_local(decode(body.get("event") or {}))
            elif channel == self.web_channel and self.web is not None:
                await self.web.on_remote(body)
        except ValueError as exc:
            log.warning("ignored a Redis message: %s", exc)

    async def aclose(self) -> None:
        """Stop listening and close the connections."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        await self.redis.aclose()


class RedisEventBus(EventBus):
    """An :class:`EventBus` whose events also reach the subscribers of the other instances.

    Args:
        link: the instance's Redis link.
        subscribers: the local subscribers (the console hub).
    """

    def __init__(self, link: RedisLink, subscribers: Sequence[Subscriber] = ()) -> None:
        super().__init__(subscribers)
        self.link = link

    async def publish(self, event: object) -> None:
        """Deliver to the local subscribers, then to the other instances (best effort)."""
        await super().publish(event)
        wire = encode(event)
        if wire is None:
            return
        try:
            await self.link.publish(self.link.events_channel, {"event": wire})
        except (RedisError, OSError):
            log.warning(
                "Redis unavailable: %s not sent to the other gateways", type(event).__name__
            )

    async def publish_local(self, event: object) -> None:
        """An event from another instance: only the local subscribers get it."""
        await super().publish(event)


class RedisWebDeliverer:
    """The web channel's :class:`~bot.gateway.delivery.Deliverer` across gateway instances.

    Args:
        link: the instance's Redis link.
        connections: the widget sockets of this instance.
        ack_timeout: seconds to wait for another instance's confirmation.
    """

    channel = "web"

    def __init__(
        self, link: RedisLink, connections: WebConnections, ack_timeout: float = ACK_TIMEOUT
    ) -> None:
        self.link = link
        self.connections = connections
        self.ack_timeout = ack_timeout

    async def deliver(self, conversation: ConversationRecord, replies: Sequence[Reply]) -> bool:
        """Push to the local sockets and to those on other instances; True if any got it."""
        session = conversation.sender_id.removeprefix("web-")
        message = messages_event(replies)
        local = await self.connections.send(session, message)
        ack = f"{self.link.prefix}:ack:{uuid.uuid4().hex}"
        try:
            receivers = await self.link.publish(
                self.link.web_channel, {"session": session, "message": message, "ack": ack}
            )
            if local or receivers <= 1:  # 1: only this instance listens
                return local
            return await self._acknowledged(ack, receivers - 1)
        except (RedisError, OSError) as exc:
            log.warning("Redis unavailable: widget delivery only on this gateway (%s)", exc)
            return local

    async def _acknowledged(self, ack: str, others: int) -> bool:
        """Wait for the answers of the ``others`` instances: True at the first "delivered".

        Every instance answers, "0" when it has no socket of the session, so a session no
        gateway holds (a citizen who closed the widget) costs one round trip, not the whole
        ``ack_timeout``: after an outage the durable inbox delivers its late answers one
        after the other, and waiting 2 s for each left it draining at 0.4 messages/s.
        """
        deadline = time.monotonic() + self.ack_timeout
        for _ in range(others):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            got = await self.link.redis.blpop([ack], timeout=left)
            if got is None:
                return False
            if got[1] in (b"1", "1"):
                return True
        return False

    async def on_remote(self, body: dict[str, Any]) -> None:
        """Another instance asks to push a message to this instance's sockets.

        The answer on ``ack`` says whether this instance delivered it ("1") or not ("0").
        """
        session, message, ack = body.get("session"), body.get("message"), body.get("ack")
        if not isinstance(session, str) or not isinstance(message, dict):
            return
        sent = bool(self.connections.count(session)) and await self.connections.send(
            session, message
        )
        if isinstance(ack, str):
            try:
                await self.link.redis.rpush(ack, "1" if sent else "0")
                await self.link.redis.expire(ack, 30)
            except (RedisError, OSError):  # the sender records "failed" after its timeout
                log.warning("Redis unavailable: delivery not confirmed to the sender")
