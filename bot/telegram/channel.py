"""Lifecycle of the Telegram bridge inside the gateway, sending, and its Deliverer.

Started by the gateway's lifespan when ``TELEGRAM_BOT_TOKEN`` is set: long polling by
default, webhook mode (``POST /telegram/webhook`` on the gateway, checked against
``TELEGRAM_WEBHOOK_SECRET``) when ``TELEGRAM_WEBHOOK_URL`` is set. If the Bot API cannot be
reached at start, the bridge keeps retrying in the background; the rest of the gateway runs.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Sequence
from typing import Any

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.gateway.replies import Reply
from bot.gateway.router import Router
from bot.store.records import ConversationRecord
from bot.telegram.handlers import COMMAND_DESCRIPTIONS, Handlers
from bot.telegram.ratelimit import ChatRateLimiter
from bot.telegram.render import MAX_CALLBACK_BYTES, OutMessage, render_reply
from wecare.settings import Settings

log = logging.getLogger(__name__)


class TelegramChannel:
    """The Telegram bridge: PTB ``Application`` + sending + outbound delivery.

    Args:
        settings: token, Bot API base URL, webhook URL/secret.
        router: the gateway router (the channel registers itself as its deliverer).
        poll_timeout: long-polling timeout in seconds.
        retry_delay: first wait before retrying an unreachable Bot API (doubles up to 5 min).
    """

    channel = "telegram"

    def __init__(
        self,
        settings: Settings,
        router: Router,
        *,
        poll_timeout: float = 10.0,
        retry_delay: float = 5.0,
    ) -> None:
        self.settings = settings
        self.router = router
        self.poll_timeout = poll_timeout
        self.retry_delay = retry_delay
        self.webhook_url = settings.telegram_webhook_url
        self.secret = settings.telegram_webhook_secret or (
            secrets.token_urlsafe(32) if self.webhook_url else ""
        )
        self.mode = "starting"
        builder = (
            Application.builder()
            .token(settings.telegram_bot_token)
            .base_url(settings.telegram_api_base_url)
            .rate_limiter(ChatRateLimiter())
            .concurrent_updates(64)
        )
        if self.webhook_url:
            builder = builder.updater(None)
        self.app = builder.build()
        Handlers(self, router).register(self.app)
        router.add_deliverer(self)
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    async def start(self) -> None:
        """Start connecting in the background (returns at once)."""
        self._task = asyncio.create_task(self._run(), name="telegram-bridge")

    async def _run(self) -> None:
        delay = self.retry_delay
        while True:
            try:
                await self.app.initialize()
                break
            except InvalidToken:
                self.mode = "error: invalid token"
                log.error("Telegram: the bot token was rejected; the channel is off")
                return
            except TelegramError as exc:
                self.mode = "retrying"
                log.warning("Telegram Bot API unreachable (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 300.0)
        try:
            await self.app.bot.set_my_commands(
                [BotCommand(name, text) for name, text in COMMAND_DESCRIPTIONS.items()]
            )
        except TelegramError as exc:
            log.warning("Telegram: setMyCommands failed: %s", exc)
        if self.webhook_url:
            await self.app.bot.set_webhook(
                self.webhook_url, secret_token=self.secret, allowed_updates=Update.ALL_TYPES
            )
            await self.app.start()
            self.mode = "webhook"
        else:
            assert self.app.updater is not None
            await self.app.updater.start_polling(
                timeout=int(self.poll_timeout), allowed_updates=Update.ALL_TYPES
            )
            await self.app.start()
            self.mode = "polling"
        self.ready.set()
        log.info("Telegram bridge running (%s) as @%s", self.mode, self.app.bot.username)

    async def stop(self) -> None:
        """Stop polling/processing and close the Bot API connections."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - shutting down
                pass
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        self.mode = "off"

    def check_secret(self, header: str | None) -> bool:
        """Compare the webhook's secret token header in constant time."""
        return bool(self.secret) and hmac.compare_digest(header or "", self.secret)

    async def process_webhook(self, data: dict[str, Any]) -> bool:
        """Queue an update received on the webhook; False while the bridge is not ready.

        Raises:
            ValueError: ``data`` is not a valid Telegram update.
        """
        if not self.ready.is_set():
            return False
        try:
            update = Update.de_json(data, self.app.bot)
        except (TypeError, KeyError, ValueError, AttributeError) as exc:
            raise ValueError(f"invalid update: {type(exc).__name__}") from exc
        await self.app.update_queue.put(update)
        return True

    async def resolve_callback(self, key: str) -> tuple[str, str] | None:
        """Look up a long button payload stored under a short callback id."""
        return await asyncio.to_thread(self.router.store.resolve_callback_id, key)

    async def typing(self, chat_id: int) -> None:
        """Show "typing…" while Rasa works (best effort)."""
        try:
            await self.app.bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError:
            pass

    async def send_and_confirm(self, chat_id: int, replies: Sequence[Reply]) -> bool:
        """Send replies to a chat and record the delivery status in the log."""
        ok = await self.send(chat_id, replies)
        await self.router.confirm_delivery(replies, ok=ok)
        return ok

    async def send(self, chat_id: int, replies: Sequence[Reply]) -> bool:
        """Render and send replies; True when Telegram accepted every message."""
        short: dict[str, str] = {}
        for reply in replies:
            for b in reply.buttons:
                if len(b.payload.encode("utf-8")) > MAX_CALLBACK_BYTES or b.payload.startswith(
                    "k:"
                ):
                    short[b.payload] = await asyncio.to_thread(
                        self.router.store.short_callback_id, b.payload, b.title
                    )
        ok = True
        for reply in replies:
            for out in render_reply(reply, lambda payload, _title: short[payload]):
                ok = await self._send_one(chat_id, out) and ok
        return ok

    async def _send_one(self, chat_id: int, out: OutMessage) -> bool:
        markup = (
            InlineKeyboardMarkup(
                [[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in out.keyboard]
            )
            if out.keyboard
            else None
        )
        try:
            await self.app.bot.send_message(
                chat_id,
                out.text,
                parse_mode=ParseMode.HTML if out.html else None,
                reply_markup=markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
            return True
        except TelegramError as exc:
            log.warning("Telegram: sending to chat %s failed: %s", chat_id, exc)
            return False

    async def deliver(self, conversation: ConversationRecord, replies: Sequence[Reply]) -> bool:
        """Deliverer interface: push replies (e.g. an operator's) to the citizen's chat."""
        if not self.ready.is_set():
            return False
        chat_id = int(conversation.sender_id.removeprefix("tg-"))
        return await self.send(chat_id, replies)
