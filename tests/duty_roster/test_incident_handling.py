"""Issue #15 items 4-5: incident notices to the duty posts of the units concerned, response steps timed against their
limits, the reporting chain (county within 1 hour, each level up within 2), omitted / false / concealed reports, the
follow-ups due at 08:00 and 17:00 while an incident is open, and the four failures counted per post.
Every threshold at, just before and just after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditEvent
from duty_roster import incidents
from duty_roster.failures import four_failures
from duty_roster.models import IncidentRelay, IncidentReport
from notifications import sweeps
from notifications.models import Notification
from notifications.outbox import acknowledge
from organizations.choices import PositionKind, UnitKind
from organizations.models import PositionAssignment
from organizations.scope import visible_posts

from ..factories import PositionFactory, UserFactory, assign

SHANGHAI = ZoneInfo("Asia/Shanghai")
# National Day 2026, a holiday afternoon: the incident is known at 15:00 and reported at 15:10.
KNOWN = datetime(2026, 10, 1, 15, 0, tzinfo=SHANGHAI)
REPORTED = KNOWN + timedelta(minutes=10)


@dataclass
class Duty:
    world: object
    territory: object  # 海滨区值班室 (the county government's duty post)
    department: object  # 海滨区应急管理局值班室 (the supervising department's)
    enterprise_post: object  # 海滨化工值班室 (the reporting unit's)
    officer: object  # holds the territory post
    dept_officer: object  # holds the department post
    ent_officer: object  # holds the enterprise's duty post


@pytest.fixture
def duty(world):
    """GIVEN duty posts of 海滨区's government, of 海滨区应急管理局 (which supervises 海滨化工, a chemicals firm) and of
    海滨化工 itself, each with one holder."""
    territory = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1,
                                title="海滨区值班室")  # fmt: skip
    department = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.DEPARTMENT,
                                 department=world.d1_yjj, title="海滨区应急管理局值班室")  # fmt: skip
    enterprise_post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.ENTERPRISE,
                                      enterprise=world.e1, title="海滨化工值班室")  # fmt: skip
    officer = UserFactory(username="d1_duty", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    dept_officer = UserFactory(username="yjj_duty", unit_kind=UnitKind.DEPARTMENT, department=world.d1_yjj)
    ent_officer = UserFactory(username="e1_duty", unit_kind=UnitKind.ENTERPRISE, enterprise=world.e1)
    assign(officer, territory)
    assign(dept_officer, department)
    assign(ent_officer, enterprise_post)
    PositionAssignment.objects.update(started_at=datetime(2020, 1, 1, tzinfo=SHANGHAI))
    return Duty(world, territory, department, enterprise_post, officer, dept_officer, ent_officer)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def reported(duty, deaths: int = 0, at: datetime = REPORTED, known: datetime = KNOWN) -> IncidentReport:
    """海滨化工 reports a fire in its tank farm."""
    with time_machine.travel(at, tick=False):
        return incidents.report(duty.world.users["enterprise"], incidents.Facts(
            kind="production", place="二号罐区", occurred_at=known - timedelta(minutes=5), known_at=known,
            course="储罐区泄漏着火。", deaths=deaths,
        ))  # fmt: skip


def at(moment: datetime, fn, *args, **kwargs):
    with time_machine.travel(moment, tick=False):
        return fn(*args, **kwargs)


def failures_of(user, day=date(2026, 10, 1), until=date(2026, 10, 3)) -> dict:
    return {r["title"]: r for r in four_failures(user, day, until)}


# --- item 4: the notices reach the units concerned, and "incident not known" counts for them ----------------------


def test_the_territory_and_the_department_duty_posts_are_told_and_must_answer(duty, settings):
    incident = reported(duty)
    assert (incident.territory_post, incident.department_post) == (duty.territory, duty.department)
    for user, post in ((duty.officer, duty.territory), (duty.dept_officer, duty.department)):
        notice = Notification.objects.get(recipient=user)
        assert notice.position == post and notice.must_answer and notice.link == f"/duty/incidents/{incident.pk}/"
        assert notice.answer_due_at == REPORTED + timedelta(minutes=settings.INCIDENT_ANSWER_MINUTES)
    assert Notification.objects.filter(recipient=duty.world.users["city"], must_answer=True).count() == 1


@pytest.mark.parametrize(("seconds", "late"), [(-1, 0), (0, 0), (1, 1)])
def test_incident_not_known_at_just_before_and_after_the_answer_limit(duty, settings, seconds, late):
    reported(duty)
    due = REPORTED + timedelta(minutes=settings.INCIDENT_ANSWER_MINUTES)
    for user in (duty.officer, duty.dept_officer):
        at(due + timedelta(seconds=seconds), acknowledge, user, Notification.objects.get(recipient=user))
    rows = at(REPORTED + timedelta(days=1), failures_of, duty.world.users["city"])
    for title in ("海滨区值班室", "海滨区应急管理局值班室"):
        assert (rows[title]["incident_notices"], rows[title]["incident_notices_late"]) == (1, late), title


def test_an_unanswered_notice_counts_for_the_post(duty):
    reported(duty)
    rows = at(REPORTED + timedelta(days=1), failures_of, duty.world.users["city"])
    assert rows["海滨区值班室"]["incident_notices_late"] == 1
    assert rows["海滨区应急管理局值班室"]["incident_notices_late"] == 1
    assert rows["海滨化工值班室"]["incident_notices_late"] == 0  # the reporting unit is not told its own incident


# --- item 4: response steps timed against their limits ---------------------------------------------------------


@pytest.mark.parametrize(
    ("deaths", "kind", "minutes", "late"),
    [
        (0, "on_scene", 119, 0), (0, "on_scene", 120, 0), (0, "on_scene", 121, 1),  # general: 2 hours
        (10, "on_scene", 29, 0), (10, "on_scene", 30, 0), (10, "on_scene", 31, 1),  # major: 30 minutes
        (0, "rescue", 240, 0), (0, "rescue", 241, 1),  # general: 4 hours
        (0, "under_control", 720, 0), (0, "under_control", 721, 1),  # general: 12 hours
    ],
)  # fmt: skip
def test_a_response_step_at_just_before_and_after_its_limit(duty, deaths, kind, minutes, late):
    incident = reported(duty, deaths=deaths)
    step = at(KNOWN + timedelta(hours=13), incidents.record_step, duty.officer, incident.pk, kind,
              KNOWN + timedelta(minutes=minutes))  # fmt: skip
    assert step.delay_minutes == late and step.due_at is not None
    rows = at(KNOWN + timedelta(days=1), failures_of, duty.world.users["city"])
    assert rows["海滨区值班室"]["steps_late"] == late
    assert rows["海滨区应急管理局值班室"]["steps_late"] == late  # the supervising department's too
    assert AuditEvent.objects.filter(action="incident.step", object_id=str(incident.pk)).count() == 1


def test_the_limit_follows_the_grade_raised_by_a_follow_up(duty):
    incident = reported(duty)
    at(REPORTED + timedelta(minutes=5), incidents.supplement, duty.world.users["enterprise"], incident.pk,
       {"deaths": 10})  # fmt: skip
    step = at(KNOWN + timedelta(hours=1), incidents.record_step, duty.officer, incident.pk, "on_scene",
              KNOWN + timedelta(minutes=31))  # fmt: skip
    assert step.delay_minutes == 1  # major now: 30 minutes


def test_steps_through_the_api_once_each_and_none_after_closing(duty):
    incident = reported(duty)
    url = f"/api/v1/incidents/{incident.pk}/steps/"
    with time_machine.travel(KNOWN + timedelta(hours=2), tick=False):
        client = api(duty.officer)
        assert client.post(url, {"kind": "on_scene", "note": "到场"}, format="json").status_code == 201
        assert client.post(url, {"kind": "on_scene"}, format="json").status_code == 409
        future = client.post(url, {"kind": "rescue", "at": (KNOWN + timedelta(hours=3)).isoformat()}, format="json")
        assert future.status_code == 400 and "at" in future.json()
        early = client.post(url, {"kind": "rescue", "at": (KNOWN - timedelta(minutes=1)).isoformat()}, format="json")
        assert early.status_code == 400 and "at" in early.json()
        assert client.post(url, {"kind": "landed"}, format="json").status_code == 400
        assert api(duty.world.users["enterprise"]).post(url, {"kind": "closed"}, format="json").status_code == 403
        assert api(duty.world.users["dept_head"]).post(url, {"kind": "rescue"}, format="json").status_code == 404
        assert client.post(url, {"kind": "closed"}, format="json").status_code == 201
        assert client.post(url, {"kind": "rescue"}, format="json").status_code == 409
        body = client.get(f"/api/v1/incidents/{incident.pk}/").json()
    assert [s["kind"] for s in body["steps"]] == ["on_scene", "closed"]
    page = Client()
    page.force_login(duty.officer)
    listed = page.get("/duty/incidents/").content.decode()
    assert 'class="tag">处置结束<' in listed


# --- item 5: the reporting chain ------------------------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "late"), [(59, False), (60, False), (61, True)])
def test_the_county_receives_within_an_hour_of_the_time_known(duty, minutes, late):
    incident = reported(duty)
    row = at(KNOWN + timedelta(minutes=minutes), incidents.relay, duty.officer, incident.pk, "county", "receive")
    assert row.receive_due_at == KNOWN + timedelta(hours=1) and row.receipt_late is late
    assert row.forward_due_at == KNOWN + timedelta(minutes=minutes + 120)
    city = incident.relays.get(level="city")
    assert city.receive_due_at == row.forward_due_at  # the city's receipt is due when the county's forwarding is
    rows = at(KNOWN + timedelta(days=1), failures_of, duty.world.users["city"])
    assert rows["海滨区值班室"]["relays_late"] == 1  # late receipt or, in any case, not forwarded in time
    at(KNOWN + timedelta(minutes=minutes + 5), incidents.relay, duty.officer, incident.pk, "county", "forward")
    rows = at(KNOWN + timedelta(days=1), failures_of, duty.world.users["city"])
    assert rows["海滨区值班室"]["relays_late"] == (1 if late else 0)


@pytest.mark.parametrize(("minutes", "late"), [(119, False), (120, False), (121, True)])
def test_each_level_forwards_within_two_hours_of_its_receipt(duty, minutes, late):
    incident = reported(duty)
    received = KNOWN + timedelta(minutes=20)
    at(received, incidents.relay, duty.officer, incident.pk, "county", "receive")
    row = at(received + timedelta(minutes=minutes), incidents.relay, duty.officer, incident.pk, "county", "forward")
    assert row.forward_late is late
    city = duty.world.users["city"]
    at(received + timedelta(minutes=minutes), incidents.relay, city, incident.pk, "city", "receive")
    top = at(received + timedelta(minutes=minutes + 120), incidents.relay, city, incident.pk, "city", "forward")
    assert not top.receipt_late or late  # received when it came
    rows = at(KNOWN + timedelta(days=1), failures_of, duty.officer)
    assert rows["海滨区值班室"]["relays_late"] == (1 if late else 0)


def test_the_chain_in_order_once_each_and_only_by_its_level(duty):
    incident = reported(duty)
    url = f"/api/v1/incidents/{incident.pk}/relay/"
    with time_machine.travel(KNOWN + timedelta(minutes=30), tick=False):
        officer = api(duty.officer)
        assert officer.post(url, {"level": "county", "action": "forward"}, format="json").status_code == 409
        assert officer.post(url, {"level": "county", "action": "receive"}, format="json").status_code == 200
        assert officer.post(url, {"level": "county", "action": "receive"}, format="json").status_code == 409
        assert officer.post(url, {"level": "city", "action": "receive"}, format="json").status_code == 403
        assert api(duty.dept_officer).post(url, {"level": "county", "action": "forward"},
                                           format="json").status_code == 403  # fmt: skip
        assert officer.post(url, {"level": "county", "action": "fly"}, format="json").status_code == 400
        assert officer.post(url, {"level": "county", "action": "forward"}, format="json").status_code == 200
        assert api(duty.world.users["city"]).post(url, {"level": "city", "action": "receive"},
                                                  format="json").status_code == 200  # fmt: skip
    actions = set(AuditEvent.objects.filter(object_id=str(incident.pk)).values_list("action", flat=True))
    assert {"incident.receive", "incident.forward"} <= actions


@pytest.mark.parametrize(("seconds", "told"), [(-1, 0), (0, 0), (1, 1)])
def test_an_overdue_receipt_tells_the_levels_duty_post(duty, seconds, told):
    reported(duty)
    at(KNOWN + timedelta(hours=1, seconds=seconds), sweeps.run)
    assert Notification.objects.filter(recipient=duty.officer, key__startswith="incidentchain:").count() == told
    at(KNOWN + timedelta(hours=1, minutes=5), sweeps.run)  # once only
    assert Notification.objects.filter(recipient=duty.officer, key__startswith="incidentchain:").count() == 1


# --- item 5: omitted, false and concealed reports -------------------------------------------------------------


def test_the_city_office_records_omitted_false_and_concealed_reports(duty):
    incident = reported(duty)
    url = f"/api/v1/incidents/{incident.pk}/flags/"
    with time_machine.travel(KNOWN + timedelta(days=1), tick=False):
        city = api(duty.world.users["city"])
        assert api(duty.officer).post(url, {"kind": "concealed", "note": "x"}, format="json").status_code == 403
        assert city.post(url, {"kind": "hidden", "note": "x"}, format="json").status_code == 400
        assert city.post(url, {"kind": "concealed", "note": ""}, format="json").status_code == 400
        made = city.post(url, {"kind": "concealed", "note": "实际死亡2人，上报0人。"}, format="json")
        assert made.status_code == 201, made.json()
        assert city.post(url, {"kind": "concealed", "note": "again"}, format="json").status_code == 409
        assert city.post(url, {"kind": "false", "note": "伤亡数字不实。"}, format="json").status_code == 201
        rows = failures_of(duty.world.users["city"], date(2026, 10, 1), date(2026, 10, 2))
    assert rows["海滨区值班室"]["reports_flagged"] == 2 and rows["海滨区应急管理局值班室"]["reports_flagged"] == 2
    assert AuditEvent.objects.filter(action="incident.flag", object_id=str(incident.pk)).count() == 2
    assert incident.flags.count() == 2


# --- item 5: follow-ups at 08:00 and 17:00 while open ----------------------------------------------------------


def followups(user) -> list[str]:
    return sorted(
        n.key.split(":")[2] for n in Notification.objects.filter(recipient=user, key__startswith="incidentfollowup:")
    )


@pytest.mark.parametrize(("seconds", "told"), [(-1, []), (0, ["202610011700"]), (1, ["202610011700"])])
def test_a_follow_up_is_due_at_17(duty, seconds, told):
    reported(duty)
    at(datetime(2026, 10, 1, 17, 0, tzinfo=SHANGHAI) + timedelta(seconds=seconds), sweeps.run)
    assert followups(duty.world.users["enterprise"]) == told  # the reporter
    assert followups(duty.ent_officer) == told  # and the reporting unit's duty post
    if told:
        assert Notification.objects.filter(recipient=duty.ent_officer, position=duty.enterprise_post,
                                           key__startswith="incidentfollowup:").exists()  # fmt: skip
    assert followups(duty.officer) == []


@pytest.mark.parametrize(("seconds", "told"), [(-1, []), (0, []), (1, ["202610011700"])])
def test_a_follow_up_just_before_at_or_after_17_00(duty, seconds, told):
    incident = reported(duty)
    at(datetime(2026, 10, 1, 17, 0, tzinfo=SHANGHAI) + timedelta(seconds=seconds), incidents.supplement,
       duty.world.users["enterprise"], incident.pk, {"measures": "明火已扑灭。"})  # fmt: skip
    at(datetime(2026, 10, 1, 17, 0, 2, tzinfo=SHANGHAI), sweeps.run)
    assert followups(duty.ent_officer) == told


def test_follow_ups_across_midnight_to_08_00(duty):
    """Reported at 18:00: the next follow-up is due at 08:00 the next day; a follow-up at 09:00 covers 17:00; none
    after it makes 08:00 of the day after due again; a repeat sweep tells nobody twice."""
    incident = reported(duty, at=datetime(2026, 10, 1, 18, 0, tzinfo=SHANGHAI),
                        known=datetime(2026, 10, 1, 17, 50, tzinfo=SHANGHAI))  # fmt: skip
    at(datetime(2026, 10, 2, 7, 59, 59, tzinfo=SHANGHAI), sweeps.run)
    assert followups(duty.ent_officer) == []
    at(datetime(2026, 10, 2, 8, 0, tzinfo=SHANGHAI), sweeps.run)
    at(datetime(2026, 10, 2, 8, 1, tzinfo=SHANGHAI), sweeps.run)
    assert followups(duty.ent_officer) == ["202610020800"]
    at(datetime(2026, 10, 2, 9, 0, tzinfo=SHANGHAI), incidents.supplement, duty.world.users["enterprise"],
       incident.pk, {"missing": 0})  # fmt: skip
    at(datetime(2026, 10, 2, 23, 30, tzinfo=SHANGHAI), sweeps.run)
    assert followups(duty.ent_officer) == ["202610020800"]  # 17:00 covered by the 09:00 one
    at(datetime(2026, 10, 3, 7, 59, 59, tzinfo=SHANGHAI), sweeps.run)
    assert followups(duty.ent_officer) == ["202610020800"]
    at(datetime(2026, 10, 3, 8, 0, 1, tzinfo=SHANGHAI), sweeps.run)
    assert followups(duty.ent_officer) == ["202610020800", "202610030800"]


def test_a_follow_up_sent_the_evening_before_covers_08_00(duty):
    incident = reported(duty, at=datetime(2026, 10, 1, 18, 0, tzinfo=SHANGHAI),
                        known=datetime(2026, 10, 1, 17, 50, tzinfo=SHANGHAI))  # fmt: skip
    at(datetime(2026, 10, 1, 23, 30, tzinfo=SHANGHAI), incidents.supplement, duty.world.users["enterprise"],
       incident.pk, {"missing": 0})  # fmt: skip
    at(datetime(2026, 10, 2, 8, 0, 1, tzinfo=SHANGHAI), sweeps.run)
    assert followups(duty.ent_officer) == []


def test_no_follow_up_is_due_once_the_incident_is_closed(duty, settings):
    settings.INCIDENT_FOLLOWUP_TIMES = ("08:00", "12:00", "17:00")  # configurable
    incident = reported(duty, at=datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI),
                        known=datetime(2026, 10, 1, 8, 50, tzinfo=SHANGHAI))  # fmt: skip
    at(datetime(2026, 10, 1, 12, 0, tzinfo=SHANGHAI), sweeps.run)
    assert followups(duty.ent_officer) == ["202610011200"]
    at(datetime(2026, 10, 1, 16, 0, tzinfo=SHANGHAI), incidents.record_step, duty.officer, incident.pk, "closed")
    at(datetime(2026, 10, 1, 17, 0, 1, tzinfo=SHANGHAI), sweeps.run)
    at(datetime(2026, 10, 2, 8, 0, 1, tzinfo=SHANGHAI), sweeps.run)
    assert followups(duty.ent_officer) == ["202610011200"]
    assert incidents.next_followup(incident, datetime(2026, 10, 2, 9, 0, tzinfo=SHANGHAI)) is None


# --- the incident page ----------------------------------------------------------------------------------------


def test_the_incident_page_records_steps_chain_follow_ups_and_flags(duty, client):
    incident = reported(duty)
    page = f"/duty/incidents/{incident.pk}/"
    with time_machine.travel(KNOWN + timedelta(minutes=40), tick=False):
        client.force_login(duty.officer)
        shown = client.get(page).content.decode()
        assert 'name="do" value="step"' in shown and 'value="receive"' in shown
        assert 'value="flag"' not in shown  # the city office's
        bad = client.post(page, {"do": "step", "step-kind": "on_scene", "step-at": "2099-01-01T00:00"})
        assert bad.status_code == 400 and 'class="error"' in bad.content.decode()
        assert (
            client.post(page, {"do": "step", "step-kind": "on_scene", "step-at": "", "step-note": ""}).status_code
            == 302
        )
        assert client.post(page, {"do": "relay", "level": "county", "action": "receive"}).status_code == 302
        assert incident.relays.get(level="county").received_at is not None
        client.force_login(duty.world.users["enterprise"])
        follow = {"do": "followup", "followup-deaths": 1, "followup-serious_injuries": 0, "followup-missing": 0,
                  "followup-direct_loss": "0", "followup-measures": "救援中。"}  # fmt: skip
        assert client.post(page, follow).status_code == 302
        assert incident.supplements.get().deaths == 1
        client.force_login(duty.world.users["city"])
        assert client.post(page, {"do": "flag", "flag-kind": "omitted", "flag-note": ""}).status_code == 400
        assert client.post(page, {"do": "flag", "flag-kind": "omitted", "flag-note": "迟报后补。"}).status_code == 302
        shown = client.get(page).content.decode()
    assert incident.flags.count() == 1 and incident.steps.count() == 1
    assert IncidentRelay.objects.filter(incident=incident).count() == 2
    assert "迟报后补。" in shown


@pytest.mark.parametrize(("days", "told"), [(6, 1), (7, 0)])
def test_no_follow_up_is_due_once_supplements_are_closed(duty, days, told):
    """A fire takes supplements for 7 days: the follow-ups are due until then, and not after (nobody could send
    one)."""
    known = datetime(2026, 10, 1, 8, 30, tzinfo=SHANGHAI)
    with time_machine.travel(known + timedelta(minutes=5), tick=False):
        incidents.report(duty.world.users["enterprise"], incidents.Facts(
            kind="fire", place="仓库", occurred_at=known, known_at=known, course="仓库起火。"))  # fmt: skip
    at(datetime(2026, 10, 1, 8, 30, tzinfo=SHANGHAI) + timedelta(days=days, hours=9), sweeps.run)  # 17:30
    assert Notification.objects.filter(recipient=duty.ent_officer, key__contains=f"{1 + days:02d}1700").count() == told


# --- the incident figures are counted in SQL, for the viewer's posts only ------------------------------------------


def rows_read_by(fn, *args):
    """Call `fn`, returning its result and the number of rows each of its queries returned."""
    counts = []

    def count_rows(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        counts.append(context["cursor"].rowcount)
        return result

    with connection.execute_wrapper(count_rows):
        return fn(*args), counts


def test_the_incident_figures_read_only_the_viewers_posts(duty, django_assert_num_queries):
    """GIVEN a late report of 海滨区 and five of 新城区, each of those with a late step and a flag WHEN 海滨区's duty
    officer reads the four failures THEN only 海滨区's incident counts, in the same ten queries, and no query returns
    more rows than the officer has posts: 新城区's incidents are neither read nor counted; the city office sees both."""
    world, city = duty.world, duty.world.users["city"]
    other_post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d2,
                                 title="新城区值班室")  # fmt: skip
    late = KNOWN + timedelta(hours=3)  # a general incident's limits: report 120, on scene 120 minutes
    ours = reported(duty, at=late)
    at(late, incidents.record_step, city, ours, "on_scene")
    for n in range(5):
        theirs = at(late, incidents.report, city, incidents.Facts(
            kind="fire", place=f"新城{n}号楼", occurred_at=KNOWN - timedelta(minutes=5), known_at=KNOWN,
            course="居民楼起火。", region=world.d2,
        ))  # fmt: skip
        at(late, incidents.record_step, city, theirs, "on_scene")
        at(late, incidents.flag, city, theirs, "concealed", "实际死亡1人，上报0人。")
    posts = visible_posts(duty.officer).count()
    with django_assert_num_queries(10):
        mine, counts = at(KNOWN + timedelta(days=1), rows_read_by, failures_of, duty.officer)
    assert max(counts) <= posts == 1
    assert [mine["海滨区值班室"][f] for f in ("reports_late", "steps_late", "reports_flagged")] == [1, 1, 0]
    everyone = at(KNOWN + timedelta(days=1), failures_of, city)
    assert [everyone["新城区值班室"][f] for f in ("reports_late", "steps_late", "reports_flagged")] == [5, 5, 5]
    assert everyone["海滨区应急管理局值班室"]["reports_late"] == 1  # supervised by its department
    assert other_post.pk not in {r["post"] for r in four_failures(duty.officer, date(2026, 10, 1), date(2026, 10, 3))}
