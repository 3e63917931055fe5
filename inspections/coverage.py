"""Campaign coverage: in-scope enterprises against those inspected, by region and by department.

One grouped query counts (county, industry) cells with an EXISTS on the campaign's submitted inspections;
regions and departments are summed from the cells in Python with the reference data already loaded. What counts
as done depends on the campaign's kind: submitted inspections, or the rows another app registered for its kind
(`register_done`; oversight registers its principal verifications for 主要负责人全面核查), so this app imports
none. Teams are counted by a second grouped query over the campaign's assignments. The enterprises not inspected
yet are a queryset that the page and the API page through (no cut-off).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from organizations.models import Region, User
from organizations.responsibility import SupervisionMap
from organizations.scope import Scope

from .choices import DONE, CampaignKind
from .models import Assignment, Campaign, Inspection, Team
from .workflow import campaign_enterprises


@dataclass
class Coverage:
    total: int = 0
    inspected: int = 0
    by_region: list[dict] = field(default_factory=list)
    by_department: list[dict] = field(default_factory=list)
    by_team: list[dict] = field(default_factory=list)
    days_left: int = 0

    @property
    def rate(self) -> float:
        return round(100 * self.inspected / self.total, 1) if self.total else 0.0


def _inspections_done(campaign: Campaign) -> QuerySet:
    return Inspection.objects.filter(campaign=campaign, status__in=DONE)


# Per campaign kind: the rows (with an `enterprise` field) that make an enterprise covered in the campaign.
DONE_BY_KIND: dict[str, Callable[[Campaign], QuerySet]] = {CampaignKind.INSPECTION: _inspections_done}


def register_done(kind: str, rows: Callable[[Campaign], QuerySet]) -> None:
    """Another app tells what covers an enterprise in a campaign of its kind (from its AppConfig.ready())."""
    DONE_BY_KIND[kind] = rows


def done_rows(campaign: Campaign) -> QuerySet:
    """The rows that cover an enterprise in this campaign (an unregistered kind counts inspections)."""
    return DONE_BY_KIND.get(campaign.kind, _inspections_done)(campaign)


def done_for(campaign: Campaign, enterprise: str = "pk") -> QuerySet:
    """The campaign's covering rows of the outer query's enterprise (`enterprise` names its id there)."""
    return done_rows(campaign).filter(enterprise=OuterRef(enterprise))


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
    result.by_team = by_team(campaign, user)
    return result


def by_team(campaign: Campaign, user: User) -> list[dict]:
    """Per team: the in-scope enterprises assigned to it, how many were inspected, the percentage; one grouped
    query over the assignments (cut to the user's scope like the rest), in the teams' order of creation. A team
    with nothing in the user's scope still shows, with zeros, so a lead sees the team exists."""
    in_scope = campaign_enterprises(campaign, user).filter(pk=OuterRef("enterprise_id"))
    done = done_for(campaign, "enterprise_id")
    counts = {
        row["team_id"]: (row["total"], row["inspected"])
        for row in Assignment.objects.filter(campaign=campaign)
        .filter(Exists(in_scope))
        .annotate(done=Exists(done))
        .values("team_id")
        .annotate(total=Count("id"), inspected=Count("id", filter=Q(done=True)))
        .order_by()
    }
    rows = []
    for team in Team.objects.filter(campaign=campaign).select_related("lead").order_by("id"):
        total, done_count = counts.get(team.pk, (0, 0))
        rate = round(100 * done_count / total, 1) if total else 0.0
        rows.append({"id": team.pk, "name": team.name, "lead": str(team.lead), "total": total,
                     "inspected": done_count, "rate": rate})  # fmt: skip
    return rows


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


def not_inspected(campaign: Campaign, user: User):
    """Every in-scope enterprise without a submitted inspection in the campaign, unsliced: the page and the API
    page through it by id (`safety_platform.lib.pagination.CursorPagination`), so none is left out."""
    return campaign_enterprises(campaign, user).exclude(Exists(done_for(campaign))).select_related("region")
