"""The console's reading API (``GET /console/api/...``): queue, conversations, contacts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends

from bot.console.auth import Guard
from bot.console.context import Auth, ConsoleContext
from bot.console.views import (
    contact_view,
    conversation_view,
    handoff_view,
    message_view,
    note_view,
    operator_view,
)
from bot.handoff.events import need_from_history
from bot.handoff.records import QueueItem

#: Handoff statuses the queue page lists.
LISTED = ("queued", "assigned", "offline", "awaiting_contact")


def queue_lists(
    ctx: ConsoleContext, items: list[QueueItem], me: int, names: dict[int, str], now: datetime
) -> dict[str, list[dict[str, Any]]]:
    """Split handoffs into the console's lists (queued with positions, assigned, offline)."""
    out: dict[str, list[dict[str, Any]]] = {"queued": [], "assigned": [], "offline": []}
    positions: dict[str | None, int] = {}
    for item in items:
        h = item.handoff
        since = h.queued_at or h.created_at
        row = {
            "conversation": conversation_view(item.conversation),
            "handoff": handoff_view(h, names),
            "ente_name": ctx.enti.name(h.ente_gestore_id),
            "waiting_seconds": max(0, int((now - since).total_seconds())),
            "mine": h.operator_id == me,
        }
        if h.status == "queued":
            positions[h.ente_gestore_id] = positions.get(h.ente_gestore_id, 0) + 1
            row["position"] = positions[h.ente_gestore_id]
            out["queued"].append(row)
        else:
            out["assigned" if h.status == "assigned" else "offline"].append(row)
    return out


def build_read_router(ctx: ConsoleContext, guard: Guard) -> APIRouter:
    """The console's GET endpoints (a valid session; 404 for conversations not visible)."""
    api = APIRouter(prefix="/console/api")

    @api.get("/me")
    async def me(auth: Auth = Depends(guard.auth)) -> dict[str, Any]:
        """The logged-in operator."""
        return {"operator": operator_view(auth.operator), "enti": ctx.enti.names}

    @api.get("/queue")
    async def queue(auth: Auth = Depends(guard.auth)) -> dict[str, Any]:
        """Queued, assigned and out-of-hours handoffs the operator may see, oldest first."""
        items = await ctx.handoffs.list_active(auth.operator.visible_enti(), LISTED)
        names = await ctx.operator_names()
        return queue_lists(ctx, items, auth.operator.id, names, ctx.clock())

    @api.get("/bot-conversations")
    async def bot_conversations(auth: Auth = Depends(guard.auth)) -> dict[str, Any]:
        """Recent conversations still with the bot (an operator may take one over)."""
        convs = await ctx.handoffs.recent_bot_conversations(auth.operator.visible_enti())
        return {"conversations": [conversation_view(c) for c in convs]}

    @api.get("/conversations/{conversation_id}")
    async def conversation(
        conversation_id: int, auth: Auth = Depends(guard.auth)
    ) -> dict[str, Any]:
        """Full transcript (bot part included), comune, need, handoff and internal notes."""
        conv = await ctx.visible_conversation(conversation_id, auth)
        history = await ctx.conversations.history(conv.id, 1000)
        handoff = await ctx.handoffs.latest_for(conv.id)
        notes = await ctx.notes.notes(conv.id)
        names = await ctx.operator_names()
        mine = bool(handoff and handoff.active and handoff.operator_id == auth.operator.id)
        return {
            "conversation": conversation_view(conv),
            "ente_name": ctx.enti.name(conv.ente_gestore_id),
            "need": (handoff.need if handoff else None) or need_from_history(history),
            "handoff": handoff_view(handoff, names),
            "mine": mine,
            "messages": [message_view(m, ctx.texts) for m in history],
            "notes": [note_view(n) for n in notes],
        }

    @api.get("/contacts")
    async def contacts(auth: Auth = Depends(guard.auth)) -> dict[str, Any]:
        """Contacts left out of hours, not yet handled."""
        rows = await ctx.notes.contacts(auth.operator.visible_enti())
        return {"contacts": [contact_view(c) for c in rows]}

    @api.get("/operators")
    async def operators(auth: Auth = Depends(guard.auth)) -> dict[str, Any]:
        """Active accounts an operator may transfer to (colleagues of its enti, supervisors)."""
        me = auth.operator
        visible = [
            o
            for o in await ctx.accounts.list()
            if o.active and (me.sees_all or o.sees_all or set(o.enti) & set(me.enti))
        ]
        return {"operators": [operator_view(o) for o in visible]}

    @api.get("/canned")
    async def canned(auth: Auth = Depends(guard.auth)) -> dict[str, Any]:
        """Canned replies."""
        return {"replies": ctx.canned}

    return api
