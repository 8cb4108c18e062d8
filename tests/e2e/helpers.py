"""A REST-channel client for the end-to-end tests: one ``Chat`` per conversation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Replies:
    """The bot messages answering one citizen message (Rasa REST channel format)."""

    messages: list[dict[str, Any]]

    @property
    def texts(self) -> list[str]:
        """Text of every message that has one."""
        return [m["text"] for m in self.messages if m.get("text")]

    @property
    def text(self) -> str:
        """All texts joined, for substring checks."""
        return "\n".join(self.texts)

    @property
    def customs(self) -> list[dict[str, Any]]:
        """Every ``custom`` payload, in order."""
        return [m["custom"] for m in self.messages if isinstance(m.get("custom"), dict)]

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Every button, in order."""
        return [b for m in self.messages for b in m.get("buttons") or []]

    @property
    def payloads(self) -> list[str]:
        """Payloads of every button."""
        return [str(b.get("payload")) for b in self.buttons]

    def custom(self, kind: str) -> dict[str, Any]:
        """The first custom payload of type ``kind``; fails with the whole reply otherwise."""
        for payload in self.customs:
            if payload.get("type") == kind:
                return payload
        raise AssertionError(f"no custom payload of type {kind!r} in {self.messages!r}")

    def kinds(self) -> list[str]:
        """Types of the custom payloads, in order."""
        return [str(c.get("type")) for c in self.customs]

    def __repr__(self) -> str:
        return f"Replies({self.messages!r})"


@dataclass
class Chat:
    """One conversation with the bot through ``POST /webhooks/rest/webhook``."""

    client: httpx.Client
    rasa_url: str
    sender: str = field(default_factory=lambda: f"e2e-{uuid.uuid4().hex[:12]}")
    history: list[tuple[str, Replies]] = field(default_factory=list)

    def say(self, text: str) -> Replies:
        """Send one message (text or a button payload such as ``/affirm``); return the replies."""
        response = self.client.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text},
        )
        assert response.status_code == 200, (response.status_code, response.text[:500])
        data = response.json()
        assert isinstance(data, list), data
        replies = Replies(data)
        self.history.append((text, replies))
        return replies

    def transcript(self) -> str:
        """The conversation so far, for assertion messages."""
        lines = []
        for text, replies in self.history:
            lines.append(f"> {text}")
            lines.extend(f"< {m}" for m in replies.messages)
        return "\n".join(lines)


def services_payload(replies: Replies) -> dict[str, Any]:
    """The ``services`` payload of a reply, checked against the SPEC §5 shape."""
    payload = replies.custom("services")
    for key in ("category", "comune", "ente_gestore", "services", "page", "total"):
        assert key in payload, f"services payload without {key!r}: {payload}"
    for service in payload["services"]:
        for key in ("id", "name", "category", "provider", "verified"):
            assert key in service, f"service without {key!r}: {service}"
    return payload


def ente_id(payload: dict[str, Any]) -> str | None:
    """The ente gestore id of a services/office payload (None when absent)."""
    ente = payload.get("ente_gestore")
    return ente.get("id") if isinstance(ente, dict) else None
