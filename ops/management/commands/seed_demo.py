"""`manage.py seed_demo`: load the demo city 滨海市 (idempotent; safe to run on every start)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from duty_roster.demo import load_demo_rota
from hazards.demo import load_demo_hazards
from inspections.demo import load_demo_campaign
from organizations.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo city (regions, industries, departments, 200 enterprises, positions, users, hazards)."

    def handle(self, *args, **options) -> None:
        counts = load_demo()
        counts.update(load_demo_hazards())
        counts.update(load_demo_campaign())
        counts.update(load_demo_rota())
        kinds = [kind for kind in counts if not kind.endswith("_created")]
        for kind in kinds:
            self.stdout.write(f"{kind:<12} {counts[kind]:>5}  ({counts[kind + '_created']} new)")
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded; demo users' password: {DEMO_PASSWORD}"))
