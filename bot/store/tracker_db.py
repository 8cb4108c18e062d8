"""The connection to Rasa's SQL tracker store shared by its readers and its eraser.

The gateway reads Rasa's ``events`` table for the NLU inbox (``bot.nlu_inbox.tracker``) and
the analytics (``bot.analytics.tracker``) and deletes from it on a data-deletion request
(``bot.store.deletion``); each subclasses :class:`TrackerStoreDB` for the URL handling, the lazy
pooled engine and its disposal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from wecare.settings import ROOT


def resolve_sqlite_path(url: str) -> str:
    """Make a relative SQLite path absolute (Rasa's working dir); PostgreSQL through psycopg 3."""
    prefix = "sqlite:///"
    for rasa_form in ("postgresql://", "postgres://"):
        # Rasa reads its tracker store with psycopg2; the app env has psycopg 3
        if url.startswith(rasa_form):
            return "postgresql+psycopg://" + url[len(rasa_form) :]
    if not url.startswith(prefix) or url == prefix + ":memory:":
        return url
    rest = url[len(prefix) :]
    path, sep, query = rest.partition("?")
    if Path(path).is_absolute():
        return url
    return f"{prefix}{ROOT / path}{sep}{query}"


class TrackerStoreDB:
    """A lazily opened, pooled engine on Rasa's SQL tracker store.

    Args:
        url: SQLAlchemy URL of the tracker store (``RASA_TRACKER_STORE_URL``, Rasa's form
            accepted); empty when Rasa keeps trackers elsewhere (in memory).
    """

    def __init__(self, url: str) -> None:
        self.url = resolve_sqlite_path(url.strip()) if url.strip() else ""
        self._engine: Engine | None = None

    @property
    def configured(self) -> bool:
        """Whether a SQL tracker store URL is known."""
        return bool(self.url)

    def _get_engine(self) -> Engine:
        if self._engine is None:
            kwargs: dict[str, Any] = {"pool_pre_ping": True}
            if make_url(self.url).get_backend_name() == "sqlite":
                kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
            self._engine = create_engine(self.url, **kwargs)
        return self._engine

    def dispose(self) -> None:
        """Close the pooled connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
