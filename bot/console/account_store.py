"""Async facade of the operator accounts and console sessions (the console's thread hop)."""

from __future__ import annotations

from datetime import datetime

from bot.console.accounts import AccountRepository, LoginResult, OperatorRecord
from bot.store.facade import ThreadFacade


class AccountStore(ThreadFacade):
    """Async accounts (see :class:`bot.console.accounts.AccountRepository`).

    Args:
        repo: the synchronous repository.
    """

    def __init__(self, repo: AccountRepository) -> None:
        self._repo = repo

    async def list(self) -> list[OperatorRecord]:
        """Return every account, by username."""
        return await self._call(self._repo.list)

    async def get(self, operator_id: int) -> OperatorRecord | None:
        """Return an account by id."""
        return await self._call(self._repo.get, operator_id)

    async def authenticate(self, username: str, password: str, now: datetime) -> LoginResult:
        """Check a password (failures counted, lockout after too many)."""
        return await self._call(self._repo.authenticate, username, password, now)

    async def create_session(self, operator_id: int, now: datetime) -> tuple[str, str]:
        """Open a session; return ``(cookie token, csrf token)``."""
        return await self._call(self._repo.create_session, operator_id, now)

    async def resolve_session(self, token: str, now: datetime) -> tuple[OperatorRecord, str] | None:
        """Return ``(operator, csrf token)`` of a live session of an active account."""
        return await self._call(self._repo.resolve_session, token, now)

    async def end_session(self, token: str) -> None:
        """Delete a session (logout)."""
        await self._call(self._repo.end_session, token)
