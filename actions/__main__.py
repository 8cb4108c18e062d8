"""Run the action server: ``python -m actions [--port N]`` (default ``ACTION_SERVER_PORT``)."""

from __future__ import annotations

import argparse
import logging

from rasa_sdk.endpoint import run

from wecare.settings import get_settings


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve the ``actions`` package over HTTP."""
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m actions", description=__doc__)
    parser.add_argument("--port", "-p", type=int, default=settings.action_server_port)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    run("actions", port=args.port)


if __name__ == "__main__":
    main()
