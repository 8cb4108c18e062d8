"""JSON form of the events that travel between gateway instances over Redis.

Only the kinds the consoles and channels need: :class:`~bot.gateway.events.GatewayEvent`
(a logged message) and :class:`~bot.handoff.events.HandoffEvent` (queue, notes, contacts).
Records are frozen dataclasses: they are written field by field (datetimes as ISO text) and
rebuilt with their own types, so a subscriber on another instance gets the same objects.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from typing import Any

from bot.gateway.events import GatewayEvent
from bot.handoff.events import HandoffEvent
from bot.handoff.records import HandoffRecord
from bot.store.records import ConversationRecord, MessageRecord

#: The event classes that cross instances, by wire name.
EVENTS: dict[str, type[Any]] = {"gateway": GatewayEvent, "handoff": HandoffEvent}
_RECORDS = (ConversationRecord, MessageRecord, HandoffRecord)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def encode(event: object) -> dict[str, Any] | None:
    """Return the wire form of ``event``, or None for a kind that stays in its instance."""
    for name, cls in EVENTS.items():
        if type(event) is cls:
            return {"type": name, "data": _plain(event)}
    return None


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _members(hint: Any) -> tuple[Any, ...]:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return typing.get_args(hint)
    return (hint,)


def _build(cls: type[Any], data: dict[str, Any]) -> Any:
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        raw = data[f.name]
        members = _members(hints[f.name])
        if raw is None:
            values[f.name] = None
        elif datetime in members:
            values[f.name] = datetime.fromisoformat(raw)
        else:
            record = next((m for m in members if m in _RECORDS), None)
            values[f.name] = _build(record, raw) if record is not None else raw
    return cls(**values)


def decode(wire: dict[str, Any]) -> object:
    """Rebuild an event from :func:`encode`'s output.

    Raises:
        ValueError: unknown kind or malformed data.
    """
    cls = EVENTS.get(str(wire.get("type")))
    data = wire.get("data")
    if cls is None or not isinstance(data, dict):
        raise ValueError(f"unknown event {wire.get('type')!r}")
    try:
        return _build(cls, data)
    except (TypeError, KeyError) as exc:
        raise ValueError(f"malformed {wire.get('type')} event: {exc}") from exc
