"""Generated inspections for benchmarks (`manage.py seed_bulk --inspections N`): one campaign over the whole
city and N submitted inspections of the bulk enterprises (some twice, most not at all), written by COPY."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from inspections.choices import InspectionKind, InspectionStatus
from inspections.models import Campaign, ChecklistTemplate, Inspection
from organizations.models import Department, Enterprise

from .copy import bulk_insert
from .enterprises import BULK_PREFIX, bulk_user

BULK_CAMPAIGN = "基准测试大检查"


def bulk_campaign() -> Campaign:
    campaign = Campaign.objects.filter(name=BULK_CAMPAIGN).first()
    if campaign is None:
        today = timezone.localdate()
        campaign = Campaign.objects.create(
            name=BULK_CAMPAIGN,
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=30),
            lead_department=Department.objects.order_by("id").first(),
            created_by=bulk_user(),
        )
        campaign.versions.set([t.current() for t in ChecklistTemplate.objects.all() if t.current()])
    return campaign


def delete_bulk_inspections() -> int:
    campaign = Campaign.objects.filter(name=BULK_CAMPAIGN).first()
    if campaign is None:
        return 0
    return Inspection.objects.filter(campaign=campaign)._raw_delete(connection.alias)


def load_bulk_inspections(count: int, seed: int, reset: bool = False) -> dict[str, int]:
    deleted = delete_bulk_inspections() if reset else 0
    if not count:
        return {"deleted": deleted, "inserted": 0}
    inserted = bulk_insert(Inspection, bulk_inspection_rows(count, seed))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE inspections_inspection")
    return {"deleted": deleted, "inserted": inserted}


def bulk_inspection_rows(count: int, seed: int) -> Iterator[dict]:
    rng = random.Random(seed * 104729)
    campaign = bulk_campaign()
    versions = list(campaign.versions.values_list("id", flat=True))
    enterprises = list(
        Enterprise.objects.filter(credit_code__startswith=BULK_PREFIX).values_list("id", "region__path", "industry_id")
    )
    if not enterprises:
        raise ValueError("Generate bulk enterprises first (--enterprises N).")
    user = bulk_user()
    now = timezone.now()
    # A skewed draw: some enterprises are inspected again and again, many never (what coverage is about).
    hot = enterprises[: max(len(enterprises) // 3, 1)]
    for _ in range(count):
        enterprise_id, path, industry_id = rng.choice(hot if rng.random() < 0.8 else enterprises)
        day = now - timedelta(days=rng.randint(0, 29))
        yield {
            "kind": InspectionKind.PLANNED,
            "campaign_id": campaign.id,
            "original_id": None,
            "enterprise_id": enterprise_id,
            "version_id": rng.choice(versions),
            "date": day.date(),
            "status": InspectionStatus.SUBMITTED if rng.random() < 0.9 else InspectionStatus.IN_PROGRESS,
            "lead_id": user.id,
            "representative": "",
            "score": None,
            "submit_key": None,
            "created_by_id": user.id,
            "created_at": day,
            "submitted_at": day,
            "region_path": path,
            "industry_id": industry_id,
        }
