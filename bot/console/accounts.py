"""Operator accounts, password checks with lockout, and server-side console sessions.

Passwords are hashed with Argon2id (argon2-cffi defaults). A session cookie carries a random
token; the database keeps only its SHA-256, with the session's CSRF token and expiry, so
disabling an account or logging out ends the session at once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.handoff.models import DESK_ROLES, ROLES, Operator, OperatorSession
from bot.handoff.records import NO_ENTE
from bot.store.models import Base
from bot.store.records import _aware

#: Consecutive failed logins that lock an account.
MAX_FAILURES = 5
#: How long a locked account stays locked.
LOCK_TIME = timedelta(minutes=15)
#: Lifetime of a console session.
SESSION_TIME = timedelta(hours=10)
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class OperatorRecord:
    """An operator account, without its password hash."""

    id: int
    username: str
    display_name: str
    role: str
    enti: tuple[str, ...]
    active: bool

    @property
    def at_desk(self) -> bool:
        """Operators, supervisors and admins work the queue; editors do not."""
        return self.role in DESK_ROLES

    def has_role(self, *roles: str) -> bool:
        """Tell whether the account has one of ``roles``."""
        return self.role in roles

    def may_edit_ente(self, ente_id: str | None) -> bool:
        """Admins edit every record; editors the records of their enti gestori."""
        if self.role == "admin":
            return True
        return self.role == "editor" and ente_id is not None and ente_id in self.enti

    @property
    def sees_all(self) -> bool:
        """Supervisors and admins see every ente gestore (and the triage queue)."""
        return self.role in ("supervisor", "admin")

    def visible_enti(self) -> list[str] | None:
        """Enti gestori whose conversations this account sees (None = all)."""
        return None if self.sees_all else list(self.enti)

    def can_see(self, ente_id: str | None) -> bool:
        """Tell whether a conversation of ``ente_id`` (None = not yet routed) is visible."""
        if self.sees_all:
            return True
        return ente_id is not None and ente_id != NO_ENTE and ente_id in self.enti


def _record(row: Operator) -> OperatorRecord:
    return OperatorRecord(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=row.role,
        enti=tuple(row.enti or ()),
        active=bool(row.active),
    )


@dataclass(frozen=True)
class LoginResult:
    """Outcome of :meth:`AccountRepository.authenticate` (``operator`` None = refused)."""

    operator: OperatorRecord | None
    locked: bool = False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "ignore")).hexdigest()


class AccountRepository:
    """Operators and their sessions in the app database (synchronous).

    The console goes through the async facade :class:`bot.console.account_store.AccountStore`;
    the ``wecare operators`` CLI uses this class directly.

    Args:
        engine: engine of the app database.
        hasher: Argon2 hasher (tests may pass cheaper parameters).
    """

    def __init__(self, engine: Engine, hasher: PasswordHasher | None = None) -> None:
        self.engine = engine
        Base.metadata.create_all(engine)
        self.hasher = hasher or PasswordHasher()
        self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Open a session that commits on success and rolls back on error."""
        with self._sessions() as session, session.begin():
            yield session

    # -- accounts ------------------------------------------------------------------------

    def add(
        self,
        username: str,
        display_name: str,
        password: str,
        *,
        role: str = "operator",
        enti: Sequence[str] = (),
    ) -> OperatorRecord:
        """Create an account.

        Raises:
            ValueError: invalid role, short password, operator without enti, or the
                username is taken.
        """
        username = username.strip().lower()
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if not username or len(username) > 60:
            raise ValueError("username must be 1-60 characters")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
        if role in ("operator", "editor") and not enti:
            raise ValueError(f"an {role} must be bound to at least one ente gestore")
        try:
            with self.session() as session:
                row = Operator(
                    username=username,
                    display_name=display_name.strip() or username,
                    password_hash=self.hasher.hash(password),
                    role=role,
                    enti=sorted(set(enti)),
                    active=True,
                    failed_logins=0,
                )
                session.add(row)
                session.flush()
                return _record(row)
        except IntegrityError as exc:
            raise ValueError(f"username {username!r} already exists") from exc

    def list(self) -> list[OperatorRecord]:
        """Return every account, by username."""
        with self.session() as session:
            rows = session.scalars(select(Operator).order_by(Operator.username)).all()
            return [_record(r) for r in rows]

    def get(self, operator_id: int) -> OperatorRecord | None:
        """Return an account by id."""
        with self.session() as session:
            row = session.get(Operator, operator_id)
            return _record(row) if row else None

    def set_active(self, username: str, active: bool) -> bool:
        """Enable or disable an account; disabling also ends its sessions."""
        with self.session() as session:
            row = session.scalar(select(Operator).where(Operator.username == username.lower()))
            if row is None:
                return False
            row.active = active
            if not active:
                session.execute(
                    delete(OperatorSession).where(OperatorSession.operator_id == row.id)
                )
            return True

    # -- login ---------------------------------------------------------------------------

    def authenticate(self, username: str, password: str, now: datetime) -> LoginResult:
        """Check a password, counting failures and locking the account after too many.

        Unknown users and disabled accounts cost the same hash verification as real ones.
        """
        with self.session() as session:
            row = session.scalar(
                select(Operator).where(Operator.username == username.strip().lower())
            )
            if row is None or not row.active:
                self._verify(self._dummy_hash, password)
                return LoginResult(None)
            if row.locked_until is not None and _aware(row.locked_until) > now:
                return LoginResult(None, locked=True)
            if not self._verify(row.password_hash, password):
                row.failed_logins = (row.failed_logins or 0) + 1
                if row.failed_logins >= MAX_FAILURES:
                    row.locked_until = now + LOCK_TIME
                    row.failed_logins = 0
                    return LoginResult(None, locked=True)
                return LoginResult(None)
            row.failed_logins = 0
            row.locked_until = None
            row.last_login_at = now
            if self.hasher.check_needs_rehash(row.password_hash):
                row.password_hash = self.hasher.hash(password)
            return LoginResult(_record(row))

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    # -- sessions ------------------------------------------------------------------------

    def create_session(self, operator_id: int, now: datetime) -> tuple[str, str]:
        """Open a session; return ``(cookie token, csrf token)``."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        with self.session() as session:
            session.execute(delete(OperatorSession).where(OperatorSession.expires_at < now))
            session.add(
                OperatorSession(
                    token_hash=_token_hash(token),
                    operator_id=operator_id,
                    csrf_token=csrf,
                    created_at=now,
                    expires_at=now + SESSION_TIME,
                )
            )
        return token, csrf

    def resolve_session(self, token: str, now: datetime) -> tuple[OperatorRecord, str] | None:
        """Return ``(operator, csrf token)`` of a live session of an active account."""
        if not token:
            return None
        with self.session() as session:
            row = session.get(OperatorSession, _token_hash(token))
            if row is None or _aware(row.expires_at) <= now:
                return None
            op = session.get(Operator, row.operator_id)
            if op is None or not op.active:
                return None
            return _record(op), row.csrf_token

    def end_session(self, token: str) -> None:
        """Delete a session (logout)."""
        with self.session() as session:
            session.execute(
                delete(OperatorSession).where(OperatorSession.token_hash == _token_hash(token))
            )
