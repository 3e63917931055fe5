"""`manage.py start_waits`: start the government-side waits of hazards that were waiting before they existed."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from hazards.escalation import start_missing_waits


class Command(BaseCommand):
    help = (
        "Start the confirmation or acceptance wait of every hazard in `reported` or `awaiting_acceptance` that has "
        "none (counted from its filing or its last rectification); overdue ones are sent by the next sweep."
    )

    def handle(self, *args, **options) -> None:
        started = start_missing_waits()
        self.stdout.write(self.style.SUCCESS(f"{started} waits started"))
