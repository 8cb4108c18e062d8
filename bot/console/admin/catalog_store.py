"""Async facade of the catalog editor for the admin section (one worker-thread hop a call)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.store.facade import ThreadFacade
from catalog.admin.editor import CatalogEditor, Change, Summary


class CatalogAdminStore(ThreadFacade):
    """The :class:`CatalogEditor` methods the console uses, as coroutines.

    Args:
        editor: the synchronous editor on the catalog database (the one the bot reads).
    """

    def __init__(self, editor: CatalogEditor) -> None:
        self._editor = editor

    async def search(
        self, kind: str, text: str = "", organizations: set[str] | None = None
    ) -> list[Summary]:
        """Records of ``kind`` matching ``text`` (of those providers only, when given)."""
        return await self._call(self._editor.search, kind, text, organizations)

    async def get(self, kind: str, record_id: str) -> dict[str, Any]:
        """One record (RecordNotFound)."""
        return await self._call(self._editor.get, kind, record_id)

    async def history(self, kind: str, record_id: str) -> list[Change]:
        """The changes of one record, newest first."""
        return await self._call(self._editor.history, kind, record_id)

    async def create(self, kind: str, data: dict[str, Any], actor: str) -> dict[str, Any]:
        """Add a record (InvalidRecord)."""
        return await self._call(self._editor.create, kind, data, actor)

    async def update(
        self, kind: str, record_id: str, changes: dict[str, Any], actor: str
    ) -> dict[str, Any]:
        """Change a record (InvalidRecord, RecordNotFound)."""
        return await self._call(self._editor.update, kind, record_id, changes, actor)

    async def deactivate(self, kind: str, record_id: str, actor: str) -> dict[str, Any]:
        """Hide a service or an opportunity from citizens."""
        return await self._call(self._editor.deactivate, kind, record_id, actor)

    async def review(
        self, months: int, days: int, organizations: set[str] | None, today: date | None = None
    ) -> tuple[list[Summary], list[Summary]]:
        """(records "da riverificare", opportunities expiring within ``days``)."""

        def both() -> tuple[list[Summary], list[Summary]]:
            return (
                self._editor.stale(months, today, organizations),
                self._editor.expiring(days, today, organizations),
            )

        return await self._call(both)

    async def choices(self) -> tuple[dict[str, str], list[str]]:
        """(organizations id -> name, comuni names): the choices of the forms."""

        def both() -> tuple[dict[str, str], list[str]]:
            return self._editor.organizations(), self._editor.comuni()

        return await self._call(both)
