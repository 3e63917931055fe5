"""The dashboard figures: every number computed in the database from the user's visible hazards, in a few
queries, and each one carrying the hazard-list query string that lists exactly the records it counts.

1. the main table: hazards grouped by level, status, the enterprise's region, department and industry, with
   conditional counts (found in the period, overdue now, closed on time, recurrences, and found and closed in each
   of the trend's 12 weeks and 12 months); every total, breakdown and trend bar is a sum over these rows, so
   totals equal the sum of their breakdowns by construction;
2. the watch list: the most overdue open hazards and the open major hazards with their listing, one query;
3. the names of regions, departments and industries, one UNION;
4. the unanswered must-answer notices;
5. the hazards overdue on the government's side: not confirmed, or not accepted, in time (`Hazard.objects.
   government_overdue`, from the running waits of `hazards.escalation`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CharField, Count, F, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hazards.choices import OPEN_STATUSES, Level, Status
from hazards.filters import ON_TIME
from hazards.models import Hazard
from notifications.views import unanswered_for
from organizations.models import Department, Industry, Region, User
from organizations.scope import Scope, ScopeKind
from workdays.calendar import SHANGHAI

from . import tally
from .units import Territories, scope_name

ROLE_TITLES = {
    "all": gettext_lazy("City safety office"),
    "department": gettext_lazy("Department"),
    "region": gettext_lazy("Territory"),
    "enterprise": gettext_lazy("Enterprise"),
}
PERIODS = {
    "year": gettext_lazy("This year"),
    "quarter": gettext_lazy("This quarter"),
    "month": gettext_lazy("This month"),
    "last12": gettext_lazy("Last 12 months"),
}
WATCH_LIMIT = 10
MAJOR_LIMIT = 20


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive, as the list's "filed until"
    key: str = ""

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return (
            datetime.combine(self.start, time.min, SHANGHAI),
            datetime.combine(self.end + timedelta(days=1), time.min, SHANGHAI),
        )

    @property
    def query(self) -> dict:
        return {"created_after": self.start.isoformat(), "created_before": self.end.isoformat()}

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"


def period_from(params, today: date | None = None) -> Period:
    """`period` = year / quarter / month / last12, or `from` and `to` dates; this year to date by default."""
    today = today or timezone.localdate()
    start, end = params.get("from"), params.get("to")
    if start or end:
        try:
            start = date.fromisoformat(start) if start else date(today.year, 1, 1)
            end = date.fromisoformat(end) if end else today
        except ValueError:
            raise ValidationError(_("Dates must be written as YYYY-MM-DD.")) from None
        if end < start:
            raise ValidationError(_("The period ends before it starts."))
        if start.year < 2000 or end.year > 2100:
            raise ValidationError(_("Choose dates between 2000 and 2100."))
        if (end - start).days > 3660:
            raise ValidationError(_("A period may cover at most ten years."))
        return Period(start, end)
    key = params.get("period") or "year"
    if key == "year":
        return Period(date(today.year, 1, 1), today, key)
    if key == "quarter":
        return Period(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today, key)
    if key == "month":
        return Period(today.replace(day=1), today, key)
    if key == "last12":
        return Period(_months_back(today.replace(day=1), 11), today, key)
    raise ValidationError(_("Unknown period: %(key)s.") % {"key": key})


def _months_back(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def hazard_link(**params) -> str:
    """The hazard list filtered to exactly what a figure counts (multi-valued parameters as lists)."""
    return reverse("hazards:list") + "?" + urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)


OPEN = [str(s) for s in OPEN_STATUSES]


@dataclass
class HazardFigures:
    """One row's hazard figures (and the totals'): what the main table shows for a territory, department or industry."""

    found: int = 0  # filed in the period
    dismissed: int = 0  # of those, dismissed
    closed: int = 0  # of those, closed
    on_time: int = 0  # of those, closed by the deadline
    recurrences: int = 0  # of those, recurrences
    open_now: int = 0  # open today, whenever filed
    overdue_now: int = 0
    major_open: int = 0

    def add(self, row: dict) -> None:
        self.found += row["found"]
        if row["status"] == Status.DISMISSED:
            self.dismissed += row["found"]
        if row["status"] == Status.CLOSED:
            self.closed += row["found"]
        self.on_time += row["on_time"]
        self.recurrences += row["recurrences"]
        if row["status"] in OPEN:
            self.open_now += row["total"]
            if row["level"] == Level.MAJOR:
                self.major_open += row["total"]
        self.overdue_now += row["overdue"]

    @property
    def counted(self) -> int:
        """Found and not dismissed: the rectification rate's denominator."""
        return self.found - self.dismissed

    @property
    def rate(self) -> float | None:
        return self.closed / self.counted if self.counted else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.closed if self.closed else None


@dataclass
class Breakdown:
    title: str
    param: str  # the hazard-list filter for one row
    rows: list[dict] = field(default_factory=list)


@dataclass
class Dashboard:
    user: User
    period: Period
    now: datetime
    scope: Scope
    role: str
    totals: HazardFigures = field(default_factory=HazardFigures)
    matrix: list[dict] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)
    weeks: list[dict] = field(default_factory=list)
    months: list[dict] = field(default_factory=list)
    top_overdue: list[Hazard] = field(default_factory=list)
    majors: list[Hazard] = field(default_factory=list)
    unanswered: int = 0
    overdue_confirmation: int = 0  # reported and not confirmed in time (docs/escalation.md)
    overdue_acceptance: int = 0  # rectified and not accepted in time
    scope_name: str = ""

    def link(self, **params) -> str:
        return hazard_link(**params)

    def period_link(self, **params) -> str:
        return hazard_link(**self.period.query, **params)


def build(user: User, period: Period, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    scope = Scope.for_user(user)
    if scope.kind == ScopeKind.NONE:
        raise PermissionError
    board = Dashboard(user=user, period=period, now=now, scope=scope, role=scope.kind)
    hazards = Hazard.objects.visible_to(user)
    names = _names()  # query 3
    _main(board, hazards, names, _territories(scope, names))  # query 1, with the trend
    _watch(board, hazards)  # query 2
    if scope.kind != ScopeKind.ENTERPRISE:
        board.unanswered = unanswered_for(user).count()  # query 4
        late = hazards.government_overdue(now)  # query 5
        board.overdue_confirmation, board.overdue_acceptance = late["confirmation"], late["acceptance"]
    board.scope_name = scope_name(user)
    return board


def _names() -> dict:
    """Every region, department and industry name in one UNION (small reference tables)."""
    regions = Region.objects.values_list(
        Value("r", output_field=CharField()), "id", "name", "path", "parent_id", "code"
    ).order_by()
    departments = Department.objects.values_list(
        Value("d", output_field=CharField()), "id", "name", Value("", output_field=CharField()),
        "region_id", Value("", output_field=CharField()),
    ).order_by()  # fmt: skip
    industries = Industry.objects.values_list(
        Value("i", output_field=CharField()), "id", "name", Value("", output_field=CharField()),
        "parent_id", "code",
    ).order_by()  # fmt: skip
    found: dict = {"r": {}, "d": {}, "i": {}, "path": {}}
    for kind, pk, name, path, parent, code in regions.union(departments, industries, all=True):
        found[kind][pk] = {"id": pk, "name": name, "path": path, "parent": parent, "code": code}
        if kind == "r":
            found["path"][path] = found["r"][pk]
    return found


def _territories(scope: Scope, names: dict) -> Territories | None:
    """The reports' folding of regions onto the territories under the scope's root, built from the names already
    loaded (no query): the city for the city office, else the unit's own region."""

    def region(r: dict) -> Region:
        return Region(id=r["id"], code=r["code"], name=r["name"], path=r["path"], parent_id=r["parent"])

    if scope.kind == ScopeKind.ALL:
        root = next((r for r in names["r"].values() if r["parent"] is None), None)
    else:
        root = names["path"].get(scope.region_path)
    if root is None:
        return None
    children = sorted((r for r in names["r"].values() if r["parent"] == root["id"]), key=lambda r: r["path"])
    return Territories(region(root), [region(r) for r in children])


def _grouped(board: Dashboard, hazards, windows) -> list[dict]:
    """The main table read from the hazards themselves: SQLite (`make run`), an enterprise's dashboard, and the
    reference the tally's rows are tested against. Grouped by the hazard's own region (an integer: cheaper to hash
    than a path prefix); the rows are rolled up to the root's children by the caller."""
    start, end = board.period.bounds
    in_period = Q(created_at__gte=start, created_at__lt=end)
    return list(
        hazards.values("region_id", "level", "status", "department_id", "industry_id")
        .annotate(
            total=Count("id"),
            found=Count("id", filter=in_period),
            overdue=Count("id", filter=Q(status__in=OPEN, deadline__lt=board.now)),
            on_time=Count("id", filter=in_period & ON_TIME),
            recurrences=Count("id", filter=in_period & Q(recurrence_of__isnull=False)),
            **_trend_counts(windows),
        )
        .order_by()
    )


def _main(board: Dashboard, hazards, names: dict, territories: Territories | None) -> None:
    """The main table (from the tally on PostgreSQL, `dashboards/tally.py`) folded into totals, the level × status
    matrix, the breakdowns and the trend."""
    windows = _windows(board)
    if tally.available(board.scope):
        rows, trend = tally.rows(board, hazards, windows)
    else:
        rows, trend = _grouped(board, hazards, windows), defaultdict(int)
        for row in rows:
            for key, _label, _first, _last in windows:
                trend[f"{key}f"] += row[f"{key}f"]
                trend[f"{key}c"] += row[f"{key}c"]
    matrix: dict[tuple, int] = defaultdict(int)
    by_territory: dict = defaultdict(HazardFigures)
    folded: dict[int, str] = {}  # region id -> territory code, once per region
    by_department: dict = defaultdict(HazardFigures)
    by_industry: dict = defaultdict(HazardFigures)
    for row in rows:
        board.totals.add(row)
        matrix[row["level"], row["status"]] += row["found"]
        if territories is not None:
            region_id = row["region_id"]
            if region_id not in folded:
                folded[region_id] = territories.key(names["r"].get(region_id, {}).get("path", ""))
            by_territory[folded[region_id]].add(row)
        by_department[row["department_id"]].add(row)
        by_industry[_sector(row["industry_id"], names)].add(row)
    bars = [_bar(board, label, first, last, trend[f"{key}f"], trend[f"{key}c"]) for key, label, first, last in windows]
    board.weeks, board.months = bars[:12], bars[12:]
    board.matrix = [
        {
            "level": level,
            "label": label,
            "cells": [
                {"n": matrix[level, status], "link": board.period_link(level=level, status=status)}
                for status in Status.values
            ],
            "total": sum(matrix[level, status] for status in Status.values),
            "link": board.period_link(level=level),
        }
        for level, label in Level.choices
    ]
    if board.role in (ScopeKind.ALL, ScopeKind.REGION, ScopeKind.DEPARTMENT) and territories is not None:
        board.breakdowns.append(_region_breakdown(board, by_territory, names, territories))
    if board.role in (ScopeKind.ALL, ScopeKind.REGION):
        board.breakdowns.append(_breakdown(board, _("By supervising department"), "department", by_department,
                                           names["d"]))  # fmt: skip
    if board.role != ScopeKind.ENTERPRISE:
        # A department's list accepts only its own industries (and their sectors): a hazard assigned to it from
        # another industry is counted, but its row has no link the list would take.
        linkable = None if board.role in (ScopeKind.ALL, ScopeKind.REGION) else board.scope.reference.with_ancestors(
            board.scope.industry_ids)  # fmt: skip
        board.breakdowns.append(_breakdown(board, _("By industry"), "industry", by_industry, names["i"], linkable))


def _sector(industry_id: int, names: dict) -> int:
    """The top of the industry tree above an industry: the industry breakdown's row."""
    seen = 0
    while names["i"].get(industry_id, {}).get("parent") is not None and seen < 20:
        industry_id, seen = names["i"][industry_id]["parent"], seen + 1
    return industry_id


def _row(board: Dashboard, label: str, figures: HazardFigures, param: dict | None) -> dict:
    def link(**extra):
        return board.period_link(**param, **extra) if param is not None else None

    def now_link(**extra):
        return board.link(**param, **extra) if param is not None else None

    return {
        "label": label,
        "figures": figures,
        "found": link(),
        "closed": link(status=Status.CLOSED),
        "open": now_link(status=OPEN),
        "overdue": now_link(is_overdue="true"),
    }


def _breakdown(board: Dashboard, title: str, param: str, figures: dict, labels: dict,
               linkable: set | None = None) -> Breakdown:  # fmt: skip
    breakdown = Breakdown(title, param)
    for key, counts in sorted(figures.items(), key=lambda kv: (-kv[1].found, -kv[1].open_now, str(kv[0]))):
        if key is None:
            label, query = _("No department (supervision gap)"), None
        else:
            label = labels.get(key, {}).get("name", str(key))
            query = {param: key} if linkable is None or key in linkable else None
        breakdown.rows.append(_row(board, label, counts, query))
    return breakdown


def _region_breakdown(board: Dashboard, figures: dict, names: dict, territories: Territories) -> Breakdown:
    """One row per territory under the root (county, or township for a county), linked to the list's region filter.
    Two kinds of row have no link, because no filter the user has isolates them: hazards filed at the root itself
    (本级), and hazards assigned to a department from outside its territory (named by their own region)."""
    labels = territories.names()
    codes = {r["code"]: r for r in names["r"].values()}
    children = {r.code for r in territories.children}
    breakdown = Breakdown(_("By territory"), "region")
    for code, counts in sorted(figures.items(), key=lambda kv: (-kv[1].found, -kv[1].open_now, kv[0])):
        region = codes.get(code)
        label = labels.get(code) or (region["name"] if region else code)
        query = {"region": region["id"]} if code in children else None
        breakdown.rows.append(_row(board, label, counts, query))
    return breakdown


def _windows(board: Dashboard) -> list[tuple[str, str, date, date]]:
    """The trend's buckets: (key, label, first day, last day) for 12 weeks and 12 months up to today."""
    today = timezone.localdate(board.now)
    week0 = today - timedelta(days=today.weekday() + 7 * 11)
    month0 = _months_back(today.replace(day=1), 11)
    weeks = [(f"w{i}", f"{week0 + timedelta(days=7 * i):%m-%d}", week0 + timedelta(days=7 * i),
              week0 + timedelta(days=7 * i + 6)) for i in range(12)]  # fmt: skip
    months = []
    for i in range(12):
        first = _months_back(month0, -i)
        months.append((f"m{i}", f"{first:%Y-%m}", first, _months_back(first, -1) - timedelta(days=1)))
    return weeks + months


def _trend_counts(windows) -> dict:
    """Found and closed per bucket as conditional counts of the main query: one scan instead of two. The 48 range
    tests per row are most of the dashboard's cost at a million rows, about what a separate scan of the last twelve
    months costs (docs/benchmarks.md)."""
    counts = {}
    for key, _label, first, last in windows:
        start = datetime.combine(first, time.min, SHANGHAI)
        end = datetime.combine(last + timedelta(days=1), time.min, SHANGHAI)
        counts[f"{key}f"] = Count("id", filter=Q(created_at__gte=start, created_at__lt=end))
        counts[f"{key}c"] = Count("id", filter=Q(closed_at__gte=start, closed_at__lt=end))
    return counts


def _bar(board: Dashboard, label: str, first: date, last: date, found: int, closed: int) -> dict:
    return {
        "label": label,
        "found": found,
        "closed": closed,
        "found_link": board.link(created_after=first.isoformat(), created_before=last.isoformat()),
        "closed_link": board.link(
            closed_after=first.isoformat(), closed_before=last.isoformat(), status=Status.CLOSED
        ),  # fmt: skip
    }


def _watch(board: Dashboard, hazards) -> None:
    """The most overdue open hazards and the open major hazards, in one query of two indexed subqueries."""
    open_ = hazards.filter(status__in=OPEN).order_by()
    overdue_ids = open_.filter(deadline__lt=board.now).order_by("deadline", "id").values("id")[:WATCH_LIMIT]
    # A major hazard without a deadline comes last on every database (SQLite sorts NULL first, PostgreSQL last).
    by_deadline = (F("deadline").asc(nulls_last=True), "id")
    major_ids = open_.filter(level=Level.MAJOR).order_by(*by_deadline).values("id")[:MAJOR_LIMIT]
    if connection.features.supports_slicing_ordering_in_compound:
        # PostgreSQL: `id IN (… UNION ALL …)` is thirty primary-key lookups; an OR of two IN-subqueries is a scan.
        chosen = Q(id__in=overdue_ids.union(major_ids, all=True))
    else:
        chosen = Q(id__in=overdue_ids) | Q(id__in=major_ids)
    rows = list(Hazard.objects.filter(chosen).select_related("enterprise", "listing").order_by(*by_deadline))
    for hazard in rows:
        hazard.days_left = (timezone.localdate(hazard.deadline) - timezone.localdate(board.now)).days \
            if hazard.deadline else None  # fmt: skip
    board.top_overdue = [h for h in rows if h.deadline and h.deadline < board.now][:WATCH_LIMIT]
    board.majors = [h for h in rows if h.level == Level.MAJOR][:MAJOR_LIMIT]
