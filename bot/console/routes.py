"""HTTP and WebSocket endpoints of the operator console (``/console``), put together.

Pages (``bot.console.pages``), the JSON API under ``/console/api`` (``api_read``,
``api_actions``; session cookie, CSRF token in ``X-CSRF-Token`` for changes) and the live
updates ``WS /console/ws`` (below). The composition root (``bot.app``) includes the router
and mounts ``/console/static``.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from bot.console.admin.sections import AdminSection
from bot.console.admin.shell import build_admin_shell
from bot.console.api_actions import build_action_router
from bot.console.api_read import build_read_router
from bot.console.auth import SESSION_COOKIE, Guard, same_origin
from bot.console.context import ConsoleContext
from bot.console.pages import build_pages_router
from bot.handoff.models import ADMIN_AREA_ROLES


def build_live_router(ctx: ConsoleContext, guard: Guard) -> APIRouter:
    """``WS /console/ws``: queue changes and messages of visible conversations."""
    api = APIRouter(prefix="/console")

    @api.websocket("/ws")
    async def live(ws: WebSocket) -> None:
        """Push queue changes and messages of visible conversations to this console."""
        if not same_origin(ws.headers.get("origin"), ws.headers.get("host")):
            await ws.close(code=1008)
            return
        auth = await guard.session_of(ws.cookies.get(SESSION_COOKIE, ""))
        if auth is None or not auth.operator.at_desk:
            await ws.close(code=1008)
            return
        await ws.accept()
        ctx.hub.add(ws, auth.operator)
        try:
            await ws.send_json({"type": "ready"})
            while True:
                await ws.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            ctx.hub.remove(ws)

    return api


def build_console_router(
    ctx: ConsoleContext, admin_sections: Sequence[AdminSection] = ()
) -> APIRouter:
    """Every console endpoint, bound to ``ctx``, with the admin area and its sections."""
    guard = Guard(ctx.accounts, ctx.clock)
    router = APIRouter()
    router.include_router(
        build_admin_shell(ctx, guard.with_roles(*ADMIN_AREA_ROLES), admin_sections)
    )
    router.include_router(build_pages_router(ctx, guard))
    router.include_router(build_read_router(ctx, guard))
    router.include_router(build_action_router(ctx, guard))
    router.include_router(build_live_router(ctx, guard))
    return router
