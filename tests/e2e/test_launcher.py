"""The process management of ``wecare run`` (wecare.run.Stack) with stand-in children.

Fast: the children are tiny Python HTTP servers, not Rasa. The real stack is exercised by the
other e2e tests (they start it with the same class).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from wecare.run import ChildSpec, Stack, StackError, free_port, port_is_free

SERVER = textwrap.dedent(
    """
    import http.server, sys, time
    delay = float(sys.argv[2]); time.sleep(delay)
    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200); self.end_headers(); self.wfile.write(b'{"ok": true}')
        def log_message(self, *a): pass
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
    """
)


class FakeStack(Stack):
    """A Stack whose children are stand-in HTTP servers (or a crashing command)."""

    crash: str | None = None

    def specs(self) -> list[ChildSpec]:
        specs = []
        for name, port in (("rasa", self.rasa_port), ("actions", self.action_port)):
            cmd = [sys.executable, "-c", SERVER, str(port), "0.5"]
            if name == self.crash:
                cmd = [sys.executable, "-c", "import sys; print('boom: bad model'); sys.exit(3)"]
            specs.append(ChildSpec(name, cmd, f"http://127.0.0.1:{port}/"))
        return specs


def _stack(tmp_path: Path) -> FakeStack:
    return FakeStack(
        rasa_port=free_port(),
        action_port=free_port(),
        gateway_port=None,
        token="t",
        log_dir=tmp_path / "logs",
        tracker_store_url=f"sqlite:///{tmp_path / 'tracker.db'}",
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_start_wait_stop_leaves_no_process(tmp_path: Path) -> None:
    stack = _stack(tmp_path)
    messages: list[str] = []
    with stack.running(timeout=30, progress=messages.append):
        pids = [c.proc.pid for c in stack.children]
        assert all(c.ready for c in stack.children)
        assert not port_is_free(stack.rasa_port)
    assert any("rasa ready" in m for m in messages), messages
    time.sleep(0.2)
    assert not any(_alive(pid) for pid in pids)
    assert port_is_free(stack.rasa_port) and port_is_free(stack.action_port)
    # the tracker store was prepared in WAL mode
    import sqlite3

    mode = sqlite3.connect(tmp_path / "tracker.db").execute("PRAGMA journal_mode").fetchone()
    assert mode[0] == "wal"


def test_child_dying_at_start_is_reported_with_its_log(tmp_path: Path) -> None:
    stack = _stack(tmp_path)
    stack.crash = "rasa"
    with pytest.raises(StackError, match=r"rasa exited with status 3[\s\S]*boom: bad model"):
        with stack.running(timeout=30):
            pass
    assert not stack.children


def test_timeout_names_the_slow_child(tmp_path: Path) -> None:
    stack = _stack(tmp_path)
    slow = ChildSpec(
        "slow", [sys.executable, "-c", "import time; time.sleep(60)"], "http://127.0.0.1:9/"
    )
    stack.specs = lambda: [slow]  # type: ignore[method-assign]
    with pytest.raises(StackError, match="not ready after 1 s: slow"):
        with stack.running(timeout=1):
            pass


def test_wecare_run_stops_children_on_sigterm(tmp_path: Path) -> None:
    """The CLI: ready message, then SIGTERM -> every child stopped, exit status 0."""
    script = textwrap.dedent(
        f"""
        import sys, wecare.run as run
        from tests.e2e.test_launcher import FakeStack
        run.Stack = FakeStack
        run.ensure_model = lambda *a, **k: None
        sys.argv = ["wecare", "run", "--no-catalog", "--no-gateway",
                    "--model", {str(Path(sys.executable))!r},
                    "--rasa-port", "{free_port()}", "--action-port", "{free_port()}",
                    "--log-dir", {str(tmp_path / "logs")!r}]
        from wecare.cli import main
        sys.exit(main())
        """
    )
    env = {**os.environ, "RASA_TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'tracker.db'}"}
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=root,
        env={**env, "PYTHONPATH": str(root)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        lines.append(line)
        if "Ctrl-C stops everything" in line or time.monotonic() > deadline:
            break
    assert any("rasa ready" in line for line in lines), "".join(lines)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, "".join(lines) + out
    assert "stopped" in out, out
