"""Console sessions: cookies, the CSRF checks and the FastAPI dependencies that enforce them.

The session cookie holds a random token (the database keeps its SHA-256); every
state-changing API call needs the session's CSRF token in ``X-CSRF-Token`` and a same-origin
request. Pages carry a strict Content-Security-Policy.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from bot.console.account_store import AccountStore
from bot.console.context import Auth
from bot.handoff.hours import Clock
from bot.handoff.models import DESK_ROLES

SESSION_COOKIE = "wecare_console"
LOGIN_CSRF_COOKIE = "wecare_console_login"
COOKIE_PATH = "/console"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def same_origin(origin: str | None, host: str | None) -> bool:
    """True when no Origin is sent or it names the host the request was sent to."""
    if not origin:
        return True
    return bool(host) and urlsplit(origin).netloc.lower() == (host or "").lower()


class Guard:
    """The session checks, as FastAPI dependencies (``Depends(guard.auth)``).

    Args:
        accounts: operator accounts and sessions.
        clock: current time.
    """

    def __init__(
        self, accounts: AccountStore, clock: Clock, roles: tuple[str, ...] = DESK_ROLES
    ) -> None:
        self.accounts = accounts
        self.clock = clock
        self.roles = roles

    async def session_of(self, token: str) -> Auth | None:
        """The session of a cookie token, if valid."""
        found = await self.accounts.resolve_session(token, self.clock())
        return Auth(*found) if found else None

    async def optional(self, request: Request) -> Auth | None:
        """The session of the request's cookie, if any (pages redirect without one)."""
        return await self.session_of(request.cookies.get(SESSION_COOKIE, ""))

    async def auth(self, request: Request) -> Auth:
        """Dependency: a logged-in account with one of the guard's roles (401 / 403)."""
        auth = await self.optional(request)
        if auth is None:
            raise HTTPException(status_code=401, detail="login required")
        if not auth.operator.has_role(*self.roles):
            raise HTTPException(status_code=403, detail="not allowed for this role")
        return auth

    def with_roles(self, *roles: str) -> Guard:
        """The same checks for other roles (the admin area, one of its sections)."""
        return Guard(self.accounts, self.clock, tuple(roles))

    async def csrf(self, request: Request) -> Auth:
        """Dependency: a logged-in operator, a same-origin request and the CSRF token."""
        auth = await self.auth(request)
        if not same_origin(request.headers.get("origin"), request.headers.get("host")):
            raise HTTPException(status_code=403, detail="cross-origin request")
        sent = request.headers.get("x-csrf-token", "")
        if not sent or not hmac.compare_digest(sent, auth.csrf):
            raise HTTPException(status_code=403, detail="invalid CSRF token")
        return auth
