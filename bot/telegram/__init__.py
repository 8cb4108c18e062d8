"""Telegram bridge (python-telegram-bot 22): a thin transport between Telegram and the router."""
