"""Telegram update callbacks: each one turns an update into a router call and sends the replies.

Only private chats are served. Rasa owns the dialogue state, so there is no
``ConversationHandler`` here (STYLE §14).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.gateway.input import is_button_payload
from bot.gateway.replies import Reply
from bot.gateway.router import Router
from bot.telegram.render import CALLBACK_REF
from bot.telegram.sender import TelegramSender

log = logging.getLogger(__name__)

CHANNEL = "telegram"
#: Bot commands → what Rasa receives (intent payloads of SPEC §3).
COMMANDS: dict[str, str] = {
    "start": "/greet",
    "aiuto": "/ask_capabilities",
    "operatore": "/request_human",
    "cancella": "/request_data_deletion",
}
#: Each command's description in the Telegram menu is the text ``telegram.command_<name>``.
MEDIA_KINDS = (
    "photo",
    "voice",
    "audio",
    "video",
    "video_note",
    "sticker",
    "document",
    "animation",
    "contact",
    "poll",
    "venue",
    "dice",
    "game",
)
PRIVATE = filters.ChatType.PRIVATE
MEDIA = (
    filters.PHOTO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.Sticker.ALL
    | filters.Document.ALL
    | filters.ANIMATION
    | filters.CONTACT
    | filters.POLL
    | filters.Dice.ALL
    | filters.GAME
)


def sender_id(chat_id: int) -> str:
    """Conversation id of a Telegram chat (SPEC §1)."""
    return f"tg-{chat_id}"


class Handlers:
    """The bridge's callbacks, bound to the sender and the router.

    Args:
        sender: sends the replies.
        router: the gateway router.
    """

    def __init__(self, sender: TelegramSender, router: Router) -> None:
        self.sender = sender
        self.router = router

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Add every handler and the single error handler to ``app``."""
        app.add_handler(CommandHandler(list(COMMANDS), self.on_command, filters=PRIVATE))
        app.add_handler(CallbackQueryHandler(self.on_callback))
        app.add_handler(
            MessageHandler(
                PRIVATE & filters.LOCATION & filters.UpdateType.MESSAGE, self.on_location
            )
        )
        app.add_handler(MessageHandler(PRIVATE & filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(PRIVATE & MEDIA & filters.UpdateType.MESSAGE, self.on_media))
        app.add_error_handler(self.on_error)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Typed text, and edited text (logged as ``edit`` and answered as a new message)."""
        msg = update.effective_message
        if msg is None or msg.text is None:
            return
        event = "edit" if update.edited_message is not None else "text"
        await self._route(msg, msg.text, event, {"telegram_message_id": msg.message_id})

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """``/start``, ``/aiuto``, ``/operatore``, ``/cancella`` → intent payloads."""
        msg = update.effective_message
        if msg is None or not msg.text:
            return
        name = msg.text.split()[0][1:].split("@")[0].lower()
        payload = COMMANDS.get(name)
        if payload is None:
            return
        await self._route(msg, payload, "command", {"command": name})

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Inline keyboard taps: answer the query, drop the keyboard, send the payload."""
        query = update.callback_query
        if query is None:
            return
        await query.answer()
        msg = query.message if isinstance(query.message, Message) else None
        if msg is None or msg.chat.type != "private":
            return
        data = query.data or ""
        title = _button_title(msg, data)
        if data.startswith(CALLBACK_REF):
            stored = await self.sender.resolve_callback(data[len(CALLBACK_REF) :])
            data, title = stored if stored else ("", title)
        try:
            await query.edit_message_reply_markup(reply_markup=None)
        except BadRequest:  # already edited, or too old
            pass
        if not is_button_payload(data):
            log.info("ignored callback with invalid data in chat %s", msg.chat_id)
            return
        await self._route(msg, data, "button", {"button_title": title})

    async def on_location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A shared location → nearest comune (or a question asking the comune)."""
        msg = update.effective_message
        if msg is None or msg.location is None:
            return
        replies = await self.router.handle_location(
            CHANNEL,
            sender_id(msg.chat_id),
            msg.location.latitude,
            msg.location.longitude,
            {"conversation_meta": {"chat_id": msg.chat_id}},
        )
        await self._send(msg.chat_id, replies)

    async def on_media(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, voice, stickers, documents…: logged without content, polite text-only reply."""
        msg = update.effective_message
        if msg is None:
            return
        kind = next((k for k in MEDIA_KINDS if getattr(msg, k, None)), "other")
        await self._route(msg, "", "unsupported", {"media": kind})

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The one error handler: log (never the message text) and keep polling."""
        chat = update.effective_chat if isinstance(update, Update) else None
        log.error(
            "error handling Telegram update in chat %s: %r",
            chat.id if chat else "-",
            context.error,
            exc_info=not isinstance(context.error, TelegramError),
        )

    async def _route(self, msg: Message, text: str, event: str, metadata: dict[str, Any]) -> None:
        await self.sender.typing(msg.chat_id)
        metadata["conversation_meta"] = {"chat_id": msg.chat_id}
        replies = await self.router.handle_incoming(
            CHANNEL, sender_id(msg.chat_id), text, metadata, event=event
        )
        await self._send(msg.chat_id, replies)

    async def _send(self, chat_id: int, replies: list[Reply]) -> None:
        """Send the replies and record the delivery status in the log."""
        ok = await self.sender.send(chat_id, replies)
        await self.router.confirm_delivery(replies, ok=ok)


def _button_title(msg: Message, data: str) -> str:
    markup = msg.reply_markup
    if markup is None:
        return ""
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return ""
