"""Working days follow China's official calendar (seeded 2004–2026), and the calendar is data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from workdays.calendar import (
    SpecialDays,
    add_working_days,
    check_year,
    deadline_after_working_days,
    is_working_day,
    missing_years,
    working_days_between,
)
from workdays.models import CalendarYear, SpecialDay

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_seed_matches_the_package_every_day_2024_to_2026():
    cache = SpecialDays(date(2024, 1, 1), date(2026, 12, 31))
    day = date(2024, 1, 1)
    while day.year <= 2026:
        assert cache.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)
    assert missing_years(range(2004, 2027)) == []
    assert SpecialDay.objects.get(date=date(2024, 10, 1)).name == "国庆节"
    assert SpecialDay.objects.get(date=date(2024, 9, 29)).is_working_day


def test_weekend_make_up_day_counts_and_weekday_holiday_does_not():
    assert is_working_day(date(2024, 9, 29))  # Sunday, worked for National Day
    assert is_working_day(date(2024, 10, 12))  # Saturday, worked for National Day
    assert not is_working_day(date(2024, 10, 1))  # Tuesday, National Day
    assert not is_working_day(date(2024, 10, 5))  # Saturday inside the holiday
    assert is_working_day(date(2024, 10, 8))  # Tuesday, back at work
    assert not is_working_day(date(2024, 10, 13))  # an ordinary Sunday


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # 2024 National Day: 10-01..07 off; Sunday 09-29 and Saturday 10-12 worked.
        (date(2024, 9, 27), 1, date(2024, 9, 29)),
        (date(2024, 9, 30), 1, date(2024, 10, 8)),
        (date(2024, 9, 27), 2, date(2024, 9, 30)),
        (date(2024, 10, 11), 1, date(2024, 10, 12)),
        (date(2024, 10, 1), 0, date(2024, 10, 8)),
        (date(2024, 9, 29), 0, date(2024, 9, 29)),
        # 2025 Spring Festival: 01-28..02-04 off; Sunday 01-26 and Saturday 02-08 worked.
        (date(2025, 1, 24), 1, date(2025, 1, 26)),
        (date(2025, 1, 27), 1, date(2025, 2, 5)),
        (date(2025, 2, 7), 1, date(2025, 2, 8)),
        # 2026 Mid-autumn (09-25..27) and National Day (10-01..07); Sunday 09-20 and Saturday 10-10 worked.
        (date(2026, 9, 18), 1, date(2026, 9, 20)),
        (date(2026, 9, 24), 1, date(2026, 9, 28)),
        (date(2026, 9, 30), 1, date(2026, 10, 8)),
        (date(2026, 10, 9), 1, date(2026, 10, 10)),
    ],
)
def test_add_working_days_on_the_official_calendar(start, n, expected):
    assert add_working_days(start, n) == expected
    # The expectations above are the package's own answer, not a guess.
    package_days = chinese_calendar.get_workdays(start + timedelta(days=1 if n else 0), start + timedelta(days=60))
    assert package_days[n - 1 if n else 0] == expected


def test_aware_datetimes_count_in_beijing_time():
    # 17:30 UTC on Saturday 09-28 is 01:30 on Sunday 09-29 in Beijing: a make-up working day.
    start = datetime(2024, 9, 28, 17, 30, tzinfo=UTC)
    assert add_working_days(start, 0) == date(2024, 9, 29)
    assert add_working_days(start, 1) == date(2024, 9, 30)


def test_deadline_is_the_end_of_the_day_in_shanghai():
    deadline = deadline_after_working_days(datetime(2024, 9, 30, 9, 0, tzinfo=SHANGHAI), 1)
    assert deadline.tzinfo is not None and deadline.utcoffset() == timedelta(hours=8)
    assert deadline == datetime(2024, 10, 8, 23, 59, 59, tzinfo=SHANGHAI)
    assert deadline.astimezone(UTC) == datetime(2024, 10, 8, 15, 59, 59, tzinfo=UTC)


def test_working_days_between_across_a_holiday():
    assert working_days_between(date(2024, 9, 30), date(2024, 10, 8)) == 1
    # 09-29 (make-up Sunday), 09-30, 10-08..11, 10-12 (make-up Saturday).
    assert working_days_between(date(2024, 9, 27), date(2024, 10, 12)) == 7
    assert working_days_between(date(2024, 10, 8), date(2024, 9, 30)) == -1
    assert working_days_between(date(2024, 10, 8), date(2024, 10, 8)) == 0


def test_a_year_without_data_falls_back_to_weekends_and_warns():
    assert missing_years([2031, 2026]) == [2031]
    assert check_year(date(2026, 5, 6)) is None
    with translation.override("en"):
        assert check_year(date(2031, 10, 1)) == (
            "The official calendar for 2031 is not entered yet; weekends only are used."
        )
    # Tuesday 2031-09-30 + 1 is Wednesday 10-01: nobody has entered National Day 2031.
    assert add_working_days(date(2031, 9, 30), 1) == date(2031, 10, 1)
    assert add_working_days(date(2031, 10, 3), 1) == date(2031, 10, 6)  # Friday to Monday


def test_the_calendar_is_data():
    SpecialDay.objects.create(date=date(2031, 10, 1), is_working_day=False, name="国庆节")
    SpecialDay.objects.create(date=date(2031, 10, 4), is_working_day=True, name="国庆节调休上班")
    assert add_working_days(date(2031, 9, 30), 1) == date(2031, 10, 2)
    assert add_working_days(date(2031, 10, 3), 1) == date(2031, 10, 4)
    CalendarYear.objects.create(year=2031, complete=True)
    assert missing_years([2031]) == []
    assert check_year(date(2031, 10, 1)) is None


def test_an_incomplete_year_is_still_missing():
    CalendarYear.objects.create(year=2027, complete=False, note="announcement expected in November")
    assert missing_years([2027]) == [2027]


def test_a_make_up_working_day_must_be_a_weekend():
    with pytest.raises(ValidationError):
        SpecialDay(date=date(2031, 10, 8), is_working_day=True, name="调休上班").full_clean()
    SpecialDay(date=date(2031, 10, 11), is_working_day=True, name="调休上班").full_clean()


def test_sixty_working_days_cost_at_most_two_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        # Across National Day (to 2024-11-28): the first window query suffices.
        assert (
            add_working_days(date(2024, 9, 1), 60)
            == chinese_calendar.get_workdays(date(2024, 9, 2), date(2024, 12, 31))[59]
        )


def test_a_shared_cache_spares_the_queries(django_assert_num_queries):
    cache = SpecialDays(date(2024, 1, 1), date(2024, 12, 31))
    with django_assert_num_queries(0):
        assert add_working_days(date(2024, 9, 27), 1, cache) == date(2024, 9, 29)
        assert working_days_between(date(2024, 9, 30), date(2024, 10, 8), cache) == 1
        assert is_working_day(date(2024, 10, 12), cache)


def test_n_must_not_be_negative():
    with pytest.raises(ValueError):
        add_working_days(date(2024, 1, 2), -1)


def test_a_long_run_extends_the_window_and_stays_right(django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert (
            add_working_days(date(2024, 1, 2), 400)
            == chinese_calendar.get_workdays(date(2024, 1, 3), date(2026, 12, 31))[399]
        )


def test_the_city_office_edits_the_calendar_in_the_admin(admin_client):
    for url in ("/admin/workdays/specialday/", "/admin/workdays/calendaryear/", "/admin/workdays/specialday/add/"):
        assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        "/admin/workdays/specialday/add/", {"date": "2031-10-01", "is_working_day": "", "name": "国庆节"}
    )
    assert response.status_code == 302
    assert not is_working_day(date(2031, 10, 1))


def test_operations_page_warns_when_a_year_is_missing(client, world):
    """GIVEN no official calendar for next year WHEN the city office opens operations THEN it is warned."""
    from django.utils import timezone

    from workdays.models import CalendarYear

    year = timezone.localdate().year
    CalendarYear.objects.update_or_create(year=year, defaults={"complete": True})
    CalendarYear.objects.filter(year=year + 1).delete()
    client.force_login(world.users["city"])
    text = client.get("/operations/").content.decode()
    assert f"{year + 1}" in text and "工作日" in text and 'role="alert"' in text
    CalendarYear.objects.create(year=year + 1, complete=True)
    assert 'role="alert"' not in client.get("/operations/").content.decode()
    client.force_login(world.users["district"])
    assert client.get("/operations/").status_code == 403
