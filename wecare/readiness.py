"""Waiting for the children of a :class:`wecare.stack.Stack` to be ready.

Each child's health URL is polled until it answers 200 (and its spec's ``check`` accepts the
answer); a child that exits, or whose answer shows it can never be ready (``spec.fatal``: e.g.
Rasa without a model), stops the wait at once with the tail of its log.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import httpx

from wecare.processes import Child, StackError


def wait_ready(
    children: Sequence[Child],
    timeout: float = 300.0,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Poll the health endpoints until every child is ready.

    Args:
        children: the started children (their ``ready`` flag is set here).
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
            dead = next((c for c in children if c.proc.poll() is not None), None)
            if dead is not None:
                raise StackError(
                    f"{dead.spec.name} exited with status {dead.proc.returncode} while "
                    f"starting; last lines of {dead.log_path}:\n{dead.log_tail()}"
                )
            for child in children:
                if not child.ready and _healthy(client, child):
                    child.ready = True
                    say(f"{child.spec.name} ready ({time.monotonic() - start:.0f} s)")
            waiting = [c for c in children if not c.ready]
            if not waiting:
                return
            now = time.monotonic()
            if now - start > timeout:
                names = ", ".join(c.spec.name for c in waiting)
                raise StackError(
                    f"not ready after {timeout:.0f} s: {names}; last lines of "
                    f"{waiting[0].log_path}:\n{waiting[0].log_tail()}"
                )
            if now - last_report >= 5:
                last_report = now
                names = ", ".join(c.spec.name for c in waiting)
                say(f"waiting for {names} ... {now - start:.0f} s")
            time.sleep(0.5)


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
