"""The accident statistics table (事故统计表) of a year: accidents and deaths by accident type (GB 6441), by industry,
by region (the viewer's territories directly under its own) and by grade, each row with its twelve months, four
quarters and the year's total, and a total row. One grouped query per dimension, counted by the rule of
`figures.counted` (production, not elsewhere, in scope, by the Shanghai month it occurred in); the Excel workbook
has one sheet per dimension with Chinese headers (`safety_platform/lib/xlsx.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from duty_roster.choices import GRADE_ORDER, Grade
from organizations.models import Industry, Region, User
from organizations.scope import Scope, ScopeKind
from risks.choices import AccidentType
from safety_platform.lib import xlsx
from workdays.calendar import SHANGHAI

from .figures import counted

DIMENSIONS = {
    "type": gettext_lazy("By accident type"),
    "industry": gettext_lazy("By industry"),
    "region": gettext_lazy("By region"),
    "grade": gettext_lazy("By grade"),
}


@dataclass
class Row:
    key: str
    label: str
    accidents: list[int] = field(default_factory=lambda: [0] * 12)  # January to December
    deaths: list[int] = field(default_factory=lambda: [0] * 12)

    def add(self, month: int, accidents: int, deaths: int) -> None:
        self.accidents[month - 1] += accidents
        self.deaths[month - 1] += deaths

    @property
    def quarters(self) -> list[tuple[int, int]]:
        return [(sum(self.accidents[q * 3 : q * 3 + 3]), sum(self.deaths[q * 3 : q * 3 + 3])) for q in range(4)]

    @property
    def months(self) -> list[tuple[int, int]]:
        return list(zip(self.accidents, self.deaths, strict=True))

    @property
    def total(self) -> tuple[int, int]:
        return sum(self.accidents), sum(self.deaths)


@dataclass
class Table:
    key: str
    title: str
    rows: list[Row]
    total: Row


def _grouped(user: User, year: int, by: str):
    """(value, month, accidents, deaths) of the year's counted records grouped by `by`: one query."""
    start = datetime.combine(date(year, 1, 1), time(), SHANGHAI)
    end = datetime.combine(date(year + 1, 1, 1), time(), SHANGHAI)
    return (
        counted(user)
        .filter(occurred_at__gte=start, occurred_at__lt=end)
        .annotate(month=ExtractMonth("occurred_at", tzinfo=SHANGHAI))
        .values_list(by, "month")
        .annotate(n=Count("id"), d=Sum("deaths"))
        .order_by()
    )


def _table(key: str, rows: dict[str, Row], grouped, fold=lambda value: value, keep_empty: bool = False) -> Table:
    total = Row("", _("Total"))
    for value, month, n, d in grouped:
        row = rows.get(fold(value))
        if row is None:  # a value not listed (a region moved, an industry retired): shown by its own key
            row = rows.setdefault(str(value), Row(str(value), str(value)))
        row.add(month, n, d or 0)
        total.add(month, n, d or 0)
    listed = [row for row in rows.values() if keep_empty or row.total[0]]
    return Table(key, str(DIMENSIONS[key]), listed, total)


def by_type(user: User, year: int) -> Table:
    rows = {value: Row(value, str(label)) for value, label in AccidentType.choices}
    return _table("type", rows, _grouped(user, year, "accident_type"))


def by_grade(user: User, year: int) -> Table:
    labels = dict(Grade.choices)
    rows = {str(g): Row(str(g), str(labels[g])) for g in GRADE_ORDER}
    return _table("grade", rows, _grouped(user, year, "grade"), keep_empty=True)


def by_industry(user: User, year: int) -> Table:
    grouped = list(_grouped(user, year, "industry_id"))
    names = dict(Industry.objects.filter(pk__in={g[0] for g in grouped}).values_list("pk", "name"))
    rows = {str(pk): Row(str(pk), name) for pk, name in sorted(names.items(), key=lambda item: item[1])}
    return _table("industry", rows, grouped, fold=str)


def root_region(user: User) -> Region | None:
    scope = Scope.for_user(user)
    if scope.kind == ScopeKind.ALL:
        return Region.objects.filter(parent=None).order_by("path").first()
    if scope.region_path:
        return Region.objects.filter(path=scope.region_path).first()
    return None


def by_region(user: User, year: int) -> Table:
    """The territories directly under the viewer's region (a county under the city); a record at the region itself
    is the region's own row (本级)."""
    root = root_region(user)
    children = list(Region.objects.filter(parent=root).order_by("code")) if root else []
    rows = {c.path: Row(c.path, c.name) for c in children}
    if root is not None:
        rows[root.path] = Row(root.path, _("%(region)s (itself)") % {"region": root.name})

    def fold(path: str) -> str:
        for child in children:
            if path.startswith(child.path):
                return child.path
        return root.path if root is not None and path.startswith(root.path) else path

    return _table("region", rows, _grouped(user, year, "region_path"), fold=fold, keep_empty=True)


def statistics(user: User, year: int) -> list[Table]:
    return [by_type(user, year), by_industry(user, year), by_region(user, year), by_grade(user, year)]


def head() -> list[list[str]]:
    """Two header rows: the months and quarters, each over its accidents and deaths."""
    top, below = [""], [""]
    for label in [_("Month %(month)s") % {"month": m} for m in range(1, 13)] + [
        _("Q%(quarter)s") % {"quarter": q} for q in range(1, 5)
    ] + [_("Year")]:  # fmt: skip
        top += [label, ""]
        below += [pgettext("figures", "Accidents"), _("Deaths")]  # 起数: a count, not the word 事故
    return [top, below]


def cells(row: Row) -> list:
    values: list = [row.label]
    for n, d in [*row.months, *row.quarters, row.total]:
        values += [n, d]
    return values


def workbook(user: User, year: int) -> bytes:
    """One sheet per dimension, each with a banner naming the year, two header rows, the rows and the total."""
    sheets = []
    for table in statistics(user, year):
        rows = [cells(row) for row in table.rows] + [cells(table.total)]
        banner = _("Production safety accidents %(year)s, %(dimension)s") % {"year": year, "dimension": table.title}
        sheets.append(xlsx.Sheet(table.title, rows, head(), [18] + [7] * 34, banner))
    return xlsx.sheets(sheets)
