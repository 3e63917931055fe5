"""`manage.py seed_demo`: load the demo city 滨海市 as of today (idempotent; safe to run on every start)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ops.seeding.demo import load_demo_city
from organizations.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Load the demo city as of today (regions, industries, departments, 200 enterprises, positions and their "
        "holders, users, hazards, a campaign, duty rotas and a holiday plan)."
    )

    def handle(self, *args, **options) -> None:
        counts = load_demo_city()
        kinds = [kind for kind in counts if not kind.endswith("_created")]
        for kind in kinds:
            self.stdout.write(f"{kind:<12} {counts[kind]:>5}  ({counts[kind + '_created']} new)")
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded; demo users' password: {DEMO_PASSWORD}"))
