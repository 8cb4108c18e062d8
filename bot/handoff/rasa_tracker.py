"""Keep Rasa's tracker complete during a handoff (SPEC §9).

While a person has the conversation, the gateway pauses it in Rasa (``ConversationPaused``:
no action prediction), sends the citizen's messages to the REST webhook as usual (Rasa parses
and stores them, and answers nothing while paused) and appends the operator's messages with
``POST /conversations/{id}/tracker/events?execute_side_effects=false``. Handing back sends
``resume``. Every call is best effort: the gateway's own log is the record of truth, so a
Rasa outage never blocks an operator.

The durable inbox also reads the tracker (:meth:`RasaTracker.answer_to`): before a kept
message is sent to Rasa again, it looks for the user event of that message (the gateway puts
its log id in the metadata, ``MESSAGE_ID_KEY``) and, when Rasa processed it already (a gateway
stopped, or Rasa answered after the gateway's timeout), takes the answer from the bot events
that follow instead of making Rasa process the message twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

import httpx

log = logging.getLogger(__name__)

#: Metadata key of the gateway's message log id in every message sent to Rasa.
MESSAGE_ID_KEY = "wecare_message_id"


def answer_after(events: Sequence[dict[str, Any]], message_id: int) -> list[dict[str, Any]] | None:
    """Rasa's answer to message ``message_id`` in a tracker's events (REST webhook format).

    Returns None when no user event carries that id (Rasa never processed it), else the bot
    utterances between that user event and the next one (possibly none).
    """
    answer: list[dict[str, Any]] | None = None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            if answer is not None:
                break
            if (event.get("metadata") or {}).get(MESSAGE_ID_KEY) == message_id:
                answer = []
        elif kind == "bot" and answer is not None:
            data = event.get("data") or {}
            item: dict[str, Any] = {"text": event.get("text")} if event.get("text") else {}
            for key in ("buttons", "custom", "image"):
                if data.get(key):
                    item[key] = data[key]
            if item:
                answer.append(item)
    return answer


class RasaTracker:
    """Client of Rasa's tracker events endpoint.

    Args:
        base_url: Rasa server URL (``RASA_URL``).
        token: Rasa API auth token (``RASA_TOKEN``), sent as ``?token=`` when set.
        client: an ``httpx.AsyncClient`` to reuse (tests); created when None.
        route: with several Rasa instances, the instance URLs for a sender, preferred first
            (``RasaPool.order``): a conversation's tracker calls go where its messages go.
    """

    def __init__(
        self,
        base_url: str,
        token: str = "",
        *,
        client: httpx.AsyncClient | None = None,
        route: Callable[[str], Sequence[str]] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.route = route
        self.token = token
        self._given = client
        self._client = client
        self._loop: asyncio.AbstractEventLoop | None = None

    def _base(self, sender: str) -> str:
        """The Rasa instance of ``sender``."""
        return self.route(sender)[0] if self.route is not None else self.base_url

    def _http(self) -> httpx.AsyncClient:
        """The HTTP client of the running event loop (pooled connections are loop-bound)."""
        if self._given is not None:
            return self._given
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0))
            self._loop = loop
        return self._client

    async def append(self, sender: str, events: list[dict[str, Any]]) -> bool:
        """Append events to ``sender``'s tracker without running side effects.

        Returns:
            True when Rasa accepted them; False (logged) on any error.
        """
        now = time.time()
        body = [{"timestamp": now, **e} for e in events]
        params = {"execute_side_effects": "false"}
        if self.token:
            params["token"] = self.token
        url = f"{self._base(sender)}/conversations/{quote(sender, safe='')}/tracker/events"
        try:
            response = await self._http().post(url, params=params, json=body)
            response.raise_for_status()
            return True
        except (httpx.HTTPError, RuntimeError) as exc:
            log.warning("Rasa tracker update for %s failed: %s", sender, exc)
            return False

    async def answer_to(self, sender: str, message_id: int) -> list[dict[str, Any]] | None:
        """Rasa's answer to a message it already processed, or None (see :func:`answer_after`).

        Raises:
            httpx.HTTPError: Rasa did not give the tracker (the caller must not assume
                either way).
        """
        params = {"token": self.token} if self.token else {}
        url = f"{self._base(sender)}/conversations/{quote(sender, safe='')}/tracker"
        response = await self._http().get(url, params=params)
        response.raise_for_status()
        return answer_after(response.json().get("events") or [], message_id)

    async def pause(self, sender: str) -> bool:
        """Pause the conversation in Rasa (a person takes over)."""
        return await self.append(sender, [{"event": "pause"}])

    async def resume(self, sender: str) -> bool:
        """Resume the conversation in Rasa and leave it listening (the bot takes over)."""
        return await self.append(
            sender, [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
        )

    async def citizen_message(self, sender: str, text: str, channel: str = "") -> bool:
        """Store a citizen message written while paused, through Rasa's REST webhook.

        Rasa parses it (NLU) and stores it, but predicts nothing while the conversation is
        paused (SPEC §9), so the tracker gets a normal, parsed user turn. Leading ``/`` are
        removed so typed text is never read as an intent payload. If Rasa answers anyway
        (the pause was lost), the answer is dropped and the pause is sent again.
        """
        message = text.lstrip("/").strip() or text
        body: dict[str, object] = {
            "sender": sender,
            "message": message,
            "metadata": {"channel": channel, "handoff": True},
        }
        if channel:
            body["input_channel"] = channel
        try:
            webhook = f"{self._base(sender)}/webhooks/rest/webhook"
            response = await self._http().post(webhook, json=body)
            response.raise_for_status()
            answer = response.json()
        except (httpx.HTTPError, RuntimeError, ValueError) as exc:
            log.warning("Rasa did not store the paused message of %s: %s", sender, exc)
            return False
        if answer:
            log.warning("Rasa answered %s while paused: answer dropped, pausing again", sender)
            await self.pause(sender)
        return True

    async def operator_message(self, sender: str, text: str, operator: str) -> bool:
        """Log an operator's message as a bot utterance tagged with the operator."""
        metadata = {"sender_kind": "operator", "operator": operator}
        return await self.append(sender, [{"event": "bot", "text": text, "metadata": metadata}])

    async def gateway_notices(self, sender: str, texts: list[str]) -> bool:
        """Log the gateway's handoff notices (queue position, hours...) as bot utterances."""
        metadata = {"sender_kind": "system"}
        return await self.append(
            sender, [{"event": "bot", "text": t, "metadata": metadata} for t in texts]
        )

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
