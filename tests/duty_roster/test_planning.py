"""Editing a shift by hand, adding a missing day, holiday duty plans and the city office's overview: the rules, the
clear errors, and that a refused change leaves nothing behind."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from duty_roster import plans, rota
from duty_roster.models import DutyPlan, DutyShift, ShiftChange
from safety_platform.lib.errors import Conflict

from .conftest import SHANGHAI

OCT = [date(2026, 10, d) for d in range(1, 8)]  # National Day 2026: 1–7 October


def national_day(u, post=None, end=date(2026, 10, 7), per_day=2, officers=("O1", "O2", "O3", "O4")):
    p = u.p
    return rota.generate(u.world.users["district"], post or u.post, date(2026, 10, 1), end, [p["L1"], p["L2"]],
                         [p[o] for o in officers], per_day=per_day)  # fmt: skip


def people(shift):
    shift.refresh_from_db()
    return (shift.leader.username if shift.leader else None, sorted(o.username for o in shift.officers.all()))


def test_holiday_periods_come_from_the_official_calendar(world):
    periods = plans.holiday_periods(2026)
    assert plans.Period("国庆节", date(2026, 10, 1), date(2026, 10, 7)) in periods
    assert plans.Period("春节", date(2026, 2, 15), date(2026, 2, 23)) in periods
    merged = [p for p in plans.holiday_periods(2023) if p.start == date(2023, 9, 29)]
    assert merged == [plans.Period("中秋节、国庆节", date(2023, 9, 29), date(2023, 10, 6))]


def test_edit_shift_changes_the_people_and_records_from_what_to_what(unit):
    u, p = unit, unit.p
    national_day(u)
    shift = DutyShift.objects.get(post=u.post, date=OCT[2])
    before = people(shift)
    rota.edit_shift(u.world.users["district"], shift, p["L2"], [p["O3"], p["O4"]], "L1 出差")
    assert people(shift) == ("L2", ["O3", "O4"]) != before
    event = AuditEvent.objects.get(action="duty.shift_edit")
    assert event.reason == "L1 出差" and event.changes["leader"] == [before[0], "L2"]
    assert sorted(event.changes["officers"][1]) == ["O3", "O4"]


@pytest.mark.parametrize(
    ("case", "field", "names"),
    [
        ("double_booked", "officers", ["O1", "海滨区值班室"]),  # O1 stands 海滨区值班室 that day
        ("double_booked_leader", "leader", ["L1", "海滨区值班室"]),
        ("listed_twice", "officers", ["L2"]),  # the leader also among the officers
        ("officer_twice", "officers", ["O3"]),
        ("understaffed", "officers", ["2", "1"]),  # at least 2, 1 chosen
        ("outsider", "officers", ["P1"]),  # from 新城区
        ("outsider_leader", "leader", ["M1"]),
        ("no_leader", "leader", []),
        ("no_reason", "reason", []),
    ],
)
def test_bad_hand_edits_are_refused_with_clear_errors_and_save_nothing(unit, case, field, names):
    """GIVEN 1 October at 海滨区值班室 (L1; O1, O2) and at 防汛值班室 (L2; O3, O4) WHEN a planner hand-edits the
    防汛 shift badly THEN a field error names who and why, and the shift and the audit trail are as they were."""
    u, p = unit, unit.p
    national_day(u, end=OCT[0])
    shift = rota.add_shift(u.world.users["district"], u.flood, OCT[0], p["L2"], [p["O3"], p["O4"]], "防汛值班")
    leader, officers, reason = p["L2"], [p["O3"], p["O4"]], "调整"
    match case:
        case "double_booked":
            officers = [p["O3"], p["O1"]]
        case "double_booked_leader":
            leader = p["L1"]
        case "listed_twice":
            officers = [p["O3"], p["L2"]]
        case "officer_twice":
            officers = [p["O3"], p["O3"], p["O4"]]
        case "understaffed":
            officers = [p["O3"]]
        case "outsider":
            officers = [p["O3"], p["P1"]]
        case "outsider_leader":
            leader = p["M1"]
        case "no_leader":
            leader = None
        case "no_reason":
            reason = "  "
    before, events = people(shift), AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        rota.edit_shift(u.world.users["district"], shift, leader, officers, reason)
    errors = caught.value.message_dict
    assert field in errors, errors
    assert all(any(n in message for message in errors[field]) for n in names), errors
    assert people(shift) == before == ("L2", ["O3", "O4"]) and AuditEvent.objects.count() == events


def test_double_booking_message_is_clear(unit):
    u, p = unit, unit.p
    national_day(u, end=OCT[0])
    busy = DutyShift.objects.get(post=u.post, date=OCT[0]).officers.first()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        rota.add_shift(u.world.users["district"], u.flood, OCT[0], p["L2"], [busy, p["O4"]], "补排")
    assert caught.value.message_dict["officers"] == [f"{busy} is already on duty at 海滨区值班室 that day."]
    assert not DutyShift.objects.filter(post=u.flood).exists()


def test_who_may_edit_and_when(unit):
    u, p = unit, unit.p
    national_day(u, end=OCT[0])
    shift = DutyShift.objects.get(post=u.post, date=OCT[0])
    for stranger in (u.world.users["dept_head"], p["M1"]):
        with pytest.raises(PermissionDenied):
            rota.edit_shift(stranger, shift, p["L2"], [p["O3"], p["O4"]], "x")
    rota.edit_shift(u.world.users["city"], shift, p["L2"], [p["O3"], p["O4"]], "市应急办调整")  # the city office may
    with time_machine.travel(datetime(2026, 10, 2, 9, tzinfo=SHANGHAI), tick=False), pytest.raises(Conflict):
        rota.edit_shift(u.world.users["district"], shift, p["L1"], [p["O1"], p["O2"]], "事后补记")  # it has ended
    assert people(shift) == ("L2", ["O3", "O4"])


def test_add_shift_on_an_empty_day_once(unit):
    u, p = unit, unit.p
    shift = rota.add_shift(u.world.users["district"], u.post, OCT[6], p["L1"], [p["O1"], p["O2"]], "补排国庆")
    assert people(shift) == ("L1", ["O1", "O2"]) and AuditEvent.objects.filter(action="duty.shift_add").count() == 1
    with pytest.raises(Conflict):
        rota.add_shift(u.world.users["district"], u.post, OCT[6], p["L2"], [p["O3"], p["O4"]], "again")
    with pytest.raises(Conflict):
        rota.add_shift(u.world.users["district"], u.post, date(2026, 9, 1), p["L2"], [p["O3"], p["O4"]], "past")
    with pytest.raises(ValidationError):
        rota.add_shift(u.world.users["district"], u.post, OCT[5], p["L2"], [p["O3"]], "too few")
    assert DutyShift.objects.filter(post=u.post).count() == 1


def test_an_incomplete_holiday_plan_is_refused_and_a_complete_one_submitted_once(unit):
    """GIVEN National Day planned 1–6 October with one officer a day (two needed) WHEN the unit submits THEN it is
    refused, naming the missing and understaffed days, and nothing is recorded; once fixed it is submitted."""
    u, p = unit, unit.p
    district = u.world.users["district"]
    national_day(u, end=OCT[5], per_day=1)
    DutyShift.objects.filter(post=u.post, date=OCT[1]).update(leader=None)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        rota.submit_plan(district, u.post, "国庆节", OCT[0], OCT[6])
    messages = caught.value.message_dict["shifts"]
    assert "No shift is planned on 10-07." in messages
    assert "No leader on duty on 10-02." in messages
    assert "Fewer than 2 duty officers on 10-01、10-02、10-03、10-04、10-05、10-06." in messages
    assert not DutyPlan.objects.exists() and not AuditEvent.objects.filter(action="duty.plan_submit").exists()

    for day in OCT[:6]:
        rota.edit_shift(district, DutyShift.objects.get(post=u.post, date=day), p["L1"] if day.day % 2 else p["L2"],
                        [p["O1"], p["O2"]] if day.day % 2 else [p["O3"], p["O4"]], "配齐两人")  # fmt: skip
    rota.add_shift(district, u.post, OCT[6], p["L1"], [p["O1"], p["O2"]], "补排")
    plan = rota.submit_plan(district, u.post, "国庆节", OCT[0], OCT[6])
    assert (plan.name, plan.submitted_by) == ("国庆节", district)
    again = rota.submit_plan(u.world.users["city"], u.post, "国庆节", OCT[0], OCT[6])
    assert again.pk == plan.pk and DutyPlan.objects.get().submitted_by == u.world.users["city"]
    assert AuditEvent.objects.filter(action="duty.plan_submit").count() == 2
    with pytest.raises(PermissionDenied):
        rota.submit_plan(u.world.users["dept_head"], u.post, "国庆节", OCT[0], OCT[6])
    with pytest.raises(ValidationError):
        rota.submit_plan(district, u.post, "国庆节", OCT[6], OCT[0])


def test_the_city_office_sees_who_has_not_submitted_and_what_falls_short(unit, django_assert_num_queries):
    u = unit
    national_day(u)
    rota.submit_plan(u.world.users["district"], u.post, "国庆节", OCT[0], OCT[6])
    national_day(u, post=u.flood, officers=("O3", "O4"), per_day=1)  # one officer a day: short
    with django_assert_num_queries(3):
        rows = {r.post.title: r for r in plans.plan_status(u.world.users["city"], OCT[0], OCT[6])}
    assert rows["海滨区值班室"].ready and rows["海滨区值班室"].plan is not None
    assert rows["海滨区防汛值班室"].plan is None and rows["海滨区防汛值班室"].gaps.understaffed == OCT
    assert rows["新城区值班室"].plan is None and rows["新城区值班室"].gaps.missing == OCT
    # Shifts changed after the submission: the overview judges them as they stand now.
    DutyShift.objects.get(post=u.post, date=OCT[3]).officers.clear()
    assert plans.plan_status(u.world.users["city"], OCT[0], OCT[6])[1].gaps.understaffed == [OCT[3]]
    assert {r.post.title for r in plans.plan_status(u.world.users["district"], OCT[0], OCT[6])} == {
        "海滨区值班室", "海滨区防汛值班室"}  # fmt: skip
    assert plans.plan_status(u.world.users["dept_head"], OCT[0], OCT[6]) == []


def test_a_swap_with_someone_out_of_the_unit_is_a_clear_error(unit):
    u, p = unit, unit.p
    national_day(u)
    mine, later = DutyShift.objects.filter(post=u.post).order_by("date")[:2]  # O1 and O2 on 1 October
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        rota.ask_change(p["O1"], "swap", mine, p["P1"], "家中有事", later)
    assert caught.value.message_dict["other"] == ["Choose someone else from your own unit."]
    assert not ShiftChange.objects.exists()


def test_generate_then_edit_across_the_month_end(unit):
    u, p = unit, unit.p
    result = rota.generate(u.world.users["district"], u.post, date(2026, 10, 30), date(2026, 11, 2), [p["L1"]],
                           [p["O1"], p["O2"]], per_day=2)  # fmt: skip
    assert len(result.created) == 4 and not result.understaffed
    nov = DutyShift.objects.get(post=u.post, date=date(2026, 11, 1))
    rota.edit_shift(u.world.users["district"], nov, p["L2"], [p["O3"], p["O4"]], "换人")
    assert people(nov) == ("L2", ["O3", "O4"])
    assert timedelta(days=1) == nov.ends_at - nov.starts_at


def test_generate_skips_people_on_duty_at_another_post_that_day(unit):
    """GIVEN O1 stands 海滨区防汛值班室 on 2 October WHEN the 海滨区值班室 rota is generated THEN O1 is skipped that
    day like a day of leave, and nobody is on two posts on one day."""
    u, p = unit, unit.p
    rota.add_shift(u.world.users["district"], u.flood, OCT[1], p["L2"], [p["O1"], p["O4"]], "防汛值班")
    national_day(u, per_day=2, officers=("O1", "O2", "O3"))
    main = DutyShift.objects.get(post=u.post, date=OCT[1])
    assert "O1" not in people(main)[1]
    for day in OCT:
        standing = [name for s in DutyShift.objects.filter(date=day) for name in [people(s)[0], *people(s)[1]]]
        assert len(standing) == len(set(standing)), (day, standing)


def test_an_approved_substitution_that_would_double_book_is_refused_and_changes_nothing(unit):
    """GIVEN O3 stands 防汛值班室 on 1 October WHEN O1 asks O3 to cover O1's 1 October shift at 海滨区值班室 and the
    leader approves THEN the approval is refused with the reason, the request stays pending, the shift unchanged."""
    u, p = unit, unit.p
    national_day(u, end=OCT[0])
    rota.add_shift(u.world.users["district"], u.flood, OCT[0], p["L2"], [p["O3"], p["O4"]], "防汛值班")
    shift = DutyShift.objects.get(post=u.post, date=OCT[0])
    before = people(shift)
    assert "O1" in before[1]
    change = rota.ask_change(p["O1"], "substitute", shift, p["O3"], "家中有事")
    with translation.override("en"), pytest.raises(Conflict) as caught:
        rota.decide(shift.leader, change, approve=True)
    assert "O3 is already on duty at 海滨区防汛值班室 that day." in str(caught.value)
    change.refresh_from_db()
    assert change.state == "pending" and people(shift) == before
    assert not AuditEvent.objects.filter(action="duty.change_decided").exists()


def test_an_open_item_is_closed_by_someone_on_the_shift_once(unit, client):
    u, p = unit, unit.p
    national_day(u, end=OCT[0])
    shift = DutyShift.objects.get(post=u.post, date=OCT[0])
    item = rota.write_log(shift.leader, shift, "防汛物资待补充", open_item=True)
    note = rota.write_log(shift.leader, shift, "一切正常")
    with pytest.raises(ValidationError):
        rota.close_item(shift.leader, note)  # not an open item
    with pytest.raises(Http404):
        rota.close_item(p["M1"], item)  # not on this shift
    client.force_login(shift.leader)
    response = client.post(reverse("duty_roster:shift", args=[shift.pk]), {"action": "close_item", "entry": item.pk})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.closed_at is not None
    closed_at = item.closed_at
    rota.close_item(shift.leader, item)  # again: nothing changes
    item.refresh_from_db()
    assert item.closed_at == closed_at
    assert AuditEvent.objects.filter(action="duty.close_item").count() == 1
    page = client.get(reverse("duty_roster:shift", args=[shift.pk])).content.decode()
    assert f'name="entry" value="{item.pk}"' not in page  # no button for a closed item


def test_close_item_in_the_api(unit):
    from rest_framework.test import APIClient

    u = unit
    national_day(u, end=OCT[0])
    shift = DutyShift.objects.get(post=u.post, date=OCT[0])
    item = rota.write_log(shift.leader, shift, "防汛物资待补充", open_item=True)
    api = APIClient()
    api.force_authenticate(shift.leader)
    response = api.post(f"/api/v1/duty-shifts/{shift.pk}/log/{item.pk}/close/")
    assert response.status_code == 200, response.content
    assert response.json()["closed_at"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("duty_roster:plans", {"post": "x", "start": "2026-10-01", "end": "2026-10-07"}),
        ("duty_roster:changes", {"change": "x", "decision": "approve"}),
    ],
)
def test_a_posted_id_that_is_not_a_number_is_not_found(unit, client, name, data):
    client.force_login(unit.world.users["city"])
    assert client.post(reverse(name), data).status_code == 404
