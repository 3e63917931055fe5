"""A figures page's period, read from its query once for every app: a span of days (`<first>` to `<last>`, both
inclusive, either may be left out) or else a `year` (this year by default), years 2000 to 2100. Used by the illegal
operations' figures (found_from / found_to) and the tip-offs' (received_from / received_to)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def _day(params, name: str, errors: dict) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        value = None
    if value is None or not FIRST_DAY <= value <= LAST_DAY:
        errors[name] = _("Enter a date as YYYY-MM-DD between 2000 and 2100.")
    return value


def period_of(params, first: str, last: str, today: date | None = None) -> tuple[dict, date, date]:
    """The query parameters that say the period again, its first and its last day. Raises ValidationError naming
    the parameter."""
    today = today or timezone.localdate()
    errors: dict = {}
    start, end = _day(params, first, errors), _day(params, last, errors)
    if errors:
        raise ValidationError(errors)
    if start or end:
        start, end = start or FIRST_DAY, end or today
        if end < start:
            raise ValidationError({last: _("The last day is before the first.")})
        return {first: start.isoformat(), last: end.isoformat()}, start, end
    raw = (params.get("year") or "").strip()
    year = today.year
    if raw:
        year = int(raw) if raw.isascii() and raw.isdigit() and len(raw) == 4 else 0
        if not FIRST_DAY.year <= year <= LAST_DAY.year:
            raise ValidationError({"year": _("Enter a year from 2000 to 2100.")})
    return {"year": str(year)}, date(year, 1, 1), date(year, 12, 31)


def span(start: date, end: date) -> tuple[datetime, datetime]:
    """The local days as moments: from the first day's midnight to the midnight after the last."""
    first = timezone.make_aware(datetime.combine(start, time.min))
    return first, timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
