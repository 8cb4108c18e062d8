"""``wecare gateway``: run the gateway (web widget, Telegram when configured) with uvicorn."""

from __future__ import annotations

import argparse
import logging

from wecare.settings import get_settings


def serve_gateway(host: str | None = None, port: int | None = None) -> int:
    """Serve :func:`bot.app.create_app` until interrupted; return the exit code."""
    import uvicorn

    from bot.app import create_app

    settings = get_settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request URL at INFO, and Bot API URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    uvicorn.run(
        create_app(settings),
        host=host or settings.gateway_host,
        port=port or settings.gateway_port,
        proxy_headers=True,
        log_level=settings.log_level.lower(),
        # Access log lines carry widget session ids (query strings): off in production.
        access_log=not settings.production,
        ws_max_size=64 * 1024,  # widget frames are small; the router accepts 2000 characters
    )
    return 0


def _gateway(args: argparse.Namespace) -> int:
    return serve_gateway(args.host, args.port)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``gateway`` sub-command."""
    parser = subparsers.add_parser(
        "gateway",
        help="run the gateway: web widget on GATEWAY_PORT, Telegram if TELEGRAM_BOT_TOKEN is set",
    )
    parser.add_argument("--host", default=None, help="bind address (default GATEWAY_HOST)")
    parser.add_argument("--port", type=int, default=None, help="port (default GATEWAY_PORT)")
    parser.set_defaults(func=_gateway)
