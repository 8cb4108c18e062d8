"""The console's actions (``POST /console/api/...``): claim, takeover, chat, transfer, notes.

Each needs a session, a same-origin request and the session's CSRF token (``guard.csrf``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request

from bot.console.auth import Guard
from bot.console.context import (
    Auth,
    ConsoleContext,
    body_text,
    conflict,
    json_body,
    may_manage,
)
from bot.console.views import handoff_view, note_view
from bot.handoff.events import Actor, HandoffConflict
from bot.handoff.records import HandoffRecord


async def _transfer(
    ctx: ConsoleContext, handoff: HandoffRecord, data: dict[str, Any], auth: Auth
) -> HandoffRecord:
    """Transfer to ``operator_id`` (who must see the handoff's ente) or ``ente_gestore_id``."""
    if data.get("operator_id"):
        target = await ctx.accounts.get(int(data["operator_id"]))
        if target is None or not target.active or not target.can_see(handoff.ente_gestore_id):
            raise HTTPException(status_code=400, detail="invalid target operator")
        to = Actor(target.id, target.display_name)
        return await ctx.desk.transfer_to_operator(handoff.id, to, auth.actor)
    ente = data.get("ente_gestore_id")
    if isinstance(ente, str):
        if ente not in ctx.enti:
            raise HTTPException(status_code=400, detail="unknown ente gestore")
        return await ctx.desk.transfer_to_ente(handoff.id, ente, auth.actor)
    raise HTTPException(status_code=400, detail="operator_id or ente_gestore_id")


def build_action_router(ctx: ConsoleContext, guard: Guard) -> APIRouter:
    """The console's POST endpoints."""
    api = APIRouter(prefix="/console/api")

    async def handoff_answer(handoff: HandoffRecord) -> dict[str, Any]:
        return {"ok": True, "handoff": handoff_view(handoff, await ctx.operator_names())}

    @api.post("/conversations/{conversation_id}/claim")
    async def claim(conversation_id: int, auth: Auth = Depends(guard.csrf)) -> dict[str, Any]:
        """Take a queued conversation: of concurrent claims exactly one succeeds (409)."""
        handoff = await ctx.active_handoff(await ctx.visible_conversation(conversation_id, auth))
        try:
            won = await ctx.desk.claim(handoff.id, auth.actor, auth.operator.visible_enti())
        except HandoffConflict as exc:
            raise conflict(exc) from None
        return await handoff_answer(won)

    @api.post("/conversations/{conversation_id}/takeover")
    async def takeover(conversation_id: int, auth: Auth = Depends(guard.csrf)) -> dict[str, Any]:
        """Take a conversation away from the bot."""
        conv = await ctx.visible_conversation(conversation_id, auth)
        try:
            return await handoff_answer(await ctx.desk.takeover(conv, auth.actor))
        except HandoffConflict as exc:
            raise conflict(exc) from None

    @api.post("/conversations/{conversation_id}/messages")
    async def send(
        conversation_id: int, request: Request, auth: Auth = Depends(guard.csrf)
    ) -> dict[str, Any]:
        """Send a message to the citizen (only the operator who has the conversation)."""
        conv = await ctx.visible_conversation(conversation_id, auth)
        text = await body_text(request)
        handoff = await ctx.active_handoff(conv)
        if handoff.operator_id != auth.operator.id:
            raise HTTPException(status_code=403, detail="the conversation is not yours")
        try:
            reply = await ctx.desk.send(handoff.id, auth.actor, text)
        except HandoffConflict as exc:
            raise conflict(exc) from None
        return {"ok": True, "message": reply.to_json()}

    async def finish(conversation_id: int, auth: Auth, *, close: bool) -> dict[str, Any]:
        handoff = await ctx.active_handoff(await ctx.visible_conversation(conversation_id, auth))
        if not may_manage(auth, handoff):
            raise HTTPException(status_code=403, detail="the conversation is not yours")
        action = ctx.desk.close if close else ctx.desk.hand_back
        try:
            return await handoff_answer(await action(handoff.id, auth.actor))
        except HandoffConflict as exc:
            raise conflict(exc) from None

    @api.post("/conversations/{conversation_id}/handback")
    async def handback(conversation_id: int, auth: Auth = Depends(guard.csrf)) -> dict[str, Any]:
        """Give the conversation back to the bot."""
        return await finish(conversation_id, auth, close=False)

    @api.post("/conversations/{conversation_id}/close")
    async def close(conversation_id: int, auth: Auth = Depends(guard.csrf)) -> dict[str, Any]:
        """Close the conversation with the operator."""
        return await finish(conversation_id, auth, close=True)

    @api.post("/conversations/{conversation_id}/transfer")
    async def transfer(
        conversation_id: int, request: Request, auth: Auth = Depends(guard.csrf)
    ) -> dict[str, Any]:
        """Transfer to another operator (``operator_id``) or consortium (``ente_gestore_id``)."""
        handoff = await ctx.active_handoff(await ctx.visible_conversation(conversation_id, auth))
        if handoff.status == "assigned" and not may_manage(auth, handoff):
            raise HTTPException(status_code=403, detail="the conversation is not yours")
        data = await json_body(request)
        try:
            return await handoff_answer(await _transfer(ctx, handoff, data, auth))
        except HandoffConflict as exc:
            raise conflict(exc) from None
        except (TypeError, ValueError):
            raise HTTPException(status_code=400, detail="invalid transfer target") from None

    @api.post("/conversations/{conversation_id}/notes")
    async def add_note(
        conversation_id: int, request: Request, auth: Auth = Depends(guard.csrf)
    ) -> dict[str, Any]:
        """Add an internal note (operators only, never sent to the citizen)."""
        conv = await ctx.visible_conversation(conversation_id, auth)
        note = await ctx.desk.add_note(conv.id, auth.actor, await body_text(request))
        return {"ok": True, "note": note_view(note)}

    @api.post("/contacts/{contact_id}/handled")
    async def contact_handled(contact_id: int, auth: Auth = Depends(guard.csrf)) -> dict[str, Any]:
        """Mark a contact request as handled."""
        contact = await ctx.notes.get_contact(contact_id)
        if contact is None or not auth.operator.can_see(contact.ente_gestore_id):
            raise HTTPException(status_code=404, detail="contact not found")
        if not await ctx.desk.contact_handled(contact, auth.actor):
            raise HTTPException(status_code=409, detail="already handled")
        return {"ok": True}

    return api
