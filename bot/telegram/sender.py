"""Sending to Telegram: rendering, long button payloads, and the channel's Deliverer.

The bridge (``bot.telegram.channel``) attaches the Bot API client once it is connected;
until then nothing can be delivered (:meth:`TelegramSender.deliver` answers False).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError

from bot.gateway.replies import Reply
from bot.store.facade import ConversationStore
from bot.store.records import ConversationRecord
from bot.telegram.render import CALLBACK_REF, MAX_CALLBACK_BYTES, OutMessage, render_reply
from bot.texts import Texts

log = logging.getLogger(__name__)


class TelegramSender:
    """Renders and sends replies to Telegram chats (``Deliverer`` of the ``telegram`` channel).

    Args:
        conversations: where long button payloads get their short callback ids.
        texts: the citizen texts (labels of the cards).
    """

    channel = "telegram"

    def __init__(self, conversations: ConversationStore, texts: Texts) -> None:
        self.conversations = conversations
        self.texts = texts
        self.bot: Bot | None = None

    def attach(self, bot: Bot | None) -> None:
        """Use ``bot`` to send (None: the bridge stopped)."""
        self.bot = bot

    async def resolve_callback(self, key: str) -> tuple[str, str] | None:
        """Look up a long button payload stored under a short callback id."""
        return await self.conversations.resolve_callback_id(key)

    async def typing(self, chat_id: int) -> None:
        """Show "typing…" while Rasa works (best effort)."""
        if self.bot is None:
            return
        try:
            await self.bot.send_chat_action(chat_id, ChatAction.TYPING)
        except TelegramError:
            pass

    async def send(self, chat_id: int, replies: Sequence[Reply]) -> bool:
        """Render and send replies; True when Telegram accepted every message."""
        short: dict[str, str] = {}
        for reply in replies:
            for b in reply.buttons:
                too_long = len(b.payload.encode("utf-8")) > MAX_CALLBACK_BYTES
                if too_long or b.payload.startswith(CALLBACK_REF):
                    short[b.payload] = await self.conversations.short_callback_id(
                        b.payload, b.title
                    )
        ok = True
        for reply in replies:
            for out in render_reply(reply, lambda payload, _title: short[payload], self.texts):
                ok = await self._send_one(chat_id, out) and ok
        return ok

    async def _send_one(self, chat_id: int, out: OutMessage) -> bool:
        if self.bot is None:
            return False
        markup = (
            InlineKeyboardMarkup(
                [[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in out.keyboard]
            )
            if out.keyboard
            else None
        )
        try:
            await self.bot.send_message(
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
        if self.bot is None:
            return False
        chat_id = int(conversation.sender_id.removeprefix("tg-"))
        return await self.send(chat_id, replies)
