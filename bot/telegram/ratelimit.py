"""Rate limiting towards the Bot API: global and per-chat, with retries on ``RetryAfter``."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


class ChatRateLimiter(AIORateLimiter):
    """Global, per-group and per-private-chat limits, with retries on ``RetryAfter``.

    ``AIORateLimiter`` gives 30 msg/s overall, 20 msg/min per group and the retries; it leaves
    private chats unlimited. Private chats get a leaky bucket: bursts of ``private_burst``
    messages (a reply made of several messages goes out at once), then about one message per
    second, as Telegram asks.

    Args:
        private_burst: messages a private chat may receive at once.
        private_rate: sustained messages per second in one private chat.
        max_retries: retries after ``RetryAfter`` (the wait Telegram asks for is respected).
    """

    def __init__(
        self, *, private_burst: int = 5, private_rate: float = 1.0, max_retries: int = 3
    ) -> None:
        super().__init__(max_retries=max_retries)
        self._private_burst = private_burst
        self._private_period = private_burst / private_rate
        self._private: dict[int, AsyncLimiter] = {}

    def _private_limiter(self, chat_id: int) -> AsyncLimiter:
        if len(self._private) > 1024:
            for key, limiter in list(self._private.items()):
                if limiter.has_capacity(limiter.max_rate):
                    del self._private[key]
        found = self._private.get(chat_id)
        if found is None:
            found = AsyncLimiter(self._private_burst, self._private_period)
            self._private[chat_id] = found
        return found

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        """Apply the per-chat limit for private chats, then ``AIORateLimiter``'s limits.

        "typing…" actions do not use the per-chat budget (they are not messages).
        """
        chat_id = data.get("chat_id")
        try:
            chat = int(chat_id) if chat_id is not None else 0
        except (TypeError, ValueError):
            chat = 0
        if chat > 0 and endpoint.startswith("send") and endpoint != "sendChatAction":
            async with self._private_limiter(chat):
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
