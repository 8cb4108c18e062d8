"""App database of the gateway: conversations, message log, short callback ids.

Separate from the catalog database (``APP_DATABASE_URL``). Code outside this package uses
:class:`bot.store.repo.ConversationStore` and the plain records it returns, never the ORM.
"""

from bot.store.db import create_store_engine, init_db
from bot.store.records import ConversationRecord, MessageRecord
from bot.store.repo import ConversationStore

__all__ = [
    "ConversationRecord",
    "ConversationStore",
    "MessageRecord",
    "create_store_engine",
    "init_db",
]
