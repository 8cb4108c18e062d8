"""HTTP client of Rasa's REST channel (``POST /webhooks/rest/webhook``), one or more servers.

:class:`RasaClient` talks to one Rasa server; :class:`RasaPool` to several (production
profile, ``RASA_URLS``): each conversation always goes to the same instance — rendezvous
hashing of the sender id over the instance URLs, so adding an instance moves only the
conversations it takes — and, when that instance refuses the connection or answers 502/503/504
(the message was not processed), to the next one in the sender's order. Rasa's open-source
``RedisLockStore`` races when two instances handle one conversation at once; routing by sender
(and the gateway's lock per conversation) keeps each conversation on one instance at a time.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from typing import Any

import httpx

#: Answers that mean "this instance did not process the message": safe to try another one.
_NOT_PROCESSED = {502, 503, 504}


class RasaUnavailable(Exception):
    """Rasa could not be reached, timed out or answered with an error."""


class NotProcessed(RasaUnavailable):
    """The instance surely did not process the message (refused, 502/503/504): try another."""


def _body(sender: str, text: str, metadata: dict[str, Any] | None) -> dict[str, Any]:
    metadata = dict(metadata or {})
    body: dict[str, Any] = {"sender": sender, "message": text, "metadata": metadata}
    if metadata.get("channel"):
        body["input_channel"] = metadata["channel"]
    return body


class RasaClient:
    """Forwards citizen messages to Rasa and returns its replies.

    Args:
        base_url: Rasa server URL (``RASA_URL``), e.g. ``http://127.0.0.1:5005``.
        timeout: seconds to wait for a full answer (custom actions included).
        client: an ``httpx.AsyncClient`` to reuse (tests); created when None.
    """

    def __init__(
        self, base_url: str, *, timeout: float = 30.0, client: httpx.AsyncClient | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=3.0),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        )

    async def send(
        self, sender: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Send one message and return Rasa's reply list.

        Args:
            sender: conversation id (``tg-…`` / ``web-…``).
            text: message text or an intent payload (``/greet``).
            metadata: passed as ``metadata``; ``metadata["channel"]`` also becomes Rasa's
                ``input_channel``.

        Raises:
            RasaUnavailable: connection error, timeout, non-2xx status or invalid JSON.
        """
        return await self._post(self.base_url, _body(sender, text, metadata))

    async def _post(self, base_url: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            response = await self._client.post(f"{base_url}/webhooks/rest/webhook", json=body)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise NotProcessed(f"{type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code in _NOT_PROCESSED:
            raise NotProcessed(f"HTTP {response.status_code} from {base_url}")
        try:
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(data, list):
            raise RasaUnavailable(f"unexpected answer: {type(data).__name__}")
        return [item for item in data if isinstance(item, dict)]

    async def ping(self) -> bool:
        """Tell whether the Rasa server answers ``GET /``."""
        return await self._ping(self.base_url)

    async def _ping(self, base_url: str) -> bool:
        try:
            response = await self._client.get(f"{base_url}/", timeout=2.0)
            return response.status_code == 200
        except httpx.HTTPError:
            return False

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.aclose()


class RasaPool(RasaClient):
    """Several Rasa servers: one per conversation (rendezvous hash), the next when it is down.

    Args:
        base_urls: every instance (``RASA_URLS``).
        timeout: seconds to wait for a full answer.
        down_seconds: how long an instance that refused a message is tried last.
        client: an ``httpx.AsyncClient`` to reuse (tests).
    """

    def __init__(
        self,
        base_urls: Sequence[str],
        *,
        timeout: float = 30.0,
        down_seconds: float = 5.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        if not base_urls:
            raise ValueError("RasaPool needs at least one Rasa URL")
        self.urls = tuple(u.rstrip("/") for u in base_urls)
        super().__init__(self.urls[0], timeout=timeout, client=client)
        self.down_seconds = down_seconds
        self._down_until: dict[str, float] = {}

    def order(self, sender: str) -> list[str]:
        """The instances for ``sender``, preferred first (stable for a given URL list)."""

        def weight(url: str) -> bytes:
            return hashlib.sha256(f"{url}|{sender}".encode()).digest()

        return sorted(self.urls, key=weight, reverse=True)

    def instance_for(self, sender: str) -> str:
        """The instance that handles ``sender`` while it is up."""
        return self.order(sender)[0]

    async def send(
        self, sender: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Send to the sender's instance; on "not processed" to the next one (see module)."""
        body = _body(sender, text, metadata)
        now = time.monotonic()
        ordered = self.order(sender)
        # instances that refused recently go last (not skipped: they may be back)
        ordered.sort(key=lambda url: self._down_until.get(url, 0.0) > now)
        last: RasaUnavailable | None = None
        for url in ordered:
            try:
                answer = await self._post(url, body)
            except NotProcessed as exc:
                self._down_until[url] = time.monotonic() + self.down_seconds
                last = exc
                continue
            self._down_until.pop(url, None)
            return answer
        raise RasaUnavailable(f"no Rasa instance answered ({last})")

    async def ping(self) -> bool:
        """Tell whether at least one instance answers."""
        for url in self.urls:
            if await self._ping(url):
                return True
        return False
