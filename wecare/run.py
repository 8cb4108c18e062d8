"""``wecare run``: start the whole assistant on one machine (what ``make run`` calls).

Steps: load the catalog when it is empty, train the model when needed (``scripts/train.sh``,
a one-second no-op when the model is up to date), then start three children, each in its own
process group with its output in ``var/log/<name>.log``:

- the Rasa server (``.venv-rasa``, REST channel, HTTP API with a token, SQL tracker store),
- the rasa-sdk action server (``actions/``),
- the gateway (web widget, Telegram when ``TELEGRAM_BOT_TOKEN`` is set).

It waits until every child answers its health endpoint, prints where to chat, and on Ctrl-C or
SIGTERM stops every process group (SIGTERM, then SIGKILL after a grace period). A child that
dies while starting or later stops the others and makes the command exit non-zero.

:class:`wecare.stack.Stack` (child processes: ``wecare.processes``) is also used by the
end-to-end tests (``tests/e2e``) and the benchmark; the names are re-exported here.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from wecare.cli import CliError
from wecare.processes import ChildSpec, StackError, app_python, free_port, port_is_free
from wecare.settings import ROOT, VAR_DIR, get_settings
from wecare.stack import (
    DEFAULT_TRACKER_STORE_URL,
    LOG_DIR,
    MODEL,
    QUIET_ENV,
    RASA_BIN,
    Stack,
    prepare_sqlite_tracker_store,
)

__all__ = [
    "QUIET_ENV",
    "RASA_BIN",
    "ChildSpec",
    "Stack",
    "StackError",
    "app_python",
    "ensure_catalog",
    "ensure_model",
    "free_port",
    "port_is_free",
    "prepare_sqlite_tracker_store",
    "run_stack",
]


def ensure_catalog(say: Callable[[str], None], database_url: str | None = None) -> None:
    """Upgrade the catalog schema and load ``catalog_data/`` when the catalog is empty.

    Args:
        say: progress printer.
        database_url: catalog database (default ``DATABASE_URL`` from the settings).
    """
    try:
        from catalog.db import make_engine
        from catalog.loader import ensure_loaded
    except ImportError as exc:
        raise CliError(f"the catalog package is not available ({exc})") from exc
    settings = get_settings()
    engine = make_engine(database_url or settings.database_url)
    try:
        report = ensure_loaded(engine, settings.catalog_data_dir)
    finally:
        engine.dispose()
    if report is None:
        say("catalog: already loaded (reload with `wecare catalog load`)")
    else:
        say("catalog: loaded from " + str(settings.catalog_data_dir))
        for line in report.lines():
            say(f"  {line}")


def ensure_model(model: Path, train: bool, say: Callable[[str], None]) -> None:
    """Train with ``scripts/train.sh`` (cached) unless ``train`` is False and a model exists."""
    if not train and model.exists():
        say(f"model: {model} (training skipped)")
        return
    say("model: bash scripts/train.sh (a no-op when the model is up to date)")
    status = subprocess.call(["bash", str(ROOT / "scripts" / "train.sh")], cwd=ROOT)  # noqa: S603
    if status != 0 or not model.exists():
        raise CliError(f"training failed (scripts/train.sh exit {status}); see the output above")


def token_file(rasa_port: int) -> Path:
    """Where ``wecare run`` keeps a generated Rasa API token: one file per Rasa port."""
    return VAR_DIR / f"rasa-{rasa_port}.token"


def _write_token(path: Path, token: str) -> None:
    """Keep the session's Rasa API token in ``path`` (mode 0600) for local tools."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token + "\n")


def _port_of(url: str, default: int) -> int:
    return urlsplit(url).port or default


def _print_welcome(stack: Stack, token_hint: str) -> None:
    lines = ["", "WeCare Assistant is running. Chat with it:"]
    for gateway in stack.gateway_urls:
        lines.append(f"  web widget   {gateway}/   (health: {gateway}/healthz)")
    if len(stack.rasa_urls) > 1:
        lines.append(f"  Rasa         {', '.join(stack.rasa_urls)} (one per conversation)")
    lines += [
        f"  REST (curl)  curl -s {stack.rasa_url}/webhooks/rest/webhook \\",
        '                 -d \'{"sender":"t1","message":"abito a Cuorgnè e non riesco a '
        "pagare l affitto\"}'",
        f"  Rasa API     {stack.rasa_url}/status?token={token_hint}",
        f"  actions      {stack.action_url}/health",
        f"  logs         {stack.log_dir}/<{','.join(c.spec.name for c in stack.children)}>.log",
        "Ctrl-C stops everything.",
        "",
    ]
    print("\n".join(lines), flush=True)


def _say(msg: str) -> None:
    print(f"[run] {msg}", flush=True)


def _check_instances(args: argparse.Namespace, redis_url: str) -> None:
    if args.rasa_instances < 1 or args.gateways < 1:
        raise CliError("--rasa-instances and --gateways must be at least 1")
    if args.rasa_instances > 1 and not redis_url:
        raise CliError(
            "several Rasa instances need a shared lock store: set REDIS_URL (docs/deploy.md)"
        )
    if args.gateways > 1 and not redis_url:
        raise CliError("several gateways deliver to each other through Redis: set REDIS_URL")


def run_stack(args: argparse.Namespace) -> int:
    """Implement ``wecare run``; return the exit code."""
    settings = get_settings()
    problems = settings.profile_problems()
    if problems:
        raise CliError("WECARE_PROFILE=production: " + "; ".join(problems))
    _check_instances(args, settings.redis_url)
    rasa_port = args.rasa_port or _port_of(settings.rasa_url, 5005)
    action_port = args.action_port or settings.action_server_port
    gateway_port = None if args.no_gateway else (args.gateway_port or settings.gateway_port)
    ports = {f"rasa {rasa_port + i}": rasa_port + i for i in range(args.rasa_instances)}
    ports["actions"] = action_port
    if gateway_port is not None:
        ports.update(
            {f"gateway {gateway_port + i}": gateway_port + i for i in range(args.gateways)}
        )
    busy = [name for name, port in ports.items() if not port_is_free(port)]
    if busy:
        raise CliError(
            f"port in use: {', '.join(busy)} (another stack running? stop it, or choose ports "
            "with --rasa-port/--action-port/--gateway-port)"
        )
    if not RASA_BIN.exists():
        raise CliError(f"{RASA_BIN.relative_to(ROOT)} missing: run `make setup`")
    VAR_DIR.mkdir(exist_ok=True)
    if settings.production_profile:
        _say("production profile: schemas are not migrated here (`wecare db migrate`)")
    elif not args.no_catalog:
        ensure_catalog(_say)
    model = Path(args.model).resolve() if args.model else MODEL
    if args.model and not model.is_file():
        raise CliError(f"no model archive at {model}")
    ensure_model(model, train=not args.no_train and not args.model, say=_say)

    token = settings.rasa_token or secrets.token_urlsafe(24)
    token_path = token_file(rasa_port)
    if not settings.rasa_token:
        _say(f"RASA_TOKEN not set: generated a random token for this session ({token_path})")
        _write_token(token_path, token)
    stack = Stack(
        rasa_port=rasa_port,
        action_port=action_port,
        gateway_port=gateway_port,
        token=token,
        model=model,
        log_dir=Path(args.log_dir).resolve() if args.log_dir else LOG_DIR,
        tracker_store_url=settings.rasa_tracker_store_url or DEFAULT_TRACKER_STORE_URL,
        rasa_instances=args.rasa_instances,
        gateways=args.gateways,
        redis_url=settings.redis_url,
    )
    stopping: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)
        if len(stopping) == 1:  # later signals must not interrupt the clean stop
            raise KeyboardInterrupt

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        listing = ", ".join(
            f"{c.name} :{c.health_url.split(':')[2].split('/')[0]}" for c in stack.specs()
        )
        _say(f"starting {listing} (logs in {stack.log_dir})")  # fmt: skip
        stack.start()
        stack.wait_ready(args.timeout, _say)
        _print_welcome(stack, "$RASA_TOKEN" if settings.rasa_token else f"<{token_path}>")
        while True:
            dead = stack.dead_child()
            if dead is not None:
                raise StackError(
                    f"{dead.spec.name} exited with status {dead.proc.returncode}; last lines "
                    f"of {dead.log_path}:\n{dead.log_tail()}"
                )
            time.sleep(0.5)
    except KeyboardInterrupt:
        _say("stopping ...")
        stack.stop(progress=_say)
        _say("stopped")
        return 0 if stopping else 130
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        stack.stop(progress=_say)
        return 1
    finally:
        stack.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def register(subparsers: Any) -> None:
    """Add the ``run`` sub-command."""
    parser = subparsers.add_parser(
        "run", help="start Rasa, the action server and the gateway (Ctrl-C stops them)"
    )
    parser.add_argument("--rasa-port", type=int, default=None, help="default: port of RASA_URL")
    parser.add_argument("--action-port", type=int, default=None, help="default: ACTION_SERVER_PORT")
    parser.add_argument("--gateway-port", type=int, default=None, help="default: GATEWAY_PORT")
    parser.add_argument("--no-gateway", action="store_true", help="start Rasa and actions only")
    parser.add_argument(
        "--rasa-instances",
        type=int,
        default=1,
        help="Rasa servers on consecutive ports from --rasa-port (N > 1 needs REDIS_URL)",
    )
    parser.add_argument(
        "--gateways",
        type=int,
        default=1,
        help="gateways on consecutive ports from --gateway-port (M > 1 needs REDIS_URL)",
    )
    parser.add_argument("--no-catalog", action="store_true", help="do not load the catalog")
    parser.add_argument(
        "--no-train", action="store_true", help="use the existing model without scripts/train.sh"
    )
    parser.add_argument("--model", default=None, help="serve this model archive (no training)")
    parser.add_argument("--log-dir", default=None, help="default: var/log")
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds to wait for readiness (300)"
    )
    parser.set_defaults(func=run_stack)
