"""Lifecycle of the Telegram bridge inside the gateway: polling or webhook, with retries.

Started by the gateway's lifespan when ``TELEGRAM_BOT_TOKEN`` is set: long polling by
default, webhook mode (``POST /telegram/webhook`` on the gateway, checked against
``TELEGRAM_WEBHOOK_SECRET``) when ``TELEGRAM_WEBHOOK_URL`` is set. If the Bot API cannot be
reached at start, the bridge keeps retrying in the background; the rest of the gateway runs.
Sending is :class:`bot.telegram.sender.TelegramSender` (the channel's Deliverer).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from typing import Any

from telegram import BotCommand, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.gateway.router import Router
from bot.telegram.handlers import COMMANDS, Handlers
from bot.telegram.ratelimit import ChatRateLimiter
from bot.telegram.sender import TelegramSender
from wecare.settings import Settings

log = logging.getLogger(__name__)


class TelegramChannel:
    """The Telegram bridge: the PTB ``Application``, its handlers and its lifecycle.

    Args:
        settings: token, Bot API base URL, webhook URL/secret.
        sender: sends the replies (attached to the Bot API client once connected).
        router: the gateway router (the handlers give it every update).
        poll_timeout: long-polling timeout in seconds.
        retry_delay: first wait before retrying an unreachable Bot API (doubles up to 5 min).
    """

    def __init__(
        self,
        settings: Settings,
        sender: TelegramSender,
        router: Router,
        *,
        poll_timeout: float = 10.0,
        retry_delay: float = 5.0,
    ) -> None:
        self.settings = settings
        self.sender = sender
        self.router = router
        self.poll_timeout = poll_timeout
        self.retry_delay = retry_delay
        self.webhook_url = settings.telegram_webhook_url
        self.secret = settings.telegram_webhook_secret or (
            secrets.token_urlsafe(32) if self.webhook_url else ""
        )
        self.mode = "off"
        self.app: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    def _build(self) -> Application[Any, Any, Any, Any, Any, Any]:
        builder = (
            Application.builder()
            .token(self.settings.telegram_bot_token)
            .base_url(self.settings.telegram_api_base_url)
            .rate_limiter(ChatRateLimiter())
            .concurrent_updates(64)
        )
        if self.webhook_url:
            builder = builder.updater(None)
        app = builder.build()
        Handlers(self.sender, self.router).register(app)
        return app

    async def start(self) -> None:
        """Start connecting in the background (returns at once)."""
        self.mode = "starting"
        self.ready = asyncio.Event()
        self.app = self._build()
        self._task = asyncio.create_task(self._run(self.app), name="telegram-bridge")

    async def _connect(self, app: Application[Any, Any, Any, Any, Any, Any]) -> bool:
        """Initialise the application, retrying while the Bot API is unreachable."""
        delay = self.retry_delay
        while True:
            try:
                await app.initialize()
                return True
            except InvalidToken:
                self.mode = "error: invalid token"
                log.error("Telegram: the bot token was rejected; the channel is off")
                return False
            except TelegramError as exc:
                self.mode = "retrying"
                log.warning("Telegram Bot API unreachable (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 300.0)

    async def _run(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        if not await self._connect(app):
            return
        self.sender.attach(app.bot)
        try:
            commands = self.sender.texts
            await app.bot.set_my_commands(
                [BotCommand(name, commands.text(f"telegram.command_{name}")) for name in COMMANDS]
            )
        except TelegramError as exc:
            log.warning("Telegram: setMyCommands failed: %s", exc)
        if self.webhook_url:
            await app.bot.set_webhook(
                self.webhook_url, secret_token=self.secret, allowed_updates=Update.ALL_TYPES
            )
            await app.start()
            self.mode = "webhook"
        else:
            assert app.updater is not None
            await app.updater.start_polling(
                timeout=int(self.poll_timeout), allowed_updates=Update.ALL_TYPES
            )
            await app.start()
            self.mode = "polling"
        self.ready.set()
        log.info("Telegram bridge running (%s) as @%s", self.mode, app.bot.username)

    async def stop(self) -> None:
        """Stop polling/processing and close the Bot API connections."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - shutting down
                pass
        self.sender.attach(None)
        app, self.app = self.app, None
        if app is not None:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()
        self.mode = "off"

    def check_secret(self, header: str | None) -> bool:
        """Compare the webhook's secret token header in constant time."""
        return bool(self.secret) and hmac.compare_digest(header or "", self.secret)

    async def process_webhook(self, data: dict[str, Any]) -> bool:
        """Queue an update received on the webhook; False while the bridge is not ready.

        Raises:
            ValueError: ``data`` is not a valid Telegram update.
        """
        if not self.ready.is_set() or self.app is None:
            return False
        try:
            update = Update.de_json(data, self.app.bot)
        except (TypeError, KeyError, ValueError, AttributeError) as exc:
            raise ValueError(f"invalid update: {type(exc).__name__}") from exc
        await self.app.update_queue.put(update)
        return True
