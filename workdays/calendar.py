"""Working-day arithmetic on China's official calendar.

A SpecialDay row decides a day (holiday, or weekend make-up working day); any other day is a working day
from Monday to Friday. A year nobody has entered therefore falls back to weekends only; `check_year`
says so. Every function takes an optional `SpecialDays` cache, so a sweep over many deadlines can share
one; without it each call loads the range it needs with one query, never one per day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CalendarYear, SpecialDay

# Deadlines follow Beijing time whatever timezone a request has activated.
SHANGHAI = ZoneInfo("Asia/Shanghai")
ONE_DAY = timedelta(days=1)
# When a computation runs past the loaded range, fetch this much more rather than a day at a time.
EXTEND = timedelta(days=60)
END_OF_DAY = time(23, 59, 59)


class SpecialDays:
    """The special days of a date range, loaded with one query and extended when a computation runs past it."""

    def __init__(self, start: date | None = None, end: date | None = None) -> None:
        self.working: dict[date, bool] = {}
        self.start: date | None = None
        self.end: date | None = None
        if start is not None and end is not None:
            self.load(start, end)

    def load(self, start: date, end: date) -> None:
        """Make sure [start, end] is loaded, fetching only the part that is not."""
        if self.start is None or self.end is None:
            self._fetch(start, end)
            self.start, self.end = start, end
            return
        if start < self.start:
            self._fetch(start, self.start - ONE_DAY)
            self.start = start
        if end > self.end:
            self._fetch(self.end + ONE_DAY, end)
            self.end = end

    def _fetch(self, start: date, end: date) -> None:
        rows = SpecialDay.objects.filter(date__range=(start, end)).order_by().values_list("date", "is_working_day")
        self.working.update(rows)

    def is_working_day(self, day: date) -> bool:
        if self.start is None or self.end is None:
            # Both ways: a deadline is counted forwards, a reminder before it backwards; a window that started at the
            # first day asked would be fetched again for the day before it.
            self.load(day - EXTEND, day + EXTEND)
        elif day > self.end:
            self.load(self.start, day + EXTEND)
        elif day < self.start:
            self.load(day - EXTEND, self.end)
        return self.working.get(day, day.weekday() < 5)

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day


def local_date(value: datetime | date) -> date:
    """The calendar day of `value` in Beijing; a naive datetime is taken as Beijing wall time."""
    if isinstance(value, datetime):
        return timezone.localtime(value, SHANGHAI).date() if timezone.is_aware(value) else value.date()
    return value


def is_working_day(day: datetime | date, cache: SpecialDays | None = None) -> bool:
    day = local_date(day)
    return (cache or SpecialDays(day, day)).is_working_day(day)


def add_working_days(start: datetime | date, n: int, cache: SpecialDays | None = None) -> date:
    """The n-th working day after start's date; for n == 0, start's date or the next working day."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day = local_date(start)
    # Twice n calendar days plus a month covers a Spring Festival week: one query in practice.
    cache = cache or SpecialDays(day, day + timedelta(days=2 * n + 30))
    if n == 0:
        return cache.next_working_day(day)
    for _step in range(n):
        day = cache.next_working_day(day + ONE_DAY)
    return day


def subtract_working_days(start: datetime | date, n: int, cache: SpecialDays | None = None) -> date:
    """The n-th working day before start's date (n >= 1), e.g. for reminders before a deadline."""
    if n < 1:
        raise ValueError("n must be >= 1")
    day = local_date(start)
    cache = cache or SpecialDays(day - timedelta(days=2 * n + 30), day)
    for _step in range(n):
        day -= ONE_DAY
        while not cache.is_working_day(day):
            day -= ONE_DAY
    return day


def working_days_between(a: datetime | date, b: datetime | date, cache: SpecialDays | None = None) -> int:
    """Working days in (a, b]; negative when b is before a (e.g. working days overdue)."""
    a, b = local_date(a), local_date(b)
    if b < a:
        return -working_days_between(b, a, cache)
    cache = cache or SpecialDays(a, b)
    return sum(cache.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))


def deadline_after_working_days(start: datetime | date, n: int, cache: SpecialDays | None = None) -> datetime:
    """The end (23:59:59 Beijing time) of the n-th working day after start, as an aware datetime."""
    return datetime.combine(add_working_days(start, n, cache), END_OF_DAY, tzinfo=SHANGHAI)


def deadline_from(deadline: datetime | None, working_days: int | None, now: datetime | None = None) -> datetime | None:
    """A deadline given as a moment or as N working days from `now` (default: now), as an aware datetime (None if
    neither); both at once is a ValidationError (no field named: the caller says which)."""
    if deadline and working_days:
        raise ValidationError(_("Give a deadline or a number of working days, not both."))
    if working_days:
        return deadline_after_working_days(now or timezone.now(), working_days)
    return timezone.make_aware(deadline) if deadline and timezone.is_naive(deadline) else deadline


def missing_years(years: Iterable[int]) -> list[int]:
    """Those of `years` whose official calendar is not marked complete, in order."""
    wanted = set(years)
    complete = set(CalendarYear.objects.filter(year__in=wanted, complete=True).values_list("year", flat=True))
    return sorted(wanted - complete)


def check_year(day: datetime | date) -> str | None:
    """A warning to show with a deadline that falls in a year without official data, else None."""
    year = local_date(day).year
    if missing_years([year]):
        return _("The official calendar for %(year)d is not entered yet; weekends only are used.") % {"year": year}
    return None
