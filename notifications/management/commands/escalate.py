"""`manage.py escalate --now`: one sweep in the foreground; `--dry-run` prints what would be sent."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from notifications import sweeps
from notifications.tasks import requeue_stale
from ops.heartbeat import beat


class Command(BaseCommand):
    help = "Run one escalation sweep now (what the scheduler does every minute)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--now", action="store_true", help="Run the sweep now, in this process.")
        parser.add_argument("--dry-run", action="store_true", help="Print what would be sent; write nothing.")

    def handle(self, *args, now: bool, dry_run: bool, **options) -> None:
        if not (now or dry_run):
            raise CommandError("Say --now to sweep, or --dry-run to see what a sweep would send.")
        result = sweeps.run(dry_run=dry_run)
        for line in result.planned:
            self.stdout.write(line)
        if not dry_run:
            beat("escalation_sweep", data={"steps": result.steps, "notifications": result.notifications})
            requeued = requeue_stale()
            self.stdout.write(f"re-queued {requeued} stale deliveries")
        verb = "would send" if dry_run else "sent"
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.steps} steps {verb}: {result.notifications} notifications, {result.passed_up} passed up"
            )
        )
