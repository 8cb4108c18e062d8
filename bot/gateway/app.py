"""The gateway ASGI application: ``create_app(settings)`` (serve with uvicorn on port 8080).

Wires the app database, the Rasa client, the router, the web widget channel and — when
``TELEGRAM_BOT_TOKEN`` is set — the Telegram bridge, which runs inside the app's lifespan
(long polling, or a webhook at ``POST /telegram/webhook`` when ``TELEGRAM_WEBHOOK_URL`` is set).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from bot.console.setup import aclose_console, install_console
from bot.gateway.errors import error_response, install_error_handlers
from bot.gateway.geo import ComuneLocator
from bot.gateway.rasa_client import RasaClient
from bot.gateway.router import Router
from bot.gateway.safety import SafetyNet, load_fallback_payloads
from bot.store import ConversationStore, create_store_engine, init_db
from bot.store.deletion import DataEraser, TrackerStoreEraser
from bot.web.deliverer import WebConnections
from bot.web.routes import OriginPolicy, build_web_router, static_dir
from catalog.db import make_engine
from catalog.service import CatalogService
from nlu.risk.detector import default_detector
from wecare.settings import Settings, get_settings

log = logging.getLogger(__name__)

COORDINATES_FILE = "comuni_geo.csv"
BOUNDARIES_FILE = "comuni_confini.json"


def create_app(
    settings: Settings | None = None,
    *,
    rasa: RasaClient | None = None,
    telegram: bool | None = None,
) -> FastAPI:
    """Build the gateway application.

    Args:
        settings: process settings (default: :func:`wecare.settings.get_settings`).
        rasa: Rasa client to use (tests); built from ``settings.rasa_url`` when None.
        telegram: start the Telegram bridge; None = when ``telegram_bot_token`` is set.

    Returns:
        The FastAPI app; ``app.state`` holds ``settings``, ``store``, ``router``,
        ``web_connections`` and, while running, ``telegram`` (or None).
    """
    settings = settings or get_settings()
    if settings.production and not settings.secret_key:
        # The deletion audit keys its sender hash with SECRET_KEY: with the public development
        # default, Telegram chat ids could be recovered from the audit by brute force.
        raise ValueError("SECRET_KEY must be set when WECARE_ENV=production (see .env.example)")
    engine = create_store_engine(settings.app_database_url)
    init_db(engine)
    store = ConversationStore(engine)
    rasa_client = rasa or RasaClient(settings.rasa_url)
    locator = ComuneLocator.from_files(
        settings.catalog_data_dir / COORDINATES_FILE, settings.catalog_data_dir / BOUNDARIES_FILE
    )
    tracker_eraser = TrackerStoreEraser(settings.rasa_tracker_store_url)
    eraser = DataEraser(store, tracker_eraser, settings.secret_key)
    safety_engine = make_engine(settings.database_url)
    safety = SafetyNet(default_detector(), CatalogService(safety_engine), load_fallback_payloads())
    router = Router(
        store,
        rasa_client,
        locator=locator,
        log_text=not settings.production,
        eraser=eraser,
        safety=safety,
    )
    connections = WebConnections()
    router.add_deliverer(connections)
    use_telegram = bool(settings.telegram_bot_token) if telegram is None else telegram

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.telegram = None
        if use_telegram:
            from bot.telegram.channel import TelegramChannel

            channel = TelegramChannel(settings, router)
            await channel.start()
            app.state.telegram = channel
        try:
            yield
        finally:
            if app.state.telegram is not None:
                await app.state.telegram.stop()
            await aclose_console(app)
            await rasa_client.aclose()
            tracker_eraser.dispose()
            safety_engine.dispose()
            engine.dispose()

    app = FastAPI(title="WeCare gateway", lifespan=lifespan, docs_url=None, redoc_url=None)
    install_error_handlers(app)
    app.state.settings = settings
    app.state.store = store
    app.state.router = router
    app.state.web_connections = connections
    app.state.telegram = None

    origins = list(settings.web_allowed_origins) or ([] if settings.production else ["*"])
    if origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=origins, allow_methods=["GET"], allow_headers=[]
        )
    policy = OriginPolicy(settings.web_allowed_origins, settings.production)
    app.include_router(build_web_router(router, connections, policy))
    install_console(app, router, settings)  # human handoff + operator console (/console)
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        """Report whether the app DB and Rasa answer (503 only when the DB is down)."""
        db_ok = store.ping()
        rasa_ok = await rasa_client.ping()
        tg = app.state.telegram
        body: dict[str, Any] = {
            "status": "ok" if db_ok and rasa_ok else "degraded",
            "db": db_ok,
            "rasa": rasa_ok,
            "telegram": tg.mode if tg is not None else "off",
        }
        return JSONResponse(body, status_code=200 if db_ok else 503)

    if use_telegram and settings.telegram_webhook_url:

        @app.post("/telegram/webhook", include_in_schema=False)
        async def telegram_webhook(request: Request) -> Response:
            """Receive Telegram updates (webhook mode); checks the secret token header."""
            channel = app.state.telegram
            secret = request.headers.get("x-telegram-bot-api-secret-token")
            if channel is None or not channel.check_secret(secret):
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

    return app
