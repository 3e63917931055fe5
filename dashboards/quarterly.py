"""The quarterly hazard statistics table (季度隐患排查治理统计表), by region and by industry, as Excel.

A hazard counts in the quarter it was found (dismissed ones are not hazards); it counts as rectified when it
was closed before the quarter ended, so the table for a past quarter does not change as later work is done.
The table is due before the 15th of the first month of the next quarter (DOMAIN.md).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from hazards.choices import Level, Status
from hazards.models import Hazard
from organizations.models import Industry, User

from .units import Territories, unit_name


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1 to 4

    @classmethod
    def previous(cls, today: date | None = None) -> Quarter:
        """The quarter whose table is due next: the one before today's."""
        today = today or timezone.localdate()
        current = (today.month - 1) // 3 + 1
        return cls(today.year, current - 1) if current > 1 else cls(today.year - 1, 4)

    @classmethod
    def parse(cls, year, number) -> Quarter | None:
        try:
            year, number = int(year), int(number)
        except (TypeError, ValueError):
            return None
        return cls(year, number) if 2000 <= year <= 2100 and 1 <= number <= 4 else None

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def next_first_day(self) -> date:
        return date(self.year + 1, 1, 1) if self.number == 4 else date(self.year, 3 * self.number + 1, 1)

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.next_first_day.toordinal() - 1)

    @property
    def due(self) -> date:
        """The table is due before this day: the 15th of the first month of the next quarter."""
        return self.next_first_day.replace(day=15)

    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.first_day, time.min, tzinfo=tz),
            datetime.combine(self.next_first_day, time.min, tzinfo=tz),
        )

    def __str__(self) -> str:
        return _("Q%(quarter)d %(year)d") % {"quarter": self.number, "year": self.year}


@dataclass
class Counts:
    found: int = 0
    rectified: int = 0

    @property
    def open(self) -> int:
        return self.found - self.rectified

    @property
    def rate(self) -> float | None:
        return self.rectified / self.found if self.found else None

    def add(self, other: Counts) -> None:
        self.found += other.found
        self.rectified += other.rectified


@dataclass
class Row:
    label: str
    general: Counts = field(default_factory=Counts)
    major: Counts = field(default_factory=Counts)

    @property
    def total(self) -> Counts:
        return Counts(self.general.found + self.major.found, self.general.rectified + self.major.rectified)

    def add(self, level: str, counts: Counts) -> None:
        (self.major if level == Level.MAJOR else self.general).add(counts)


@dataclass
class Statistics:
    quarter: Quarter
    unit: str
    by_region: list[Row]
    by_industry: list[Row]

    @staticmethod
    def total(rows: list[Row]) -> Row:
        total = Row(_("Total"))
        for row in rows:
            total.general.add(row.general)
            total.major.add(row.major)
        return total


def statistics(user: User, quarter: Quarter) -> Statistics:
    """One grouped query over the hazards in the user's scope, folded into region rows and industry rows."""
    start, end = quarter.bounds()
    groups = (
        Hazard.objects.visible_to(user)
        .exclude(status=Status.DISMISSED)
        .filter(found_at__gte=start, found_at__lt=end)
        .values("region_path", "industry_id", "level")
        .annotate(found=Count("id"), rectified=Count("id", filter=Q(status=Status.CLOSED, closed_at__lt=end)))
        .order_by()
    )
    territories = Territories.under(user)
    names = territories.names()
    regions = {code: Row(name) for code, name in names.items()}
    industries: dict[int, Row] = {}
    for group in groups:
        counts = Counts(group["found"], group["rectified"])
        key = territories.key(group["region_path"])
        if key not in regions:  # only a record from outside the subtree; named with one query
            regions[key] = Row(territories.label(key))
        regions[key].add(group["level"], counts)
        industries.setdefault(group["industry_id"], Row("")).add(group["level"], counts)
    own = territories.root.code if territories.root else None
    region_rows = [row for code, row in regions.items() if code != own or row.total.found]
    for industry in Industry.objects.filter(id__in=industries).order_by("code"):
        industries[industry.id].label = f"{industry.code} {industry.name}"
    industry_rows = [industries[k] for k in sorted(industries, key=lambda k: industries[k].label)]
    return Statistics(quarter, unit_name(user), region_rows, industry_rows)


# --- Excel ---------------------------------------------------------------------------------------------

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(bold=True)


def workbook(stats: Statistics) -> bytes:
    book = Workbook()
    book.remove(book.active)
    _sheet(book, stats, pgettext("statistics", "By region"), pgettext("statistics", "region"), stats.by_region)
    _sheet(book, stats, pgettext("statistics", "By industry"), pgettext("statistics", "industry"), stats.by_industry)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(book: Workbook, stats: Statistics, title: str, first_column: str, rows: list[Row]) -> None:
    """Title, the unit and period, two header rows (level groups merged over their four columns), one row per
    unit, the totals row, and the signature line the principal person signs."""
    sheet = book.create_sheet(title)
    last = get_column_letter(14)
    quarter = stats.quarter
    heading = _("Quarterly hazard investigation and management statistics, %(quarter)s (%(by)s)")
    _merged(sheet, f"A1:{last}1", heading % {"quarter": quarter, "by": title}, Font(bold=True, size=16))
    period = _("Reporting unit: %(unit)s    Period: %(start)s to %(end)s    Due before: %(due)s") % {
        "unit": stats.unit, "start": date_format(quarter.first_day), "end": date_format(quarter.last_day),
        "due": date_format(quarter.due),
    }  # fmt: skip
    _merged(sheet, f"A2:{last}2", period, Font(size=10), Alignment(horizontal="left", vertical="center"))
    _header(sheet, first_column)
    for index, row in enumerate(rows, start=1):
        _data_row(sheet, 4 + index, str(index), row)
    total = stats.total(rows)
    _data_row(sheet, 5 + len(rows), "", total, bold=True)
    sign = _("Principal person (signature):              Compiled by:              Telephone:              Date:")
    _merged(sheet, f"A{7 + len(rows)}:{last}{7 + len(rows)}", sign, Font(size=10), Alignment(horizontal="left"))
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 26
    for column in range(3, 15):
        sheet.column_dimensions[get_column_letter(column)].width = 10
    sheet.freeze_panes = "C5"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _header(sheet, first_column: str) -> None:
    _merged(sheet, "A3:A4", pgettext("table", "No."), BOLD)
    _merged(sheet, "B3:B4", first_column, BOLD)
    groups = [_("General hazards"), _("Major hazards"), _("All hazards")]
    labels = [pgettext("statistics", "found"), pgettext("statistics", "rectified"),
              pgettext("statistics", "not yet rectified"), pgettext("statistics", "rectification rate")]  # fmt: skip
    for g, group in enumerate(groups):
        first = 3 + 4 * g
        _merged(sheet, f"{get_column_letter(first)}3:{get_column_letter(first + 3)}3", group, BOLD)
        for i, label in enumerate(labels):
            _cell(sheet, 4, first + i, label, BOLD)
    for r in (3, 4):
        for c in range(1, 15):
            sheet.cell(r, c).fill = HEAD_FILL
            sheet.cell(r, c).border = BORDER
    sheet.row_dimensions[4].height = 30


def _data_row(sheet, r: int, number: str, row: Row, bold: bool = False) -> None:
    font = BOLD if bold else Font()
    _cell(sheet, r, 1, int(number) if number else None, font)
    label = _cell(sheet, r, 2, row.label, font)
    label.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    for g, counts in enumerate((row.general, row.major, row.total)):
        first = 3 + 4 * g
        for i, value in enumerate((counts.found, counts.rectified, counts.open)):
            _cell(sheet, r, first + i, value, font)
        rate = _cell(sheet, r, first + 3, counts.rate if counts.rate is not None else "—", font)
        rate.number_format = "0.0%"


def _cell(sheet, r: int, c: int, value, font: Font):
    cell = sheet.cell(r, c, value)
    cell.font, cell.alignment, cell.border = font, CENTER, BORDER
    return cell


def _merged(sheet, ref: str, value: str, font: Font, alignment: Alignment = CENTER) -> None:
    sheet.merge_cells(ref)
    cell = sheet[ref.split(":")[0]]
    cell.value, cell.font, cell.alignment = value, font, alignment
    sheet.row_dimensions[cell.row].height = max(sheet.row_dimensions[cell.row].height or 0, 22)
