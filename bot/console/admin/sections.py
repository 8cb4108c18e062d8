"""What an admin section is, and the role checks every admin page and API uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fastapi import APIRouter, HTTPException

from bot.console.context import Auth


@dataclass(frozen=True)
class AdminSection:
    """One section of the admin area.

    Attributes:
        id: short id (``inbox``, ``models``, ``catalog``...), also the nav's text key
            ``admin.sections.<id>``.
        path: URL of its page, under ``/console/admin/``.
        roles: roles that may open it (a subset of ``ADMIN_AREA_ROLES``).
        router: its pages and API (built by its module); None for the shell's own sections.
    """

    id: str
    path: str
    roles: tuple[str, ...] = ("admin",)
    router: APIRouter | None = field(default=None, compare=False)

    def allows(self, auth: Auth) -> bool:
        """Tell whether the account may open the section."""
        return auth.operator.has_role(*self.roles)


def require_roles(auth: Auth, roles: Sequence[str]) -> Auth:
    """The account of a request if it has one of ``roles`` (403 otherwise)."""
    if not auth.operator.has_role(*roles):
        raise HTTPException(status_code=403, detail="not allowed for this role")
    return auth


SectionFactory = Callable[..., AdminSection]
