"""Child processes of ``wecare run``: ports, process groups, readiness and log files."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from wecare.settings import ROOT

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
        env: environment of this child only (on top of the stack's).
    """

    name: str
    cmd: list[str]
    health_url: str
    check: Callable[[httpx.Response], bool] | None = None
    fatal: Callable[[httpx.Response], str | None] | None = None
    env: dict[str, str] = field(default_factory=dict)


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


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)
