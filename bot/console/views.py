"""JSON views of records for the console API (plain data; the browser escapes on render)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.console.accounts import OperatorRecord
from bot.handoff.records import ContactRecord, HandoffRecord, NoteRecord
from bot.store.records import ConversationRecord, MessageRecord
from bot.texts import Texts


def message_view(record: MessageRecord, texts: Texts) -> dict[str, Any]:
    """Return a logged message for the transcript (bot part included)."""
    payload = record.payload or {}
    item: dict[str, Any] = {
        "id": record.id,
        "direction": record.direction,
        "sender_kind": record.sender_kind,
        "sender_name": record.sender_name,
        "text": record.text,
        "event": record.event,
        "status": record.status,
        "mode": record.mode,
        "time": record.created_at.isoformat(),
    }
    if record.direction == "in" and payload.get("button_title"):
        item["text"] = f"{payload['button_title']} [{record.text}]"
    if record.event == "unsupported":
        item["text"] = texts.text("summary.attachment")
    custom = payload.get("custom")
    if isinstance(custom, dict):
        item["custom"] = summarize_custom(custom, texts)
    buttons = payload.get("buttons")
    if isinstance(buttons, list):
        item["buttons"] = [str(b.get("title", "")) for b in buttons if isinstance(b, dict)]
    return item


def summarize_custom(custom: dict[str, Any], texts: Texts) -> str:
    """One line describing a SPEC §5 structured reply, for operators."""
    kind = str(custom.get("type") or "?")
    if kind == "services":
        services = [s for s in custom.get("services") or [] if isinstance(s, dict)]
        return texts.text(
            "summary.services",
            category=custom.get("category") or "",
            comune=custom.get("comune") or "",
            names="; ".join(str(s.get("name", "")) for s in services),
        )
    if kind == "emergency":
        numbers = [n for n in custom.get("numbers") or [] if isinstance(n, dict)]
        joined = ", ".join(str(n.get("number", "")) for n in numbers)
        return texts.text("summary.emergency", numbers=joined)
    if kind == "handoff":
        ente = custom.get("ente_gestore_id") or texts.text("summary.handoff_no_ente")
        return texts.text("summary.handoff", ente=ente)
    return texts.text("summary.other", kind=kind)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def handoff_view(handoff: HandoffRecord | None, operators: dict[int, str]) -> dict[str, Any] | None:
    """Return a handoff for the console."""
    if handoff is None:
        return None
    return {
        "id": handoff.id,
        "status": handoff.status,
        "ente_gestore_id": handoff.ente_gestore_id,
        "reason": handoff.reason,
        "urgent": handoff.urgent,
        "risk": handoff.meta.get("risk") or (handoff.reason if handoff.urgent else None),
        "need": handoff.need,
        "operator_id": handoff.operator_id,
        "operator_name": operators.get(handoff.operator_id or 0),
        "created_at": _iso(handoff.created_at),
        "queued_at": _iso(handoff.queued_at),
        "claimed_at": _iso(handoff.claimed_at),
    }


def conversation_view(conv: ConversationRecord) -> dict[str, Any]:
    """Return the public fields of a conversation (no channel-internal metadata)."""
    return {
        "id": conv.id,
        "channel": conv.channel,
        "mode": conv.mode,
        "ente_gestore_id": conv.ente_gestore_id,
        "comune": conv.comune,
        "created_at": _iso(conv.created_at),
        "updated_at": _iso(conv.updated_at),
    }


def note_view(note: NoteRecord) -> dict[str, Any]:
    """Return an internal note."""
    return {"id": note.id, "author": note.author, "text": note.text, "time": _iso(note.created_at)}


def contact_view(contact: ContactRecord) -> dict[str, Any]:
    """Return a contact request."""
    return {
        "id": contact.id,
        "conversation_id": contact.conversation_id,
        "ente_gestore_id": contact.ente_gestore_id,
        "contact": contact.contact,
        "time": _iso(contact.created_at),
        "handled_at": _iso(contact.handled_at),
        "handled_by": contact.handled_by,
    }


def operator_view(op: OperatorRecord) -> dict[str, Any]:
    """Return an account (never its hash)."""
    return {
        "id": op.id,
        "username": op.username,
        "display_name": op.display_name,
        "role": op.role,
        "enti": list(op.enti),
        "active": op.active,
    }
