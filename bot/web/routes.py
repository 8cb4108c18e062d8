"""HTTP and WebSocket endpoints of the web widget, and the demo page.

Widget protocol (JSON over ``/ws/chat?session=<id>&consortium=<ente id>``):

* client → server ``{"type": "message", "text": "...", "client_id": "..."}`` (typed text) or
  ``{"type": "message", "payload": "/intent", "title": "Button label", "client_id": "..."}``
  (quick reply); ``client_id`` (optional, ``[A-Za-z0-9_-]{1,64}``) is logged with the message
  and echoed back, so the widget can match its own messages in the history;
* server → client ``{"type": "ready"}`` once, then for each message
  ``{"type": "messages", "client_id": ..., "items": [...]}`` with items as
  :meth:`bot.gateway.replies.Reply.to_json` (also pushed later: operator messages), or
  ``{"type": "error", "error": "...", "client_id": ...}`` for a malformed frame.

History: ``GET /api/chat/history?session=<id>`` → ``{"messages": [...]}`` (in and out).

``GET /static/widget.js`` is served with the citizen texts (``bot/texts/citizen.yml``)
embedded, so the widget needs no second request to know its labels.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Query, WebSocket
from fastapi.responses import FileResponse, Response
from starlette.websockets import WebSocketDisconnect

from bot.gateway.input import is_button_payload
from bot.gateway.router import Router
from bot.store.records import MessageRecord
from bot.texts import Texts
from bot.web.deliverer import WebConnections, messages_event

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
SESSION_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
CONSORTIUM_RE = re.compile(r"^[a-z0-9_]{2,40}$")
CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: Where widget.js receives the citizen texts (a JS object literal, replaced when served).
TEXTS_MARKER = "/*@texts*/{}"


class OriginPolicy:
    """Which page origins may open the widget WebSocket.

    Args:
        allowed: explicit origins (``WEB_ALLOWED_ORIGINS``).
        production: when True and ``allowed`` is empty, only the gateway's own origin.
    """

    def __init__(self, allowed: tuple[str, ...], production: bool) -> None:
        self.allowed = {o.rstrip("/").lower() for o in allowed}
        self.production = production

    def permits(self, origin: str | None, host: str | None) -> bool:
        """Tell whether a connection from ``origin`` to ``host`` is allowed."""
        if not origin:  # non-browser clients send no Origin
            return not self.production
        origin = origin.rstrip("/").lower()
        if origin in self.allowed:
            return True
        if host and urlsplit(origin).netloc == host.lower():
            return True
        return not self.production and not self.allowed


def message_json(record: MessageRecord, texts: Texts) -> dict[str, Any]:
    """Return a logged message in the widget's JSON form (no internal fields)."""
    payload = record.payload
    item: dict[str, Any] = {
        "id": record.id,
        "direction": record.direction,
        "sender_kind": record.sender_kind,
        "sender_name": record.sender_name,
        "text": record.text,
        "time": record.created_at.isoformat(),
    }
    if record.direction == "in":
        if isinstance(payload.get("client_id"), str):
            item["client_id"] = payload["client_id"]
        if payload.get("button_title"):
            item["text"] = payload["button_title"]
        if record.event == "unsupported":
            item["text"] = texts.text("gateway.attachment")
        return item
    for key in ("buttons", "custom", "image"):
        if key in payload:
            item[key] = payload[key]
    return item


def widget_script(texts: Texts) -> str:
    """``widget.js`` with the citizen texts in place of :data:`TEXTS_MARKER`."""
    source = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    return source.replace(TEXTS_MARKER, texts.as_json(), 1)


def build_web_router(
    router: Router, connections: WebConnections, policy: OriginPolicy, texts: Texts
) -> APIRouter:
    """Create the widget endpoints bound to a gateway router."""
    api = APIRouter()
    script = widget_script(texts)

    @api.get("/static/widget.js", include_in_schema=False)
    async def widget_js() -> Response:
        """The widget, with its texts (before the ``/static`` files mount)."""
        headers = {"Cache-Control": "no-cache"}
        return Response(script, media_type="text/javascript; charset=utf-8", headers=headers)

    @api.get("/", include_in_schema=False)
    async def demo_page() -> FileResponse:
        """Serve the Italian demo page that embeds the widget."""
        return FileResponse(STATIC_DIR / "demo.html", media_type="text/html; charset=utf-8")

    @api.get("/api/chat/history")
    async def history(session: str = Query(...)) -> dict[str, Any]:
        """Return the messages of a widget session, oldest first."""
        if not SESSION_RE.match(session):
            raise HTTPException(status_code=400, detail="invalid session")
        records = await router.history(f"web-{session}")
        return {"session": session, "messages": [message_json(r, texts) for r in records]}

    @api.websocket("/ws/chat")
    async def chat(ws: WebSocket) -> None:
        """Relay widget messages to the router and replies back to every tab of the session."""
        session = ws.query_params.get("session", "")
        consortium = ws.query_params.get("consortium", "")
        if not SESSION_RE.match(session) or not policy.permits(
            ws.headers.get("origin"), ws.headers.get("host")
        ):
            await ws.close(code=1008)
            return
        await ws.accept()
        connections.add(session, ws)
        meta: dict[str, Any] = {}
        if CONSORTIUM_RE.match(consortium):
            meta["ente_gestore_id"] = consortium
        try:
            await ws.send_json({"type": "ready", "session": session})
            while True:
                raw = await ws.receive_text()
                await _handle_frame(router, connections, session, raw, meta)
        except WebSocketDisconnect:
            pass
        finally:
            connections.remove(session, ws)

    return api


async def _handle_frame(
    router: Router, connections: WebConnections, session: str, raw: str, meta: dict[str, Any]
) -> None:
    try:
        data = json.loads(raw)
    except ValueError:
        await connections.send(session, {"type": "error", "error": "invalid JSON"})
        return
    if not isinstance(data, dict) or data.get("type") != "message":
        await connections.send(session, {"type": "error", "error": "unknown frame type"})
        return
    metadata: dict[str, Any] = dict(meta)
    client_id = data.get("client_id")
    if isinstance(client_id, str) and CLIENT_ID_RE.match(client_id):
        metadata["client_id"] = client_id
    else:
        client_id = None
    payload = data.get("payload")
    text = data.get("text")
    if isinstance(payload, str) and is_button_payload(payload):
        text, event = payload, "button"
        metadata["button_title"] = str(data.get("title") or "")[:200]
    elif isinstance(text, str) or text is None:
        text, event = text or "", "text"
    else:
        error = {"type": "error", "error": "text must be a string", "client_id": client_id}
        await connections.send(session, error)
        return
    replies = await router.handle_incoming("web", f"web-{session}", text, metadata, event=event)
    ok = await connections.send(session, {**messages_event(replies), "client_id": client_id})
    # Shielded: a socket closing right after the send must not lose the delivery record.
    await asyncio.shield(router.confirm_delivery(replies, ok=ok))


def static_dir() -> Path:
    """Directory of the widget's static files (``widget.js``, ``widget.css``, demo page)."""
    return STATIC_DIR
