"""The figures of 打非治违 that the speech asks for, per department and per region, for a period (this year by
default): how many market entities are supervised (the registry's enterprises in scope, licensed and unlicensed),
how many illegal acts were investigated (recorded, by kind) and how they ended (by result).

Every count is the number of rows of a list with the same filters: the enterprises' list (`region`, `department`,
`licence_state`; an enterprise is counted for each department that supervises its industry where it is, as that
list's `department` filter has it) and the illegal operations' list (`region`, `department`, `kind`, `result`,
`year` or `found_from`/`found_to`); each `Cell` carries its link. The regions are those directly under the region
looked at (the viewer's own by default; `region=` drills into a county's streets), with a row for the region itself
when something sits there (its illegal operations link with `at_region`; its enterprises are not linked, as the
enterprise list has no such filter). One grouped query per table and kind of row (enterprises, operations), whatever
the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from organizations.choices import LicenceState
from organizations.models import Department, Enterprise, Region, User
from organizations.scope import Scope, ScopeKind
from safety_platform.lib import periods

from .choices import IllegalKind, IllegalResult
from .models import IllegalOperation

ENTERPRISE_COUNTS = ("registered", *LicenceState.values)


@dataclass(frozen=True)
class Cell:
    count: int
    url: str | None


@dataclass
class Row:
    key: str
    label: str
    drill: str | None = None  # the figures of the region's own subregions
    enterprises: dict[str, Cell] = field(default_factory=dict)  # registered, licensed, unlicensed
    recorded: Cell | None = None
    kinds: dict[str, Cell] = field(default_factory=dict)
    results: dict[str, Cell] = field(default_factory=dict)

    @property
    def cells(self) -> list[Cell]:
        """The cells in the page's column order: enterprises, recorded, results, kinds."""
        return [
            *(self.enterprises[k] for k in ENTERPRISE_COUNTS),
            self.recorded,
            *(self.results[r] for r in IllegalResult.values),
            *(self.kinds[k] for k in IllegalKind.values),
        ]


@dataclass
class Figures:
    period: dict  # the list's period parameters: {"year": "2026"} or {"found_from": …, "found_to": …}
    start: date
    end: date
    region: Region | None  # the region looked at
    drilled: bool  # a region other than the viewer's own
    total: Row
    regions: list[Row]
    departments: list[Row]


# --- the period and the region ----------------------------------------------------------------------------------


def period_of(params, today: date | None = None) -> tuple[dict, date, date]:
    """`found_from`/`found_to` (days, inclusive; either may be left out), else `year` (this year by default): the
    list's parameters and the span (safety_platform.lib.periods). Raises ValidationError naming the parameter."""
    return periods.period_of(params, "found_from", "found_to", today)


def home_region(user: User) -> Region | None:
    """The viewer's own region: the city for the city office (and a city department), its region for the others."""
    scope = Scope.for_user(user)
    if scope.kind == ScopeKind.ALL:
        return Region.objects.filter(parent=None).order_by("path").first()
    if scope.region_path:
        return Region.objects.filter(path=scope.region_path).first()
    return None


def region_of(user: User, params) -> tuple[Region | None, bool]:
    """`region=` (one inside the viewer's territory) or the viewer's own region; and whether it was drilled into."""
    home = home_region(user)
    raw = (params.get("region") or "").strip()
    if not raw:
        return home, False
    pk = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None
    region = Region.objects.filter(pk=pk).first() if pk else None
    if region is None or home is None or not region.path.startswith(home.path):
        raise ValidationError({"region": _("Choose a region in your territory.")})
    return region, region.pk != home.pk


# --- counting ---------------------------------------------------------------------------------------------------


def _link(name: str, **query) -> str:
    return f"{reverse(name)}?{urlencode({k: v for k, v in query.items() if v not in (None, '')})}"


def _illegal_cells(row: Row, counts: dict[tuple[str, str], int], **query) -> None:
    """The recorded, by-kind and by-result cells of a row from its (kind, result) counts."""
    url = lambda **more: _link("illegal:list", **query, **more)  # noqa: E731
    row.recorded = Cell(sum(counts.values()), url())
    for kind in IllegalKind.values:
        row.kinds[kind] = Cell(sum(n for (k, _r), n in counts.items() if k == kind), url(kind=kind))
    for result in IllegalResult.values:
        row.results[result] = Cell(sum(n for (_k, r), n in counts.items() if r == result), url(result=result))


def _enterprise_cells(row: Row, counts: dict[str, int], linked: bool = True, **query) -> None:
    def url(**more):
        return _link("organizations:enterprise-list", **query, **more) if linked else None

    row.enterprises["registered"] = Cell(sum(counts.values()), url())
    for state in LicenceState.values:
        row.enterprises[state] = Cell(counts.get(state, 0), url(licence_state=state))


def _fold(children: list[Region], region: Region | None):
    def fold(path: str) -> str:
        for child in children:
            if path.startswith(child.path):
                return child.path
        return region.path if region is not None and path == region.path else ""

    return fold


def _region_rows(user, operations, enterprises, region, children, period: dict, drilled: bool):
    """The rows of the regions under `region` (and the region itself when something sits there), and the total."""
    fold = _fold(children, region)
    by_operation: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    every_operation: dict = defaultdict(int)
    for path, kind, result, n in operations.values_list("region_path", "kind", "result").annotate(n=Count("id")):
        by_operation[fold(path)][kind, result] += n
        every_operation[kind, result] += n
    by_enterprise: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    every_enterprise: dict = defaultdict(int)
    for path, state, n in enterprises.values_list("region__path", "licence_state").annotate(n=Count("id")):
        by_enterprise[fold(path)][state] += n
        every_enterprise[state] += n
    rows = []
    for child in children:
        row = Row(str(child.pk), child.name, drill=_link("illegal:figures", region=child.pk, **period))
        _enterprise_cells(row, by_enterprise[child.path], region=child.pk)
        _illegal_cells(row, by_operation[child.path], region=child.pk, **period)
        rows.append(row)
    if region is not None and (by_operation[region.path] or by_enterprise[region.path]):
        row = Row(str(region.pk), _("%(region)s (itself)") % {"region": region.name})
        _enterprise_cells(row, by_enterprise[region.path], linked=False)
        _illegal_cells(row, by_operation[region.path], at_region=region.pk, **period)
        rows.append(row)
    total = Row("", _("Total"))
    within = {"region": region.pk} if drilled and region is not None else {}
    _enterprise_cells(total, every_enterprise, **within)
    _illegal_cells(total, every_operation, **within, **period)
    return rows, total


def departments_for(user: User, region: Region | None) -> list[Department]:
    """The departments shown: a department sees its own row; the others each department they can see that sits in
    the region looked at or above it."""
    scope = Scope.for_user(user)
    if scope.kind == ScopeKind.DEPARTMENT:
        return list(Department.objects.filter(pk=scope.department_id).select_related("region"))
    found = Department.objects.visible_to(user).select_related("region").order_by("region__path", "code", "id")
    if region is None:
        return list(found)
    return [d for d in found if d.region.path.startswith(region.path) or region.path.startswith(d.region.path)]


def _department_rows(user, operations, enterprises, region, departments, period: dict, drilled: bool):
    reference = Scope.for_user(user).reference
    conditions = {}
    for department in departments:
        supervised = Q(industry_id__in=sorted(reference.supervised_by(department)))
        if department.region.parent_id is not None:
            supervised &= Q(region__path__startswith=department.region.path)
        for state in LicenceState.values:
            conditions[f"d{department.pk}_{state}"] = Count("id", filter=supervised & Q(licence_state=state))
    counted = enterprises.aggregate(**conditions) if conditions else {}
    by_operation: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for pk, kind, result, n in (
        operations.filter(department__in=[d.pk for d in departments])
        .values_list("department_id", "kind", "result")
        .annotate(n=Count("id"))
    ):
        by_operation[pk][kind, result] += n
    within = {"region": region.pk} if drilled and region is not None else {}
    rows = []
    for department in departments:
        row = Row(str(department.pk), department.name)
        states = {state: counted.get(f"d{department.pk}_{state}", 0) for state in LicenceState.values}
        _enterprise_cells(row, states, **within, department=department.pk)
        _illegal_cells(row, by_operation[department.pk], **within, department=department.pk, **period)
        rows.append(row)
    return rows


def figures(user: User, params) -> Figures:
    """The figures for `params` (`year` or `found_from`/`found_to`, `region`); ValidationError names a bad one."""
    period, start, end = period_of(params)
    region, drilled = region_of(user, params)
    operations = IllegalOperation.objects.visible_to(user).filter(found_on__gte=start, found_on__lte=end).order_by()
    enterprises = Enterprise.objects.visible_to(user).order_by()
    if drilled:
        operations = operations.filter(region_path__startswith=region.path)
        enterprises = enterprises.filter(region__path__startswith=region.path)
    children = list(Region.objects.filter(parent=region).order_by("code")) if region is not None else []
    regions, total = _region_rows(user, operations, enterprises, region, children, period, drilled)
    departments = _department_rows(
        user, operations, enterprises, region, departments_for(user, region), period, drilled
    )
    return Figures(period, start, end, region, drilled, total, regions, departments)
