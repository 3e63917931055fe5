"""Campaign coverage: in-scope enterprises against those inspected, by region and by department.

One grouped query counts (county, industry) cells with an EXISTS on the campaign's submitted inspections;
regions and departments are summed from the cells in Python with the reference data already loaded.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from organizations.models import Region, User
from organizations.responsibility import SupervisionMap
from organizations.scope import Scope

from .choices import DONE
from .models import Campaign, Inspection
from .workflow import campaign_enterprises


@dataclass
class Coverage:
    total: int = 0
    inspected: int = 0
    by_region: list[dict] = field(default_factory=list)
    by_department: list[dict] = field(default_factory=list)
    days_left: int = 0

    @property
    def rate(self) -> float:
        return round(100 * self.inspected / self.total, 1) if self.total else 0.0


def done_for(campaign: Campaign):
    return Inspection.objects.filter(campaign=campaign, status__in=DONE, enterprise=OuterRef("pk"))


def coverage(campaign: Campaign, user: User) -> Coverage:
    cells = (
        campaign_enterprises(campaign, user)
        .annotate(done=Exists(done_for(campaign)))
        .values("region__parent_id", "region__parent__path", "industry_id")
        .annotate(total=Count("id"), inspected=Count("id", filter=Q(done=True)))
        .order_by()
    )
    result = Coverage(days_left=max((campaign.ends_on - timezone.localdate()).days, 0))
    regions: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    departments: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    supervision = SupervisionMap(Scope.for_user(user).reference)
    for cell in cells:
        result.total += cell["total"]
        result.inspected += cell["inspected"]
        regions[cell["region__parent_id"]][0] += cell["total"]
        regions[cell["region__parent_id"]][1] += cell["inspected"]
        probe = SimpleNamespace(
            region=SimpleNamespace(path=cell["region__parent__path"] or "/"), industry_id=cell["industry_id"]
        )
        department = supervision.resolve(probe).department
        departments[department.pk if department else None][0] += cell["total"]
        departments[department.pk if department else None][1] += cell["inspected"]
    names = dict(Region.objects.filter(pk__in=[k for k in regions if k]).values_list("pk", "name"))
    result.by_region = _rows(regions, names)
    result.by_department = _rows(departments, {d.pk: d.name for d in supervision.departments.values()})
    return result


def _rows(counts: dict, names: dict) -> list[dict]:
    rows = [
        {
            "id": key,
            "name": names.get(key, "—"),
            "total": total,
            "inspected": done,
            "rate": round(100 * done / total, 1) if total else 0.0,
        }  # fmt: skip
        for key, (total, done) in counts.items()
    ]
    return sorted(rows, key=lambda r: (r["rate"], r["name"]))


def not_inspected(campaign: Campaign, user: User, limit: int = 200):
    return (
        campaign_enterprises(campaign, user)
        .exclude(Exists(done_for(campaign)))
        .select_related("region")
        .order_by("region__path", "name")[:limit]
    )
