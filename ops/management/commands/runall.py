"""`manage.py runall`: the web server, a Celery worker and the beat scheduler, together, for `make run`.

Ctrl-C (SIGINT), SIGTERM or SIGHUP, or any one process dying, stops all three, so nothing is left running in the
background. Each child runs in a session of its own (a terminal's Ctrl-C reaches only runall, which stops them in
order); runall stops each child's whole process group, SIGTERM first and SIGKILL after a grace period.

The processes run with DEBUG off unless DEBUG is set: a user who opens a page outside the site or outside their scope
sees the platform's own error page, not Django's debug page. Without SECRET_KEY they get a development key kept in
var/dev-secret-key (safety_platform/lib/env.py: dev_secret_key); production processes never fall back to it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from safety_platform.celery import WORKER_ARGS
from safety_platform.lib.env import dev_secret_key

DEMO_USERS = ("demo-city", "demo-district", "demo-department", "demo-inspector", "demo-enterprise", "demo-duty")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 10


def run_environment(environ: Mapping[str, str], var_dir: Path) -> dict[str, str]:
    """The children's environment: DEBUG off unless the developer set it, and a development key when none is set."""
    env = dict(environ)
    if not env.get("DEBUG"):
        env["DEBUG"] = "0"
    if not env.get("SECRET_KEY"):
        env["SECRET_KEY"] = dev_secret_key(var_dir)
    return env


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and the beat scheduler until Ctrl-C, SIGTERM or SIGHUP."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address:port of the web server")

    def handle(self, *args, addr: str, **options) -> None:
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "safety_platform"]
        commands = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            # SQLite allows one writer at a time, so the embedded mode runs the worker single-threaded.
            "worker": [
                *celery,
                "worker",
                *WORKER_ARGS,
                "-l",
                "info",
                "--pool",
                "solo" if self.embedded else "prefork",
            ],
            "beat": [*celery, "beat", "-l", "info", "-s", settings.CELERY_BEAT_SCHEDULE_FILENAME],
        }
        env = run_environment(os.environ, settings.VAR_DIR)
        # A signal only records itself; the loop below sees it once every child has been started and recorded, so
        # none can be left out of the stop, whenever the signal comes.
        self.received: int | None = None
        for number in STOP_SIGNALS:
            signal.signal(number, self.note_signal)
        processes: dict[str, subprocess.Popen] = {}
        try:
            for name, command in commands.items():
                processes[name] = subprocess.Popen(command, env=env, start_new_session=True)
            self.announce(addr, debug=env["DEBUG"])
            while self.received is None and all(p.poll() is None for p in processes.values()):
                time.sleep(0.2)
            if self.received is not None:
                self.stdout.write(f"\nStopping ({signal.Signals(self.received).name})…")
            else:
                dead = [name for name, p in processes.items() if p.poll() is not None]
                self.stderr.write(f"Stopped because {', '.join(dead)} exited.")
        finally:
            for number in STOP_SIGNALS:  # a second Ctrl-C does not cut the stop short
                signal.signal(number, signal.SIG_IGN)
            self.stop(processes)

    def note_signal(self, number: int, frame) -> None:
        self.received = number

    @property
    def embedded(self) -> bool:
        return settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")

    def announce(self, addr: str, debug: str) -> None:
        broker = "Redis" if settings.REDIS_URL else "filesystem (var/celery)"
        database = "SQLite (var/db.sqlite3)" if self.embedded else "PostgreSQL"
        self.stdout.write(
            self.style.SUCCESS(f"\nWork-safety platform: http://{addr}/   (database: {database}, broker: {broker})")
        )
        self.stdout.write("Demo logins, password demo12345: " + ", ".join(DEMO_USERS))
        if debug in ("0", "", "false", "no", "off"):
            self.stdout.write("Error pages as users see them; DEBUG=1 make run shows Django's debug pages instead.")
        self.stdout.write("Press Ctrl-C to stop the web server, the worker and the scheduler.\n")

    def stop(self, processes: dict[str, subprocess.Popen]) -> None:
        for process in processes.values():
            if process.poll() is None:
                signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for process in processes.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                signal_group(process.pid, signal.SIGKILL)
                process.wait()
            signal_group(process.pid, signal.SIGKILL)  # whatever the process left behind in its group (pool children)


def signal_group(pgid: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, number)
