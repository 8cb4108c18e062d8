"""JSON API of the catalog section (``/console/api/admin/catalog``).

``GET /{kind}`` (``?q=``), ``GET /{kind}/{id}`` (record and history), ``POST /{kind}``
(create), ``PATCH /{kind}/{id}`` (change some fields), ``POST /{kind}/{id}/deactivate``,
``GET /review`` (da riverificare, in scadenza). ``kind``: ``service``, ``opportunity``,
``ente_gestore``. Admins edit everything; editors only the records of their enti gestori
(403 otherwise). Wrong data answers 422 ``{error, status, errors: [{field, message}]}`` with Italian
messages per field (the gateway's error shape), never 500.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from bot.console.admin.catalog_store import CatalogAdminStore
from bot.console.auth import Guard
from bot.console.context import Auth
from catalog.admin.editor import KINDS, InvalidRecord, RecordNotFound

EXPIRY_DAYS = 30


def scope_of(auth: Auth) -> set[str] | None:
    """The providers whose records the account edits (None: all of them)."""
    op = auth.operator
    return None if op.role == "admin" else set(op.enti)


def actor_of(auth: Auth) -> str:
    """The name kept in the history."""
    return f"{auth.operator.display_name} ({auth.operator.username})"


def check_kind(kind: str) -> str:
    """404 for an unknown kind of record."""
    if kind not in KINDS:
        raise HTTPException(status_code=404, detail=f"tipo di record sconosciuto '{kind}'")
    return kind


async def owned(store: CatalogAdminStore, auth: Auth, kind: str, record_id: str) -> dict[str, Any]:
    """The record, if the account may edit it (404 missing, 403 another ente's)."""
    try:
        record = await store.get(check_kind(kind), record_id)
    except RecordNotFound:
        raise HTTPException(status_code=404, detail="record non trovato") from None
    owner = record["id"] if kind == "ente_gestore" else record.get("organization")
    if not auth.operator.may_edit_ente(owner):
        raise HTTPException(
            status_code=403, detail="puoi modificare solo i record dei tuoi consorzi"
        )
    return record


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"null")
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(
            status_code=400, detail="il corpo della richiesta non è JSON valido"
        ) from None
    if not isinstance(data, dict):
        raise HTTPException(status_code=400, detail="atteso un oggetto JSON con i campi del record")
    return data


CONFLICT = (
    "il record è stato salvato nello stesso momento da un'altra persona: "
    "ricaricare la pagina e riprovare"
)


def _invalid(exc: InvalidRecord) -> JSONResponse:
    errors = [e.to_dict() for e in exc.errors]
    body = {"error": "dati non validi", "status": 422, "errors": errors}
    return JSONResponse(body, status_code=422)


def build_catalog_api(guard: Guard, store: CatalogAdminStore, reverify_months: int) -> APIRouter:
    """The JSON API, bound to the store and the section's guard (admin, editor)."""
    api = APIRouter(prefix="/console/api/admin/catalog", include_in_schema=False)

    @api.get("/review")
    async def review(auth: Auth = Depends(guard.auth)) -> dict[str, Any]:
        """What needs attention: records to verify again, opportunities about to expire."""
        stale, expiring = await store.review(reverify_months, EXPIRY_DAYS, scope_of(auth))
        return {
            "months": reverify_months,
            "days": EXPIRY_DAYS,
            "stale": [r.to_dict() for r in stale],
            "expiring": [r.to_dict() for r in expiring],
        }

    @api.get("/{kind}")
    async def listing(kind: str, q: str = "", auth: Auth = Depends(guard.auth)) -> dict[str, Any]:
        """The records of the account (all for an admin), matching ``q``."""
        rows = await store.search(check_kind(kind), q[:200], scope_of(auth))
        return {"items": [r.to_dict() for r in rows]}

    @api.get("/{kind}/{record_id}")
    async def show(kind: str, record_id: str, auth: Auth = Depends(guard.auth)) -> dict[str, Any]:
        """One record with its history (and the diff of each change)."""
        record = await owned(store, auth, kind, record_id)
        history = await store.history(kind, record_id)
        return {"record": record, "history": [c.to_dict() for c in history]}

    @api.post("/{kind}", status_code=201)
    async def create(kind: str, request: Request, auth: Auth = Depends(guard.csrf)) -> Any:
        """Add a service or an opportunity (of one of the editor's enti)."""
        data = await _body(request)
        if kind not in ("service", "opportunity"):
            raise HTTPException(
                status_code=404, detail="si possono creare solo servizi e opportunità"
            )
        if not auth.operator.may_edit_ente(str(data.get("organization") or "") or None):
            raise HTTPException(
                status_code=403, detail="puoi creare record solo per i tuoi consorzi"
            )
        try:
            record = await store.create(kind, data, actor_of(auth))
        except InvalidRecord as exc:
            return _invalid(exc)
        except IntegrityError:  # a concurrent save of the same record (PostgreSQL)
            raise HTTPException(status_code=409, detail=CONFLICT) from None
        return JSONResponse({"record": record}, status_code=201)

    @api.patch("/{kind}/{record_id}")
    async def update(
        kind: str, record_id: str, request: Request, auth: Auth = Depends(guard.csrf)
    ) -> Any:
        """Change some fields; the provider may move only to another of the editor's enti."""
        data = await _body(request)
        await owned(store, auth, kind, record_id)
        if "organization" in data and not auth.operator.may_edit_ente(str(data["organization"])):
            raise HTTPException(
                status_code=403, detail="puoi assegnare i record solo ai tuoi consorzi"
            )
        try:
            record = await store.update(kind, record_id, data, actor_of(auth))
        except InvalidRecord as exc:
            return _invalid(exc)
        except IntegrityError:  # a concurrent save of the same record (PostgreSQL)
            raise HTTPException(status_code=409, detail=CONFLICT) from None
        return {"record": record}

    @api.post("/{kind}/{record_id}/deactivate")
    async def deactivate(kind: str, record_id: str, auth: Auth = Depends(guard.csrf)) -> Any:
        """No longer shown to citizens (kept, with its history; reactivate by editing)."""
        if kind not in ("service", "opportunity"):
            raise HTTPException(status_code=404, detail="si disattivano solo servizi e opportunità")
        await owned(store, auth, kind, record_id)
        try:
            record = await store.deactivate(kind, record_id, actor_of(auth))
        except InvalidRecord as exc:
            return _invalid(exc)
        except IntegrityError:  # a concurrent save of the same record (PostgreSQL)
            raise HTTPException(status_code=409, detail=CONFLICT) from None
        return {"record": record}

    return api
