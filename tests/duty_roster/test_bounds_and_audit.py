"""Issue 12: planned days and incident times within bounds (point 8), nobody decides their own change request
(point 10), incident reports and duty-log entries in the audit trail (point 21)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

from audit.models import AuditEvent
from duty_roster import rota
from duty_roster.models import DutyLogEntry, DutyPlan, DutyShift, IncidentReport, ShiftChange

OCT = [date(2026, 10, d) for d in range(1, 8)]


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_authenticate(user)
    return client


def browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def people_ids(u, *names):
    return [u.p[n].pk for n in names]


# --- point 8: planned days ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2099-01-05", "1999-12-31"])
def test_a_shift_on_a_day_out_of_bounds_is_refused(unit, day):
    u = unit
    body = {"post": u.post.pk, "date": day, "leader": u.p["L1"].pk, "officers": people_ids(u, "O1", "O2"),
            "reason": "补排"}  # fmt: skip
    response = api(u.world.users["district"]).post("/api/v1/rota-shifts/", body, format="json")
    assert response.status_code == 400, response.json()
    assert "日期须在2000-01-01至2029-09-19之间" in response.json()["date"][0]
    assert not DutyShift.objects.exists()


def test_generating_or_submitting_a_period_beyond_the_horizon_is_refused(unit):
    u = unit
    body = {"post": u.post.pk, "start": "2099-01-01", "end": "2099-01-05", "leaders": people_ids(u, "L1"),
            "officers": people_ids(u, "O1", "O2"), "per_day": 2}  # fmt: skip
    response = api(u.world.users["district"]).post("/api/v1/rota-shifts/generate/", body, format="json")
    assert response.status_code == 400, response.json()
    assert set(response.json()) == {"start", "end"}
    plan = {"post": u.post.pk, "name": "元旦", "start": "9999-12-31", "end": "9999-12-31"}
    response = api(u.world.users["district"]).post("/api/v1/duty-plans/", plan, format="json")
    assert response.status_code == 400 and "start" in response.json(), response.json()
    assert not DutyShift.objects.exists() and not DutyPlan.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="rota.").exists()


def test_the_rota_page_refuses_a_period_beyond_the_horizon(unit):
    u = unit
    data = {"start": "2099-01-01", "end": "2099-01-05", "leaders": people_ids(u, "L1"),
            "officers": people_ids(u, "O1", "O2"), "per_day": 2}  # fmt: skip
    response = browser(u.world.users["district"]).post(f"/duty/rota/{u.post.pk}/?month=2026-10", data)
    assert response.status_code == 400
    assert "首日须在2000-01-01至2029-09-19之间" in response.content.decode()
    assert not DutyShift.objects.exists()


# --- point 8: incident times ----------------------------------------------------------------------------------------


def incident(u, **changes) -> dict:
    now = timezone.now()
    return {"kind": "production", "enterprise": u.world.e1.id, "place": "二号罐区",
            "occurred_at": (now - timedelta(minutes=40)).isoformat(),
            "known_at": (now - timedelta(minutes=30)).isoformat(), "course": "泄漏着火。", **changes}  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"occurred_at": "1999-12-31T23:00:00+08:00"}, "occurred_at", "事发时间不能早于2000-01-01"),
        ({"occurred_at": "1900-01-01T00:00:00+08:00", "known_at": "1900-01-01T01:00:00+08:00"}, "known_at",
         "获知时间不能早于"),
        ({"known_at": "2099-01-01T00:00:00+08:00"}, "known_at", "获知时间不能晚于当前时间"),
    ],
)  # fmt: skip
def test_incident_times_before_the_floor_or_in_the_future_are_refused(unit, changes, field, words):
    response = api(unit.world.users["district"]).post("/api/v1/incidents/", incident(unit, **changes), format="json")
    assert response.status_code == 400, response.json()
    assert words in response.json()[field][0]
    assert not IncidentReport.objects.exists()


def test_the_incident_page_refuses_a_time_before_the_floor(unit):
    data = {"kind": "production", "enterprise": unit.world.e1.id, "place": "二号罐区",
            "occurred_at": "1999-01-01T08:00", "known_at": "1999-01-01T09:00", "deaths": 0, "serious_injuries": 0,
            "missing": 0, "direct_loss": 0, "course": "泄漏"}  # fmt: skip
    response = browser(unit.world.users["district"]).post("/duty/incidents/new/", data)
    assert response.status_code == 400
    assert "事发时间不能早于2000-01-01" in response.content.decode()
    assert not IncidentReport.objects.exists()


# --- point 10: nobody decides their own request ---------------------------------------------------------------------


def leader_asks_to_be_covered(u):
    """L1 is the leader on duty of 1 October and asks L2 to stand in for them."""
    rota.generate(u.world.users["district"], u.post, OCT[0], OCT[1], [u.p["L1"]], [u.p[n] for n in ("O1", "O2")],
                  per_day=2)  # fmt: skip
    shift = DutyShift.objects.get(post=u.post, date=OCT[0])
    assert shift.leader == u.p["L1"]
    response = api(u.p["L1"]).post("/api/v1/shift-changes/", {"kind": "substitute", "shift": shift.pk,
                                   "other": u.p["L2"].pk, "reason": "出差"}, format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    return shift, response.json()["id"]


def test_a_leader_cannot_approve_their_own_request(unit):
    u = unit
    shift, change = leader_asks_to_be_covered(u)
    refused = api(u.p["L1"]).post(f"/api/v1/shift-changes/{change}/decide/", {"approve": True}, format="json")
    assert refused.status_code == 403
    assert "市安委办审批" in refused.json()["detail"]
    assert ShiftChange.objects.get(pk=change).state == "pending"
    shift.refresh_from_db()
    assert shift.leader == u.p["L1"]
    assert not AuditEvent.objects.filter(action="duty.change_decided").exists()
    approved = api(u.world.users["city"]).post(f"/api/v1/shift-changes/{change}/decide/", {"approve": True},
                                               format="json")  # fmt: skip
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    shift.refresh_from_db()
    assert shift.leader == u.p["L2"]


def test_the_changes_page_does_not_offer_or_allow_deciding_ones_own_request(unit):
    u = unit
    _shift, change = leader_asks_to_be_covered(u)
    client = browser(u.p["L1"])
    page = client.get("/duty/changes/")
    assert f'name="change" value="{change}"' not in page.content.decode()  # no buttons for one's own request
    assert 'name="change"' in browser(u.world.users["city"]).get("/duty/changes/").content.decode()
    response = client.post("/duty/changes/", {"change": change, "decision": "approve"}, follow=True)
    assert "市安委办审批" in response.content.decode()
    assert ShiftChange.objects.get(pk=change).state == "pending"


# --- point 21: the audit trail --------------------------------------------------------------------------------------


def test_incident_reports_and_supplements_are_audited(unit):
    client = api(unit.world.users["district"])
    first = client.post("/api/v1/incidents/", incident(unit, deaths=1), format="json").json()
    event = AuditEvent.objects.get(action="incident.report")
    assert (event.actor, event.object_id) == (unit.world.users["district"], str(first["id"]))
    assert event.changes["deaths"] == 1 and event.changes["grade"] == "general"
    more = client.post(f"/api/v1/incidents/{first['id']}/supplement/", {"deaths": 3}, format="json").json()
    event = AuditEvent.objects.get(action="incident.supplement")
    assert event.object_id == str(first["id"]) and event.changes["supplement"] == more["id"]
    assert event.changes["deaths"] == ["1", "3"] and event.changes["grade"] == ["general", "large"]


def test_duty_log_entries_are_audited_in_the_same_transaction(unit):
    u = unit
    rota.generate(u.world.users["district"], u.post, OCT[0], OCT[1], [u.p["L1"]], [u.p[n] for n in ("O1", "O2")],
                  per_day=2)  # fmt: skip
    shift = DutyShift.objects.get(post=u.post, date=OCT[0])
    response = api(u.p["O1"]).post(f"/api/v1/duty-shifts/{shift.pk}/log/", {"text": "22:10 接市局电话",
                                   "open_item": True}, format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    entry = DutyLogEntry.objects.get()
    event = AuditEvent.objects.get(action="duty.log")
    assert (event.actor, event.object_id) == (u.p["O1"], str(shift.pk))
    assert event.changes == {"entry": entry.pk, "text": "22:10 接市局电话", "open_item": True}
    with translation.override("zh-hans"):
        assert event.get_action_display() == "值班日志已记录"
