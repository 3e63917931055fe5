"""Demo campaign for `manage.py seed_demo`: the pre-National-Day inspection in 海滨区 with the seeded checklists."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from organizations.models import Department, Region, User

from .models import Campaign, ChecklistTemplate


def load_demo_campaign() -> dict[str, int]:
    if Campaign.objects.filter(name="国庆节前安全生产大检查（演示）").exists():
        return {"campaigns": Campaign.objects.count(), "campaigns_created": 0}
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="国庆节前安全生产大检查（演示）",
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=14),
        lead_department=Department.objects.get(code="city-yjj"),
        created_by=User.objects.get(username="demo-city"),
    )
    campaign.regions.set(Region.objects.filter(name="海滨区"))
    campaign.versions.set([t.current() for t in ChecklistTemplate.objects.all() if t.current()])
    return {"campaigns": Campaign.objects.count(), "campaigns_created": 1}
