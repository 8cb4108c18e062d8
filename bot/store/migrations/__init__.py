"""Alembic environment of the app database (``env.py``, ``versions/``) and its history.

``schema_v7`` freezes the tables of the last pre-Alembic schema (revision ``0001``);
``legacy`` holds the numbered steps of the old schema manager that revision ``0001`` replays
on a database made before Alembic (see ``bot.store.db``).
"""
