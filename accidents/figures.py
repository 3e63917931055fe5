"""Figures from the records for any period: the accidents and deaths of a period in the viewer's scope against the
same period a year earlier, and the sentence a leader's speech quotes ("7月以来，全市工矿商贸领域发生生产安全事故4起、
死亡5人，同比增加2起、增加3人").

The counting rule (docs/accidents.md, "Figures from the records"): an accident counts where it is a record of kind
production, not `external`, in the viewer's scope (`Accident.objects.visible_to(user)`), and occurred within the
period's days in Asia/Shanghai (the end day included); its deaths are the record's, which are the final figures.
Near misses (涉险事件) are counted apart under the same rule.

A period is a kind and its parameters (`parse`): `months` (from a month to a month, which may cross a year),
`since` (from the first of a month to today), `holiday` (the State Council's holiday of a name and year, its
consecutive days off read from the working-day calendar) and `days` (from a day to a day). The same period a year
earlier is the same days a year back, or for a holiday the same holiday the year before.

The Chinese and the English sentences are built separately rather than through gettext, for the reason
`dashboards/summary.py` gives: their grammar (month ranges, plurals, where the scope goes) differs beyond what one
msgid with placeholders can carry.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from organizations.models import User
from organizations.scope import Scope, ScopeKind
from workdays.calendar import SHANGHAI, SpecialDays
from workdays.models import SpecialDay

from .choices import AccidentKind
from .models import Accident

KINDS = ("months", "since", "holiday", "days")

# The holidays as a speech names their days off (国庆假期期间), and in English.
HOLIDAY_WORDS = {
    "元旦": ("元旦", "New Year's Day"),
    "春节": ("春节", "Spring Festival"),
    "清明节": ("清明", "Qingming"),
    "劳动节": ("五一", "Labour Day"),
    "端午节": ("端午", "Dragon Boat Festival"),
    "中秋节": ("中秋", "Mid-Autumn Festival"),
    "国庆节": ("国庆", "National Day"),
}
# The longest run of days off a holiday can have (the Spring Festival's nine, with room).
HOLIDAY_MAX_DAYS = 15


@dataclass(frozen=True)
class Period:
    """A span of Shanghai days (`end` included), how it is said, and the span it is compared with."""

    kind: str
    start: date
    end: date
    previous_start: date
    previous_end: date
    # months: the months named (the end may be today, within the last month); since: the month; holiday: its name.
    first_month: date | None = None
    last_month: date | None = None
    holiday: str = ""
    query: dict = field(default_factory=dict, compare=False)

    def bounds(self, previous: bool = False) -> tuple[datetime, datetime]:
        start, end = (self.previous_start, self.previous_end) if previous else (self.start, self.end)
        return datetime.combine(start, time(), SHANGHAI), datetime.combine(end + timedelta(days=1), time(), SHANGHAI)


@dataclass(frozen=True)
class Figures:
    period: Period
    scope: str  # "" for the whole city
    department: bool  # a department speaks of the industries it supervises, not of a territory
    accidents: int
    deaths: int
    previous_accidents: int
    previous_deaths: int
    near_misses: int

    @property
    def change(self) -> tuple[int, int]:
        return self.accidents - self.previous_accidents, self.deaths - self.previous_deaths


# Periods -------------------------------------------------------------------------------------------------------


def a_year_back(day: date) -> date:
    """The same day a year earlier; 29 February falls on the 28th."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months(first: date, last: date, today: date | None = None) -> Period:
    """From the first of `first`'s month to the end of `last`'s (today if that is earlier)."""
    today = today or timezone.localdate()
    first, last = first.replace(day=1), last.replace(day=1)
    if last < first:
        raise ValidationError({"to": _("The last month is before the first.")})
    if first > today:
        raise ValidationError({"from": _("The period has not begun yet.")})
    end = min(_month_end(last), today)
    query = {"period": "months", "from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"}
    return Period("months", first, end, a_year_back(first), a_year_back(end), first, last, query=query)


def since(month: date, today: date | None = None) -> Period:
    """From the first of a month to today (7月以来)."""
    today = today or timezone.localdate()
    start = month.replace(day=1)
    if start > today:
        raise ValidationError({"month": _("The period has not begun yet.")})
    query = {"period": "since", "month": f"{start:%Y-%m}"}
    return Period("since", start, today, a_year_back(start), a_year_back(today), start, query=query)


def days(start: date, end: date, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    if end < start:
        raise ValidationError({"to": _("The last day is before the first.")})
    if start > today:
        raise ValidationError({"from": _("The period has not begun yet.")})
    end = min(end, today)
    query = {"period": "days", "from": start.isoformat(), "to": end.isoformat()}
    return Period("days", start, end, a_year_back(start), a_year_back(end), query=query)


def between(start: date, end: date) -> Period:
    """The days from `start` to `end` as they are, unchecked (for a caller that already knows its span)."""
    query = {"period": "days", "from": start.isoformat(), "to": end.isoformat()}
    return Period("days", start, end, a_year_back(start), a_year_back(end), query=query)


def holiday_days(name: str, year: int) -> tuple[date, date] | None:
    """The consecutive days off of the holiday `name` in `year`: its named days in the calendar, widened over the
    days off (holidays and weekends not worked) next to them. None when the calendar has no such holiday."""
    named = SpecialDay.objects.filter(name=name, is_working_day=False, date__year=year).order_by("date")
    found = list(named.values_list("date", flat=True))
    if not found:
        return None
    first, last = found[0], found[-1]
    days_off = SpecialDays(first - timedelta(days=HOLIDAY_MAX_DAYS), last + timedelta(days=HOLIDAY_MAX_DAYS))
    for _step in range(HOLIDAY_MAX_DAYS):
        if days_off.is_working_day(first - timedelta(days=1)):
            break
        first -= timedelta(days=1)
    for _step in range(HOLIDAY_MAX_DAYS):
        if days_off.is_working_day(last + timedelta(days=1)):
            break
        last += timedelta(days=1)
    return first, last


def holiday(name: str, year: int, today: date | None = None) -> Period:
    """The holiday's days off (国庆假期期间), compared with the same holiday a year earlier (or the same days, when
    the calendar lacks that year)."""
    today = today or timezone.localdate()
    span = holiday_days(name, year)
    if span is None:
        raise ValidationError({"name": _("The working-day calendar has no holiday %(name)s in %(year)s.")
                               % {"name": name, "year": year}})  # fmt: skip
    start, end = span
    if start > today:
        raise ValidationError({"year": _("The period has not begun yet.")})
    end = min(end, today)
    before = holiday_days(name, year - 1)
    previous = before if before is not None else (a_year_back(start), a_year_back(end))
    if before is not None and end < span[1]:  # the holiday is still on: its first days against last year's
        previous = (before[0], min(before[1], before[0] + (end - start)))
    query = {"period": "holiday", "name": name, "year": str(year)}
    return Period("holiday", start, end, previous[0], previous[1], holiday=name, query=query)


def _month(value: str | None, key: str) -> date:
    try:
        return datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        raise ValidationError({key: _("Enter a month as YYYY-MM, for example 2026-07.")}) from None


def _day(value: str | None, key: str) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise ValidationError({key: _("Enter a date as YYYY-MM-DD.")}) from None


def parse(params, today: date | None = None) -> Period:
    """The period of query parameters: `period=months&from=2026-07&to=2026-09`, `period=since&month=2026-07`,
    `period=holiday&name=国庆节&year=2026`, `period=days&from=2026-10-01&to=2026-10-08`. No `period`: January to
    today of this year. Raises ValidationError with the parameters' names."""
    today = today or timezone.localdate()
    kind = params.get("period") or ""
    year = _year(params) if "year" in params else None
    if not kind:
        return months(today.replace(month=1, day=1), today, today)
    if kind not in KINDS:
        raise ValidationError({"period": _("Choose months, since, holiday or days.")})
    if kind == "months":
        return months(_month(params.get("from"), "from"), _month(params.get("to"), "to"), today)
    if kind == "since":
        return since(_month(params.get("month"), "month"), today)
    if kind == "days":
        return days(_day(params.get("from"), "from"), _day(params.get("to"), "to"), today)
    name = (params.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the holiday, for example 国庆节.")})
    if year is None:
        raise ValidationError({"year": _("Enter a year from 2000 to 2100.")})
    return holiday(name, year, today)


def _year(params) -> int:
    """`year`, wherever it is given (the holiday's, or the table's on the page), a year from 2000 to 2100."""
    try:
        year = int(params.get("year") or "")
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year from 2000 to 2100.")})
    return year


# Counting ------------------------------------------------------------------------------------------------------


def counted(user: User):
    """The records the figures count for `user`: production accidents at enterprises here, in scope."""
    return Accident.objects.visible_to(user).filter(kind=AccidentKind.PRODUCTION, external=False)


def period(user: User, start: Period | date, end: date | None = None) -> Figures:
    """The period's accidents, deaths and near misses in `user`'s scope, and the same period a year earlier's: one
    query. The period is a `Period`, or the days from `start` to `end` (inclusive)."""
    span = start if isinstance(start, Period) else between(start, end)
    start, end = span.bounds()
    before_start, before_end = span.bounds(previous=True)
    now = Q(occurred_at__gte=start, occurred_at__lt=end)
    before = Q(occurred_at__gte=before_start, occurred_at__lt=before_end)
    production = Q(kind=AccidentKind.PRODUCTION)
    rows = (
        Accident.objects.visible_to(user)
        .filter(external=False)
        .filter(now | before)
        .aggregate(
            n_accidents=Count("id", filter=now & production),
            n_deaths=Coalesce(Sum("deaths", filter=now & production), 0),
            n_previous_accidents=Count("id", filter=before & production),
            n_previous_deaths=Coalesce(Sum("deaths", filter=before & production), 0),
            n_near_misses=Count("id", filter=now & Q(kind=AccidentKind.NEAR_MISS)),
        )
    )
    kind = Scope.for_user(user).kind
    counts = {key.removeprefix("n_"): value for key, value in rows.items()}
    return Figures(span, scope_words(user), kind == ScopeKind.DEPARTMENT, **counts)


def scope_words(user: User) -> str:
    """The scope as a speech names it: "" for the whole city (said per language), else the region, department or
    enterprise's name."""
    scope = Scope.for_user(user)
    if scope.kind == ScopeKind.REGION:
        return user.region.name
    if scope.kind == ScopeKind.DEPARTMENT:
        return user.department.name
    if scope.kind == ScopeKind.ENTERPRISE:
        return user.enterprise.name
    return ""


# Sentences -----------------------------------------------------------------------------------------------------


def sentence(user: User, span: Period) -> str:
    figures = period(user, span)
    return say(figures)


def say(figures: Figures, today: date | None = None) -> str:
    if (get_language() or "").startswith("en"):
        return english(figures, today)
    return chinese(figures, today)


def chinese_period(p: Period, today: date | None = None) -> str:
    """1月份, 3至5月份, 2025年12月至2026年2月, 7月以来, 国庆假期期间, 2026年10月1日至10月8日; a year other than this
    one is named."""
    this_year = (today or timezone.localdate()).year

    def year(y: int) -> str:
        return "" if y == this_year else f"{y}年"

    if p.kind == "months":
        first, last = p.first_month, p.last_month
        if first.year != last.year:
            return f"{first.year}年{first.month}月至{last.year}年{last.month}月"
        if first == last:
            return f"{year(first.year)}{first.month}月份"
        return f"{year(first.year)}{first.month}至{last.month}月份"
    if p.kind == "since":
        return f"{year(p.start.year)}{p.start.month}月以来"
    if p.kind == "holiday":
        words = HOLIDAY_WORDS.get(p.holiday, (p.holiday.removesuffix("节"), ""))[0]
        return f"{year(p.start.year)}{words}假期期间"
    end = (
        f"{p.end.month}月{p.end.day}日" if p.end.year == p.start.year else f"{p.end.year}年{p.end.month}月{p.end.day}日"
    )
    if p.start == p.end:
        return f"{year(p.start.year)}{p.start.month}月{p.start.day}日"
    return f"{p.start.year}年{p.start.month}月{p.start.day}日至{end}"


def chinese(f: Figures, today: date | None = None) -> str:
    period_words = chinese_period(f.period, today)
    scope = f"{f.scope}监管行业领域" if f.department else f"{f.scope or '全市'}工矿商贸领域"
    if not f.accidents:
        first = f"{period_words}，{scope}未发生生产安全事故"
    elif f.deaths:
        first = f"{period_words}，{scope}发生生产安全事故{f.accidents}起、死亡{f.deaths}人"
    else:
        first = f"{period_words}，{scope}发生生产安全事故{f.accidents}起、未造成人员死亡"
    if not f.previous_accidents:
        if not f.accidents:
            return first + "，与去年同期持平。"
        return first + "，去年同期未发生生产安全事故。"
    more_accidents, more_deaths = f.change
    if not more_accidents and not more_deaths:
        return first + "，同比持平。"

    def change(n: int, unit: str, same: str) -> str:
        if n > 0:
            return f"增加{n}{unit}"
        return f"减少{-n}{unit}" if n < 0 else same

    return first + f"，同比{change(more_accidents, '起', '起数持平')}、{change(more_deaths, '人', '死亡人数持平')}。"


def english_period(p: Period, today: date | None = None) -> str:
    this_year = (today or timezone.localdate()).year
    names = calendar.month_name

    def month(d: date, always_year: bool = False) -> str:
        return f"{names[d.month]} {d.year}" if always_year or d.year != this_year else names[d.month]

    if p.kind == "months":
        first, last = p.first_month, p.last_month
        if first == last:
            return f"In {month(first)}"
        crossing = first.year != last.year
        return f"From {month(first, crossing)} to {month(last, crossing)}"
    if p.kind == "since":
        return f"Since {names[p.start.month]} 1{'' if p.start.year == this_year else f', {p.start.year}'}"
    if p.kind == "holiday":
        words = HOLIDAY_WORDS.get(p.holiday, ("", p.holiday))[1] or p.holiday
        return f"During the {words} holiday{'' if p.start.year == this_year else f' of {p.start.year}'}"
    if p.start == p.end:
        return f"On {p.start:%Y-%m-%d}"
    return f"From {p.start:%Y-%m-%d} to {p.end:%Y-%m-%d}"


def english(f: Figures, today: date | None = None) -> str:
    period_words = english_period(f.period, today)
    scope = f"the industries supervised by {f.scope}" if f.department else (f.scope or "the city")
    domain = "" if f.department else " industry, mining and commerce in"
    if not f.accidents:
        first = f"{period_words}, there was no production safety accident in{domain} {scope}"
    else:
        deaths = _plural(f.deaths, "death") if f.deaths else "no deaths"
        first = f"{period_words}, {scope} had {_plural(f.accidents, 'production safety accident')}, with {deaths}"
    if not f.previous_accidents:
        if not f.accidents:
            return first + ", as in the same period last year."
        return first + "; there was none in the same period last year."
    more_accidents, more_deaths = f.change
    if not more_accidents and not more_deaths:
        return first + ", the same as in the same period last year."

    def change(n: int, noun: str) -> str:
        if n > 0:
            return f"{_plural(n, noun)} more"
        return f"{_plural(-n, noun)} fewer" if n < 0 else f"the same number of {noun}s"

    return (
        first + f", {change(more_accidents, 'accident')} and {change(more_deaths, 'death')} "
        "than in the same period last year."
    )


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
