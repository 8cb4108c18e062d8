"""``wecare conversations delete SENDER_ID``: erase one conversation (admin path).

Same erasure as the citizen's request in the chat (``bot.store.deletion``): app database
rows, Rasa's tracker events, an audit record without personal content. See docs/privacy.md.
"""

from __future__ import annotations

import argparse
import sys

from bot.store.db import create_store_engine, prepare_db
from bot.store.deletion import TRACKER_FAILED, DataEraser, TrackerStoreEraser
from bot.store.repo import ConversationRepository
from wecare.settings import VAR_DIR, get_settings

#: Tracker store of ``wecare run`` when ``RASA_TRACKER_STORE_URL`` is not set.
DEFAULT_TRACKER_DB = VAR_DIR / "tracker.db"


def _tracker_url(given: str | None) -> str:
    if given is not None:
        return given
    configured = get_settings().rasa_tracker_store_url
    if configured:
        return configured
    return f"sqlite:///{DEFAULT_TRACKER_DB}" if DEFAULT_TRACKER_DB.exists() else ""


def _delete(args: argparse.Namespace) -> int:
    settings = get_settings()
    engine = create_store_engine(settings.app_database_url)
    prepare_db(engine, migrate=not settings.production_profile)
    tracker = TrackerStoreEraser(_tracker_url(args.tracker_store_url))
    try:
        eraser = DataEraser(ConversationRepository(engine), tracker, settings.secret_key)
        report = eraser.erase(args.sender_id, requested_by="admin")
    finally:
        tracker.dispose()
        engine.dispose()
    counts = ", ".join(f"{k}={v}" for k, v in sorted(report.counts.items())) or "nothing"
    print(
        f"conversation {report.conversation_hash[:12]}: removed {counts}; tracker {report.tracker}"
    )
    if not report.found:
        print("note: the app database had no conversation with this sender id", file=sys.stderr)
    return 1 if report.tracker == TRACKER_FAILED else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``conversations delete`` to the ``wecare`` CLI."""
    parser = subparsers.add_parser("conversations", help="erase citizen conversations")
    sub = parser.add_subparsers(dest="conversations_command", metavar="ACTION", required=True)
    delete = sub.add_parser(
        "delete", help="erase a conversation: app DB rows and Rasa tracker events (audited)"
    )
    delete.add_argument("sender_id", help="tg-<chat_id> or web-<session>")
    delete.add_argument(
        "--tracker-store-url",
        default=None,
        help="Rasa's SQL tracker store (default RASA_TRACKER_STORE_URL, else var/tracker.db "
        "when it exists; '' = skip, with a warning)",
    )
    delete.set_defaults(func=_delete)
