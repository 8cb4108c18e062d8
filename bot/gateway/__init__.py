"""The gateway: one ASGI app that owns channels, conversations and the message log."""
