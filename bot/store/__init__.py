"""App database of the gateway: conversations, message log, short callback ids.

Separate from the catalog database (``APP_DATABASE_URL``). Code outside this package uses the
plain records it returns, never the ORM: async code the facade
:class:`bot.store.facade.ConversationStore`, synchronous code (CLIs, the erasure)
:class:`bot.store.repo.ConversationRepository`.
"""

from bot.store.db import create_store_engine, init_db
from bot.store.facade import ConversationStore
from bot.store.records import ConversationRecord, MessageRecord
from bot.store.repo import ConversationRepository

__all__ = [
    "ConversationRecord",
    "ConversationRepository",
    "ConversationStore",
    "MessageRecord",
    "create_store_engine",
    "init_db",
]
