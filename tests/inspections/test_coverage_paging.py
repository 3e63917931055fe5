"""Campaign coverage pages through every enterprise not inspected yet (no cut-off at 200) and counts per team."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from inspections import workflow
from inspections.choices import InspectionStatus
from inspections.models import Campaign, Inspection
from organizations.models import Enterprise

from ..factories import credit_code
from .test_inspections import api

MANY = 230  # more than the old cut-off of 200


def _campaign(ins) -> Campaign:
    campaign = Campaign.objects.create(
        name="大检查", starts_on=timezone.localdate(), ends_on=timezone.localdate() + timedelta(days=9),
        lead_department=ins.yjj, created_by=ins.users["city"],
    )  # fmt: skip
    campaign.regions.set([ins.d1])
    campaign.versions.set([ins.version])
    return campaign


def _many(ins, count: int = MANY) -> list[Enterprise]:
    return Enterprise.objects.bulk_create(
        Enterprise(credit_code=credit_code(50_000 + n), name=f"批量企业{n:03d}", region=ins.t1, industry=ins.chem)
        for n in range(count)
    )


def _submitted(ins, campaign, enterprise) -> Inspection:
    return Inspection.objects.create(
        campaign=campaign, enterprise=enterprise, version=ins.version, lead=ins.users["inspector"],
        created_by=ins.users["inspector"], status=InspectionStatus.SUBMITTED, region_path=enterprise.region.path,
        industry=enterprise.industry,
    )  # fmt: skip


def test_the_api_pages_through_every_enterprise_not_inspected(ins):
    """GIVEN 230 more enterprises in the campaign's district (232 not inspected) WHEN the list is followed page by
    page THEN every one of them is reached once, and the coverage's first page links to the rest."""
    campaign = _campaign(ins)
    made = _many(ins)
    expected = {e.pk for e in made} | {ins.e1.pk, ins.e4.pk}
    client = api(ins.users["city"])
    coverage = client.get(f"/api/v1/campaigns/{campaign.id}/coverage/").json()
    assert coverage["total"] == len(expected) and len(coverage["not_inspected"]) == 50
    seen = [e["id"] for e in coverage["not_inspected"]]
    url = coverage["not_inspected_next"]
    while url:
        page = client.get(url).json()
        seen += [e["id"] for e in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) and set(seen) == expected
    big = client.get(f"/api/v1/campaigns/{campaign.id}/not-inspected/", {"page_size": 200}).json()
    assert len(big["results"]) == 200 and big["next"]
    assert client.get(f"/api/v1/campaigns/{campaign.id}/not-inspected/", {"page_size": 201}).status_code == 400
    outsider = api(ins.users["enterprise"]).get(f"/api/v1/campaigns/{campaign.id}/not-inspected/")
    assert outsider.status_code == 404


def test_the_page_pages_through_every_enterprise_not_inspected(ins, client):
    campaign = _campaign(ins)
    made = _many(ins)
    _submitted(ins, campaign, made[0])
    client.force_login(ins.users["city"])
    url, names = reverse("inspections:campaign", args=[campaign.id]), []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        names += [e.name for e in response.context["missing"].items]
        url = response.context["missing"].next_url
    assert len(names) == len(set(names)) == MANY - 1 + 2
    assert made[0].name not in names and made[-1].name in names and ins.e4.name in names


def test_coverage_per_team(ins):
    """GIVEN two teams, one with three enterprises of which one inspected (and one in draft), one with none WHEN
    coverage is read THEN each team shows assigned / inspected / percentage."""
    campaign = _campaign(ins)
    made = _many(ins, 3)
    lead, partner = ins.users["inspector"], ins.users["partner"]
    first = workflow.assign_team(ins.users["city"], campaign, "第一组", lead, [partner], made)
    second = workflow.assign_team(ins.users["city"], campaign, "第二组", lead, [partner], [])
    _submitted(ins, campaign, made[0])
    draft = _submitted(ins, campaign, made[1])
    Inspection.objects.filter(pk=draft.pk).update(status=InspectionStatus.PLANNED)
    rows = api(ins.users["city"]).get(f"/api/v1/campaigns/{campaign.id}/coverage/").json()["by_team"]
    assert rows == [
        {"id": first.pk, "name": "第一组", "lead": str(lead), "total": 3, "inspected": 1, "rate": 33.3},
        {"id": second.pk, "name": "第二组", "lead": str(lead), "total": 0, "inspected": 0, "rate": 0.0},
    ]
