"""`manage.py runall`: the web server, a Celery worker and the beat scheduler, together, for `make run`.

Ctrl-C (or any one process dying) stops all three, so nothing is left running in the background.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

DEMO_USERS = ("demo-city", "demo-district", "demo-department", "demo-inspector", "demo-enterprise", "demo-duty")


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and the beat scheduler until Ctrl-C."

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
                "-Q",
                "celery,escalation",
                "-l",
                "info",
                "--pool",
                "solo" if self.embedded else "prefork",
            ],
            "beat": [*celery, "beat", "-l", "info", "-s", settings.CELERY_BEAT_SCHEDULE_FILENAME],
        }
        processes = {name: subprocess.Popen(cmd, start_new_session=True) for name, cmd in commands.items()}
        self.announce(addr)
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
            dead = [name for name, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"Stopped because {', '.join(dead)} exited.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            self.stop(processes)

    @property
    def embedded(self) -> bool:
        return settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")

    def announce(self, addr: str) -> None:
        broker = "Redis" if settings.REDIS_URL else "filesystem (var/celery)"
        database = "SQLite (var/db.sqlite3)" if self.embedded else "PostgreSQL"
        self.stdout.write(
            self.style.SUCCESS(f"\nWork-safety platform: http://{addr}/   (database: {database}, broker: {broker})")
        )
        self.stdout.write("Demo logins, password demo12345: " + ", ".join(DEMO_USERS))
        self.stdout.write("Press Ctrl-C to stop the web server, the worker and the scheduler.\n")

    def stop(self, processes: dict[str, subprocess.Popen]) -> None:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in processes.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
