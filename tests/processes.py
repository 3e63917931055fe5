"""Start the platform's real processes (gunicorn, Celery worker, beat) against the test database."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from safety_platform.celery import WORKER_ARGS

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def test_database_url() -> str:
    """The URL of the database pytest-django created, so child processes see the test's rows."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


# One prefix of cache keys per test and run: the processes of one test share the cache (throttles, the replica pin,
# the dashboard's figures), and none reads what another test's processes left in Redis.
RUN = uuid.uuid4().hex[:8]


def cache_prefix() -> str:
    test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
    return f"proc-{RUN}-{hashlib.sha1(test.encode()).hexdigest()[:12]}"


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=test_database_url(),
        CACHE_KEY_PREFIX=cache_prefix(),
        VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="safety_platform.settings",
        PYTHONUNBUFFERED="1",
        # Production settings refuse to start without a key (tests/settings.py sets one for this process).
        SECRET_KEY=os.environ.get("SECRET_KEY") or "integration-tests-only-key-" + "x" * 40,
    )
    env.update(extra)
    return env


def free_port(low: int | None = None, high: int | None = None) -> int:
    """A free port; with a range, one outside the ephemeral ports clients connect from, so that a server
    restarted on it cannot find it taken by some client's socket."""
    if low is None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]
    import random

    for port in random.sample(range(low, high), 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


@contextmanager
def running(name: str, args: list[str], env: dict[str, str], log_dir: Path, quiet: bool = False):
    """Run a process in its own process group; on exit stop it, and show its log's tail (unless `quiet`)."""
    log_path = log_dir / f"{name}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if not quiet:
            sys.stdout.write(f"\n--- {name} log (tail) ---\n{log_path.read_text(errors='replace')[-3000:]}\n")


def celery(*args: str) -> list[str]:
    if args and args[0] == "worker":
        args = ("worker", *WORKER_ARGS, *args[1:])  # as every worker runs
    return [PYTHON, "-m", "celery", "-A", "safety_platform", *args]


def wait_for(check: Callable[[], object], timeout: float = 30, what: str | Callable[[], str] = "condition") -> object:
    """Poll until check() returns something truthy; fail with a message naming what never happened (a callable
    `what` is called at that moment, so the message tells the state at the failure, not at the start)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what() if callable(what) else what}")


def wait_for_progress(
    progress: Callable[[], Hashable],
    done: Callable[[Hashable], bool],
    report: Callable[[], str],
    still: float = 60,
    bound: float = 1800,
) -> float:
    """Wait while something moves: poll `progress()` until `done(progress)`; fail only when it has not changed for
    `still` seconds, or after `bound` seconds in all, with `report()` computed at that moment. A busy machine
    makes the wait longer; only a stall (or a very long wait) fails. Returns the seconds waited."""
    start = time.monotonic()
    last, moved = None, start
    while True:
        now = time.monotonic()
        current = progress()
        if done(current):
            return now - start
        if current != last:
            last, moved = current, now
        elif now - moved > still:
            raise AssertionError(f"nothing moved for {still:.0f}s (after {now - start:.0f}s in all): {report()}")
        if now - start > bound:
            raise AssertionError(f"still moving, but not done after {bound:.0f}s: {report()}")
        time.sleep(0.5)


def fetch(url: str, data: dict | None = None, headers: dict | None = None, timeout: float = 20) -> tuple[int, bytes]:
    """One HTTP request to a process the test started (JSON body when `data`): its status and body, (0, b"") when
    nothing answers, so a test can wait for a server with `wait_for`."""
    import json
    import urllib.error
    import urllib.request

    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""
