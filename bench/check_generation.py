"""A day's check tasks for 1,000,000 risk points over 100,000 enterprises (issue #17): `risks.checks.generate_tasks`
for a working day that starts every period (day, week, month, quarter), target <= 60 s; then the same day again
(idempotent: nothing made), for information.

Needs the bulk enterprises (`prepare`, with --enterprises 100000); seeds the bulk risk points itself when the
database does not hold exactly --risk-points of them (`seed_bulk --risk-points`). Run alone with
`bench/run.py --only check_generation --hazards 0 --inspections 0` (the hazards and inspections are not needed).
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

RISK_POINTS = 1_000_000
TARGET_S = 60


def busiest_day() -> date:
    """The latest working day, up to today, on which every control level's period starts."""
    from django.conf import settings

    from risks.checks import starting_periods
    from workdays.calendar import SpecialDays

    day = date.today()
    cal = SpecialDays(day - timedelta(days=800), day)
    while len(starting_periods(day, cal)) < len(settings.RISK_CHECK_PERIODS):
        day -= timedelta(days=1)
    return day


def _floor(day: date) -> float:
    """The same SELECT written into a table with no index or key (rolled back): what writing the rows
    costs on this machine at this moment, so the figure can be read on a loaded machine."""
    from risks import checks

    sql = (
        checks._INSERT.format(due="k.due_on", theme="NULL", join="{join}", where="")
        .replace("INSERT INTO risks_checktask", "INSERT INTO bench_bare_tasks")
        .split("ON CONFLICT")[0]
    )
    starts = checks.starting_periods(day)
    values = ", ".join(f"(%(level{n})s, %(due{n})s::date)" for n in range(len(starts)))
    sql = sql.replace("{join}", f"JOIN (VALUES {values}) AS k(level, due_on) ON k.level = p.control_level")
    params = {"start": day, "now": timezone.now(), "not_working": list(checks.NOT_WORKING)}
    for n, (level, due) in enumerate(starts):
        params |= {f"level{n}": level, f"due{n}": due}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_bare_tasks AS SELECT * FROM risks_checktask WITH NO DATA")
        start = time.perf_counter()
        cursor.execute(sql, params)
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds


def run(args, median, entry) -> list[dict]:
    from ops.seeding.risks import bulk_points, delete_bulk_risk_points
    from risks.checks import generate_tasks
    from risks.models import CheckTask

    results = []
    wanted = getattr(args, "risk_points", None) or RISK_POINTS
    if bulk_points().count() != wanted:
        delete_bulk_risk_points()
        start = time.perf_counter()
        call_command("seed_bulk", enterprises=0, risk_points=wanted, reset=False, seed=1, verbosity=0)
        seconds = time.perf_counter() - start
        results.append(entry(f"seed_bulk {wanted:,} risk points", seconds, "s", "info", True))
    day = busiest_day()
    CheckTask.objects.filter(period_start=day)._raw_delete(connection.alias)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE risks_checktask")
    start = time.perf_counter()
    with transaction.atomic():
        made = generate_tasks(day)
    seconds = time.perf_counter() - start
    print(
        f"generate_tasks({day}): {made:,} tasks in {seconds:.1f} s, {seconds / TARGET_S:.2f} of the {TARGET_S} s target"
    )
    results.append(entry(f"check tasks of {day} for {wanted:,} points ({made:,} made)", seconds, "s",
                         f"<= {TARGET_S}", seconds <= TARGET_S))  # fmt: skip
    results.append(entry("check generation / its 60 s target", seconds / TARGET_S, "x", "<= 1", seconds <= TARGET_S))
    floor = _floor(day)
    print(
        f"the same rows into a table without indexes or keys: {floor:.1f} s; generation / that: {seconds / floor:.2f}"
    )
    results.append(entry("the same rows into a bare table (the floor of writing them)", floor, "s", "info", True))
    results.append(entry("check generation / the bare table", seconds / floor, "x", "info", True))
    start = time.perf_counter()
    with transaction.atomic():
        again = generate_tasks(day)
    seconds = time.perf_counter() - start
    print(f"the same day again: {again} made in {seconds:.1f} s")
    results.append(entry(f"check tasks of {day} again (idempotent, {again} made)", seconds, "s", "info", again == 0))
    return results
