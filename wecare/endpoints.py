"""Rasa's ``endpoints.yml`` for a stack: the shipped one, plus Redis as the lock store.

``bot/endpoints.yml`` (embedded profile) keeps Rasa's in-memory lock store: one Rasa process.
With several Rasa instances (``wecare run --rasa-instances N``, production profile) they must
share locks, so ``wecare run`` writes ``var/endpoints.<name>.yml``: the same file with a
``lock_store`` of type ``redis`` read from ``REDIS_URL`` (Rasa 3.6 ``RedisLockStore``: host,
port, db, password; the file is written with mode 0600 because it may hold the password).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from wecare.settings import ROOT

ENDPOINTS = ROOT / "bot" / "endpoints.yml"
#: Prefix of Rasa's lock keys in Redis (RedisLockStore wants it alphanumeric).
LOCK_KEY_PREFIX = "wecare"


def lock_store_config(redis_url: str) -> dict[str, object]:
    """The ``lock_store`` section of Rasa's endpoints for ``redis_url``.

    Raises:
        ValueError: not a ``redis://`` / ``rediss://`` URL.
    """
    parts = urlsplit(redis_url)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise ValueError(f"REDIS_URL must look like redis://host:6379/0, not {redis_url!r}")
    db = parts.path.strip("/") or "0"
    config: dict[str, object] = {
        "type": "redis",
        "url": parts.hostname,
        "port": parts.port or 6379,
        # Rasa's locks in a database of their own: db + 1 of REDIS_URL's
        "db": int(db) + 1,
        "key_prefix": LOCK_KEY_PREFIX,
    }
    if parts.password:
        config["password"] = unquote(parts.password)
    if parts.username:
        config["username"] = unquote(parts.username)
    if parts.scheme == "rediss":
        config["use_ssl"] = True
    return config


def rasa_tracker_url(url: str) -> str:
    """The tracker store URL as Rasa's SQLAlchemy 1.4 reads it (psycopg2, not psycopg 3)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def render_endpoints(redis_url: str) -> str:
    """``bot/endpoints.yml`` with the Redis lock store appended."""
    shipped = ENDPOINTS.read_text(encoding="utf-8")
    section = yaml.safe_dump({"lock_store": lock_store_config(redis_url)}, sort_keys=False)
    return (
        f"{shipped.rstrip()}\n\n# Added by `wecare run` (wecare/endpoints.py): several Rasa "
        f"instances share Redis locks.\n{section}"
    )


def write_endpoints(path: Path, redis_url: str) -> Path:
    """Write :func:`render_endpoints` to ``path`` (mode 0600); return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(render_endpoints(redis_url))
    return path


def prepare_sqlite_tracker_store(url: str) -> None:
    """Put a SQLite tracker store in WAL mode (persistent in the file) before Rasa opens it.

    Rasa's SQL tracker store commits synchronously inside its event loop after every message;
    on this machine's disk a commit costs ~18 ms in SQLite's default rollback-journal mode and
    ~4 ms in WAL mode (p50, measured with sqlite3). Other URLs are left alone.
    """
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix + ":memory:":
        return
    path = Path(url[len(prefix) :].split("?", 1)[0])
    if not path.is_absolute():  # relative to Rasa's working directory, the repository
        path = ROOT / path
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
