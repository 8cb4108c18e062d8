"""The gateway: router, message log (outbox), Rasa client, safety net, the ASGI app.

Built by the composition root ``bot.app``; ``bot.gateway.http`` is its HTTP surface.
"""
