"""The day's check tasks on the working-day calendar: each control level's period starts on its first working day
and is due by its last; weekends and holidays make nothing; make-up working days count; a published holiday theme
adds daily tasks for its red and orange points; running a day twice makes nothing twice; what is not done in time
becomes missed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from risks import checks
from risks.models import CheckTask, RiskControl, RiskTheme
from workdays.models import SpecialDay

from .factories import make_point

pytestmark = pytest.mark.django_db

# National Day 2026 as the tests see it: 1–7 October off, Saturday 10 October worked (调休).
HOLIDAYS = [date(2026, 10, d) for d in range(1, 8)]
MAKE_UP = date(2026, 10, 10)


@pytest.fixture(autouse=True)
def calendar(db):
    SpecialDay.objects.filter(date__range=(date(2026, 9, 1), date(2026, 12, 31))).delete()
    SpecialDay.objects.bulk_create([SpecialDay(date=d, name="国庆节") for d in HOLIDAYS])
    SpecialDay.objects.create(date=MAKE_UP, is_working_day=True, name="国庆节调休上班")


@pytest.fixture
def levels(world):
    """One yellow point of e1 at each control level."""
    return {
        level: make_point(world.e1, "yellow", control_level=level) for level in ("post", "team", "workshop", "company")
    }


def tasks(**filters) -> dict[str, tuple]:
    return {t.control_level: (t.period_start, t.due_on, t.theme_id)
            for t in CheckTask.objects.filter(**filters)}  # fmt: skip


def test_the_first_working_day_after_the_holiday_starts_every_period(levels):
    """GIVEN a point at each level WHEN 8 October (Thursday, the first working day of the week, of October and of
    the fourth quarter) is generated THEN each gets a task due by its period's last working day: the week's is the
    make-up Saturday, the month's Friday 30 October, the quarter's Thursday 31 December."""
    assert checks.generate_tasks(date(2026, 10, 8)) == 4
    day = date(2026, 10, 8)
    assert tasks() == {
        "post": (day, day, None),
        "team": (day, MAKE_UP, None),
        "workshop": (day, date(2026, 10, 30), None),
        "company": (day, date(2026, 12, 31), None),
    }


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 10, 9), {"post"}),  # Friday: only the daily checks
        (MAKE_UP, {"post"}),  # the make-up Saturday is a working day, but not the week's first
        (date(2026, 10, 11), set()),  # Sunday
        (date(2026, 10, 3), set()),  # a holiday, no theme
        (date(2026, 10, 12), {"post", "team"}),  # Monday: a new week
        (date(2026, 11, 2), {"post", "team", "workshop"}),  # Monday 2 November: a new month too
    ],
)
def test_which_levels_start_on_which_day(levels, day, expected):
    """GIVEN a point at each level WHEN a day is generated THEN only the levels whose period starts that day get a
    task, and none on weekends and holidays."""
    checks.generate_tasks(day)
    assert set(tasks()) == expected
    assert all(start == day for start, _due, _theme in tasks().values())


def test_running_a_day_twice_makes_nothing_twice(levels):
    """GIVEN the day generated WHEN it runs again THEN nothing more is made."""
    assert checks.generate_tasks(date(2026, 10, 8)) == 4
    assert checks.generate_tasks(date(2026, 10, 8)) == 0
    assert CheckTask.objects.count() == 4


def test_points_out_of_use_without_controls_or_of_closed_enterprises_get_none(world):
    """GIVEN a point retired, one whose controls are all out of use, and one of a deregistered enterprise THEN
    none gets a task; a working point does."""
    retired = make_point(world.e1, "yellow", control_level="post")
    type(retired).objects.filter(pk=retired.pk).update(is_active=False)
    bare = make_point(world.e1, "yellow", control_level="post")
    RiskControl.objects.filter(point=bare).update(is_active=False)
    make_point(world.e2, "yellow", control_level="post")
    type(world.e2).objects.filter(pk=world.e2.pk).update(operating_state="deregistered")
    kept = make_point(world.e3, "yellow", control_level="post")
    checks.generate_tasks(date(2026, 10, 9))
    assert list(CheckTask.objects.values_list("point_id", flat=True)) == [kept.pk]


def theme(world, region, *industries, status="published", kind="holiday") -> RiskTheme:
    made = RiskTheme.objects.create(
        kind=kind, title="国庆假期风险", required_controls="值班值守", starts_on=date(2026, 9, 25),
        ends_on=date(2026, 10, 8), confirm_by=timezone.now(), region=region, region_path=region.path, status=status,
        created_by=world.users["city"],
    )  # fmt: skip
    made.industries.set(industries)
    return made


def test_a_holiday_theme_adds_daily_checks_of_its_red_and_orange_points_on_holidays(world):
    """GIVEN a published holiday theme of district 1 (e1, e4) for chemicals' sector, and points red, orange and
    yellow of e1, red of e2 (another district) WHEN a holiday in the theme is generated THEN e1's red and orange
    points get a task of that day, due that day, with the theme; the yellow one and e2's get none."""
    published = theme(world, world.d1, world.sector)
    red = make_point(world.e1, "red", control_level="team")
    orange = make_point(world.e1, "orange", control_level="company")
    make_point(world.e1, "yellow", control_level="post")
    make_point(world.e2, "red", control_level="post")
    day = date(2026, 10, 3)
    assert checks.generate_tasks(day) == 2
    assert {(t.point_id, t.period_start, t.due_on, t.theme_id) for t in CheckTask.objects.all()} == {
        (red.pk, day, day, published.pk),
        (orange.pk, day, day, published.pk),
    }


@pytest.mark.parametrize("in_sql", [True, False])
def test_a_holiday_theme_of_a_sector_covers_its_industries_at_every_depth(world, in_sql):
    """GIVEN chemicals moved under a sub-sector of the theme's sector (sector > sub-sector > chemicals) and a
    published holiday theme naming the top sector WHEN a holiday is generated, in SQL and through the ORM THEN e1's
    red point (chemicals, two levels down) gets its daily task (the same cover as `themes.holiday_theme_on`)."""
    from tests.factories import IndustryFactory

    middle = IndustryFactory(parent=world.sector)
    world.chem.parent = middle
    world.chem.save(update_fields=["parent"])
    published = theme(world, world.d1, world.sector)
    red = make_point(world.e1, "red", control_level="team")
    assert checks.generate_tasks(date(2026, 10, 3), in_sql=in_sql) == 1
    assert CheckTask.objects.get().point_id == red.pk
    assert CheckTask.objects.get().theme_id == published.pk


def test_a_draft_or_another_kind_of_theme_or_other_industries_add_nothing(world):
    """GIVEN a draft holiday theme, a published seasonal one, and a published holiday one for construction only
    WHEN a holiday is generated THEN e1's red point (chemicals) gets nothing."""
    theme(world, world.city, status="draft")
    theme(world, world.city, kind="seasonal")
    theme(world, world.city, world.build)
    make_point(world.e1, "red", control_level="team")
    assert checks.generate_tasks(date(2026, 10, 3)) == 0


def test_on_a_working_day_of_the_theme_daily_checks_add_to_longer_periods_only(world):
    """GIVEN a published holiday theme of the city and red points at post and team level WHEN Tuesday 29 September
    (a working day in the theme, not the week's first) is generated THEN the post point gets its own daily task
    (no theme) and the team point a daily one with the theme; on Monday 28 September the team point keeps its
    week's task."""
    published = theme(world, world.city)
    post = make_point(world.e1, "red", control_level="post")
    team = make_point(world.e1, "red", control_level="team")
    checks.generate_tasks(date(2026, 9, 29))
    assert {(t.point_id, t.due_on, t.theme_id) for t in CheckTask.objects.all()} == {
        (post.pk, date(2026, 9, 29), None),
        (team.pk, date(2026, 9, 29), published.pk),
    }
    checks.generate_tasks(date(2026, 9, 28))
    assert CheckTask.objects.get(point=team, period_start=date(2026, 9, 28)).due_on == date(2026, 9, 30)


def test_a_check_not_done_is_overdue_the_next_working_day_and_missed_after_it(world):
    """GIVEN a week's task due on the make-up Saturday 10 October WHEN the daily run goes on Sunday and Monday THEN
    it stays open (overdue); on Tuesday it is missed, and a done one is left alone."""
    point = make_point(world.e1, "yellow", control_level="team")
    checks.generate_tasks(date(2026, 10, 8))
    done = make_point(world.e1, "yellow", control_level="team")
    checks.generate_tasks(date(2026, 10, 8))
    CheckTask.objects.filter(point=done).update(status="done")
    for day in (date(2026, 10, 11), date(2026, 10, 12)):
        checks.run_day(day)
        assert CheckTask.objects.get(point=point, period_start=date(2026, 10, 8)).status == "open"
    assert checks.run_day(date(2026, 10, 13))["missed"] == 1
    assert CheckTask.objects.get(point=point, period_start=date(2026, 10, 8)).status == "missed"
    assert CheckTask.objects.get(point=done, period_start=date(2026, 10, 8)).status == "done"


def test_the_daily_run_makes_the_day_once(world):
    """GIVEN a post point WHEN beat's daily run runs twice on a working day THEN the day's task is made once and the
    second run is one query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_point(world.e1, "yellow", control_level="post")
    now = timezone.make_aware(timezone.datetime(2026, 10, 9, 0, 5))
    checks.run_once_a_day(now)
    assert CheckTask.objects.filter(period_start=date(2026, 10, 9)).count() == 1
    with CaptureQueriesContext(connection) as queries:
        checks.run_once_a_day(now + timedelta(minutes=1))
    assert len(queries) == 1


def test_the_daily_run_is_its_own_beat_entry_not_part_of_the_escalation_sweep(settings):
    """GIVEN the beat schedule THEN `risk-checks` runs the registered task, and the escalation sweep's sweepers do not
    include the day's generation (a million points must not hold up an escalation)."""
    from notifications import sweeps
    from safety_platform.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["risk-checks"]
    app.loader.import_default_modules()  # what a worker does at start: the apps' tasks modules, autodiscovered
    assert entry["task"] in app.tasks and app.tasks[entry["task"]].name == "risks.tasks.daily_checks"
    assert not any(getattr(f, "__module__", "").startswith("risks.") for f in sweeps._sweepers)


def test_the_orm_path_of_the_embedded_mode_makes_the_same_tasks(levels, world):
    """GIVEN a point at each level and a red one under a published holiday theme WHEN 8 October and 3 October are
    made by the SQL path (PostgreSQL) and, afresh, by the ORM path the embedded mode's SQLite takes THEN both make
    the same tasks, and the ORM path run again makes none."""
    from organizations.models import Region

    red = make_point(world.e1, "red", control_level="team")
    city = Region.objects.get(parent=None)
    RiskTheme.objects.create(
        kind="holiday",
        title="国庆假期风险",
        required_controls="值守",
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 10, 7),
        confirm_by=timezone.now(),
        region=city,
        region_path=city.path,
        status="published",
        created_by=world.users["city"],
    )

    def made() -> set[tuple]:
        return set(CheckTask.objects.values_list("point_id", "period_start", "due_on", "theme_id", "control_level"))

    days = (date(2026, 10, 8), date(2026, 10, 3))
    for day in days:
        checks.generate_tasks(day)
    by_sql = made()
    assert {row[0] for row in by_sql} == {p.pk for p in levels.values()} | {red.pk}
    CheckTask.objects.all().delete()

    assert sum(checks.generate_tasks(day, in_sql=False) for day in days) == len(by_sql)
    assert made() == by_sql
    assert sum(checks.generate_tasks(day, in_sql=False) for day in days) == 0
