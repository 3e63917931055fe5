"""Rotas on the official calendar (National Day 2024 with its make-up days), check-in, missed check-in, iCalendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from duty_roster import rota
from duty_roster.models import DutyCheckIn, DutyShift
from notifications.models import Notification
from organizations.choices import PositionKind, UnitKind
from organizations.models import PositionAssignment

from ..conftest import reseed
from ..factories import PositionFactory, UserFactory, plan_ahead

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def team(world, settings):
    reseed()  # the official calendar
    settings.DUTY_MIN_OFFICERS = {**settings.DUTY_MIN_OFFICERS, "government": 1}
    leader_post = world.users["district"].assignments.get().position
    post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1,
                           title="海滨区值班室", superior=leader_post)  # fmt: skip
    people = {n: UserFactory(username=n, unit_kind=UnitKind.GOVERNMENT, region=world.d1)
              for n in ("L1", "L2", "O1", "O2", "O3", "O4")}  # fmt: skip
    PositionAssignment.objects.update(started_at=datetime(2020, 1, 1, tzinfo=SHANGHAI))
    return world, post, people


def officers_by_day(post, start, end):
    shifts = DutyShift.objects.filter(post=post, date__range=(start, end)).prefetch_related("officers")
    return {s.date: (s.leader.username, [o.username for o in s.officers.all()]) for s in shifts}


def test_several_officers_a_day_take_turns_through_the_whole_list(team):
    """Three of four a day, Monday to Thursday: everyone is off one day in four (picking from the list without the
    day's team used to restart at its head, so O1 stood every day and the others' turns were uneven)."""
    world, post, p = team
    officers = [p["O1"], p["O2"], p["O3"], p["O4"]]
    plan_ahead(world.users["district"], post, date(2024, 9, 23), date(2024, 9, 26), [p["L1"]], officers, per_day=3)
    got = officers_by_day(post, date(2024, 9, 23), date(2024, 9, 26))
    off = [{"O1", "O2", "O3", "O4"} - set(got[date(2024, 9, d)][1]) for d in (23, 24, 25, 26)]
    assert off == [{"O4"}, {"O3"}, {"O2"}, {"O1"}]


def test_national_day_rota_with_make_up_days_and_carry_over(team):
    world, post, p = team
    leaders, officers = [p["L1"], p["L2"]], [p["O1"], p["O2"], p["O3"], p["O4"]]
    result = plan_ahead(world.users["district"], post, date(2024, 9, 23), date(2024, 10, 8), leaders, officers)
    assert len(result.created) == 16 and not result.understaffed
    got = officers_by_day(post, date(2024, 9, 23), date(2024, 10, 8))
    expected = {
        23: "O1", 24: "O2", 25: "O3", 26: "O4",  # Monday to Thursday: daily
        27: "O1", 28: "O1", 29: "O1",  # Friday to Sunday: one person (Sunday 29th is a make-up working day)
        30: "O2",
    }  # fmt: skip
    for day, officer in expected.items():
        assert got[date(2024, 9, day)][1] == [officer], day
    holiday = [got[date(2024, 10, d)][1][0] for d in range(1, 8)]  # the holiday week: daily, Friday included
    assert holiday == ["O3", "O4", "O1", "O2", "O3", "O4", "O1"]
    assert got[date(2024, 10, 8)][1] == ["O2"]
    assert [got[date(2024, 9, d)][0] for d in (23, 24, 25)] == ["L1", "L2", "L1"]  # leaders daily in turn

    # The next period carries on from there; someone on leave is skipped; a hand-made shift is kept.
    begin = datetime(2024, 10, 10, 8, 30, tzinfo=SHANGHAI)
    DutyShift.objects.create(post=post, date=begin.date(), starts_at=begin, ends_at=begin + timedelta(days=1),
                             leader=p["L2"])  # fmt: skip
    later = plan_ahead(world.users["district"], post, date(2024, 10, 9), date(2024, 10, 10), leaders, officers,
                          on_leave={p["O3"].pk: {date(2024, 10, 9)}})  # fmt: skip
    assert later.kept == [date(2024, 10, 10)] and len(later.created) == 1
    assert officers_by_day(post, date(2024, 10, 9), date(2024, 10, 9))[date(2024, 10, 9)][1] == ["O4"]


def test_understaffed_days_are_flagged_and_bad_plans_refused(team, settings):
    world, post, p = team
    settings.DUTY_MIN_OFFICERS = {**settings.DUTY_MIN_OFFICERS, "government": 3}
    result = plan_ahead(world.users["district"], post, date(2024, 11, 4), date(2024, 11, 5), [p["L1"]], [p["O1"]])
    assert result.understaffed == [date(2024, 11, 4), date(2024, 11, 5)]
    with pytest.raises(ValidationError):
        plan_ahead(world.users["district"], post, date(2024, 11, 6), date(2024, 11, 5), [p["L1"]], [p["O1"]])
    with pytest.raises(ValidationError):
        plan_ahead(world.users["district"], post, date(2024, 11, 6), date(2024, 11, 7), [p["L1"]], [p["L1"]])
    with pytest.raises(PermissionDenied):
        rota.generate(world.users["dept_head"], post, date(2024, 11, 6), date(2024, 11, 7), [p["L1"]], [p["O1"]])


def test_check_in_and_the_alert_when_nobody_does(team):
    world, post, p = team
    plan_ahead(world.users["district"], post, date(2024, 11, 4), date(2024, 11, 5), [p["L1"]], [p["O1"]])
    first, second = DutyShift.objects.filter(post=post).order_by("date")
    with time_machine.travel(datetime(2024, 11, 4, 7, 30, tzinfo=SHANGHAI), tick=False), pytest.raises(ValidationError):
        rota.check_in(p["O1"], first)  # an hour early
    with time_machine.travel(datetime(2024, 11, 4, 8, 20, tzinfo=SHANGHAI), tick=False):
        rota.check_in(p["O1"], first, "值班室")
        rota.check_in(p["O1"], first)  # again: nothing changes
    mine = DutyCheckIn.objects.get(shift=first)
    assert (mine.person, mine.location, mine.proof, mine.verified) == (p["O1"], "值班室", "none", False)
    with time_machine.travel(datetime(2024, 11, 5, 8, 40, tzinfo=SHANGHAI), tick=False):
        assert rota.alert_missed_check_ins() == 0  # 10 minutes: not yet
    with time_machine.travel(datetime(2024, 11, 5, 8, 46, tzinfo=SHANGHAI), tick=False):
        assert rota.alert_missed_check_ins() == 1  # the second day: nobody came
        assert rota.alert_missed_check_ins() == 0  # once
    told = {n.recipient.username for n in Notification.objects.filter(key__startswith=f"checkin:{second.pk}")}
    assert told == {"L1", "district"} and all(n.must_answer for n in Notification.objects.all())


def test_ics_export_of_my_duties(team, client):
    world, post, p = team
    plan_ahead(world.users["district"], post, date(2024, 10, 1), date(2024, 10, 2), [p["L1"]], [p["O1"], p["O2"]])
    client.force_login(p["O1"])
    response = client.get("/duty/my.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.count("BEGIN:VEVENT") == 1 and "DTSTART;TZID=Asia/Shanghai:20241001T083000" in text


def test_my_duty_page_checks_in(team, client):
    world, post, p = team
    from django.utils import timezone

    today = timezone.localdate()
    plan_ahead(world.users["district"], post, today - timedelta(days=1), today + timedelta(days=2), [p["L1"]],
                  [p["O1"]])  # fmt: skip
    client.force_login(p["O1"])
    page = client.get("/duty/").content.decode()
    # The running shift (and, near 08:30, the next one) can be checked in to; later days cannot yet.
    assert 1 <= page.count('name="shift"') <= 2
    current = DutyShift.objects.filter(post=post, starts_at__lte=timezone.now(), ends_at__gt=timezone.now()).get()
    assert client.post("/duty/", {"shift": current.pk, "location": "值班室"}).status_code == 302
    assert [c.person for c in current.check_ins.all()] == [p["O1"]]
    client.force_login(p["O2"])
    assert client.post("/duty/", {"shift": current.pk}).status_code == 404  # not on this shift
    assert [c.person for c in current.check_ins.all()] == [p["O1"]]


def test_swap_and_substitution_with_approval(team):
    world, post, p = team
    plan_ahead(world.users["district"], post, date(2024, 11, 4), date(2024, 11, 7), [p["L1"]], [p["O1"], p["O2"]])
    monday, tuesday = DutyShift.objects.filter(post=post).order_by("date")[:2]
    assert list(monday.officers.all()) == [p["O1"]] and list(tuesday.officers.all()) == [p["O2"]]
    outsider = UserFactory(username="elsewhere", unit_kind=UnitKind.GOVERNMENT, region=world.d2)
    with pytest.raises(ValidationError) as exc:
        rota.ask_change(p["O1"], "swap", monday, outsider, "家中有事", tuesday)
    assert "other" in exc.value.message_dict
    with pytest.raises(ValidationError):
        rota.ask_change(p["O1"], "swap", monday, p["O3"], "家中有事", tuesday)  # O3 does not stand Tuesday
    swap = rota.ask_change(p["O1"], "swap", monday, p["O2"], "家中有事", tuesday)
    assert list(monday.officers.all()) == [p["O1"]]  # nothing moves before approval
    with pytest.raises(PermissionDenied):
        rota.decide(p["O2"], swap, approve=True)
    rota.decide(p["L1"], swap, approve=True)
    assert list(monday.officers.all()) == [p["O2"]] and list(tuesday.officers.all()) == [p["O1"]]
    cover = rota.ask_change(p["O1"], "substitute", tuesday, p["O3"], "出差")
    rota.decide(world.users["city"], cover, approve=False)
    assert list(tuesday.officers.all()) == [p["O1"]]  # refused: who stands is unchanged
    from safety_platform.lib.errors import Conflict

    with pytest.raises(Conflict):
        rota.decide(world.users["city"], cover, approve=True)


def test_shift_api_check_in_and_change_requests(team):
    from django.utils import timezone
    from rest_framework.test import APIClient

    world, post, p = team
    today = timezone.localdate()
    plan_ahead(world.users["district"], post, today - timedelta(days=1), today + timedelta(days=3), [p["L1"]],
                  [p["O1"], p["O2"]])  # fmt: skip

    def api(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    mine = api(p["O1"]).get("/api/v1/duty-shifts/").json()["results"]
    assert mine and all(p["O1"].pk in s["officers"] for s in mine)
    running = DutyShift.objects.filter(post=post, starts_at__lte=timezone.now(), ends_at__gt=timezone.now()).get()
    stander = running.officers.get()
    body = api(stander).post(f"/api/v1/duty-shifts/{running.pk}/check_in/", {"location": "值班室"},
                             format="json").json()  # fmt: skip
    assert [(c["person"], c["verified"]) for c in body["check_ins"]] == [(stander.pk, False)]
    assert body["leader_at_post"] is False  # an officer's check-in is not the leader's
    other = p["O2"] if stander == p["O1"] else p["O1"]
    assert api(other).post(f"/api/v1/duty-shifts/{running.pk}/check_in/", {}, format="json").status_code == 404
    asked = api(stander).post("/api/v1/shift-changes/", {"kind": "substitute", "shift": running.pk, "other": p["O3"].pk,
                                                         "reason": "病假"}, format="json")  # fmt: skip
    assert asked.status_code == 201, asked.json()
    assert api(p["O3"]).post(f"/api/v1/shift-changes/{asked.json()['id']}/decide/", {"approve": True},
                             format="json").status_code == 403  # fmt: skip
    decided = api(p["L1"]).post(f"/api/v1/shift-changes/{asked.json()['id']}/decide/", {"approve": True}, format="json")
    assert decided.json()["state"] == "approved"
    assert list(running.officers.all()) == [p["O3"]]


def test_duty_log_handover_carries_open_items_and_late_takeover_is_detected(team):
    world, post, p = team
    plan_ahead(world.users["district"], post, date(2024, 11, 4), date(2024, 11, 5), [p["L1"]], [p["O1"], p["O2"]])
    monday, tuesday = DutyShift.objects.filter(post=post).order_by("date")
    rota.write_log(p["O1"], monday, "22:10 接市应急局电话，督查组明日到达")
    rota.write_log(p["O1"], monday, "待办：明早9点前上报节日值班表", open_item=True)
    with pytest.raises(ValidationError):
        rota.write_log(p["O1"], monday, "  ")
    from django.http import Http404

    with pytest.raises(Http404):
        rota.write_log(p["O2"], monday, "不是我的班")
    rota.hand_over(p["O1"], monday)
    rota.hand_over(p["O1"], monday)  # once
    carried = list(tuesday.log.all())
    assert [e.text for e in carried] == ["待办：明早9点前上报节日值班表"] and carried[0].carried_from is not None
    with time_machine.travel(datetime(2024, 11, 5, 8, 45, tzinfo=SHANGHAI), tick=False):
        rota.take_over(p["O2"], tuesday)
    tuesday.refresh_from_db()
    assert tuesday.handover_acknowledged_by == p["O2"] and tuesday.handover_late  # 08:45 after an 08:30 start


def test_the_four_failures_per_post(team):
    from duty_roster import rollcall
    from duty_roster.failures import four_failures
    from duty_roster.models import IncidentReport

    world, post, p = team
    plan_ahead(world.users["district"], post, date(2024, 11, 4), date(2024, 11, 6), [p["L1"]], [p["O1"]])
    first = DutyShift.objects.filter(post=post).order_by("date").first()
    with time_machine.travel(datetime(2024, 11, 4, 8, 40, tzinfo=SHANGHAI), tick=False):
        rota.check_in(p["L1"], first)  # the leader on day 1, without proof
    with time_machine.travel(datetime(2024, 11, 5, 8, 40, tzinfo=SHANGHAI), tick=False):
        rota.check_in(p["O1"], first.__class__.objects.get(post=post, date=date(2024, 11, 5)))  # only the officer
    PositionAssignment.objects.create(position=post, user=p["O1"], started_at=datetime(2020, 1, 1, tzinfo=SHANGHAI))
    with time_machine.travel(datetime(2024, 11, 5, 10, 0, tzinfo=SHANGHAI), tick=False):
        rollcall.call(world.users["city"], [post], "查岗")  # nobody answers
    IncidentReport.objects.create(kind="production", region=world.t1, region_path=world.t1.path, place="x",
                                  occurred_at=datetime(2024, 11, 5, 9, tzinfo=SHANGHAI),
                                  known_at=datetime(2024, 11, 5, 9, tzinfo=SHANGHAI),
                                  reported_at=datetime(2024, 11, 5, 12, tzinfo=SHANGHAI), course="c", grade="general",
                                  report_deadline=datetime(2024, 11, 5, 11, tzinfo=SHANGHAI), delay_minutes=60,
                                  reported_by=p["O1"])  # fmt: skip
    rows = {r["title"]: r for r in four_failures(world.users["city"], date(2024, 11, 4), date(2024, 11, 6))}
    row = rows["海滨区值班室"]
    assert (row["shifts"], row["no_check_in"]) == (3, 2)  # day 2: the officer's check-in does not count for L1
    assert (row["leader_unverified"], row["unverified_check_ins"]) == (1, 2)
    assert (row["roll_calls"], row["roll_calls_failed"]) == (1, 1)
    assert row["reports_late"] == 1
    assert four_failures(world.users["dept_head"], date(2024, 11, 4), date(2024, 11, 6)) == []  # not its posts


def test_four_failures_api_and_page(team, client):
    from rest_framework.test import APIClient

    world, post, p = team
    api = APIClient()
    api.force_authenticate(world.users["district"])
    response = api.get("/api/v1/duty-failures/", {"from": "2024-11-01", "to": "2024-11-30"})
    assert response.status_code == 200 and [r["title"] for r in response.json()["posts"]] == ["海滨区值班室"]
    assert api.get("/api/v1/duty-failures/", {"from": "2024-13-01"}).status_code == 400
    assert api.get("/api/v1/duty-failures/", {"from": "2024-11-30", "to": "2024-11-01"}).status_code == 400
    client.force_login(world.users["district"])
    assert "海滨区值班室" in client.get("/duty/failures/").content.decode()
