"""The console's pages: ``GET/POST /console/login``, ``POST /console/logout``, ``GET /console/``.

The texts come from ``bot/texts/console.yml``: the templates read them as ``texts``, and
console.js gets the whole file as JSON in the page (``data-texts``).
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from bot.console.auth import (
    COOKIE_PATH,
    LOGIN_CSRF_COOKIE,
    SECURITY_HEADERS,
    SESSION_COOKIE,
    Guard,
    same_origin,
)
from bot.console.context import ConsoleContext
from bot.handoff.models import ADMIN_AREA_ROLES

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


class Pages:
    """Renders the pages with the console texts and the security headers.

    Args:
        ctx: the console's dependencies.
    """

    def __init__(self, ctx: ConsoleContext) -> None:
        self.ctx = ctx
        self.templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        """Render a template (``texts`` is always there)."""
        context = {"texts": self.ctx.texts, **context}
        response = self.templates.TemplateResponse(request, name, context, status_code=status)
        response.headers.update(SECURITY_HEADERS)
        return response

    def login(self, request: Request, error: str | None = None, status: int = 200) -> Response:
        """The login form, with a fresh double-submit CSRF token (cookie + hidden field)."""
        token = secrets.token_urlsafe(32)
        response = self.page(request, "login.html", status, csrf=token, error=error)
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=self.ctx.secure_cookies,
            max_age=3600,
        )
        return response

    def signed_in(self, token: str) -> Response:
        """Redirect to the console with the new session cookie."""
        response = RedirectResponse("/console/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=self.ctx.secure_cookies,
        )
        response.delete_cookie(LOGIN_CSRF_COOKIE, path=COOKIE_PATH)
        return response


def _login_form_valid(request: Request, csrf: str) -> bool:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(
        cookie
        and csrf
        and hmac.compare_digest(cookie, csrf)
        and same_origin(request.headers.get("origin"), request.headers.get("host"))
    )


def build_pages_router(ctx: ConsoleContext, guard: Guard) -> APIRouter:
    """The console's HTML pages."""
    api = APIRouter(prefix="/console", include_in_schema=False)
    pages = Pages(ctx)

    @api.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request) -> Response:
        """Show the login form (and set the login CSRF cookie)."""
        return pages.login(request)

    @api.post("/login")
    async def login(
        request: Request,
        username: str = Form(""),
        password: str = Form(""),
        csrf: str = Form(""),
    ) -> Response:
        """Check the credentials; on success open a session and go to the console."""
        if not _login_form_valid(request, csrf):
            return pages.login(request, ctx.texts.text("login.expired"), 403)
        result = await ctx.accounts.authenticate(username[:60], password[:500], ctx.clock())
        if result.operator is None:
            if result.locked:
                return pages.login(request, ctx.texts.text("login.locked"), 423)
            return pages.login(request, ctx.texts.text("login.invalid"), 401)
        token, _csrf = await ctx.accounts.create_session(result.operator.id, ctx.clock())
        return pages.signed_in(token)

    @api.post("/logout")
    async def logout(request: Request, csrf: str = Form("")) -> Response:
        """End the session (the form carries the session's CSRF token)."""
        auth = await guard.optional(request)
        if auth is None:
            return RedirectResponse("/console/login", status_code=303)
        if not csrf or not hmac.compare_digest(csrf, auth.csrf):
            raise HTTPException(status_code=403, detail="invalid CSRF token")
        await ctx.accounts.end_session(request.cookies.get(SESSION_COOKIE, ""))
        response = RedirectResponse("/console/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
        return response

    @api.get("/", response_class=HTMLResponse)
    async def console_page(request: Request) -> Response:
        """The console (queue, conversation, live chat)."""
        auth = await guard.optional(request)
        if auth is None:
            return RedirectResponse("/console/login", status_code=303)
        if not auth.operator.at_desk:  # editors work in the admin area only
            return RedirectResponse("/console/admin/", status_code=303)
        op, texts = auth.operator, ctx.texts
        names = ctx.enti.names
        return pages.page(
            request,
            "console.html",
            operator=op,
            role_label=texts.table("roles").get(op.role, op.role),
            csrf=auth.csrf,
            ente_labels=", ".join(names.get(e, e) for e in op.enti) or texts.text("page.all_enti"),
            enti=sorted(names.items()),
            texts_json=texts.as_json(),
            admin_area=op.has_role(*ADMIN_AREA_ROLES),
        )

    return api
