"""What the console's endpoints work with, and the checks they share.

:class:`ConsoleContext` is built by the composition root (``bot.app``). A conversation an
operator may not see answers 404 (as if it did not exist); an action the operator may see but
not perform answers 403; a lost race answers 409.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException, Request

from bot.console.account_store import AccountStore
from bot.console.accounts import OperatorRecord
from bot.console.hub import ConsoleHub
from bot.handoff.desk import OperatorDesk
from bot.handoff.enti import EnteDirectory
from bot.handoff.events import Actor, HandoffConflict
from bot.handoff.hours import Clock
from bot.handoff.records import HandoffRecord
from bot.handoff.store import DeskStore, HandoffStore
from bot.store.facade import ConversationStore
from bot.store.records import ConversationRecord
from bot.texts import Texts

#: Longest operator message or note.
MAX_TEXT = 2000


@dataclass(frozen=True)
class Auth:
    """The operator of a request and the CSRF token of their session."""

    operator: OperatorRecord
    csrf: str

    @property
    def actor(self) -> Actor:
        """The operator as the handoff sees them."""
        return Actor(self.operator.id, self.operator.display_name)


@dataclass(frozen=True)
class ConsoleContext:
    """Everything the console endpoints need (passed explicitly, built by ``bot.app``)."""

    accounts: AccountStore
    conversations: ConversationStore
    handoffs: HandoffStore
    notes: DeskStore
    desk: OperatorDesk
    hub: ConsoleHub
    enti: EnteDirectory
    clock: Clock
    texts: Texts
    secure_cookies: bool
    canned: list[dict[str, str]] = field(default_factory=list)

    async def visible_conversation(self, conversation_id: int, auth: Auth) -> ConversationRecord:
        """The conversation, if the operator may see it (404 otherwise)."""
        conv = await self.conversations.get_conversation(conversation_id)
        if conv is None or not auth.operator.can_see(conv.ente_gestore_id):
            raise HTTPException(status_code=404, detail="conversation not found")
        return conv

    async def active_handoff(self, conv: ConversationRecord) -> HandoffRecord:
        """The open handoff of a conversation (409 when there is none)."""
        handoff = await self.handoffs.active_for(conv.id)
        if handoff is None:
            raise HTTPException(status_code=409, detail="no open handoff")
        return handoff

    async def operator_names(self) -> dict[int, str]:
        """Display names of every account, by id."""
        return {op.id: op.display_name for op in await self.accounts.list()}


def may_manage(auth: Auth, handoff: HandoffRecord) -> bool:
    """Supervisors manage every handoff, operators their own."""
    return auth.operator.sees_all or handoff.operator_id == auth.operator.id


def conflict(exc: HandoffConflict) -> HTTPException:
    """The 409 answer of a lost race."""
    return HTTPException(status_code=409, detail=str(exc))


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object (400 when it is not JSON; {} when not an object)."""
    try:
        data = await request.json()
    except ValueError:
        raise HTTPException(status_code=400, detail="invalid JSON") from None
    return data if isinstance(data, dict) else {}


async def body_text(request: Request, key: str = "text") -> str:
    """A required, non-empty text field of the JSON body, at most :data:`MAX_TEXT` long."""
    value = (await json_body(request)).get(key)
    if not isinstance(value, str) or not value.strip():
        raise HTTPException(status_code=400, detail=f"{key} required")
    if len(value) > MAX_TEXT:
        raise HTTPException(status_code=400, detail=f"{key} too long")
    return value.strip()
