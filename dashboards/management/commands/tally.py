"""`manage.py tally`: the dashboard tally's state; `--check` compares it with the hazards, `--compact` merges its
appended rows, `--rebuild` counts it again from the hazards (PostgreSQL; elsewhere there is no tally)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, Q

from dashboards import tally
from dashboards.models import HazardTally


class Command(BaseCommand):
    help = "Show, check, compact or rebuild the dashboard's hazard tally."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare with the hazards; exit 1 on a difference")
        parser.add_argument("--compact", action="store_true", help="merge the rows appended since the last merge")
        parser.add_argument("--rebuild", action="store_true", help="count everything again from the hazards")

    def handle(self, *args, check=False, compact=False, rebuild=False, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The tally is kept on PostgreSQL only; this database's dashboard reads the hazards.")
        if rebuild:
            with transaction.atomic():
                self.stdout.write(f"rebuilt: {tally.rebuild():,} rows")
        if compact:
            with transaction.atomic():
                self.stdout.write(f"compacted: {tally.compact():,} merged rows written")
        counts = HazardTally.objects.aggregate(rows=Count("id"), appended=Count("id", filter=Q(merged=False)))
        self.stdout.write(f"tally: {counts['rows']:,} rows, {counts['appended']:,} appended since the last merge")
        if check:
            wrong = tally.differences()
            if wrong:
                raise CommandError(f"{wrong:,} keys differ from the hazards: run `manage.py tally --rebuild`.")
            self.stdout.write("check: the tally equals the hazards grouped")
