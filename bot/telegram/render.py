"""Pure rendering of gateway replies into Telegram messages (text, HTML cards, keyboards).

Plain replies are sent without a parse mode (no escaping issues) and split at 4096
characters; structured payloads (SPEC §5) become HTML cards (``bot.telegram.cards``) whose
every value is escaped. Labels come from ``bot/texts/citizen.yml``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.gateway.replies import Button, Reply
from bot.telegram.cards import MAX_MESSAGE_CHARS, render_custom
from bot.texts import Texts, citizen_texts

MAX_CALLBACK_BYTES = 64
#: Prefix of callback data that refers to a payload stored in the app DB.
CALLBACK_REF = "k:"

__all__ = ["CALLBACK_REF", "MAX_CALLBACK_BYTES", "OutMessage", "render_custom", "render_reply"]


@dataclass(frozen=True)
class OutMessage:
    """One Telegram message to send.

    Attributes:
        text: message text (HTML when ``html`` is True, else plain).
        html: send with ``parse_mode=HTML``.
        keyboard: inline keyboard rows of ``(title, callback_data)``.
    """

    text: str
    html: bool = False
    keyboard: tuple[tuple[tuple[str, str], ...], ...] = ()


Shortener = Callable[[str, str], str]


def split_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split ``text`` into chunks of at most ``limit`` chars, at paragraph/line/word breaks."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not chunks:
        chunks.append(rest)
    return chunks


def callback_data(button: Button, shorten: Shortener) -> str:
    """Return the callback data of a button: its payload, or a stored short id if too long."""
    payload = button.payload
    if len(payload.encode("utf-8")) <= MAX_CALLBACK_BYTES and not payload.startswith(CALLBACK_REF):
        return payload
    return CALLBACK_REF + shorten(payload, button.title)


def render_reply(reply: Reply, shorten: Shortener, texts: Texts | None = None) -> list[OutMessage]:
    """Render one gateway reply as Telegram messages; the keyboard goes on the last one."""
    texts = texts or citizen_texts()
    messages: list[OutMessage] = []
    prefix = ""
    if reply.sender_kind == "operator":
        prefix = (reply.sender_name or texts.text("telegram.operator")) + ": "
    if reply.text:
        messages.extend(OutMessage(t) for t in split_text(prefix + reply.text))
    if reply.custom:
        messages.extend(OutMessage(t, html=True) for t in render_custom(reply.custom, texts))
    if reply.image:
        messages.append(OutMessage(reply.image))
    if reply.buttons:
        rows = tuple(((b.title[:64], callback_data(b, shorten)),) for b in reply.buttons)
        if not messages:
            messages.append(OutMessage(texts.text("telegram.choose")))
        last = messages[-1]
        messages[-1] = OutMessage(last.text, last.html, rows)
    return messages
