"""The models section (``/console/admin/models``, role admin): registry, training, gate, deploy.

The page lists every model (progress while it trains, its evaluation side by side with the
deployed one, the most-confused pairs) and the deploy history; ``static/models.js`` starts a
training, deploys (the gate's reasons are shown; an override needs a written reason) and rolls
back, through the JSON API under ``/console/api/admin/models`` (CSRF header).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from bot.console.admin.sections import AdminSection
from bot.console.admin.shell import AdminPages, page_auth
from bot.console.auth import Guard
from bot.console.context import Auth, ConsoleContext, json_body
from bot.nlu_models.deploy import DeployRefused, DeployResult
from bot.nlu_models.registry import NothingChanged, TrainingBusy
from bot.nlu_models.store import ModelsStore

MODELS = AdminSection("models", "/console/admin/models", ("admin",))


def _result(result: DeployResult) -> dict[str, Any]:
    return {
        "ok": True,
        "version": result.version,
        "previous": result.previous,
        "servers": result.servers,
        "overridden": [r.view() for r in result.overridden],
    }


def _refused(exc: DeployRefused) -> JSONResponse:
    reasons = [r.view() for r in exc.reasons]
    body = {"error": "deploy refused", "reasons": reasons, "overridable": exc.overridable}
    return JSONResponse(body, status_code=409)


def models_section(
    ctx: ConsoleContext, guard: Guard, pages: AdminPages, store: ModelsStore
) -> AdminSection:
    """The section with its router."""
    router = APIRouter(include_in_schema=False)
    api = "/console/api/admin/models"

    async def payload() -> dict[str, Any]:
        deployed = await store.deployed()
        models = [m.view() for m in await store.models()]
        base = next((m for m in models if m["version"] == deployed), None)
        return {"deployed": deployed, "models": models, "base": base}

    @router.get(MODELS.path, response_class=HTMLResponse)
    async def page(request: Request) -> Response:
        """The registry page."""
        auth = await page_auth(guard, request)
        if not isinstance(auth, Auth):
            return auth
        if not MODELS.allows(auth):
            return pages.forbidden(request, auth)
        data = await payload()
        return pages.page(
            request,
            auth,
            "admin/models.html",
            current=MODELS.id,
            history=await store.history(),
            statuses=ctx.texts.table("admin.models.statuses"),
            phases=ctx.texts.table("admin.models.phases"),
            **data,
        )

    @router.get(f"{MODELS.path}/{{version}}/confusion.png")
    async def confusion(version: str, request: Request) -> Response:
        """The confusion-matrix image of a model's held-out evaluation (404 without one)."""
        auth = await page_auth(guard, request)
        if not isinstance(auth, Auth):
            return auth
        if not MODELS.allows(auth):
            return pages.forbidden(request, auth)
        path = await store.confusion_png(version)
        if path is None:
            raise HTTPException(status_code=404, detail="no confusion matrix for this model")
        return FileResponse(path, media_type="image/png")

    @router.get(api)
    async def list_models(auth: Auth = Depends(guard.auth)) -> dict[str, Any]:
        """Models (with progress) and the deployed version."""
        return await payload()

    @router.post(f"{api}/train")
    async def train(auth: Auth = Depends(guard.csrf)) -> Response:
        """Start a training in its own process (409 when busy; ``unchanged`` when no change)."""
        try:
            model = await store.train(auth.operator.username)
        except TrainingBusy as exc:
            return JSONResponse({"error": "training running", "version": str(exc)}, 409)
        except NothingChanged as exc:
            return JSONResponse({"ok": True, "unchanged": True, "version": str(exc)})
        return JSONResponse({"ok": True, "version": model.version})

    @router.post(f"{api}/deploy")
    async def deploy(request: Request, auth: Auth = Depends(guard.csrf)) -> Response:
        """``{version, override?}``: deploy on every Rasa server (409 with the gate's reasons)."""
        data = await json_body(request)
        version, override = data.get("version"), data.get("override") or ""
        if not isinstance(version, str) or not version or not isinstance(override, str):
            raise HTTPException(status_code=400, detail="version (and override) as text")
        try:
            result = await store.deploy(version, auth.operator.username, override[:500])
        except DeployRefused as exc:
            return _refused(exc)
        except httpx.HTTPError as exc:
            raise HTTPException(status_code=502, detail=f"Rasa did not load it: {exc}") from None
        return JSONResponse(_result(result))

    @router.post(f"{api}/rollback")
    async def rollback(auth: Auth = Depends(guard.csrf)) -> Response:
        """Back to the previously deployed model."""
        try:
            result = await store.rollback(auth.operator.username)
        except DeployRefused as exc:
            return _refused(exc)
        except httpx.HTTPError as exc:
            raise HTTPException(status_code=502, detail=f"Rasa did not load it: {exc}") from None
        return JSONResponse(_result(result))

    return replace(MODELS, router=router)
