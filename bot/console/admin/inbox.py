"""The NLU inbox section (``/console/admin/inbox``, role ``admin``) and the operators' flag.

Page: the inbox read from Rasa's tracker store on every visit, filters (status, intent, date
range), near-duplicates grouped, per-row and bulk actions (``static/inbox.js``). JSON API under
``/console/api/admin/inbox`` (CSRF header on every POST). Operators flag a citizen message
from a transcript with ``POST /console/api/conversations/{id}/messages/{id}/flag`` (desk roles).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from bot.console.admin.sections import AdminSection
from bot.console.admin.shell import AdminPages, page_auth
from bot.console.auth import Guard
from bot.console.context import Auth, ConsoleContext, json_body
from bot.nlu_inbox.repo import STATUSES, InboxFilter, group
from bot.nlu_inbox.store import InboxStore

log = logging.getLogger(__name__)

INBOX = AdminSection("inbox", "/console/admin/inbox", ("admin",))
MAX_IDS = 500


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(status_code=400, detail=f"{name}: date YYYY-MM-DD") from None


def inbox_filter(
    status: str | None, intent: str | None, since: str | None, until: str | None
) -> InboxFilter:
    """The filter of the query string (400 on an unknown status or a bad date)."""
    if status not in (None, "", "all", *STATUSES):
        raise HTTPException(status_code=400, detail="unknown status")
    start, end = _day(since, "from"), _day(until, "to")
    return InboxFilter(
        status=None if status == "all" else (status or "new"),
        intent=intent or None,
        since=datetime.combine(start, time(), timezone.utc) if start else None,
        until=datetime.combine(end + timedelta(days=1), time(), timezone.utc) if end else None,
    )


def _ids(data: dict[str, Any]) -> list[int]:
    ids = data.get("ids")
    if not isinstance(ids, list) or not ids or len(ids) > MAX_IDS:
        raise HTTPException(status_code=400, detail=f"ids: a list of 1 to {MAX_IDS} item ids")
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise HTTPException(status_code=400, detail="ids: integers")
    return ids


def _entities(data: dict[str, Any]) -> list[dict[str, Any]]:
    raw = data.get("entities") or []
    if not isinstance(raw, list):
        raise HTTPException(status_code=400, detail="entities: a list")
    out = []
    for ent in raw:
        if not isinstance(ent, dict) or not all(
            isinstance(ent.get(k), str) and ent.get(k) for k in ("text", "entity")
        ):
            raise HTTPException(status_code=400, detail="entities: {text, entity, value?}")
        if ent["entity"] not in ("target_group", "age"):
            raise HTTPException(status_code=400, detail="entities: target_group or age")
        if ent.get("value") is not None and not isinstance(ent.get("value"), str):
            raise HTTPException(status_code=400, detail="entities: value must be text")
        out.append({"text": ent["text"], "entity": ent["entity"], "value": ent.get("value")})
    return out


def inbox_section(
    ctx: ConsoleContext, guard: Guard, desk_guard: Guard, pages: AdminPages, store: InboxStore
) -> AdminSection:
    """The section with its router (``guard``: role admin; ``desk_guard``: the flag)."""
    router = APIRouter(include_in_schema=False)
    api = "/console/api/admin/inbox"

    async def collect() -> bool:
        try:
            await store.collect()
            return True
        except SQLAlchemyError as exc:
            log.error("nlu inbox: tracker store not readable: %s", type(exc).__name__)
            return False

    async def payload(flt: InboxFilter) -> dict[str, Any]:
        groups = group(await store.items(flt))
        return {
            "counts": await store.counts(),
            "groups": [
                {"key": g.key, "count": len(g.items), "items": [i.view() for i in g.items]}
                for g in groups
            ],
        }

    @router.get(INBOX.path, response_class=HTMLResponse)
    async def page(request: Request) -> Response:
        """The inbox page (reads the new tracker events first)."""
        auth = await page_auth(guard, request)
        if not isinstance(auth, Auth):
            return auth
        if not INBOX.allows(auth):
            return pages.forbidden(request, auth)
        q = request.query_params
        errors = []
        try:
            flt = inbox_filter(q.get("status"), q.get("intent"), q.get("from"), q.get("to"))
        except HTTPException:
            flt = InboxFilter()
            errors.append(ctx.texts.text("admin.inbox.bad_filter"))
        if not await collect():
            errors.append(ctx.texts.text("admin.inbox.tracker"))
        data = await payload(flt)
        return pages.page(
            request,
            auth,
            "admin/inbox.html",
            current=INBOX.id,
            groups=data["groups"],
            counts=data["counts"],
            intents=store.intents(),
            target_groups=store.target_groups(),
            statuses=STATUSES,
            status_labels=ctx.texts.table("admin.inbox.statuses"),
            reason_labels=ctx.texts.table("admin.inbox.reason_labels"),
            chosen={k: q.get(k, "") for k in ("status", "intent", "from", "to")},
            error=" ".join(errors),
        )

    @router.get(api)
    async def list_items(request: Request, auth: Auth = Depends(guard.auth)) -> dict[str, Any]:
        """Groups of items: ``?status=new|annotated|added|ignored|all&intent=&from=&to=``."""
        q = request.query_params
        flt = inbox_filter(q.get("status"), q.get("intent"), q.get("from"), q.get("to"))
        if not await collect():
            raise HTTPException(status_code=503, detail="Rasa tracker store not readable")
        return await payload(flt)

    @router.post(f"{api}/annotate")
    async def annotate(request: Request, auth: Auth = Depends(guard.csrf)) -> dict[str, Any]:
        """``{ids, intent, entities?}``: the intent chosen for items (status annotated)."""
        data = await json_body(request)
        ids, intent = _ids(data), data.get("intent")
        if not isinstance(intent, str) or intent not in store.intents():
            raise HTTPException(status_code=400, detail="unknown intent")
        entities = _entities(data)
        changed = await store.annotate(ids, intent, entities, auth.operator.username)
        return {"ok": True, "changed": changed}

    @router.post(f"{api}/status")
    async def set_status(request: Request, auth: Auth = Depends(guard.csrf)) -> dict[str, Any]:
        """``{ids, status: ignored|new}``."""
        data = await json_body(request)
        ids, status = _ids(data), data.get("status")
        if status not in ("ignored", "new"):
            raise HTTPException(status_code=400, detail="status: ignored or new")
        changed = await store.set_status(ids, str(status), auth.operator.username)
        return {"ok": True, "changed": changed}

    @router.post(f"{api}/add")
    async def add(request: Request, auth: Auth = Depends(guard.csrf)) -> dict[str, Any]:
        """``{ids}``: annotated items become training data (``nlu/data/inbox/<intent>.yml``)."""
        ids = _ids(await json_body(request))
        result = await store.add_to_training(ids, auth.operator.username)
        return {"ok": True, **result.view()}

    @router.post(f"{api}/{{item_id}}/reveal")
    async def reveal(item_id: int, auth: Auth = Depends(guard.csrf)) -> dict[str, Any]:
        """The original text of one item (audited: who, when, which item)."""
        if await store.get(item_id) is None:
            raise HTTPException(status_code=404, detail="item not found")
        text = await store.reveal(item_id, auth.operator.username)
        if text is None:
            raise HTTPException(status_code=410, detail="original text no longer stored")
        return {"ok": True, "text": text}

    @router.post("/console/api/conversations/{conversation_id}/messages/{message_id}/flag")
    async def flag(
        conversation_id: int, message_id: int, auth: Auth = Depends(desk_guard.csrf)
    ) -> dict[str, Any]:
        """An operator sends a citizen message the bot misunderstood to the admins' inbox."""
        await ctx.visible_conversation(conversation_id, auth)
        item = await store.flag(conversation_id, message_id)
        if item is None:
            raise HTTPException(status_code=404, detail="citizen text message not found")
        return {"ok": True, "item": item.id}

    return replace(INBOX, router=router)
