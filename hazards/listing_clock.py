"""The clocks of listed supervision (挂牌督办), on China's official calendar (docs/hazards.md, "Listed supervision").

A clock of N working days started at a moment runs out at the end (23:59:59 Beijing time) of the N-th working day
after that moment's date, as every deadline in working days does (`workdays.calendar.deadline_after_working_days`):

- listing: `LISTING_FILE_WORKING_DAYS` (3) from the hazard's confirmation as major (or its reopening);
- the rectification order published: `LISTING_ORDER_WORKING_DAYS` (5) from the same moment;
- an extension decided: `EXTENSION_DECIDE_WORKING_DAYS` (10) from its asking.

An extension is asked at the latest on the day `EXTENSION_ASK_WORKING_DAYS` (20) working days before the day of the
listing's deadline; a listing's deadline lies at most `LISTING_MAX_DAYS` (365) days after the day it was listed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings

from workdays.calendar import (
    ONE_DAY,
    SHANGHAI,
    SpecialDays,
    deadline_after_working_days,
    local_date,
    subtract_working_days,
)


def listing_due(confirmed_at: datetime, cache: SpecialDays | None = None) -> datetime:
    return deadline_after_working_days(confirmed_at, settings.LISTING_FILE_WORKING_DAYS, cache)


def order_due(confirmed_at: datetime, cache: SpecialDays | None = None) -> datetime:
    return deadline_after_working_days(confirmed_at, settings.LISTING_ORDER_WORKING_DAYS, cache)


def decision_due(asked_at: datetime, cache: SpecialDays | None = None) -> datetime:
    return deadline_after_working_days(asked_at, settings.EXTENSION_DECIDE_WORKING_DAYS, cache)


def last_ask_day(deadline: datetime, cache: SpecialDays | None = None) -> date:
    """The last day on which an extension of a listing ending at `deadline` may be asked."""
    return subtract_working_days(deadline, settings.EXTENSION_ASK_WORKING_DAYS, cache)


def latest_deadline_day(listed_at: datetime) -> date:
    """The last day a listing's deadline may fall on, however often it is extended."""
    return local_date(listed_at) + timedelta(days=settings.LISTING_MAX_DAYS)


def started_before(now: datetime, working_days: int, cache: SpecialDays | None = None) -> datetime:
    """The moment before which a clock of `working_days` started has run out at `now`, so a sweep asks the database
    one comparison (`started_at < this`). The clock is monotonic in its start's date: walk back from today to the
    last day whose clock has run out (a few days, a holiday week at most)."""
    cache = cache or SpecialDays()
    day = local_date(now)
    while deadline_after_working_days(day, working_days, cache) >= now:
        day -= ONE_DAY
    return datetime.combine(day + ONE_DAY, time.min, tzinfo=SHANGHAI)
