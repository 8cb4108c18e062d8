"""HTTP client of Rasa's REST channel (``POST /webhooks/rest/webhook``)."""

from __future__ import annotations

from typing import Any

import httpx


class RasaUnavailable(Exception):
    """Rasa could not be reached, timed out or answered with an error."""


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
        metadata = dict(metadata or {})
        body: dict[str, Any] = {"sender": sender, "message": text, "metadata": metadata}
        if metadata.get("channel"):
            body["input_channel"] = metadata["channel"]
        try:
            response = await self._client.post(f"{self.base_url}/webhooks/rest/webhook", json=body)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(data, list):
            raise RasaUnavailable(f"unexpected answer: {type(data).__name__}")
        return [item for item in data if isinstance(item, dict)]

    async def ping(self) -> bool:
        """Tell whether the Rasa server answers ``GET /``."""
        try:
            response = await self._client.get(f"{self.base_url}/", timeout=2.0)
            return response.status_code == 200
        except httpx.HTTPError:
            return False

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.aclose()
