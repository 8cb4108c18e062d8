"""Web channel: the embeddable chat widget (static files), its WebSocket and history API."""
