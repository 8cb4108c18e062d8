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

:class:`Stack` is also used by the end-to-end tests (``tests/e2e``) and the benchmark.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any
from urllib.parse import urlsplit

import httpx

from wecare.cli import CliError
from wecare.settings import ROOT, VAR_DIR, get_settings

MODEL = ROOT / "models" / "wecare.tar.gz"
RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
ENDPOINTS = ROOT / "bot" / "endpoints.yml"
CREDENTIALS = ROOT / "bot" / "credentials.yml"
LOG_DIR = VAR_DIR / "log"
DEFAULT_TRACKER_STORE_URL = f"sqlite:///{VAR_DIR / 'tracker.db'}"
QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore",
    "PYTHONUNBUFFERED": "1",
}
_PR_SET_PDEATHSIG = 1


class StackError(Exception):
    """A child process failed to start or died; the message says which and why."""


def app_python() -> str:
    """Return the interpreter of the app environment (``.venv``), else the current one."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Tell whether ``host:port`` can be bound right now (as a server would: SO_REUSEADDR)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """Return a TCP port that is free right now on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _child_setup() -> None:  # pragma: no cover - runs in the forked child
    """New session (own process group); on Linux, die with the launcher (no orphans)."""
    os.setsid()
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class ChildSpec:
    """How to start one child and how to tell that it is ready.

    Attributes:
        name: short name (``rasa``, ``actions``, ``gateway``), also the log file name.
        cmd: the command line.
        health_url: URL that answers 200 once the child is ready.
        check: optional extra test of the health answer (e.g. "a model is loaded").
        fatal: optional test of the health answer that returns an error message when the
            child is up but will never become ready (Rasa running without a model).
    """

    name: str
    cmd: list[str]
    health_url: str
    check: Callable[[httpx.Response], bool] | None = None
    fatal: Callable[[httpx.Response], str | None] | None = None


@dataclass
class Child:
    """A running child process and its log file."""

    spec: ChildSpec
    proc: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]
    ready: bool = False

    def log_tail(self, lines: int = 25) -> str:
        """Return the last lines of the child's log."""
        self.log.flush()
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Stack:
    """Rasa, action server and (optionally) gateway as child process groups.

    Args:
        rasa_port: Rasa server port.
        action_port: action server port.
        gateway_port: gateway port, or None for no gateway.
        token: Rasa API token.
        env: extra environment of the children (on top of ``os.environ``).
        model: the model archive Rasa serves.
        log_dir: where ``<name>.log`` files go.
        tracker_store_url: SQLAlchemy URL of Rasa's tracker store.
    """

    rasa_port: int
    action_port: int
    gateway_port: int | None
    token: str
    env: Mapping[str, str] = field(default_factory=dict)
    model: Path = MODEL
    log_dir: Path = LOG_DIR
    tracker_store_url: str = DEFAULT_TRACKER_STORE_URL
    children: list[Child] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        """Base URL of the action server."""
        return f"http://127.0.0.1:{self.action_port}"

    @property
    def gateway_url(self) -> str | None:
        """Base URL of the gateway (None without a gateway)."""
        return None if self.gateway_port is None else f"http://127.0.0.1:{self.gateway_port}"

    def child_env(self) -> dict[str, str]:
        """Environment shared by the children: ports, token, tracker store, quiet logs."""
        # Sanic (Rasa, rasa-sdk) waits up to 15 s for idle keep-alive connections on SIGTERM
        env = {"SANIC_GRACEFUL_SHUTDOWN_TIMEOUT": "3", **os.environ, **QUIET_ENV, **self.env}
        env.update(
            RASA_TOKEN=self.token,
            RASA_URL=self.rasa_url,
            ACTION_SERVER_PORT=str(self.action_port),
            RASA_TRACKER_STORE_URL=self.tracker_store_url,
        )
        if self.gateway_port is not None:
            env["GATEWAY_PORT"] = str(self.gateway_port)
        return env

    def specs(self) -> list[ChildSpec]:
        """The children to start, Rasa first (it is the slowest to load)."""
        rasa = ChildSpec(
            "rasa",
            [
                str(RASA_BIN),
                "run",
                "--enable-api",
                "--auth-token",
                self.token,
                "--endpoints",
                str(ENDPOINTS),
                "--credentials",
                str(CREDENTIALS),
                "-m",
                str(self.model),
                "-p",
                str(self.rasa_port),
                "-i",
                "127.0.0.1",
            ],
            f"{self.rasa_url}/status?token={self.token}",
            check=lambda r: bool(r.json().get("model_file")),
            fatal=_rasa_without_model,
        )
        actions = ChildSpec(
            "actions",
            [app_python(), "-m", "rasa_sdk", "--actions", "actions", "-p", str(self.action_port)],
            f"{self.action_url}/health",
        )
        specs = [rasa, actions]
        if self.gateway_port is not None:
            specs.append(
                ChildSpec(
                    "gateway",
                    [app_python(), "-m", "bot.gateway"],  # GATEWAY_HOST/PORT from env
                    f"{self.gateway_url}/healthz",
                )
            )
        return specs

    def start(self) -> None:
        """Start every child in its own process group (logs in ``log_dir``)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        prepare_sqlite_tracker_store(self.tracker_store_url)
        env = self.child_env()
        for spec in self.specs():
            log_path = self.log_dir / f"{spec.name}.log"
            log = log_path.open("ab")
            log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} start\n".encode())
            log.flush()
            proc = subprocess.Popen(  # noqa: S603 - fixed argument lists
                spec.cmd,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_child_setup,  # noqa: PLW1509 - single-threaded here
            )
            self.children.append(Child(spec, proc, log_path, log))

    def dead_child(self) -> Child | None:
        """Return a child that has exited, if any."""
        return next((c for c in self.children if c.proc.poll() is not None), None)

    def wait_ready(
        self, timeout: float = 300.0, progress: Callable[[str], None] | None = None
    ) -> None:
        """Poll the health endpoints until every child is ready.

        Args:
            timeout: seconds before giving up.
            progress: called with one-line status messages (about every 5 s).

        Raises:
            StackError: a child exited, or the timeout expired (with the log tail).
        """
        say = progress or (lambda _msg: None)
        start = time.monotonic()
        last_report = start
        with httpx.Client(timeout=2.0) as client:
            while True:
                dead = self.dead_child()
                if dead is not None:
                    raise StackError(
                        f"{dead.spec.name} exited with status {dead.proc.returncode} while "
                        f"starting; last lines of {dead.log_path}:\n{dead.log_tail()}"
                    )
                for child in self.children:
                    if not child.ready and _healthy(client, child):
                        child.ready = True
                        say(f"{child.spec.name} ready ({time.monotonic() - start:.0f} s)")
                waiting = [c for c in self.children if not c.ready]
                if not waiting:
                    return
                now = time.monotonic()
                if now - start > timeout:
                    names = ", ".join(c.spec.name for c in waiting)
                    tail = waiting[0].log_tail()
                    raise StackError(
                        f"not ready after {timeout:.0f} s: {names}; last lines of "
                        f"{waiting[0].log_path}:\n{tail}"
                    )
                if now - last_report >= 5:
                    last_report = now
                    names = ", ".join(c.spec.name for c in waiting)
                    say(f"waiting for {names} ... {now - start:.0f} s")
                time.sleep(0.5)

    def stop(self, grace: float = 15.0, progress: Callable[[str], None] | None = None) -> None:
        """Stop every child process group: SIGTERM, then SIGKILL after ``grace`` seconds."""
        say = progress or (lambda _msg: None)
        for child in self.children:
            _signal_group(child.proc, signal.SIGTERM)
        start = time.monotonic()
        for child in self.children:
            try:
                child.proc.wait(max(0.1, start + grace - time.monotonic()))
                say(f"{child.spec.name} stopped ({time.monotonic() - start:.1f} s)")
            except subprocess.TimeoutExpired:
                _signal_group(child.proc, signal.SIGKILL)
                child.proc.wait(5)
                say(f"{child.spec.name} killed after {grace:.0f} s")
            # the group may still hold grandchildren after the leader exited
            _signal_group(child.proc, signal.SIGKILL)
            child.log.close()
        self.children.clear()

    @contextlib.contextmanager
    def running(
        self, timeout: float = 300.0, progress: Callable[[str], None] | None = None
    ) -> Iterator[Stack]:
        """Start, wait until ready, yield, and always stop."""
        try:
            self.start()
            self.wait_ready(timeout, progress)
            yield self
        finally:
            self.stop()


def _healthy(client: httpx.Client, child: Child) -> bool:
    """Poll the child's health URL; raise :class:`StackError` when it can never be ready."""
    spec = child.spec
    try:
        response = client.get(spec.health_url)
    except httpx.HTTPError:
        return False
    problem = spec.fatal(response) if spec.fatal else None
    if problem:
        raise StackError(f"{problem}; last lines of {child.log_path}:\n{child.log_tail()}")
    try:
        return response.status_code == 200 and (spec.check is None or spec.check(response))
    except ValueError:
        return False


def _rasa_without_model(response: httpx.Response) -> str | None:
    """Rasa loads the model before it serves: a 409 "no agent" means loading failed."""
    if response.status_code == 409:
        return "rasa is up but could not load the model (corrupt or incompatible archive?)"
    if response.status_code == 401:
        return "rasa refused the API token"
    return None


def prepare_sqlite_tracker_store(url: str) -> None:
    """Put a SQLite tracker store in WAL mode (persistent in the file) before Rasa opens it.

    Rasa's SQL tracker store commits synchronously inside its event loop after every message;
    on this machine's disk a commit costs ~18 ms in SQLite's default rollback-journal mode and
    ~4 ms in WAL mode (p50, measured with sqlite3). Other URLs are left alone.
    """
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix + ":memory:":
        return
    path = Path(url[len(prefix) :].split("?", 1)[0])
    if not path.is_absolute():  # relative to Rasa's working directory, the repository
        path = ROOT / path
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


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
    gateway = stack.gateway_url
    lines = ["", "WeCare Assistant is running. Chat with it:"]
    if gateway:
        lines.append(f"  web widget   {gateway}/   (health: {gateway}/healthz)")
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


def run_stack(args: argparse.Namespace) -> int:
    """Implement ``wecare run``; return the exit code."""
    settings = get_settings()
    rasa_port = args.rasa_port or _port_of(settings.rasa_url, 5005)
    action_port = args.action_port or settings.action_server_port
    gateway_port = None if args.no_gateway else (args.gateway_port or settings.gateway_port)
    ports = {"rasa": rasa_port, "actions": action_port, "gateway": gateway_port}
    busy = [f"{n} {p}" for n, p in ports.items() if p is not None and not port_is_free(p)]
    if busy:
        raise CliError(
            f"port in use: {', '.join(busy)} (another stack running? stop it, or choose ports "
            "with --rasa-port/--action-port/--gateway-port)"
        )
    if not RASA_BIN.exists():
        raise CliError(f"{RASA_BIN.relative_to(ROOT)} missing: run `make setup`")
    VAR_DIR.mkdir(exist_ok=True)
    if not args.no_catalog:
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
    )
    stopping: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)
        if len(stopping) == 1:  # later signals must not interrupt the clean stop
            raise KeyboardInterrupt

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        _say(f"starting rasa :{rasa_port}, actions :{action_port}" + (
            f", gateway :{gateway_port}" if gateway_port else ""
        ) + f" (logs in {stack.log_dir})")  # fmt: skip
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
