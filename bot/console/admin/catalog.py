"""The catalog section of the admin area (``/console/admin/catalog``, issue 13).

Admins list, search, create, edit and deactivate every service and opportunity and edit the
enti gestori's contacts and offices; editors do the same for the records of their enti
gestori only. Each record page shows the provenance (source, last verification, verified
flag) and the history of changes with the diff; the index lists the records "da
riverificare" and the opportunities expiring in the next 30 days. The bot reads the same
database: a saved change is in the next answer (no retraining, no restart).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from bot.console.admin.catalog_api import EXPIRY_DAYS, build_catalog_api, owned, scope_of
from bot.console.admin.catalog_store import CatalogAdminStore
from bot.console.admin.sections import AdminSection
from bot.console.admin.shell import AdminPages, page_auth
from bot.console.auth import Guard
from bot.console.context import Auth, ConsoleContext
from catalog.admin.checks import DAYS
from catalog.admin.editor import KINDS
from catalog.constants import (
    CATEGORIES,
    CONFIDENCE,
    ENTE_CONTACT_KINDS,
    OPPORTUNITY_KINDS,
    STATUSES,
    TARGET_GROUPS,
)

PATH = "/console/admin/catalog"
ROLES = ("admin", "editor")
AREA_KINDS = ("comuni", "enti_gestori", "distretti", "asl", "region", "national")


def _nav_sections(request: Request, own: AdminSection) -> Sequence[AdminSection]:
    """Every section of the app (for the navigation), this one at least."""
    gateway = getattr(request.app.state, "gateway", None)
    return list(getattr(gateway, "admin_sections", None) or [own])


def build_catalog_section(
    ctx: ConsoleContext, store: CatalogAdminStore, reverify_months: int
) -> AdminSection:
    """The section (pages and JSON API) over ``store``."""
    guard = Guard(ctx.accounts, ctx.clock).with_roles(*ROLES)
    section_ref: list[AdminSection] = []
    pages = APIRouter(prefix=PATH, include_in_schema=False)

    async def enter(request: Request) -> Auth | Response:
        auth = await page_auth(guard, request)
        if isinstance(auth, Auth) and not auth.operator.has_role(*ROLES):
            return _pages(request).forbidden(request, auth)
        return auth

    def _pages(request: Request) -> AdminPages:
        own = section_ref[0]
        return AdminPages(ctx, [s for s in _nav_sections(request, own)])

    def render(request: Request, auth: Auth, name: str, **context: Any) -> HTMLResponse:
        labels = {
            "kind_labels": ctx.texts.table("admin.catalog.kinds"),
            "status_labels": ctx.texts.table("admin.catalog.statuses"),
            "area_labels": ctx.texts.table("admin.catalog.areas"),
            "action_labels": ctx.texts.table("admin.catalog.actions"),
        }
        return _pages(request).page(request, auth, name, current="catalog", **labels, **context)

    @pages.get("", response_class=HTMLResponse)
    async def index(request: Request, q: str = "", kind: str = "service") -> Response:
        """Search and list; what to verify again; what expires soon."""
        auth = await enter(request)
        if not isinstance(auth, Auth):
            return auth
        kind = kind if kind in KINDS else "service"
        scope = scope_of(auth)
        rows = await store.search(kind, q[:200], scope)
        stale, expiring = await store.review(reverify_months, EXPIRY_DAYS, scope)
        return render(
            request,
            auth,
            "admin/catalog.html",
            rows=rows,
            q=q,
            kind=kind,
            kinds=KINDS,
            stale=stale,
            expiring=expiring,
            months=reverify_months,
            days=EXPIRY_DAYS,
        )

    @pages.get("/new/{kind}", response_class=HTMLResponse)
    async def new(request: Request, kind: str) -> Response:
        """The empty form of a new service or opportunity."""
        auth = await enter(request)
        if not isinstance(auth, Auth):
            return auth
        if kind not in ("service", "opportunity"):
            raise HTTPException(status_code=404, detail="not found")
        return await _record_page(request, auth, kind, None, {}, [])

    @pages.get("/{kind}/{record_id}", response_class=HTMLResponse)
    async def record(request: Request, kind: str, record_id: str) -> Response:
        """The form of one record, its provenance and its history with the diff."""
        auth = await enter(request)
        if not isinstance(auth, Auth):
            return auth
        try:
            current = await owned(store, auth, kind, record_id)
        except HTTPException as exc:
            if exc.status_code == 403:
                return _pages(request).forbidden(request, auth)
            raise
        history = await store.history(kind, record_id)
        return await _record_page(request, auth, kind, record_id, current, history)

    async def _record_page(
        request: Request,
        auth: Auth,
        kind: str,
        record_id: str | None,
        current: dict[str, Any],
        history: list[Any],
    ) -> HTMLResponse:
        orgs, comuni = await store.choices()
        scope = scope_of(auth)
        allowed = {k: v for k, v in orgs.items() if scope is None or k in scope}
        area = current.get("area") or {}
        area_kind, area_values = next(iter(area.items()), ("comuni", []))
        return render(
            request,
            auth,
            "admin/catalog_record.html",
            kind=kind,
            record_id=record_id,
            r=current,
            history=[_change_view(c) for c in history],
            orgs=allowed,
            comuni=comuni,
            area_kind=area_kind,
            area_values=", ".join(map(str, area_values)) if isinstance(area_values, list) else "",
            json_contacts=_pretty(current.get("contacts") or []),
            json_offices=_pretty(current.get("offices") or []),
            choices={
                "categories": CATEGORIES,
                "target_groups": TARGET_GROUPS,
                "confidence": CONFIDENCE,
                "statuses": STATUSES,
                "opportunity_kinds": OPPORTUNITY_KINDS,
                "area_kinds": AREA_KINDS,
                "contact_kinds": ENTE_CONTACT_KINDS,
                "days": DAYS,
            },
        )

    router = APIRouter()
    router.include_router(pages)
    router.include_router(build_catalog_api(guard, store, reverify_months))
    section = AdminSection("catalog", PATH, ROLES, router)
    section_ref.append(section)
    return section


def _shown(value: Any) -> str:
    """A value of a diff as plain text (escaped by the template)."""
    import json

    if value is None:
        return "—"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _change_view(change: Any) -> dict[str, Any]:
    diff = [
        {"field": d["field"], "before": _shown(d["before"]), "after": _shown(d["after"])}
        for d in change.diff()
    ]
    return {
        "at": change.at,
        "action": change.action,
        "actor": change.actor,
        "fields": change.fields,
        "diff": diff,
    }


def _pretty(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=2)
