"""Wire the handoff service and the operator console into the gateway app."""

from __future__ import annotations

from pathlib import Path

import yaml
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bot.console.accounts import AccountStore
from bot.console.hub import ConsoleHub
from bot.console.routes import ConsoleContext, build_console_router
from bot.gateway.router import Router
from bot.handoff.comuni import default_resolver
from bot.handoff.hours import OperatorHours
from bot.handoff.rasa_tracker import RasaTracker
from bot.handoff.repo import HandoffStore
from bot.handoff.service import HandoffService, load_ente_names
from wecare.settings import Settings

CONSOLE_DIR = Path(__file__).resolve().parent
CANNED_FILE = CONSOLE_DIR / "canned.yaml"


def load_canned(path: Path = CANNED_FILE) -> list[dict[str, str]]:
    """Read the canned replies (``[{title, text}]``)."""
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or []
    return [
        {"title": str(i["title"]), "text": str(i["text"])}
        for i in data
        if isinstance(i, dict) and i.get("title") and i.get("text")
    ]


def install_console(app: FastAPI, router: Router, settings: Settings) -> HandoffService:
    """Attach the handoff flow to ``router`` and serve the console under ``/console``.

    Sets ``app.state.handoff`` (the :class:`HandoffService`: tests may replace its
    ``clock``, ``hours`` or ``resolver``), ``app.state.accounts`` and ``app.state.console_hub``.

    Returns:
        The handoff service; close its tracker client at shutdown (``aclose_console``).
    """
    engine = router.store.engine
    store = HandoffStore(engine)
    service = HandoffService(
        router,
        store,
        tracker=RasaTracker(settings.rasa_url, settings.rasa_token),
        hours=OperatorHours.load(),
        resolver=default_resolver(settings.catalog_data_dir),
        ente_names=load_ente_names(settings.catalog_data_dir),
    )
    router.handoff = service
    hub = ConsoleHub()
    router.listeners.append(hub.on_gateway_event)
    service.listeners.append(hub.on_handoff_event)
    accounts = AccountStore(engine)
    ctx = ConsoleContext(
        accounts=accounts,
        service=service,
        hub=hub,
        secure_cookies=settings.env not in ("development", "test"),
        canned=load_canned(),
    )
    app.state.console_ctx = ctx
    app.include_router(build_console_router(ctx))
    app.mount(
        "/console/static", StaticFiles(directory=CONSOLE_DIR / "static"), name="console-static"
    )
    app.state.handoff = service
    app.state.accounts = accounts
    app.state.console_hub = hub
    return service


async def aclose_console(app: FastAPI) -> None:
    """Release the console's resources (the Rasa tracker client)."""
    service = getattr(app.state, "handoff", None)
    if service is not None and service.tracker is not None:
        await service.tracker.aclose()
