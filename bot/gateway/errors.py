"""JSON error responses of the gateway: malformed calls get a clear 4xx, never a traceback.

Every error body has the same shape: ``{"error": "<short English text>", "status": <code>}``
plus, for validation errors, ``"fields"`` (which parameters are wrong and why; the submitted
values are never echoed back).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.store.db import STORE_DOWN

log = logging.getLogger(__name__)


def error_response(status: int, error: str, **extra: Any) -> JSONResponse:
    """Build the gateway's JSON error response."""
    return JSONResponse({"error": error, "status": status, **extra}, status_code=status)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "request error"
    response = error_response(exc.status_code, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [
        {"field": ".".join(str(p) for p in err.get("loc", ())), "problem": err.get("msg", "")}
        for err in exc.errors()
    ]
    return error_response(400, "invalid request", fields=fields)


async def _store_down(request: Request, exc: Exception) -> JSONResponse:
    log.warning("app database unavailable on %s %s", request.method, request.url.path)
    response = error_response(503, "temporarily unavailable, try again shortly")
    response.headers["Retry-After"] = "10"
    return response


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal error")


def install_error_handlers(app: FastAPI) -> None:
    """Register the JSON error handlers on ``app``."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for down in STORE_DOWN:  # the app database cannot be reached: 503, not a 500
        app.add_exception_handler(down, _store_down)
    app.add_exception_handler(Exception, _unexpected_error)
