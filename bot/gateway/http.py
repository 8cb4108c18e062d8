"""The gateway's ASGI app around the parts ``bot.app`` built: routes, mounts, lifespan.

Serves the web widget (``bot.web``), the operator console (``bot.console``), ``/healthz`` and,
in Telegram webhook mode, ``POST /telegram/webhook``. The lifespan starts and stops the
Telegram bridge, the Redis subscription and the durable inbox's worker, and closes the
clients and engines.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from bot.console.routes import build_console_router
from bot.console.setup import STATIC_DIR as CONSOLE_STATIC
from bot.gateway.errors import error_response, install_error_handlers
from bot.web.routes import OriginPolicy, build_web_router, static_dir

if TYPE_CHECKING:
    from bot.app import Gateway
    from bot.telegram.channel import TelegramChannel


def build_app(gateway: Gateway) -> FastAPI:
    """The FastAPI app of ``gateway`` (``app.state.gateway``)."""
    settings = gateway.settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await gateway.start()
        try:
            yield
        finally:
            await gateway.aclose()

    app = FastAPI(title="WeCare gateway", lifespan=lifespan, docs_url=None, redoc_url=None)
    install_error_handlers(app)
    app.state.gateway = gateway
    origins = list(settings.web_allowed_origins) or ([] if settings.production else ["*"])
    if origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=origins, allow_methods=["GET"], allow_headers=[]
        )
    policy = OriginPolicy(settings.web_allowed_origins, settings.production)
    app.include_router(build_web_router(gateway.router, gateway.web, policy, gateway.texts))
    app.include_router(build_console_router(gateway.console, gateway.admin_sections))
    for router in gateway.public_routers:  # the HSDS API of the catalog
        app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=CONSOLE_STATIC), name="console-static")
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    _add_health(app, gateway)
    if gateway.telegram is not None and settings.telegram_webhook_url:
        _add_telegram_webhook(app, gateway.telegram)
    return app


def _add_health(app: FastAPI, gateway: Gateway) -> None:
    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        """Report whether the app DB and Rasa answer (503 only when the DB is down)."""
        db_ok = await gateway.conversations.ping()
        rasa_ok = await gateway.rasa.ping()
        tg = gateway.telegram
        body: dict[str, Any] = {
            "status": "ok" if db_ok and rasa_ok else "degraded",
            "db": db_ok,
            "rasa": rasa_ok,
            "telegram": tg.mode if tg is not None else "off",
        }
        if gateway.redis is not None:  # production profile: delivery between gateways
            body["redis"] = await gateway.redis.ping()
        return JSONResponse(body, status_code=200 if db_ok else 503)


def _add_telegram_webhook(app: FastAPI, channel: TelegramChannel) -> None:
    @app.post("/telegram/webhook", include_in_schema=False)
    async def telegram_webhook(request: Request) -> Response:
        """Receive Telegram updates (webhook mode); checks the secret token header."""
        secret = request.headers.get("x-telegram-bot-api-secret-token")
        if not channel.check_secret(secret):
            return error_response(403, "missing or wrong secret token")
        try:
            data = await request.json()
        except ValueError:
            return error_response(400, "body is not JSON")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return error_response(400, "body is not a Telegram update")
        try:
            queued = await channel.process_webhook(data)
        except ValueError:
            return error_response(400, "body is not a Telegram update")
        if not queued:
            return error_response(503, "Telegram bridge starting, retry")
        return Response(status_code=200)
