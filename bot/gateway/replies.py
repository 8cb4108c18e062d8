"""The channel-neutral reply model shared by the router and every channel renderer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Button:
    """A quick reply: what the citizen sees (``title``) and what Rasa receives (``payload``)."""

    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One message to the citizen (text and/or buttons and/or a SPEC §5 custom payload).

    Attributes:
        text: plain text (never HTML); may be empty when only ``custom`` is set.
        buttons: quick replies.
        custom: structured payload (``{"type": "services" | "emergency" | ...}``) or None.
        image: image URL sent by Rasa, if any.
        sender_kind: ``bot``, ``system`` (gateway notice) or ``operator``.
        sender_name: operator's display name for ``operator`` replies.
        message_id: id of the logged outbound message (0 when not logged).
    """

    text: str = ""
    buttons: tuple[Button, ...] = ()
    custom: dict[str, Any] | None = None
    image: str | None = None
    sender_kind: str = "bot"
    sender_name: str | None = None
    message_id: int = 0
    created_at: str | None = None

    @classmethod
    def from_rasa(cls, item: dict[str, Any]) -> Reply:
        """Build a reply from one element of Rasa's REST webhook answer."""
        buttons = tuple(
            Button(title=str(b.get("title", "")), payload=str(b.get("payload", "")))
            for b in item.get("buttons") or []
            if isinstance(b, dict)
        )
        custom = item.get("custom")
        return cls(
            text=str(item.get("text") or ""),
            buttons=buttons,
            custom=custom if isinstance(custom, dict) else None,
            image=str(item["image"]) if item.get("image") else None,
        )

    def log_payload(self) -> dict[str, Any]:
        """Return the structured part to store in ``Message.payload``."""
        data: dict[str, Any] = {}
        if self.buttons:
            data["buttons"] = [{"title": b.title, "payload": b.payload} for b in self.buttons]
        if self.custom is not None:
            data["custom"] = self.custom
        if self.image:
            data["image"] = self.image
        return data

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form sent to the web widget (and to future consoles)."""
        return {
            "id": self.message_id,
            "direction": "out",
            "sender_kind": self.sender_kind,
            "sender_name": self.sender_name,
            "text": self.text,
            "time": self.created_at,
            **self.log_payload(),
        }


def learned_area(replies: Sequence[Reply]) -> tuple[str | None, str | None]:
    """Return the comune and ente gestore id named by structured replies (latest wins)."""
    comune: str | None = None
    ente: str | None = None
    for reply in replies:
        custom = reply.custom or {}
        if isinstance(custom.get("comune"), str) and custom["comune"]:
            comune = custom["comune"]
        eg = custom.get("ente_gestore")
        if isinstance(eg, dict) and isinstance(eg.get("id"), str):
            ente = eg["id"]
        if isinstance(custom.get("ente_gestore_id"), str) and custom["ente_gestore_id"]:
            ente = custom["ente_gestore_id"]
    return comune, ente


def payload_of(replies: Sequence[Reply], kind: str) -> dict[str, Any] | None:
    """Return the first custom payload of type ``kind`` (``handoff``, ``data_deletion``...)."""
    return next((r.custom for r in replies if r.custom and r.custom.get("type") == kind), None)
