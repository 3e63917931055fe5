"""The oversight board (漏管失控看板): in the user's scope, how many enterprises show each supervision signal, by
territory and by supervising department, with the trend from the daily `SignalCount` snapshots.

One grouped query counts (region, industry) cells with `Count("id", filter=<signal's Q>)` per signal
(organizations.flags, the same Q the enterprise list filters with); territories and departments are summed from the
cells in Python with the reference data (industry tree, departments), so every number equals the rows of the
enterprise list it links to (`?signal=…&region=…` or `&department=…`):

- a territory is a region directly under the user's (the counties under the city, the streets under a county);
- a department counts what the list's department filter selects: the enterprises of the industries it supervises
  (its own and, for a default supervisor, those nobody supervises) within its region. A city department's row so
  includes its county counterparts' enterprises (管行业必须管安全 at each level); the rows may overlap.

Queries: the reference data (2: industries, department-industry links), the departments (1), the cells (1), the
trend (1). Government users only (the city office, regional governments, departments).

`snapshot(day)` writes the day's `SignalCount` rows (the beat task `oversight.tasks.count_signals`): per county and
per supervising department as `SupervisionMap` resolves it (one department per enterprise, so the rows add up).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations import flags
from organizations.models import Department, Enterprise
from organizations.responsibility import SupervisionMap
from organizations.roles import is_government
from organizations.scope import Reference, Scope, ScopeKind

from .models import SignalCount

TREND_WEEKS = 8
BOARD_KINDS = (ScopeKind.ALL, ScopeKind.REGION, ScopeKind.DEPARTMENT)


def may_see_board(user) -> bool:
    """The board is the government's: the city office, a regional government, a department (not an enterprise)."""
    return is_government(user) and Scope.for_user(user).kind in BOARD_KINDS


def require_board(user) -> None:
    if not may_see_board(user):
        raise PermissionDenied(_("The oversight board is for government units."))


def list_url(**params) -> str:
    """The enterprise list with these filters (the board's drill-down)."""
    query = urlencode([(k, v) for k, v in params.items() if v not in (None, "")])
    return f"{reverse('organizations:enterprise-list')}?{query}" if query else reverse("organizations:enterprise-list")


@dataclass
class Line:
    """A territory or a department: its enterprises and its count per signal, each with the list's link."""

    id: int
    name: str
    param: str  # "region" or "department"
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return list_url(**{self.param: self.id})

    def cells(self, keys: list[str]) -> list[dict]:
        return [
            {"signal": key, "count": self.counts.get(key, 0), "url": list_url(signal=key, **{self.param: self.id})}
            for key in keys
        ]


@dataclass
class Board:
    signals: list[dict]
    total: int
    territories: list[Line]
    departments: list[Line]
    weeks: list[date]
    now: object = None

    @property
    def keys(self) -> list[str]:
        return [s["key"] for s in self.signals]

    @property
    def territory_rows(self) -> list[dict]:
        return [{"line": line, "cells": line.cells(self.keys)} for line in self.territories]

    @property
    def department_rows(self) -> list[dict]:
        return [{"line": line, "cells": line.cells(self.keys)} for line in self.departments]


def annotations(reference: Reference, now) -> dict:
    """`Count("id", filter=<signal's Q>)` per registered signal, named by its key."""
    return {f"n_{flag.key}": Count("id", filter=flag.condition(reference, now)) for flag in flags.all_flags()}


CELL_FIELDS = ("region_id", "region__name", "region__path", "region__parent_id", "region__parent__name",
               "region__parent__path", "industry_id")  # fmt: skip


def grouped_cells(queryset, reference: Reference, now) -> list[dict]:
    """One grouped query: per (region, industry) of `queryset`, its enterprises and its count per signal."""
    return list(queryset.values(*CELL_FIELDS).annotate(total=Count("id"), **annotations(reference, now)).order_by())


def _territory(cell: dict, depth: int) -> tuple[int, str] | None:
    """The region at `depth` (1: the city) the cell's region lies in: itself or its parent."""
    if cell["region__path"].count("/") - 1 == depth:
        return cell["region_id"], cell["region__name"]
    if cell["region__parent__path"] and cell["region__parent__path"].count("/") - 1 == depth:
        return cell["region__parent_id"], cell["region__parent__name"]
    return None


def build(user, now=None) -> Board:
    """The board for `user` (government only), as of `now`."""
    require_board(user)
    now = now or timezone.now()
    scope = Scope.for_user(user)
    reference = scope.reference
    keys = [flag.key for flag in flags.all_flags()]
    departments = list(Department.objects.select_related("region").order_by("region__path", "name"))
    cells = grouped_cells(Enterprise.objects.visible_to(user), reference, now)
    depth = 2 if scope.kind == ScopeKind.ALL else scope.region_path.count("/")  # the level under the user's
    totals = dict.fromkeys(keys, 0)
    territories: dict[int, Line] = {}
    if scope.kind != ScopeKind.ALL:
        visible = [
            d
            for d in departments
            if d.region.path.startswith(scope.region_path) or d.region.code in scope.ancestor_codes
        ]
    else:
        visible = departments
    lines = {d.pk: Line(d.pk, d.name, "department") for d in visible}
    supervised = {d.pk: reference.supervised_by(d) for d in visible}
    total = 0
    for cell in cells:
        total += cell["total"]
        place = _territory(cell, depth)
        if place:
            line = territories.setdefault(place[0], Line(place[0], place[1], "region"))
            _add(line, cell, keys)
        for key in keys:
            totals[key] += cell[f"n_{key}"]
        for d in visible:
            in_region = d.region.parent_id is None or cell["region__path"].startswith(d.region.path)
            if in_region and cell["industry_id"] in supervised[d.pk]:
                _add(lines[d.pk], cell, keys)
    labels = dict(flags.choices())
    trend = trend_for(user, keys, timezone.localdate(now))
    signals = [
        {
            "key": key,
            "label": labels[key],
            "count": totals[key],
            "url": list_url(signal=key),
            "trend": trend[key],
            "spark": sparkline([n for _, n in trend[key]]),
        }
        for key in keys
    ]
    weeks = [week for week, _ in trend[keys[0]]] if keys else []
    return Board(
        signals=signals,
        total=total,
        territories=sorted(territories.values(), key=lambda line: line.name),
        departments=[lines[d.pk] for d in visible if lines[d.pk].total],
        weeks=weeks,
        now=now,
    )


def _add(line: Line, cell: dict, keys: list[str]) -> None:
    line.total += cell["total"]
    for key in keys:
        line.counts[key] = line.counts.get(key, 0) + cell[f"n_{key}"]


def sparkline(values: list[int | None], width: int = 96, height: int = 24) -> str:
    """The points of an SVG polyline through the weeks that have a count (empty when fewer than two)."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return ""
    top = max(v for _, v in known) or 1
    step = width / max(len(values) - 1, 1)
    return " ".join(f"{i * step:.1f},{height - 2 - (height - 4) * v / top:.1f}" for i, v in known)


# --- the trend: the daily snapshots --------------------------------------------------------------------------------


def week_ends(today: date, weeks: int = TREND_WEEKS) -> list[date]:
    """The last day of each of the last `weeks` weeks (Sunday), the current week ending today."""
    sunday = today + timedelta(days=6 - today.weekday())
    return [min(sunday - timedelta(weeks=i), today) for i in reversed(range(weeks))]


def trend_for(user, keys: list[str], today: date) -> dict[str, list[tuple[date, int | None]]]:
    """Per signal, per week of the last eight: the count on the week's last snapshot day in the user's scope (None
    when the week has none). One grouped query over the snapshots."""
    ends = week_ends(today)
    first = ends[0] - timedelta(days=6)
    rows = (
        SignalCount.objects.visible_to(user)
        .filter(day__gte=first, day__lte=today)
        .values("day", "signal")
        .annotate(n=Sum("count"))
        .order_by()
    )
    by_day: dict[str, dict[date, int]] = defaultdict(dict)
    snapshot_days: set[date] = set()
    for row in rows:
        by_day[row["signal"]][row["day"]] = row["n"]
        snapshot_days.add(row["day"])
    # A snapshot writes no row for a signal nobody shows: on a snapshot day, a signal without rows counts 0.
    last = {end: max((d for d in snapshot_days if end - timedelta(days=6) <= d <= end), default=None) for end in ends}
    return {key: [(end, None if last[end] is None else by_day[key].get(last[end], 0)) for end in ends] for key in keys}


def snapshot(day: date | None = None, now=None) -> int:
    """Write the day's `SignalCount` rows (replacing that day's): per signal, per county-level region and supervising
    department (as `SupervisionMap` resolves it), from one grouped query over every enterprise. Returns the rows."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    reference = Reference()
    supervision = SupervisionMap(reference)
    keys = [flag.key for flag in flags.all_flags()]
    cells = grouped_cells(Enterprise.objects.all(), reference, now)
    sums: dict[tuple[str, int, str, int | None], int] = defaultdict(int)
    for cell in cells:
        depth = cell["region__path"].count("/") - 1
        if depth >= 3 and cell["region__parent_id"]:
            county = (cell["region__parent_id"], cell["region__parent__path"])
        else:
            county = (cell["region_id"], cell["region__path"])
        probe = SimpleNamespace(region=SimpleNamespace(path=cell["region__path"]), industry_id=cell["industry_id"])
        department = supervision.resolve(probe).department
        for key in keys:
            if cell[f"n_{key}"]:
                sums[(key, county[0], county[1], department.pk if department else None)] += cell[f"n_{key}"]
    rows = [
        SignalCount(day=day, signal=key, region_id=region_id, region_path=path, department_id=dept_id, count=n)
        for (key, region_id, path, dept_id), n in sums.items()
    ]
    with transaction.atomic():
        SignalCount.objects.filter(day=day).delete()
        SignalCount.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
