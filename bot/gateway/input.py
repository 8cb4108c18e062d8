"""What the gateway accepts from a citizen before anything reaches Rasa.

* :func:`is_button_payload`: the only client-sent strings taken as Rasa payloads;
* :func:`typed_text`: typed text never reaches Rasa as an intent (leading ``/`` removed);
* :func:`rejection`: input that is never forwarded (media, empty, too long) and its notice.
"""

from __future__ import annotations

import re

from bot.texts import Texts

#: Longest citizen message forwarded to Rasa.
MAX_INPUT_CHARS = 2000
_INTENT_PREFIX = re.compile(r"^/+")
_BUTTON_PAYLOAD = re.compile(r"^/[A-Za-z_]+(\{.{0,500}\})?$", re.DOTALL)
#: Events whose text the citizen typed (never an intent payload).
TYPED_EVENTS = ("text", "edit")


def is_button_payload(value: str) -> bool:
    """Tell whether ``value`` looks like a Rasa button payload (``/intent`` or ``/intent{...}``).

    Channels accept payloads coming from clients (widget frames, Telegram callback data,
    which a modified client can forge) only when they pass this check.
    """
    return bool(_BUTTON_PAYLOAD.match(value))


def typed_text(text: str, event: str) -> str:
    """``text`` as sent to Rasa: typed text loses its leading ``/`` (unless nothing is left)."""
    if event not in TYPED_EVENTS:
        return text
    return _INTENT_PREFIX.sub("", text).strip() or text


def rejection(
    texts: Texts, text: str, stripped: str, event: str, notice: str | None
) -> tuple[str, str, str] | None:
    """``(text to log, status, notice)`` for input never forwarded; None = forward it."""
    if event == "unsupported":
        return "", "not_forwarded", texts.text("gateway.text_only")
    if event == "location" and not stripped:
        return "", "not_forwarded", notice or texts.text("gateway.location_unknown")
    if not stripped:
        return text, "rejected", texts.text("gateway.empty")
    if len(stripped) > MAX_INPUT_CHARS:
        too_long = texts.text("gateway.too_long", length=len(stripped), limit=MAX_INPUT_CHARS)
        return text, "rejected", too_long
    return None
