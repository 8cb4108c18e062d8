"""HTTP and WebSocket endpoints of the operator console (``/console``).

Pages: ``GET /console/login``, ``POST /console/login``, ``POST /console/logout``,
``GET /console/``. JSON API under ``/console/api`` (session cookie; state-changing requests
need the session's CSRF token in the ``X-CSRF-Token`` header). Live updates:
``WS /console/ws``. Conversations an operator may not see answer 404, as if they did not
exist; actions the operator may see but not perform answer 403; lost races answer 409.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request, WebSocket
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.websockets import WebSocketDisconnect

from bot.console.accounts import AccountStore, OperatorRecord
from bot.console.hub import ConsoleHub
from bot.console.views import (
    contact_view,
    conversation_view,
    handoff_view,
    message_view,
    note_view,
    operator_view,
)
from bot.handoff.repo import HandoffRecord
from bot.handoff.service import Actor, HandoffConflict, HandoffService, need_from_history
from bot.store.records import ConversationRecord

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SESSION_COOKIE = "wecare_console"
LOGIN_CSRF_COOKIE = "wecare_console_login"
COOKIE_PATH = "/console"
MAX_TEXT = 2000
ROLE_LABELS = {"operator": "operatore", "supervisor": "supervisore", "admin": "amministratore"}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass
class ConsoleContext:
    """Everything the console endpoints need."""

    accounts: AccountStore
    service: HandoffService
    hub: ConsoleHub
    secure_cookies: bool
    canned: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Auth:
    """The operator of a request and the CSRF token of their session."""

    operator: OperatorRecord
    csrf: str

    @property
    def actor(self) -> Actor:
        """The operator as the handoff service sees them."""
        return Actor(self.operator.id, self.operator.display_name)


def _same_origin(origin: str | None, host: str | None) -> bool:
    """True when no Origin is sent or it names the host the request was sent to."""
    if not origin:
        return True
    return bool(host) and urlsplit(origin).netloc.lower() == (host or "").lower()


def console_context(request: Request) -> ConsoleContext:
    """The console context of the app serving ``request`` (set by ``install_console``)."""
    return request.app.state.console_ctx  # type: ignore[no-any-return]


async def session_of(request: Request) -> Auth | None:
    """The session of the request's cookie, if valid."""
    ctx = console_context(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    found = await asyncio.to_thread(ctx.accounts.resolve_session, token, ctx.service.clock())
    return Auth(*found) if found else None


async def require_auth(request: Request) -> Auth:
    """Dependency: a logged-in operator (401 otherwise)."""
    auth = await session_of(request)
    if auth is None:
        raise HTTPException(status_code=401, detail="login required")
    return auth


AuthDep = Annotated[Auth, Depends(require_auth)]


async def require_csrf(request: Request, auth: AuthDep) -> Auth:
    """Dependency: a logged-in operator, a same-origin request and the session's CSRF token."""
    if not _same_origin(request.headers.get("origin"), request.headers.get("host")):
        raise HTTPException(status_code=403, detail="cross-origin request")
    sent = request.headers.get("x-csrf-token", "")
    if not sent or not hmac.compare_digest(sent, auth.csrf):
        raise HTTPException(status_code=403, detail="invalid CSRF token")
    return auth


CsrfDep = Annotated[Auth, Depends(require_csrf)]


def build_console_router(ctx: ConsoleContext) -> APIRouter:
    """Create the console endpoints."""
    api = APIRouter(prefix="/console")
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    service = ctx.service
    store = service.store
    conversations = service.router.store

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        response = templates.TemplateResponse(request, name, context, status_code=status)
        response.headers.update(SECURITY_HEADERS)
        return response

    async def visible_conversation(conversation_id: int, auth: Auth) -> ConversationRecord:
        conv = await asyncio.to_thread(conversations.get_conversation, conversation_id)
        if conv is None or not auth.operator.can_see(conv.ente_gestore_id):
            raise HTTPException(status_code=404, detail="conversation not found")
        return conv

    async def active_handoff(conv: ConversationRecord) -> HandoffRecord:
        handoff = await asyncio.to_thread(store.active_for, conv.id)
        if handoff is None:
            raise HTTPException(status_code=409, detail="no open handoff")
        return handoff

    def may_manage(auth: Auth, handoff: HandoffRecord) -> bool:
        return auth.operator.sees_all or handoff.operator_id == auth.operator.id

    async def operator_names() -> dict[int, str]:
        return {op.id: op.display_name for op in await asyncio.to_thread(ctx.accounts.list)}

    # -- pages ---------------------------------------------------------------------------

    def login_page(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
        token = secrets.token_urlsafe(32)
        response = page(request, "login.html", status, csrf=token, error=error)
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=ctx.secure_cookies,
            max_age=3600,
        )
        return response

    @api.get("/login", response_class=HTMLResponse, include_in_schema=False)
    async def login_form(request: Request) -> Response:
        """Show the login form (and set the login CSRF cookie)."""
        return login_page(request)

    @api.post("/login", include_in_schema=False)
    async def login(
        request: Request,
        username: str = Form(""),
        password: str = Form(""),
        csrf: str = Form(""),
    ) -> Response:
        """Check the credentials; on success open a session and go to the console."""
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if (
            not cookie
            or not csrf
            or not hmac.compare_digest(cookie, csrf)
            or not _same_origin(request.headers.get("origin"), request.headers.get("host"))
        ):
            return login_page(request, "Sessione del modulo scaduta: riprova.", 403)
        result = await asyncio.to_thread(
            ctx.accounts.authenticate, username[:60], password[:500], service.clock()
        )
        if result.operator is None:
            message = (
                "Troppi tentativi falliti: account bloccato temporaneamente. Riprova più tardi."
                if result.locked
                else "Nome utente o password non validi."
            )
            return login_page(request, message, 423 if result.locked else 401)
        token, _csrf = await asyncio.to_thread(
            ctx.accounts.create_session, result.operator.id, service.clock()
        )
        response = RedirectResponse("/console/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=ctx.secure_cookies,
        )
        response.delete_cookie(LOGIN_CSRF_COOKIE, path=COOKIE_PATH)
        return response

    @api.post("/logout", include_in_schema=False)
    async def logout(request: Request, csrf: str = Form("")) -> Response:
        """End the session (the form carries the session's CSRF token)."""
        auth = await session_of(request)
        if auth is None:
            return RedirectResponse("/console/login", status_code=303)
        if not csrf or not hmac.compare_digest(csrf, auth.csrf):
            raise HTTPException(status_code=403, detail="invalid CSRF token")
        await asyncio.to_thread(ctx.accounts.end_session, request.cookies.get(SESSION_COOKIE, ""))
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
        return response

    @api.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def console_page(request: Request) -> Response:
        """The console (queue, conversation, live chat)."""
        auth = await session_of(request)
        if auth is None:
            return RedirectResponse("/console/login", status_code=303)
        op = auth.operator
        enti = service.ente_names
        return page(
            request,
            "console.html",
            operator=op,
            role_label=ROLE_LABELS.get(op.role, op.role),
            csrf=auth.csrf,
            ente_labels=", ".join(enti.get(e, e) for e in op.enti) or "tutti i consorzi",
            enti=sorted(enti.items()),
        )

    # -- API: reading --------------------------------------------------------------------

    @api.get("/api/me")
    async def me(auth: AuthDep) -> dict[str, Any]:
        """The logged-in operator."""
        return {"operator": operator_view(auth.operator), "enti": service.ente_names}

    @api.get("/api/queue")
    async def queue(auth: AuthDep) -> dict[str, Any]:
        """Queued, assigned and out-of-hours handoffs the operator may see, oldest first."""
        enti = auth.operator.visible_enti()
        items = await asyncio.to_thread(
            store.list_active, enti, ("queued", "assigned", "offline", "awaiting_contact")
        )
        names = await operator_names()
        now = service.clock()
        out: dict[str, list[dict[str, Any]]] = {"queued": [], "assigned": [], "offline": []}
        positions: dict[str | None, int] = {}
        for item in items:
            h = item.handoff
            since = h.queued_at or h.created_at
            row = {
                "conversation": conversation_view(item.conversation),
                "handoff": handoff_view(h, names),
                "ente_name": service.ente_name(h.ente_gestore_id),
                "waiting_seconds": max(0, int((now - since).total_seconds())),
                "mine": h.operator_id == auth.operator.id,
            }
            if h.status == "queued":
                positions[h.ente_gestore_id] = positions.get(h.ente_gestore_id, 0) + 1
                row["position"] = positions[h.ente_gestore_id]
                out["queued"].append(row)
            elif h.status == "assigned":
                out["assigned"].append(row)
            else:
                out["offline"].append(row)
        return out

    @api.get("/api/bot-conversations")
    async def bot_conversations(auth: AuthDep) -> dict[str, Any]:
        """Recent conversations still with the bot (an operator may take one over)."""
        convs = await asyncio.to_thread(
            store.recent_bot_conversations, auth.operator.visible_enti()
        )
        return {"conversations": [conversation_view(c) for c in convs]}

    @api.get("/api/conversations/{conversation_id}")
    async def conversation(conversation_id: int, auth: AuthDep) -> dict[str, Any]:
        """Full transcript (bot part included), comune, need, handoff and internal notes."""
        conv = await visible_conversation(conversation_id, auth)
        history = await asyncio.to_thread(conversations.history, conv.id, 1000)
        handoff = await asyncio.to_thread(store.latest_for, conv.id)
        notes = await asyncio.to_thread(store.notes, conv.id)
        names = await operator_names()
        need = (handoff.need if handoff else None) or need_from_history(history)
        return {
            "conversation": conversation_view(conv),
            "ente_name": service.ente_name(conv.ente_gestore_id),
            "need": need,
            "handoff": handoff_view(handoff, names),
            "mine": bool(handoff and handoff.active and handoff.operator_id == auth.operator.id),
            "messages": [message_view(m) for m in history],
            "notes": [note_view(n) for n in notes],
        }

    @api.get("/api/contacts")
    async def contacts(auth: AuthDep) -> dict[str, Any]:
        """Contacts left out of hours, not yet handled."""
        rows = await asyncio.to_thread(store.contacts, auth.operator.visible_enti())
        return {"contacts": [contact_view(c) for c in rows]}

    @api.get("/api/operators")
    async def operators(auth: AuthDep) -> dict[str, Any]:
        """Active accounts an operator may transfer to (colleagues of its enti, supervisors)."""
        me = auth.operator
        rows = await asyncio.to_thread(ctx.accounts.list)
        visible = [
            o
            for o in rows
            if o.active and (me.sees_all or o.sees_all or set(o.enti) & set(me.enti))
        ]
        return {"operators": [operator_view(o) for o in visible]}

    @api.get("/api/canned")
    async def canned(auth: AuthDep) -> dict[str, Any]:
        """Canned replies."""
        return {"replies": ctx.canned}

    # -- API: actions --------------------------------------------------------------------

    async def body_text(request: Request, key: str = "text") -> str:
        try:
            data = await request.json()
        except ValueError:
            raise HTTPException(status_code=400, detail="invalid JSON") from None
        value = data.get(key) if isinstance(data, dict) else None
        if not isinstance(value, str) or not value.strip():
            raise HTTPException(status_code=400, detail=f"{key} required")
        if len(value) > MAX_TEXT:
            raise HTTPException(status_code=400, detail=f"{key} too long")
        return value.strip()

    def conflict(exc: HandoffConflict) -> HTTPException:
        return HTTPException(status_code=409, detail=str(exc))

    @api.post("/api/conversations/{conversation_id}/claim")
    async def claim(conversation_id: int, auth: CsrfDep) -> dict[str, Any]:
        """Take a queued conversation: of concurrent claims exactly one succeeds (409)."""
        conv = await visible_conversation(conversation_id, auth)
        handoff = await active_handoff(conv)
        try:
            won = await service.claim(handoff.id, auth.actor, auth.operator.visible_enti())
        except HandoffConflict as exc:
            raise conflict(exc) from None
        return {"ok": True, "handoff": handoff_view(won, await operator_names())}

    @api.post("/api/conversations/{conversation_id}/takeover")
    async def takeover(conversation_id: int, auth: CsrfDep) -> dict[str, Any]:
        """Take a conversation away from the bot."""
        conv = await visible_conversation(conversation_id, auth)
        try:
            handoff = await service.takeover(conv, auth.actor)
        except HandoffConflict as exc:
            raise conflict(exc) from None
        return {"ok": True, "handoff": handoff_view(handoff, await operator_names())}

    @api.post("/api/conversations/{conversation_id}/messages")
    async def send(conversation_id: int, request: Request, auth: CsrfDep) -> dict[str, Any]:
        """Send a message to the citizen (only the operator who has the conversation)."""
        conv = await visible_conversation(conversation_id, auth)
        text = await body_text(request)
        handoff = await active_handoff(conv)
        if handoff.operator_id != auth.operator.id:
            raise HTTPException(status_code=403, detail="the conversation is not yours")
        try:
            reply = await service.send(handoff.id, auth.actor, text)
        except HandoffConflict as exc:
            raise conflict(exc) from None
        return {"ok": True, "message": reply.to_json()}

    @api.post("/api/conversations/{conversation_id}/handback")
    async def handback(conversation_id: int, auth: CsrfDep) -> dict[str, Any]:
        """Give the conversation back to the bot."""
        return await finish(conversation_id, auth, close=False)

    @api.post("/api/conversations/{conversation_id}/close")
    async def close(conversation_id: int, auth: CsrfDep) -> dict[str, Any]:
        """Close the conversation with the operator."""
        return await finish(conversation_id, auth, close=True)

    async def finish(conversation_id: int, auth: Auth, *, close: bool) -> dict[str, Any]:
        conv = await visible_conversation(conversation_id, auth)
        handoff = await active_handoff(conv)
        if not may_manage(auth, handoff):
            raise HTTPException(status_code=403, detail="the conversation is not yours")
        try:
            if close:
                done = await service.close(handoff.id, auth.actor)
            else:
                done = await service.hand_back(handoff.id, auth.actor)
        except HandoffConflict as exc:
            raise conflict(exc) from None
        return {"ok": True, "handoff": handoff_view(done, await operator_names())}

    @api.post("/api/conversations/{conversation_id}/transfer")
    async def transfer(conversation_id: int, request: Request, auth: CsrfDep) -> dict[str, Any]:
        """Transfer to another operator (``operator_id``) or consortium (``ente_gestore_id``)."""
        conv = await visible_conversation(conversation_id, auth)
        handoff = await active_handoff(conv)
        if handoff.status == "assigned" and not may_manage(auth, handoff):
            raise HTTPException(status_code=403, detail="the conversation is not yours")
        try:
            data = await request.json()
        except ValueError:
            raise HTTPException(status_code=400, detail="invalid JSON") from None
        data = data if isinstance(data, dict) else {}
        try:
            if data.get("operator_id"):
                target = await asyncio.to_thread(ctx.accounts.get, int(data["operator_id"]))
                if (
                    target is None
                    or not target.active
                    or not target.can_see(handoff.ente_gestore_id)
                ):
                    raise HTTPException(status_code=400, detail="invalid target operator")
                done = await service.transfer_to_operator(
                    handoff.id, Actor(target.id, target.display_name), auth.actor
                )
            elif isinstance(data.get("ente_gestore_id"), str):
                if data["ente_gestore_id"] not in service.ente_names:
                    raise HTTPException(status_code=400, detail="unknown ente gestore")
                done = await service.transfer_to_ente(
                    handoff.id, data["ente_gestore_id"], auth.actor
                )
            else:
                raise HTTPException(status_code=400, detail="operator_id or ente_gestore_id")
        except HandoffConflict as exc:
            raise conflict(exc) from None
        except (TypeError, ValueError):
            raise HTTPException(status_code=400, detail="invalid transfer target") from None
        return {"ok": True, "handoff": handoff_view(done, await operator_names())}

    @api.post("/api/conversations/{conversation_id}/notes")
    async def add_note(conversation_id: int, request: Request, auth: CsrfDep) -> dict[str, Any]:
        """Add an internal note (operators only, never sent to the citizen)."""
        conv = await visible_conversation(conversation_id, auth)
        text = await body_text(request)
        note = await service.add_note(conv.id, auth.actor, text)
        return {"ok": True, "note": note_view(note)}

    @api.post("/api/contacts/{contact_id}/handled")
    async def contact_handled(contact_id: int, auth: CsrfDep) -> dict[str, Any]:
        """Mark a contact request as handled."""
        contact = await asyncio.to_thread(store.get_contact, contact_id)
        if contact is None or not auth.operator.can_see(contact.ente_gestore_id):
            raise HTTPException(status_code=404, detail="contact not found")
        ok = await service.contact_handled(contact, auth.actor)
        if not ok:
            raise HTTPException(status_code=409, detail="already handled")
        return {"ok": True}

    # -- live updates --------------------------------------------------------------------

    @api.websocket("/ws")
    async def live(ws: WebSocket) -> None:
        """Push queue changes and messages of visible conversations to this console."""
        if not _same_origin(ws.headers.get("origin"), ws.headers.get("host")):
            await ws.close(code=1008)
            return
        token = ws.cookies.get(SESSION_COOKIE, "")
        found = await asyncio.to_thread(ctx.accounts.resolve_session, token, service.clock())
        if found is None:
            await ws.close(code=1008)
            return
        await ws.accept()
        ctx.hub.add(ws, found[0])
        try:
            await ws.send_json({"type": "ready"})
            while True:
                await ws.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            ctx.hub.remove(ws)

    return api
