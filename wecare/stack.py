"""The stack ``wecare run`` starts: Rasa, the action server and the gateway as child groups.

With ``rasa_instances``/``gateways`` above 1 (``wecare run --rasa-instances N --gateways M``)
it starts N Rasa servers and M gateways on consecutive ports; the gateways get every Rasa URL
(``RASA_URLS``: each routes a conversation to one instance by its sender) and, with
``redis_url``, the Rasa servers share Redis as their lock store (``wecare.endpoints``).

:class:`Stack` is also used by the end-to-end tests (``tests/e2e``) and the benchmark.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

from wecare.endpoints import (
    ENDPOINTS,
    prepare_sqlite_tracker_store,
    rasa_tracker_url,
    write_endpoints,
)
from wecare.processes import (
    Child,
    ChildSpec,
    _child_setup,
    _signal_group,
    app_python,
)
from wecare.readiness import wait_ready
from wecare.settings import ROOT, VAR_DIR

MODEL = ROOT / "models" / "wecare.tar.gz"
RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
CREDENTIALS = ROOT / "bot" / "credentials.yml"
LOG_DIR = VAR_DIR / "log"
DEFAULT_TRACKER_STORE_URL = f"sqlite:///{VAR_DIR / 'tracker.db'}"
QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore",
    "PYTHONUNBUFFERED": "1",
}


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
        rasa_instances: how many Rasa servers (ports ``rasa_port``, ``rasa_port + 1``, ...).
        gateways: how many gateways (ports ``gateway_port``, ``gateway_port + 1``, ...).
        redis_url: Redis (lock store of the Rasa servers, delivery between the gateways).
    """

    rasa_port: int
    action_port: int
    gateway_port: int | None
    token: str
    env: Mapping[str, str] = field(default_factory=dict)
    model: Path = MODEL
    log_dir: Path = LOG_DIR
    tracker_store_url: str = DEFAULT_TRACKER_STORE_URL
    rasa_instances: int = 1
    gateways: int = 1
    redis_url: str = ""
    children: list[Child] = field(default_factory=list)

    @property
    def rasa_url(self) -> str:
        """Base URL of the (first) Rasa server."""
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def rasa_urls(self) -> list[str]:
        """Base URLs of every Rasa server."""
        return [f"http://127.0.0.1:{self.rasa_port + i}" for i in range(self.rasa_instances)]

    @property
    def gateway_ports(self) -> list[int]:
        """Ports of every gateway (empty without a gateway)."""
        if self.gateway_port is None:
            return []
        return [self.gateway_port + i for i in range(self.gateways)]

    @property
    def gateway_urls(self) -> list[str]:
        """Base URLs of every gateway."""
        return [f"http://127.0.0.1:{port}" for port in self.gateway_ports]

    def endpoints_file(self) -> Path:
        """Rasa's endpoints: the shipped file, or one with the Redis lock store."""
        if not self.redis_url:
            return ENDPOINTS
        return self.log_dir.parent / f"endpoints.rasa-{self.rasa_port}.yml"

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
            RASA_TRACKER_STORE_URL=rasa_tracker_url(self.tracker_store_url),
        )
        if self.rasa_instances > 1:
            env["RASA_URLS"] = ",".join(self.rasa_urls)
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        if self.gateway_port is not None:
            env["GATEWAY_PORT"] = str(self.gateway_port)
        return env

    def specs(self) -> list[ChildSpec]:
        """The children to start, Rasa first (it is the slowest to load)."""
        specs = [self._rasa_spec(i) for i in range(self.rasa_instances)]
        specs.append(
            ChildSpec(
                "actions",
                [
                    app_python(),
                    "-m",
                    "rasa_sdk",
                    "--actions",
                    "actions",
                    "-p",
                    str(self.action_port),
                ],
                f"{self.action_url}/health",
            )
        )
        for i, port in enumerate(self.gateway_ports):
            name = "gateway" if self.gateways == 1 else f"gateway-{i + 1}"
            specs.append(
                ChildSpec(
                    name,
                    [app_python(), "-m", "bot.gateway"],  # GATEWAY_HOST/PORT from env
                    f"http://127.0.0.1:{port}/healthz",
                    env={"GATEWAY_PORT": str(port), "WECARE_INSTANCE": name},
                )
            )
        return specs

    def _rasa_spec(self, index: int) -> ChildSpec:
        port = self.rasa_port + index
        url = f"http://127.0.0.1:{port}"
        return ChildSpec(
            "rasa" if self.rasa_instances == 1 else f"rasa-{index + 1}",
            [
                str(RASA_BIN),
                "run",
                "--enable-api",
                # one argument with "=": a token may begin with "-" (token_urlsafe
                # does, 1 time in 32), which argparse would read as an option
                f"--auth-token={self.token}",
                "--endpoints",
                str(self.endpoints_file()),
                "--credentials",
                str(CREDENTIALS),
                "-m",
                str(self.model),
                "-p",
                str(port),
                "-i",
                "127.0.0.1",
            ],
            f"{url}/status?token={quote(self.token, safe='')}",
            check=lambda r: bool(r.json().get("model_file")),
            fatal=_rasa_without_model,
        )

    def start(self) -> None:
        """Start every child in its own process group (logs in ``log_dir``)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        prepare_sqlite_tracker_store(self.tracker_store_url)
        if self.redis_url:
            write_endpoints(self.endpoints_file(), self.redis_url)
        base = self.child_env()
        for spec in self.specs():
            self.children.append(self._spawn(spec, base))

    def _spawn(self, spec: ChildSpec, base: Mapping[str, str]) -> Child:
        log_path = self.log_dir / f"{spec.name}.log"
        log = log_path.open("ab")
        log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} start\n".encode())
        log.flush()
        proc = subprocess.Popen(  # noqa: S603 - fixed argument lists
            spec.cmd,
            cwd=ROOT,
            env={**base, **spec.env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_child_setup,  # noqa: PLW1509 - single-threaded here
        )
        return Child(spec, proc, log_path, log)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Stop the child ``name`` abruptly (a crash, for the tests and the soak run)."""
        child = next(c for c in self.children if c.spec.name == name)
        _signal_group(child.proc, sig)
        child.proc.wait(30)
        child.ready = False

    def restart(self, name: str, timeout: float = 300.0) -> None:
        """Start the stopped (or running) child ``name`` again and wait until it is ready.

        Call it from the thread that owns the stack: on Linux a child dies with the thread
        that started it (``PR_SET_PDEATHSIG``), so a worker thread's child would not survive it.
        """
        index = next(i for i, c in enumerate(self.children) if c.spec.name == name)
        old = self.children[index]
        if old.proc.poll() is None:
            self.kill(name, signal.SIGTERM)
        old.log.close()
        self.children[index] = self._spawn(old.spec, self.child_env())
        self.wait_ready(timeout)

    def dead_child(self) -> Child | None:
        """Return a child that has exited, if any."""
        return next((c for c in self.children if c.proc.poll() is not None), None)

    def wait_ready(
        self, timeout: float = 300.0, progress: Callable[[str], None] | None = None
    ) -> None:
        """Poll the health endpoints until every child is ready (``wecare.readiness``)."""
        wait_ready(self.children, timeout, progress)

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


def _rasa_without_model(response: httpx.Response) -> str | None:
    """Rasa loads the model before it serves: a 409 "no agent" means loading failed."""
    if response.status_code == 409:
        return "rasa is up but could not load the model (corrupt or incompatible archive?)"
    if response.status_code == 401:
        return "rasa refused the API token"
    return None
