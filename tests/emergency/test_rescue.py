"""The rescue-team workflow (emergency/rescue.py): the current level from overlapping periods at their boundaries,
bulk raising in a few statements, the next holiday from the calendar, pre-positioning without overlap, and who may
do what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from emergency import rescue
from emergency.models import Prepositioning, ReadinessPeriod, RescueTeam
from safety_platform.lib.errors import Conflict
from workdays.models import SpecialDay

from .rescue_fixtures import *  # noqa: F403  (the fixture)
from .rescue_fixtures import local, soon, team

pytestmark = pytest.mark.django_db

S = timedelta(seconds=1)


def deployment(world, hours_from: float, hours_until: float, **more) -> rescue.Deployment:
    values = {"place": "会展中心", "region": world.t1, "headcount": 5, "starts_at": soon(hours_from),
              "ends_at": soon(hours_until), "reason": "展会"} | more  # fmt: skip
    return rescue.Deployment(**values)


# --- the current level ---------------------------------------------------------------------------------------------


def test_the_current_level_is_the_highest_of_the_periods_covering_now_at_their_boundaries(rescue_world):
    """GIVEN raised from +1 h to +5 h and highest from +2 h to +3 h WHEN the level is asked at each boundary THEN
    a period covers its start and not its end: normal, raised, highest, raised, normal."""
    w, city = rescue_world, rescue_world.users["city"]
    base = timezone.now().replace(microsecond=0) + timedelta(hours=1)
    rescue.raise_readiness(city, w.team_d1, "raised", base, base + timedelta(hours=4), "国庆节")
    rescue.raise_readiness(city, w.team_d1, "highest", base + timedelta(hours=1), base + timedelta(hours=2), "红色预警")
    expected = [
        (base - S, "normal"), (base, "raised"), (base + timedelta(hours=1) - S, "raised"),
        (base + timedelta(hours=1), "highest"), (base + timedelta(hours=2) - S, "highest"),
        (base + timedelta(hours=2), "raised"), (base + timedelta(hours=4) - S, "raised"),
        (base + timedelta(hours=4), "normal"),
    ]  # fmt: skip
    for moment, level in expected:
        assert rescue.level_of(w.team_d1, moment) == level, moment
        annotated = rescue.with_level(RescueTeam.objects.filter(pk=w.team_d1.pk), moment).get()
        assert annotated.current_level == level, moment
    assert rescue.level_of(w.team_d2, base + timedelta(hours=1)) == "normal"


def test_ending_a_period_early_lowers_the_level_at_once_and_only_once(rescue_world):
    """GIVEN a highest period running now WHEN it is ended early THEN the team stands at normal, the end is audited,
    and ending it again is a conflict."""
    city = rescue_world.users["city"]
    period = rescue.raise_readiness(city, rescue_world.team_d1, "highest", None, soon(5), "红色暴雨预警")
    assert rescue.level_of(rescue_world.team_d1) == "highest"
    rescue.end_period(city, period.pk)
    assert rescue.level_of(rescue_world.team_d1) == "normal"
    assert AuditEvent.objects.filter(action="rescue.end_period", object_id=str(period.pk)).count() == 1
    with pytest.raises(Conflict):
        rescue.end_period(city, period.pk)


# --- raising in bulk -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_a_bulk_raise_writes_one_period_per_team_in_a_few_statements(rescue_world, count, django_assert_num_queries):
    """GIVEN `count` more teams in 海滨区 WHEN the city office raises all teams of the city for 元旦 THEN each active
    team gets one period and one audit record, in the same number of statements whatever the count."""
    w, city = rescue_world, rescue_world.users["city"]
    for n in range(count):
        team(f"队{n}", w.t1, w.d1_yjj, "flood")
    RescueTeam.objects.filter(pk=w.team_d2.pk).update(active=False)
    ContentType.objects.get_for_model(ReadinessPeriod)  # cached once per process
    with django_assert_num_queries(5):  # savepoint, the teams locked, the periods, their audit records, release
        periods = rescue.raise_in_bulk(city, w.city, [], "raised", soon(1), soon(50), "元旦")
    teams = count + 2  # the two active teams of the fixture
    assert len(periods) == teams
    assert ReadinessPeriod.objects.filter(reason="元旦").count() == teams
    assert not ReadinessPeriod.objects.filter(team=w.team_d2).exists(), "an inactive team is not raised"
    assert AuditEvent.objects.filter(action="rescue.raise").count() == teams


def test_a_territory_raises_its_subtree_by_kind_and_nothing_beyond(rescue_world):
    """GIVEN 海滨区's government WHEN it raises its hazchem teams THEN only those are raised; raising the city's or
    新城区's is refused (403), as is a department raising in bulk."""
    w = rescue_world
    team("海滨防汛队", w.d1, None, "flood")
    periods = rescue.raise_in_bulk(w.users["district"], w.d1, ["hazchem"], "highest", None, soon(3), "危化品专项")
    assert [p.team_id for p in periods] == [w.team_d1.pk]
    for region in (w.city, w.d2):
        with pytest.raises(PermissionDenied):
            rescue.raise_in_bulk(w.users["district"], region, [], "raised", None, soon(3), "国庆节")
    with pytest.raises(PermissionDenied):
        rescue.raise_in_bulk(w.users["county_dept"], w.d1, [], "raised", None, soon(3), "国庆节")


@pytest.mark.parametrize(
    ("starts", "ends", "level", "reason", "field"),
    [
        (2, 1, "raised", "国庆节", "ends_at"),  # the end before the start
        (-3, -1, "raised", "国庆节", "ends_at"),  # over already
        (0, 24 * 200, "raised", "国庆节", "ends_at"),  # longer than MAX_PERIOD
        (0, 1, "normal", "国庆节", "level"),  # normal is no raise
        (0, 1, "raised", "  ", "reason"),
    ],
)
def test_a_bad_period_is_refused_naming_its_field(rescue_world, starts, ends, level, reason, field):
    with pytest.raises(ValidationError) as refused:
        rescue.raise_readiness(
            rescue_world.users["city"], rescue_world.team_d1, level, soon(starts), soon(ends), reason
        )
    assert field in refused.value.message_dict
    assert not ReadinessPeriod.objects.exists()


def test_the_next_holiday_comes_from_the_calendar_eve_18_00_to_24_00_of_its_last_day(rescue_world):
    """GIVEN 元旦 2027-01-01..03 in the calendar WHEN asked on 2026-12-20 THEN the period is 2026-12-31 18:00 to
    2027-01-04 00:00 (Beijing), named 元旦; the raise for it writes that period."""
    SpecialDay.objects.all().delete()
    for day in (1, 2, 3):
        SpecialDay.objects.create(date=date(2027, 1, day), name="元旦")
    SpecialDay.objects.create(date=date(2027, 1, 4), name="补班", is_working_day=True)
    holiday = rescue.next_holiday(local(2026, 12, 20, 9))
    assert (holiday.name, holiday.starts_at, holiday.ends_at) == ("元旦", local(2026, 12, 31, 18), local(2027, 1, 4))
    assert rescue.next_holiday(local(2027, 1, 2, 12)).first_day == date(2027, 1, 1), "running now counts"
    assert rescue.next_holiday(local(2027, 1, 5)) is None
    if timezone.now() < holiday.ends_at:  # the raise takes the calendar's next holiday as of now
        periods = rescue.raise_for_next_holiday(rescue_world.users["city"], rescue_world.city)
        assert {(p.starts_at, p.ends_at, p.reason) for p in periods} == {(holiday.starts_at, holiday.ends_at, "元旦")}


def test_without_a_holiday_ahead_the_holiday_raise_is_a_conflict(rescue_world):
    SpecialDay.objects.all().delete()
    with pytest.raises(Conflict):
        rescue.raise_for_next_holiday(rescue_world.users["city"], rescue_world.city)


# --- pre-positioned forces -----------------------------------------------------------------------------------------


def test_a_team_stands_in_one_place_at_a_time(rescue_world):
    """GIVEN forces of a team standing from +1 h to +5 h WHEN a second pre-positioning overlaps THEN 409; one that
    starts when the first ends is taken; after withdrawing a future one its time is free again."""
    w, officer = rescue_world, rescue_world.users["county_dept"]
    first = rescue.preposition(officer, w.team_d1, deployment(w, 1, 5))
    for starts, ends in ((2, 3), (0.5, 1.5), (4.9, 8), (0, 10)):
        with pytest.raises(Conflict) as refused:
            rescue.preposition(officer, w.team_d1, deployment(w, starts, ends, place="火车站"))
        assert "会展中心" in str(refused.value)
    rescue.preposition(officer, w.team_d1, deployment(w, 5, 6, place="火车站", starts_at=first.ends_at))
    rescue.withdraw(officer, first.pk)
    rescue.preposition(officer, w.team_d1, deployment(w, 2, 3, place="体育馆"))
    assert Prepositioning.objects.filter(team=w.team_d1).count() == 3
    with pytest.raises(Conflict):
        rescue.withdraw(officer, first.pk)


def test_pre_positioned_headcount_is_within_the_team(rescue_world):
    w = rescue_world
    for headcount in (0, 21):
        with pytest.raises(ValidationError) as refused:
            rescue.preposition(w.users["city"], w.team_d1, deployment(w, 0, 2, headcount=headcount))
        assert "headcount" in refused.value.message_dict


# --- who ---------------------------------------------------------------------------------------------------------


def test_the_owning_unit_and_the_city_office_act_others_are_refused(rescue_world):
    """GIVEN 海滨区应急局's team WHEN each role raises it THEN its staff and the city office may; 海滨区's
    government sees it but does not own it (403); 市应急局 and the others do not see it (404)."""
    w = rescue_world
    for role in ("county_dept", "city"):
        rescue.raise_readiness(w.users[role], w.team_d1, "raised", None, soon(2), "国庆节")
    with pytest.raises(PermissionDenied):
        rescue.raise_readiness(w.users["district"], w.team_d1, "raised", None, soon(2), "国庆节")
    for role in ("inspector", "dept_head", "enterprise", "outsider"):
        with pytest.raises(Http404):
            rescue.raise_readiness(w.users[role], w.team_d1, "raised", None, soon(2), "国庆节")
    # the government owns its own team
    rescue.raise_readiness(w.users["district"], team("海滨区森林消防队", w.d1, None, "forest_fire"), "raised", None,
                           soon(2), "森林防火期")  # fmt: skip
    assert rescue.can(w.users["county_dept"], w.team_d1) == {"edit", "raise", "preposition"}
    assert rescue.can(w.users["district"], w.team_d1) == set()


def test_registering_a_team_keeps_it_with_its_owner_and_checks_its_particulars(rescue_world):
    w = rescue_world
    data = rescue.TeamData(name="海滨应急救援队", kind="other", region=w.t1, base_address="海滨路2号",
                           duty_phone="0571-8888 1234", headcount=12, department=w.yjj)  # fmt: skip
    made = rescue.register_team(w.users["county_dept"], data)
    assert made.department == w.d1_yjj, "a department registers its own team whatever it names"
    assert AuditEvent.objects.filter(action="rescue.register", object_id=str(made.pk)).exists()
    for changes, field in (
        ({"name": "海滨应急救援队"}, "name"),
        ({"name": "x", "region": w.t2}, "region"),
        ({"name": "y", "duty_phone": "call me"}, "duty_phone"),
    ):
        with pytest.raises(ValidationError) as refused:
            rescue.register_team(w.users["county_dept"], rescue.TeamData(**(vars(data) | changes)))
        assert field in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        rescue.register_team(w.users["enterprise"], data)
    edited = rescue.edit_team(w.users["county_dept"], made.pk, {"headcount": 15, "name": made.name})
    assert edited.headcount == 15
    assert AuditEvent.objects.get(action="rescue.edit").changes == {"headcount": [12, 15]}
    rescue.edit_team(w.users["county_dept"], made.pk, {"headcount": 15})
    assert AuditEvent.objects.filter(action="rescue.edit").count() == 1, "a change that changes nothing writes nothing"
