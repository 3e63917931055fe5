"""The rota pages and API: the month rota, generating, hand edits, holiday plans, change requests, the duty log
and handover. Each has its outsider test; bad input is a clear error and saves nothing."""

from __future__ import annotations

from datetime import date, datetime

import time_machine
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditEvent
from duty_roster import rota
from duty_roster.models import DutyLogEntry, DutyPlan, DutyShift, ShiftChange

from .conftest import SHANGHAI

OCT = [date(2026, 10, d) for d in range(1, 8)]


def browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def plan_october(u, end=OCT[-1], per_day=2):
    p = u.p
    rota.generate(u.world.users["district"], u.post, OCT[0], end, [p["L1"], p["L2"]],
                  [p["O1"], p["O2"], p["O3"], p["O4"]], per_day=per_day)  # fmt: skip


def officers(shift) -> list[str]:
    return sorted(o.username for o in shift.officers.all())


def test_month_rota_shows_each_day_and_what_falls_short(unit, django_assert_max_num_queries):
    u = unit
    plan_october(u, end=OCT[4])
    DutyShift.objects.filter(post=u.post, date=OCT[1]).update(leader=None)
    client = browser(u.world.users["district"])
    with django_assert_max_num_queries(11):  # whatever the number of days and people
        page = client.get(f"/duty/rota/{u.post.pk}/?month=2026-10")
    html = page.content.decode()
    assert page.status_code == 200 and "国庆节" in html and "L1" in html and "O1" in html
    assert html.count("below minimum staffing") == 1  # 2 October: no leader on duty
    assert html.count("no shift planned") == 31 - 5
    assert html.count(f"/duty/rota/{u.post.pk}/2026-10-") == 31  # every day still to come can be edited
    assert "Generate a period" in html


def test_month_rota_outsiders(unit):
    u = unit
    for user in (u.world.users["dept_head"], u.world.users["enterprise"], u.p["M1"]):
        assert browser(user).get(f"/duty/rota/{u.post.pk}/").status_code == 404
    assert browser(u.p["M1"]).get("/duty/rota/").status_code == 302  # 新城区 has one post: straight to it
    assert "海滨区防汛值班室" in browser(u.p["O1"]).get("/duty/rota/").content.decode()
    city = browser(u.world.users["city"]).get("/duty/rota/").content.decode()
    assert "海滨区值班室" in city and "新城区值班室" in city


def test_generate_from_the_page(unit):
    u, p = unit, unit.p
    client = browser(u.world.users["district"])
    form = {"start": "2026-10-01", "end": "2026-10-07", "leaders": [p["L1"].pk, p["L2"].pk],
            "officers": [p[o].pk for o in ("O1", "O2", "O3", "O4")], "per_day": 2}  # fmt: skip
    response = client.post(f"/duty/rota/{u.post.pk}/", form)
    assert response.status_code == 302 and response["Location"].endswith("?month=2026-10")
    assert DutyShift.objects.filter(post=u.post).count() == 7
    bad = client.post(f"/duty/rota/{u.post.pk}/", {**form, "officers": [p["P1"].pk]})  # from 新城区
    assert bad.status_code == 400 and "is not one of them" in bad.content.decode()
    assert browser(p["M1"]).post(f"/duty/rota/{u.post.pk}/", form).status_code == 404


def test_hand_edit_page_refuses_bad_input_and_saves_good(unit):
    u, p = unit, unit.p
    plan_october(u, end=OCT[0])
    rota.add_shift(u.world.users["district"], u.flood, OCT[0], p["L2"], [p["O3"], p["O4"]], "防汛")
    client = browser(u.world.users["district"])
    url = f"/duty/rota/{u.flood.pk}/2026-10-01/"
    assert client.get(url).status_code == 200
    events = AuditEvent.objects.count()
    for form, message in [
        ({"leader": p["L2"].pk, "officers": [p["O3"].pk, p["O1"].pk], "reason": "x"},
         "O1 is already on duty at 海滨区值班室 that day."),
        ({"leader": p["L2"].pk, "officers": [p["O3"].pk], "reason": "x"},
         "At least 2 duty officers are needed at this post; 1 chosen."),
        ({"leader": p["L2"].pk, "officers": [p["O3"].pk, p["L2"].pk], "reason": "x"}, "L2 is listed twice."),
        ({"leader": p["M1"].pk, "officers": [p["O3"].pk, p["O4"].pk], "reason": "x"},
         "Choose the leader on duty from this unit."),
    ]:  # fmt: skip
        response = client.post(url, form)
        assert response.status_code == 400 and message in response.content.decode(), form
    shift = DutyShift.objects.get(post=u.flood, date=OCT[0])
    assert (shift.leader, officers(shift), AuditEvent.objects.count()) == (p["L2"], ["O3", "O4"], events)
    good = client.post(url, {"leader": p["L2"].pk, "officers": [p["O4"].pk, p["O3"].pk], "reason": "确认"})
    assert good.status_code == 302
    empty_day = client.post(f"/duty/rota/{u.flood.pk}/2026-10-02/",
                            {"leader": p["L1"].pk, "officers": [p["O1"].pk, p["O2"].pk], "reason": "补排"})  # fmt: skip
    assert empty_day.status_code == 302 and DutyShift.objects.filter(post=u.flood).count() == 2
    assert browser(u.world.users["county_dept"]).get(url).status_code == 404
    assert browser(p["M1"]).post(url, {"reason": "x"}).status_code == 404


def test_holiday_plans_page_for_the_unit_and_the_city_office(unit):
    u = unit
    plan_october(u, end=OCT[5])  # 7 October missing
    district, city = browser(u.world.users["district"]), browser(u.world.users["city"])
    page = district.get("/duty/plans/?period=2026-10-01_2026-10-07").content.decode()
    assert "国庆节" in page and "No shift is planned on 10-07." in page and "Submit the plan" in page
    form = {"post": u.post.pk, "name": "国庆节", "start": "2026-10-01", "end": "2026-10-07"}
    refused = district.post("/duty/plans/", form, follow=True).content.decode()
    assert "The plan is not complete" in refused and not DutyPlan.objects.exists()
    p = u.p
    rota.add_shift(u.world.users["district"], u.post, OCT[6], p["L1"], [p["O1"], p["O2"]], "补排")
    assert district.post("/duty/plans/", form).status_code == 302 and DutyPlan.objects.count() == 1
    overview = city.get("/duty/plans/?period=2026-10-01_2026-10-07").content.decode()
    assert "Duty posts: 3 · submitted: 1 · with days that fall short: 2" in overview
    assert overview.count("not submitted") == 2
    assert browser(p["M1"]).post("/duty/plans/", form).status_code == 404  # not a post of 新城区
    assert browser(u.world.users["outsider"]).get("/duty/plans/").status_code == 200  # sees no post
    assert "No duty post in your scope" in browser(u.world.users["outsider"]).get("/duty/plans/").content.decode()


def test_change_requests_from_my_duty_to_the_approver(unit):
    u, p = unit, unit.p
    plan_october(u)
    first = DutyShift.objects.get(post=u.post, date=OCT[0])  # L1; O1 O2
    mine = browser(p["O1"])
    assert f"/duty/shifts/{first.pk}/change/" in mine.get("/duty/").content.decode()
    url = f"/duty/shifts/{first.pk}/change/"
    outsider = mine.post(url, {"kind": "substitute", "other": p["P1"].pk, "reason": "出差"})
    assert outsider.status_code == 400 and "Choose someone else from your own unit." in outsider.content.decode()
    swap_wrong = mine.post(url, {"kind": "swap", "other": p["O3"].pk, "reason": "家中有事"})
    assert swap_wrong.status_code == 400 and "same post" in swap_wrong.content.decode()
    assert not ShiftChange.objects.exists()
    assert mine.post(url, {"kind": "substitute", "other": p["O3"].pk, "reason": "出差"}).status_code == 302
    change = ShiftChange.objects.get()
    assert browser(p["O3"]).get(url).status_code == 404  # not their shift

    leader = browser(p["L1"])
    assert "waiting for your decision" in leader.get("/duty/").content.decode()
    listing = leader.get("/duty/changes/").content.decode()
    assert "出差" in listing and 'value="approve"' in listing
    assert browser(p["O2"]).post("/duty/changes/", {"change": change.pk, "decision": "approve"}).status_code == 404
    assert leader.post("/duty/changes/", {"change": change.pk, "decision": "approve"}).status_code == 302
    assert officers(first) == ["O2", "O3"]
    assert "Approved" in mine.get("/duty/changes/").content.decode()


def test_shift_page_log_handover_takeover_and_the_late_mark(unit):
    u, p = unit, unit.p
    plan_october(u, end=OCT[1])
    first, second = DutyShift.objects.filter(post=u.post).order_by("date")
    with time_machine.travel(datetime(2026, 10, 1, 22, tzinfo=SHANGHAI), tick=False):
        outgoing, incoming = browser(p["O1"]), browser(p["O3"])  # logged in now: sessions expire
        url = f"/duty/shifts/{first.pk}/"
        assert outgoing.post(url, {"action": "log", "text": "22:00 接市应急局通知"}).status_code == 302
        assert (
            outgoing.post(url, {"action": "log", "text": "明早核实化工园区报警", "open_item": "on"}).status_code == 302
        )
        assert outgoing.post(url, {"action": "log", "text": "  "}).status_code == 400
        assert incoming.post(url, {"action": "log", "text": "不是我的班"}).status_code == 404
        handed = outgoing.post(url, {"action": "hand_over"}, follow=True)
        assert "Handed over" in handed.content.decode()
    with time_machine.travel(datetime(2026, 10, 2, 8, 50, tzinfo=SHANGHAI), tick=False):
        incoming = browser(p["O3"])
        page = incoming.get(f"/duty/shifts/{second.pk}/").content.decode()
        assert "明早核实化工园区报警" in page and "carried from 10-01" in page and "late handover" in page
        assert incoming.post(f"/duty/shifts/{second.pk}/", {"action": "take_over"}).status_code == 302
        page = incoming.get(f"/duty/shifts/{second.pk}/").content.decode()
        assert "taken over" in page and "late handover" in page and 'value="take_over"' not in page
    assert DutyLogEntry.objects.filter(shift=first).count() == 2
    assert browser(u.world.users["district"]).get(f"/duty/shifts/{first.pk}/").status_code == 200  # answers for it
    for stranger in (p["M1"], u.world.users["dept_head"]):
        assert browser(stranger).get(f"/duty/shifts/{first.pk}/").status_code == 404


def test_rota_api_edit_generate_and_add(unit):
    u, p = unit, unit.p
    district = api(u.world.users["district"])
    made = district.post("/api/v1/rota-shifts/generate/", {"post": u.post.pk, "start": "2026-10-01",
                         "end": "2026-10-03", "leaders": [p["L1"].pk], "officers": [p["O1"].pk, p["O2"].pk],
                         "per_day": 1}, format="json")  # fmt: skip
    assert made.status_code == 201 and made.json()["understaffed"] == ["2026-10-01", "2026-10-02", "2026-10-03"]
    listed = district.get("/api/v1/rota-shifts/", {"post": u.post.pk, "date_after": "2026-10-02"}).json()
    assert sorted(s["date"] for s in listed["results"]) == ["2026-10-02", "2026-10-03"]
    shift = DutyShift.objects.get(post=u.post, date=OCT[0])
    bad = district.post(f"/api/v1/rota-shifts/{shift.pk}/edit/", {"leader": p["L1"].pk,
                        "officers": [p["O1"].pk, p["P1"].pk], "reason": "x"}, format="json")  # fmt: skip
    assert bad.status_code == 400 and bad.json()["officers"] == ["P1 is not in this unit."]
    assert officers(shift) == ["O1"]
    good = district.post(f"/api/v1/rota-shifts/{shift.pk}/edit/", {"leader": p["L2"].pk,
                         "officers": [p["O1"].pk, p["O3"].pk], "reason": "配齐"}, format="json")  # fmt: skip
    assert good.status_code == 200 and sorted(good.json()["officers"]) == sorted([p["O1"].pk, p["O3"].pk])
    added = district.post("/api/v1/rota-shifts/", {"post": u.post.pk, "date": "2026-10-05", "leader": p["L1"].pk,
                          "officers": [p["O2"].pk, p["O4"].pk], "reason": "补排"}, format="json")  # fmt: skip
    assert added.status_code == 201
    assert district.post("/api/v1/rota-shifts/", {"post": u.post.pk, "date": "2026-10-05", "leader": p["L1"].pk,
                         "officers": [p["O2"].pk, p["O4"].pk], "reason": "again"},
                         format="json").status_code == 409  # fmt: skip
    stranger = api(p["M1"])
    assert stranger.post(f"/api/v1/rota-shifts/{shift.pk}/edit/", {"leader": p["L1"].pk, "officers": [],
                         "reason": "x"}, format="json").status_code == 404  # fmt: skip
    assert stranger.post("/api/v1/rota-shifts/generate/", {"post": u.post.pk, "start": "2026-10-01",
                         "end": "2026-10-03", "leaders": [p["L1"].pk], "officers": [p["O1"].pk]},
                         format="json").status_code == 404  # fmt: skip
    assert stranger.get("/api/v1/rota-shifts/", {"post": u.post.pk}).json()["results"] == []


def test_duty_plan_api_submit_status_and_periods(unit):
    u = unit
    plan_october(u, end=OCT[5])
    district, city = api(u.world.users["district"]), api(u.world.users["city"])
    body = {"post": u.post.pk, "name": "国庆节", "start": "2026-10-01", "end": "2026-10-07"}
    refused = district.post("/api/v1/duty-plans/", body, format="json")
    assert refused.status_code == 400 and "No shift is planned on 10-07." in refused.json()["shifts"]
    p = u.p
    rota.add_shift(u.world.users["district"], u.post, OCT[6], p["L1"], [p["O1"], p["O2"]], "补排")
    assert district.post("/api/v1/duty-plans/", body, format="json").status_code == 201
    assert district.post("/api/v1/duty-plans/", body, format="json").status_code == 201  # again: renewed
    assert DutyPlan.objects.count() == 1
    status = city.get("/api/v1/duty-plans/status/", {"start": "2026-10-01", "end": "2026-10-07"}).json()
    rows = {r["title"]: r for r in status["posts"]}
    assert rows["海滨区值班室"]["ready"] and rows["海滨区值班室"]["submitted_by"] == u.world.users["district"].pk
    assert rows["新城区值班室"]["submitted_at"] is None and len(rows["新城区值班室"]["missing"]) == 7
    assert city.get("/api/v1/duty-plans/status/", {"start": "2026-10-07", "end": "2026-10-01"}).status_code == 400
    periods = city.get("/api/v1/duty-plans/periods/", {"year": 2026}).json()
    assert {"key": "2026-10-01_2026-10-07", "name": "国庆节", "start": "2026-10-01", "end": "2026-10-07"} in periods
    assert len(city.get("/api/v1/duty-plans/").json()["results"]) == 1
    stranger = api(p["M1"])
    assert stranger.get("/api/v1/duty-plans/").json()["results"] == []
    assert stranger.post("/api/v1/duty-plans/", body, format="json").status_code == 404
    assert [r["title"] for r in stranger.get("/api/v1/duty-plans/status/", {"start": "2026-10-01",
            "end": "2026-10-07"}).json()["posts"]] == ["新城区值班室"]  # fmt: skip


def test_navigation_links_the_new_pages(unit):
    page = browser(unit.world.users["district"]).get("/duty/").content.decode()
    assert 'href="/duty/rota/"' in page and 'href="/duty/plans/"' in page
    city = browser(unit.world.users["city"]).get("/duty/").content.decode()
    assert 'href="/duty/changes/"' in city
