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


def load_demo_inspection() -> dict[str, int]:
    """An inspection under way today for demo-inspector (with 王建国 of the same department), in the demo campaign
    at an enterprise of 海滨区, its first screen answered: whoever logs in as the inspector has something to fill in,
    also without a network (docs/offline.md). A later run moves it to the day of loading; it never makes a second."""
    from . import workflow
    from .choices import InspectionStatus, Result
    from .models import Inspection

    inspector = User.objects.get(username="demo-inspector")
    campaign = Campaign.objects.filter(name__endswith=SUFFIX, created_by__username="demo-city").order_by("id").first()
    open_one = Inspection.objects.filter(
        lead=inspector, campaign=campaign, status__in=[InspectionStatus.PLANNED, InspectionStatus.IN_PROGRESS]
    ).first()
    if open_one is not None:
        Inspection.objects.filter(pk=open_one.pk).update(date=timezone.localdate())
        return {"inspections_open": 1, "inspections_open_created": 0}
    from .workflow import campaign_enterprises

    enterprise = campaign_enterprises(campaign, inspector).order_by("id").first()
    from organizations.roles import GOVERNMENT_STAFF
    from organizations.scope import colleagues

    partner = next(
        (p for p in colleagues(inspector).exclude(pk=inspector.pk).order_by("id") if p.holds(*GOVERNMENT_STAFF)), None
    )
    version = campaign.versions.order_by("id").first()
    if enterprise is None or partner is None or version is None:
        return {"inspections_open": 0, "inspections_open_created": 0}
    new = workflow.NewInspection(enterprise, version, campaign=campaign, members=(partner,))
    inspection = workflow.create(inspector, new)
    first = version.sections.order_by("order").first()
    for item in first.items.order_by("order")[:2] if first else ():
        limit = item.max_value if item.max_value is not None else item.min_value
        values = {"result": Result.PASS, "number": 1 if limit is None else limit, "text": "", "note": ""}
        workflow.answer(inspector, inspection, item.pk, values)
    return {"inspections_open": 1, "inspections_open_created": 1}
