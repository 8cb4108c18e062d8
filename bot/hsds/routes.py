"""The public, read-only HSDS 3.0 API of the catalog (``/hsds/``), for other services.

Regione, comuni and 211-style directories can reuse the catalog with any HSDS 3.0 client:
``GET /hsds/`` (version, profile), ``/hsds/services[/{id}]``, ``/hsds/organizations[/{id}]``,
``/hsds/service_at_locations``; lists take ``search``, ``page``, ``per_page``,
``organization_id``, ``modified_after``, ``postcode`` and answer the HSDS paginated envelope.
Only active services are ever listed. A malformed parameter gets a 400 naming it; no login,
no personal data (the catalog is public information).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.gateway.errors import error_response
from catalog.hsds import Filters, HsdsCatalog, UnknownPostcode
from catalog.hsds.mapping import HSDS_VERSION, PROFILE
from catalog.hsds.query import MAX_PER_PAGE
from wecare.text import is_cap

#: Query parameters each list accepts (others get a 400: a typo must not widen the result).
_LIST_PARAMS = {
    "services": {"search", "page", "per_page", "organization_id", "modified_after", "postcode"},
    "organizations": {"search", "page", "per_page"},
    "service_at_locations": {
        "search", "page", "per_page", "organization_id", "modified_after", "postcode",
    },
}  # fmt: skip
_CACHE = {"Cache-Control": "public, max-age=60"}


class BadParameter(ValueError):
    """A query parameter of the HSDS API that cannot be used."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field = field
        self.problem = problem


def _int(value: str | None, field: str, default: int, top: int | None = None) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit() or int(value) < 1:
        raise BadParameter(field, "deve essere un numero intero maggiore di zero")
    number = int(value)
    if top is not None and number > top:
        raise BadParameter(field, f"al massimo {top}")
    return number


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        raise BadParameter(
            "modified_after", "data non valida: usare il formato ISO 8601 (AAAA-MM-GG)"
        ) from None


def parse_filters(request: Request, kind: str) -> Filters:
    """The validated filters of a list request (``BadParameter`` on the first bad one)."""
    params = request.query_params
    unknown = sorted(set(params) - _LIST_PARAMS[kind])
    if unknown:
        raise BadParameter(unknown[0], "parametro non supportato da questo elenco")
    search = (params.get("search") or "").strip() or None
    if search is not None and len(search) > 200:
        raise BadParameter("search", "testo troppo lungo (massimo 200 caratteri)")
    postcode = (params.get("postcode") or "").strip() or None
    if postcode is not None and not is_cap(postcode):
        raise BadParameter("postcode", "CAP non valido: cinque cifre")
    org = (params.get("organization_id") or "").strip() or None
    if org is not None and len(org) > 100:
        raise BadParameter("organization_id", "identificativo troppo lungo")
    return Filters(
        search=search,
        organization_id=org,
        modified_after=_date(params.get("modified_after")),
        postcode=postcode,
        page=_int(params.get("page"), "page", 1),
        per_page=_int(params.get("per_page"), "per_page", 20, MAX_PER_PAGE),
    )


def _bad(exc: BadParameter) -> JSONResponse:
    return error_response(
        400,
        f"parametro non valido: {exc.field}",
        fields=[{"field": exc.field, "problem": exc.problem}],
    )


def _ok(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, headers=_CACHE)


def build_hsds_router(catalog: HsdsCatalog) -> APIRouter:
    """The ``/hsds`` routes over ``catalog`` (sync handlers: FastAPI runs them in threads)."""
    api = APIRouter(prefix="/hsds", tags=["hsds"])

    @api.get("/")
    def about(request: Request) -> JSONResponse:
        """HSDS version and profile of this API."""
        base = str(request.base_url).rstrip("/")
        return _ok(
            {
                "version": HSDS_VERSION,
                "profile": PROFILE,
                "openapi_url": f"{base}/hsds/openapi.json",
            }
        )

    @api.get("/openapi.json")
    def openapi() -> JSONResponse:
        """The paths of this API (the HSDS 3.0 OpenAPI file describes the objects)."""
        return _ok(
            {
                "openapi": "3.1.0",
                "info": {"title": "WeCare catalogo (HSDS 3.0)", "version": HSDS_VERSION},
                "paths": {
                    f"/hsds/{path}": {"get": {"parameters": sorted(_LIST_PARAMS.get(name, ()))}}
                    for name, path in (
                        ("services", "services"),
                        ("", "services/{id}"),
                        ("organizations", "organizations"),
                        ("", "organizations/{id}"),
                        ("service_at_locations", "service_at_locations"),
                    )
                },
            }
        )

    def listing(request: Request, kind: str) -> JSONResponse:
        try:
            filters = parse_filters(request, kind)
            if kind == "services":
                return _ok(catalog.services(filters))
            if kind == "organizations":
                return _ok(catalog.organizations(filters))
            return _ok(catalog.service_at_locations(filters))
        except BadParameter as exc:
            return _bad(exc)
        except UnknownPostcode:
            return _bad(BadParameter("postcode", "nessun comune dell'ASL TO4 ha questo CAP"))

    @api.get("/services")
    def services(request: Request) -> JSONResponse:
        """Paginated active services."""
        return listing(request, "services")

    @api.get("/organizations")
    def organizations(request: Request) -> JSONResponse:
        """Paginated organizations."""
        return listing(request, "organizations")

    @api.get("/service_at_locations")
    def service_at_locations(request: Request) -> JSONResponse:
        """Paginated services at the offices of their organizations."""
        return listing(request, "service_at_locations")

    @api.get("/services/{key}")
    def service(key: str) -> JSONResponse:
        """One active service, fully nested (404 when unknown or not active)."""
        found = catalog.service(key[:200])
        if found is None:
            return error_response(404, "servizio non trovato o non attivo")
        return _ok(found)

    @api.get("/organizations/{key}")
    def organization(key: str) -> JSONResponse:
        """One organization with its offices and the ids of its active services."""
        found = catalog.organization(key[:200])
        if found is None:
            return error_response(404, "organizzazione non trovata")
        return _ok(found)

    return api
