"""Operator console: login, queue, live chat with citizens, notes, transfers (issue 6).

Served by the gateway under ``/console`` (see :func:`bot.console.setup.install_console`).
"""
