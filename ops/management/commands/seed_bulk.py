"""`manage.py seed_bulk --enterprises N --seed S`: a large, reproducible registry for benchmarks.

Each generator is one step: a name, an option and a function from (count, seed, reset) to a dict of counts.
A later `--hazards` option adds a row to STEPS; the reference data is loaded first in any case.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError, RestrictedError

from ops.seeding.enterprises import BULK_PREFIX, load_bulk_enterprises
from ops.seeding.hazards import delete_bulk_hazards, load_bulk_hazards
from ops.seeding.inspections import delete_bulk_inspections, load_bulk_inspections
from ops.seeding.risks import delete_bulk_risk_points, load_bulk_risk_points
from organizations.demo import load_reference

# (option, what it makes, loader); run in this order, since later generators hang from earlier rows.
STEPS: list[tuple[str, str, Callable[..., dict[str, int]]]] = [
    ("enterprises", "enterprises", load_bulk_enterprises),
    ("hazards", "hazards", load_bulk_hazards),
    ("inspections", "inspections", load_bulk_inspections),
    ("risk_points", "risk points", load_bulk_risk_points),
]


class Command(BaseCommand):
    help = "Generate many enterprises (COPY on PostgreSQL) on top of the demo reference data."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--enterprises", type=int, default=10_000, help="How many enterprises to add.")
        parser.add_argument(
            "--inspections", type=int, default=0, help="How many inspections (of one city-wide campaign) to add."
        )
        parser.add_argument("--hazards", type=int, default=0, help="How many hazards to add over the bulk enterprises.")
        parser.add_argument(
            "--risk-points",
            type=int,
            default=0,
            help="How many risk points (two controls each) over the bulk enterprises.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Seed of the generator: same seed, same rows.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help=f"Delete earlier bulk rows (credit codes starting with {BULK_PREFIX}) first; "
            "without it, new rows continue after them.",
        )

    def handle(self, *args, **options) -> None:
        load_reference()
        if options["reset"]:
            # Hazards point at enterprises: they go first, whatever is regenerated.
            delete_bulk_hazards()
            delete_bulk_inspections()
            delete_bulk_risk_points()
        for option, label, loader in STEPS:
            count = options[option]
            if count < 0:
                raise CommandError(f"--{option} cannot be negative.")
            started = time.perf_counter()
            try:
                result = loader(count, options["seed"], reset=options["reset"])
            except (ProtectedError, RestrictedError) as exc:
                raise CommandError(f"Cannot reset {label}: other rows still point at them ({exc.args[0]})") from exc
            seconds = time.perf_counter() - started
            details = ", ".join(f"{key} {value}" for key, value in result.items())
            self.stdout.write(self.style.SUCCESS(f"{label}: {details} in {seconds:.1f} s"))
