"""After each duty action the message says what happened and who is next (issue #14, item 3), in Chinese."""

from __future__ import annotations

from datetime import datetime

import time_machine
from django.contrib.messages import get_messages
from django.test import Client

from duty_roster import checkin
from duty_roster.models import DutyShift, ShiftChange

from .conftest import SHANGHAI
from .test_rota_pages import OCT, plan_october


def chinese(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def said(response) -> str:
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def test_asking_and_deciding_a_change_name_who_decides_and_who_stands(unit):
    u, p = unit, unit.p
    plan_october(u)
    first = DutyShift.objects.get(post=u.post, date=OCT[0])  # L1; O1 O2
    asked = chinese(p["O1"]).post(f"/duty/shifts/{first.pk}/change/", {"kind": "substitute", "other": p["O3"].pk,
                                                                       "reason": "出差"})  # fmt: skip
    assert asked.status_code == 302 and said(asked).startswith("申请已提交，由L1审批")
    change = ShiftChange.objects.get()
    approved = chinese(p["L1"]).post("/duty/changes/", {"change": change.pk, "decision": "approve"})
    assert said(approved) == "已批准：10-01的班次由O3替O1值守。"


def test_a_rejected_change_says_who_keeps_the_shift(unit):
    u, p = unit, unit.p
    plan_october(u)
    first = DutyShift.objects.get(post=u.post, date=OCT[0])
    chinese(p["O1"]).post(f"/duty/shifts/{first.pk}/change/", {"kind": "substitute", "other": p["O3"].pk,
                                                               "reason": "出差"})  # fmt: skip
    change = ShiftChange.objects.get()
    rejected = chinese(p["L1"]).post("/duty/changes/", {"change": change.pk, "decision": "reject"})
    assert said(rejected) == "已驳回：10-01的班次仍由O1值守。"


def test_check_in_handover_and_takeover_name_the_next_people(unit):
    u, p = unit, unit.p
    plan_october(u, end=OCT[1])
    first, second = DutyShift.objects.filter(post=u.post).order_by("date").select_related("leader")
    with time_machine.travel(datetime(2026, 10, 1, 9, 5, tzinfo=SHANGHAI), tick=False):
        checked = chinese(p["O1"]).post("/duty/", {"shift": first.pk, "location": "值班室"})
        assert said(checked) == ("已签到（09:05，海滨区值班室，10-01），但未核实：未能证明到岗（无证明）。"
                                 "请输入值班屏上的签到码加以证明。")  # fmt: skip
        code, _left = checkin.current_code(checkin.point_of(u.post))
        checked = chinese(p["O1"]).post("/duty/", {"shift": first.pk, "code": code})
        assert (
            said(checked) == f"已签到（09:05，海滨区值班室，10-01，到岗证明：值班屏签到码），带班领导：{first.leader}。"
        )
    with time_machine.travel(datetime(2026, 10, 1, 22, tzinfo=SHANGHAI), tick=False):
        outgoing = chinese(p["O1"])
        url = f"/duty/shifts/{first.pk}/"
        outgoing.post(url, {"action": "log", "text": "明早核实化工园区报警", "open_item": "on"})
        handed = outgoing.post(url, {"action": "hand_over"})
        assert said(handed) == f"已交班：1项未办结事项已转入10-02班次，由该班带班领导{second.leader}接班。"
    with time_machine.travel(datetime(2026, 10, 2, 8, 50, tzinfo=SHANGHAI), tick=False):
        taken = chinese(p["O3"]).post(f"/duty/shifts/{second.pk}/", {"action": "take_over"})
        assert said(taken) == "已接班：1项未办结事项现由本班办结。"
