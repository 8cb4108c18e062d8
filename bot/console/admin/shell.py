"""The shell of the admin area: ``GET /console/admin/`` (index, navigation), the accounts page.

Every admin page extends ``templates/admin/base.html``, which draws the navigation of the
sections the account may open (``nav``); :func:`admin_page` renders one with the shared
context. The JSON APIs of the sections live under ``/console/api/admin/<section>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.console.admin.sections import AdminSection
from bot.console.auth import Guard
from bot.console.context import Auth, ConsoleContext
from bot.console.pages import Pages
from bot.handoff.models import ADMIN_AREA_ROLES

ACCOUNTS = AdminSection("accounts", "/console/admin/accounts", ("admin",))


class AdminPages:
    """Renders admin pages for one account: navigation, role label, CSRF token."""

    def __init__(self, ctx: ConsoleContext, sections: Sequence[AdminSection]) -> None:
        self.ctx = ctx
        self.sections = [ACCOUNTS, *sections]
        self.pages = Pages(ctx)

    def nav(self, auth: Auth) -> list[dict[str, str]]:
        """The sections ``auth`` may open, with their titles."""
        titles = self.ctx.texts.table("admin.sections")
        return [
            {"id": s.id, "path": s.path, "title": titles.get(s.id, s.id)}
            for s in self.sections
            if s.allows(auth)
        ]

    def page(
        self, request: Request, auth: Auth, name: str, current: str = "", **context: Any
    ) -> HTMLResponse:
        """Render ``templates/<name>`` inside the admin layout."""
        op = auth.operator
        return self.pages.page(
            request,
            name,
            operator=op,
            role_label=self.ctx.texts.table("roles").get(op.role, op.role),
            csrf=auth.csrf,
            nav=self.nav(auth),
            current=current,
            texts_json=self.ctx.texts.as_json(),
            at_desk=op.at_desk,
            **context,
        )

    def forbidden(self, request: Request, auth: Auth) -> HTMLResponse:
        """The 403 page (same layout, no content)."""
        response = self.page(request, auth, "admin/forbidden.html")
        response.status_code = 403
        return response


async def page_auth(
    guard: Guard, request: Request, roles: Sequence[str] = ADMIN_AREA_ROLES
) -> Auth | Response:
    """The account of an admin page: a redirect to the login, or the account (any role).

    The caller answers 403 (``AdminPages.forbidden``) when the role does not fit.
    """
    auth = await guard.optional(request)
    if auth is None:
        return RedirectResponse("/console/login", status_code=303)
    return auth


def build_admin_shell(
    ctx: ConsoleContext, guard: Guard, sections: Sequence[AdminSection]
) -> APIRouter:
    """The index and the accounts page, plus the sections' own routers."""
    api = APIRouter(prefix="/console/admin", include_in_schema=False)
    pages = AdminPages(ctx, sections)

    @api.get("/", response_class=HTMLResponse)
    async def index(request: Request) -> Response:
        """The admin home: the sections of the account's role."""
        auth = await page_auth(guard, request)
        if not isinstance(auth, Auth):
            return auth
        if not auth.operator.has_role(*ADMIN_AREA_ROLES):
            return pages.forbidden(request, auth)
        return pages.page(request, auth, "admin/index.html")

    @api.get("/accounts", response_class=HTMLResponse)
    async def accounts(request: Request) -> Response:
        """The console accounts, their roles and enti (read-only: ``wecare operators``)."""
        auth = await page_auth(guard, request)
        if not isinstance(auth, Auth):
            return auth
        if not ACCOUNTS.allows(auth):
            return pages.forbidden(request, auth)
        names = ctx.enti.names
        rows = [
            {
                "username": op.username,
                "name": op.display_name,
                "role": ctx.texts.table("roles").get(op.role, op.role),
                "enti": ", ".join(names.get(e, e) for e in op.enti),
                "active": op.active,
            }
            for op in await ctx.accounts.list()
        ]
        return pages.page(request, auth, "admin/accounts.html", current="accounts", rows=rows)

    router = APIRouter()
    router.include_router(api)
    for section in sections:
        if section.router is not None:
            router.include_router(section.router)
    return router
