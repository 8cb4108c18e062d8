"""Admin section ``analytics``: the needs dashboard, its JSON and its CSV export.

``GET /console/admin/analytics`` (page: tables with an SVG chart beside each),
``GET /console/api/admin/analytics`` (JSON) and ``GET /console/api/admin/analytics/csv``
(``?table=<id>``: one table; none: every table). Parameters: ``from``, ``to`` (AAAA-MM-GG,
default the last 30 days), ``granularity`` (``day|week|month``), ``ente``. Open to every
console role; operators and editors see only their enti gestori, admins and supervisors all.
Only aggregates, suppressed under 5 conversations (``bot.analytics.privacy``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup

from bot.analytics.charts import bar_chart
from bot.analytics.export import tables_csv
from bot.analytics.privacy import MIN_CONVERSATIONS, Table
from bot.analytics.report import Report
from bot.analytics.service import AnalyticsReports
from bot.analytics.source import ROME
from bot.console.admin.analytics_params import (
    BadParams,
    Query,
    labels_from_texts,
    parse_query,
    visible_enti,
)
from bot.console.admin.sections import AdminSection
from bot.console.admin.shell import AdminPages, page_auth
from bot.console.auth import SECURITY_HEADERS, Guard
from bot.console.context import Auth, ConsoleContext
from bot.gateway.errors import error_response
from bot.handoff.models import ROLES

PATH = "/console/admin/analytics"


def _table_json(table: Table) -> dict[str, Any]:
    return {
        "id": table.id,
        "title": table.title,
        "columns": [table.row_header, *table.columns],
        "rows": [
            {"label": r.label, "key": r.key, "cells": [c.text() for c in r.cells],
             "values": [c.shown_value() for c in r.cells]}
            for r in table.all_rows()
        ],
    }  # fmt: skip


class AnalyticsSection:
    """The analytics pages and APIs of one console.

    Args:
        ctx: the console's dependencies (texts, enti, clock, accounts).
        guard: session checks with every console role.
        reports: async reports.
    """

    def __init__(self, ctx: ConsoleContext, guard: Guard, reports: AnalyticsReports) -> None:
        self.ctx = ctx
        self.guard = guard
        self.reports = reports
        self.labels = labels_from_texts(ctx.texts, ctx.enti.names)

    def query(self, request: Request, auth: Auth) -> Query:
        """The checked parameters of ``request`` for ``auth`` (``BadParams``)."""
        today = self.ctx.clock().astimezone(ROME).date()
        return parse_query(
            dict(request.query_params), visible_enti(auth.operator), today, self.ctx.texts,
            self.ctx.enti.names,
        )  # fmt: skip

    async def report(self, query: Query) -> Report:
        """The report of a checked query."""
        return await self.reports.report(query.scope, self.labels)

    def scope_label(self, auth: Auth) -> str:
        """Which enti the account's figures cover."""
        enti = visible_enti(auth.operator)
        if enti is None:
            return self.ctx.texts.text("analytics.scope_all")
        names = ", ".join(self.ctx.enti.name(e) for e in enti) or "–"
        return self.ctx.texts.text("analytics.scope_enti", enti=names)


def build_analytics_section(
    ctx: ConsoleContext,
    guard: Guard,
    reports: AnalyticsReports,
    others: Sequence[AdminSection] = (),
) -> AdminSection:
    """The ``analytics`` section with its router.

    Args:
        ctx: the console's dependencies.
        guard: the console's session checks (the section opens them to every role).
        reports: async reports.
        others: the other admin sections, for the navigation of the page.
    """
    section_guard = guard.with_roles(*ROLES)
    view = AnalyticsSection(ctx, section_guard, reports)
    section = AdminSection("analytics", PATH, ROLES)
    router = APIRouter(include_in_schema=False)
    texts = ctx.texts
    pages = AdminPages(ctx, [*others, section])
    granularities = texts.table("analytics.granularities")

    @router.get(PATH, response_class=HTMLResponse)
    async def page(request: Request) -> Response:
        """The dashboard."""
        auth = await page_auth(section_guard, request, ROLES)
        if not isinstance(auth, Auth):
            return auth
        enti = visible_enti(auth.operator)
        choices = sorted(ctx.enti.names.items()) if enti is None else [
            (e, ctx.enti.name(e)) for e in enti
        ]  # fmt: skip
        try:
            query = view.query(request, auth)
        except BadParams as exc:
            response = pages.page(
                request, auth, "admin/analytics.html", current="analytics", error=exc.message,
                report=None, params=dict(request.query_params), choices=choices,
                scope_label=view.scope_label(auth), granularities=granularities,
            )  # fmt: skip
            response.status_code = 400
            return response
        report = await view.report(query)
        charts = {}
        for t in report.tables:
            if t.chart is not None and t.rows:
                desc = texts.text("analytics.chart_desc", column=t.columns[t.chart])
                charts[t.id] = Markup(bar_chart(t, desc))  # fmt: skip
        scope = query.scope
        params = {"from": scope.start.isoformat(), "to": scope.end.isoformat(),
                  "granularity": scope.granularity, "ente": query.ente or ""}  # fmt: skip
        return pages.page(
            request, auth, "admin/analytics.html", current="analytics", error=None,
            report=report, charts=charts, params=params, choices=choices,
            scope_label=view.scope_label(auth), minimum=MIN_CONVERSATIONS,
            granularities=granularities,
            query_string=str(request.url.query),
        )  # fmt: skip

    @router.get("/console/api/admin/analytics")
    async def api(request: Request, auth: Auth = Depends(section_guard.auth)) -> Response:
        """The report as JSON (suppressed cells: ``"<5"`` and value null)."""
        try:
            query = view.query(request, auth)
        except BadParams as exc:
            return error_response(400, exc.message, fields=[{"field": exc.field}])
        report = await view.report(query)
        body = {
            "from": query.scope.start.isoformat(),
            "to": query.scope.end.isoformat(),
            "granularity": query.scope.granularity,
            "enti": None if query.scope.enti is None else list(query.scope.enti),
            "minimum_conversations": MIN_CONVERSATIONS,
            "tables": [_table_json(t) for t in report.tables],
        }
        return JSONResponse(body, headers=SECURITY_HEADERS)

    @router.get("/console/api/admin/analytics/csv")
    async def csv_export(request: Request, auth: Auth = Depends(section_guard.auth)) -> Response:
        """One table (``?table=``) or every table as CSV, the same figures as the page."""
        try:
            query = view.query(request, auth)
        except BadParams as exc:
            return error_response(400, exc.message, fields=[{"field": exc.field}])
        report = await view.report(query)
        tables = report.tables
        if query.table is not None:
            found = report.table(query.table)
            if found is None:
                return error_response(400, texts.text("analytics.errors.table"),
                                      fields=[{"field": "table"}])  # fmt: skip
            tables = [found]
        name = f"wecare-{query.table or 'analisi'}-{query.scope.start}-{query.scope.end}.csv"
        headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
        return Response(tables_csv(tables), media_type="text/csv; charset=utf-8", headers=headers)

    return AdminSection(section.id, section.path, section.roles, router)
