"""Demo campaign for `manage.py seed_demo`: the inspection before the next holiday in 海滨区 with the seeded
checklists, running on the day of loading (from three days before it to two weeks after). A later run moves
the dates (and the holiday in the name) so that the campaign runs now; it never makes a second one."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from organizations.models import Department, Region, User

from .models import Campaign, ChecklistTemplate

SUFFIX = "安全生产大检查（演示）"


def load_demo_campaign(holiday: str = "") -> dict[str, int]:
    """`holiday`: the name of the next official holiday (e.g. 元旦), or "" for a campaign named 节前."""
    today = timezone.localdate()
    name = f"{holiday}前{SUFFIX}" if holiday else f"节前{SUFFIX}"
    dates = {"starts_on": today - timedelta(days=3), "ends_on": today + timedelta(days=14)}
    campaign = Campaign.objects.filter(name__endswith=SUFFIX, created_by__username="demo-city").order_by("id").first()
    if campaign is not None:
        if not (campaign.starts_on <= today <= campaign.ends_on) or campaign.name != name:
            Campaign.objects.filter(pk=campaign.pk).update(name=name, **dates)
        return {"campaigns": Campaign.objects.count(), "campaigns_created": 0}
    campaign = Campaign.objects.create(
        name=name,
        **dates,
        lead_department=Department.objects.get(code="city-yjj"),
        created_by=User.objects.get(username="demo-city"),
    )
    campaign.regions.set(Region.objects.filter(name="海滨区"))
    campaign.versions.set([t.current() for t in ChecklistTemplate.objects.all() if t.current()])
    return {"campaigns": Campaign.objects.count(), "campaigns_created": 1}
