"""``python -m bot.gateway``: serve the gateway with uvicorn (same as ``wecare gateway``)."""

from __future__ import annotations

import sys

from bot.cli import serve_gateway

if __name__ == "__main__":
    sys.exit(serve_gateway())
