"""Operator console: login, queue, live chat with citizens, notes, transfers (issue 6).

Served by the gateway under ``/console``: ``bot.app`` builds its
:class:`bot.console.context.ConsoleContext` and includes
:func:`bot.console.routes.build_console_router`.
"""
