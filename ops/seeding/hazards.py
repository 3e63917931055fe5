"""Generated hazards for benchmarks (`manage.py seed_bulk --hazards N`): many rows fast, reproducibly.

Bulk hazards have codes starting `YB-` (never a real code, which starts `YH-`), hang from the bulk
enterprises, carry no photos or timeline, and are written by COPY on PostgreSQL. The dashboard's hazard tally
(PostgreSQL triggers) is switched off for a bulk change and counted once at the end (`dashboards.tally.bulk`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from dashboards import tally
from hazards.choices import Level, Source, Status
from hazards.models import Hazard, HazardCategory
from organizations.models import Enterprise
from organizations.responsibility import SupervisionMap

from .copy import bulk_insert
from .enterprises import BULK_PREFIX, bulk_user

BULK_CODE = "YB-"
# Roughly how a city's ledger looks: most hazards closed, a tail still open, some of it late.
STATUS_WEIGHTS = [
    (Status.CLOSED, 60),
    (Status.REPORTED, 8),
    (Status.CONFIRMED, 10),
    (Status.RECTIFYING, 14),
    (Status.AWAITING_ACCEPTANCE, 5),
    (Status.DISMISSED, 3),
]
PLACES = ["一号仓库", "二号车间", "配电室", "锅炉房", "储罐区", "厨房", "楼梯间", "屋面", "地下室", "装卸区"]
TITLES = ["灭火器过期", "安全出口堵塞", "配电箱未接地", "气瓶未固定", "应急照明损坏", "防护栏缺失", "通风不良"]


def delete_bulk_hazards() -> int:
    """Bulk hazards have no photos, plans or events, so a raw delete is safe and fast."""
    doomed = Hazard.objects.filter(code__startswith=BULK_CODE)
    if not doomed.exists():
        return 0
    with tally.bulk():  # the dashboard's hazard tally (triggers) is counted once, at the end
        deleted = doomed._raw_delete(connection.alias)
    vacuum()
    return deleted


def vacuum() -> None:
    """After a bulk change: reclaim the dead rows (a reload leaves a million) and refresh the planner's statistics,
    as autovacuum would later; the benchmarks then read the table a city's would be."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE hazards_hazard" if connection.in_atomic_block else "VACUUM ANALYZE hazards_hazard")


def load_bulk_hazards(count: int, seed: int, reset: bool = False) -> dict[str, int]:
    deleted = delete_bulk_hazards() if reset else 0
    if not count:
        return {"deleted": deleted, "inserted": 0}
    start = Hazard.objects.filter(code__startswith=BULK_CODE).count()
    with tally.bulk():  # the dashboard's hazard tally (triggers) is counted once, at the end
        inserted = bulk_insert(Hazard, bulk_hazard_rows(count, seed, start))
    vacuum()
    return {"deleted": deleted, "start": start, "inserted": inserted}


def bulk_hazard_rows(count: int, seed: int, start: int) -> Iterator[dict]:
    """1. Resolve every bulk enterprise's three responsibilities once. 2. Draw hazards over them."""
    rng = random.Random(seed * 7919 + start)
    enterprises = list(
        Enterprise.objects.filter(credit_code__startswith=BULK_PREFIX).select_related("region").order_by("id")
    )
    if not enterprises:
        raise ValueError("Generate bulk enterprises first (--enterprises N).")
    supervision = SupervisionMap()
    resolved = [(e, supervision.resolve(e)) for e in enterprises]
    categories = list(HazardCategory.objects.values_list("id", flat=True))
    user = bulk_user()
    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
    now = timezone.now()
    for n in range(start, start + count):
        enterprise, sup = resolved[rng.randrange(len(resolved))]
        found = now - timedelta(days=rng.random() * 1095)
        status = rng.choices(statuses, weights)[0]
        deadline = None if status == Status.REPORTED else found + timedelta(days=rng.randint(3, 90))
        yield {
            "code": f"{BULK_CODE}{n:09d}",
            "title": rng.choice(TITLES),
            "description": "",
            "enterprise_id": enterprise.id,
            "place": rng.choice(PLACES),
            "category_id": rng.choice(categories),
            "level": Level.MAJOR if rng.random() < 0.05 else Level.GENERAL,
            "source": Source.INSPECTION,
            "legal_basis": "",
            "found_at": found,
            "found_by_id": user.id,
            "deadline": deadline,
            "status": status,
            "region_id": enterprise.region_id,
            "region_path": enterprise.region.path,
            "industry_id": enterprise.industry_id,
            "territorial_position_id": None,
            "department_id": sup.department.id if sup.department else None,
            "principal_position_id": None,
            "supervision_gap": sup.is_gap,
            "recurrence_of_id": None,
            "rectified_by_id": None,
            "created_by_id": user.id,
            "idempotency_key": None,
            "created_at": found,
            "updated_at": found,
            "closed_at": found + timedelta(days=rng.randint(1, 60)) if status == Status.CLOSED else None,
        }
