"""Changing a risk point through the one writer: edit (fields, controls, inputs), re-evaluate, retire, mark due; who
may (403), in which state (409), bad input by field (400, nothing changed), out of scope (404); the reasons a point
falls due and the accident hook, through the real incident report."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from duty_roster import incidents
from risks import points
from risks.models import RiskControl, RiskEvaluation, RiskPoint
from safety_platform.lib.errors import Conflict

from .factories import make_point

pytestmark = pytest.mark.django_db


def fresh(point: RiskPoint) -> RiskPoint:
    return RiskPoint.objects.get(pk=point.pk)


def controls(point: RiskPoint, active: bool = True) -> list[str]:
    rows = RiskControl.objects.filter(point=point, is_active=active).order_by("position", "id")
    return [c.measure for c in rows]


def test_an_edit_of_plain_fields_changes_them_and_nothing_falls_due(world):
    """GIVEN a yellow point WHEN its responsible person is changed THEN the field changes, the yearly date stays and
    one audit record says from what to what; an edit that changes nothing writes nothing."""
    actor, point = world.users["enterprise"], make_point(world.e1, "yellow")
    due = point.reevaluate_by
    points.edit_point(actor, point, points.PointData({"responsible_name": "赵工"}, {}, None))
    point = fresh(point)
    assert (point.responsible_name, point.reevaluate_by, point.reevaluation_reason) == ("赵工", due, "yearly")
    event = AuditEvent.objects.get(action="risk.edit", object_id=str(point.pk))
    assert event.changes == {"responsible_name": ["王工", "赵工"]}
    points.edit_point(actor, point, points.PointData({"responsible_name": "赵工"}, {}, None))
    assert AuditEvent.objects.filter(action="risk.edit").count() == 1


@pytest.mark.parametrize(
    "change",
    [{"place": "二号罐区"}, {"hazard_factors": ["22", "21"]}, {"accident_types": ["08"]}, {"is_key_place": True}],
)
def test_a_change_to_what_the_grade_rests_on_makes_the_point_due_now(world, change):
    """GIVEN a point due in a year WHEN its place, factors, accident types or key-place flag change THEN it is due
    today for "change" and the grade is not touched."""
    point = make_point(world.e1, "orange")
    points.edit_point(world.users["enterprise"], point, points.PointData(change, {}, None))
    point = fresh(point)
    assert (point.reevaluate_by, point.reevaluation_reason) == (timezone.localdate(), "change")
    assert point.colour == "orange" and RiskEvaluation.objects.filter(point=point).count() == 1


def test_controls_are_matched_by_measure_and_a_changed_one_is_kept_out_of_use(world):
    """GIVEN a point with two controls WHEN one is reworded and one added THEN the unchanged one stays (same row),
    the reworded one is out of use, two new rows are in use, and the point falls due for "change"."""
    point = make_point(world.e1, "blue", controls=2)
    kept = RiskControl.objects.get(point=point, measure="措施1")
    given = [{"kind": "engineering", "measure": "措施1"}, {"kind": "management", "measure": "措施二"},
             {"kind": "training", "measure": "岗前培训"}]  # fmt: skip
    points.edit_point(world.users["enterprise"], point, points.PointData({}, {}, given))
    assert controls(point) == ["措施1", "措施二", "岗前培训"] and controls(point, active=False) == ["措施2"]
    assert RiskControl.objects.get(point=point, measure="措施1").pk == kept.pk
    assert fresh(point).reevaluation_reason == "change"
    points.edit_point(world.users["enterprise"], point, points.PointData({}, {}, given))  # the same again
    assert AuditEvent.objects.filter(action="risk.edit").count() == 1


def test_changed_inputs_are_a_re_evaluation_and_a_major_source_forces_red_at_once(world):
    """GIVEN a blue point WHEN L goes from 1 to 6 THEN it is orange now, re-evaluated (kept, a year on, yearly);
    WHEN it is then flagged a major hazard source THEN it is red at once, kept, and due now for "change"."""
    actor, point = world.users["enterprise"], make_point(world.e1, "blue")
    points.edit_point(actor, point, points.PointData({}, {"lec_l": Decimal(6)}, None))
    point = fresh(point)
    assert (point.colour, point.score, point.reevaluation_reason) == ("orange", Decimal(252), "yearly")
    assert point.evaluated_by == actor
    points.edit_point(actor, point, points.PointData({"is_major_hazard_source": True}, {}, None))
    point = fresh(point)
    assert (point.computed_colour, point.colour, point.reevaluation_reason) == ("orange", "red", "change")
    assert list(RiskEvaluation.objects.filter(point=point).values_list("reason", "colour")) == [
        ("change", "red"), ("change", "orange"), ("first", "blue")
    ]  # fmt: skip


def test_evaluate_keeps_the_evaluation_and_sets_the_next_yearly_date(world, settings):
    """GIVEN a point due for an accident WHEN it is evaluated by the risk matrix (4 × 5) THEN it is red (20), the
    evaluation is kept for "accident", the next date is RISK_REEVALUATION_DAYS on and the reason yearly again."""
    settings.RISK_REEVALUATION_DAYS = 180
    actor, point = world.users["enterprise"], make_point(world.e1, "yellow")
    points.mark_due(RiskPoint.objects.filter(pk=point.pk), "accident")
    points.evaluate(actor, point, {"method": "ls", "ls_l": 4, "ls_s": 5})
    point = fresh(point)
    assert (point.method, point.score, point.colour, point.lec_l) == ("ls", Decimal(20), "red", None)
    assert point.reevaluate_by == timezone.localdate() + timedelta(days=180)
    assert point.reevaluation_reason == "yearly"
    assert RiskEvaluation.objects.filter(point=point).first().reason == "accident"
    event = AuditEvent.objects.get(action="risk.evaluate")
    assert event.changes["colour"] == ["yellow", "red"] and event.changes["occasion"] == "accident"


@pytest.mark.parametrize(
    ("inputs", "field"),
    [({"lec_l": Decimal(7), "lec_e": 6, "lec_c": 7}, "lec_l"), ({"method": "ls", "ls_l": 6, "ls_s": 1}, "ls_l"),
     ({"lec_l": 1, "lec_e": 6, "lec_c": 7, "override_colour": "red"}, "override_reason"),
     ({"lec_l": 10, "lec_e": 6, "lec_c": 7, "override_colour": "blue", "override_reason": "x"}, "override_colour")],
)  # fmt: skip
def test_bad_evaluations_are_refused_by_field_and_nothing_changes(world, inputs, field):
    point = make_point(world.e1, "yellow")
    with pytest.raises(ValidationError) as caught:
        points.evaluate(world.users["enterprise"], point, inputs)
    assert field in caught.value.message_dict
    assert fresh(point).colour == "yellow" and RiskEvaluation.objects.filter(point=point).count() == 1
    assert not AuditEvent.objects.filter(action="risk.evaluate").exists()


def test_bad_edits_are_refused_by_field_and_nothing_changes(world):
    point = make_point(world.e1, "yellow")
    bad = points.PointData({"name": "", "accident_types": ["99"]}, {"lec_c": Decimal(2)}, [])
    with pytest.raises(ValidationError) as caught:
        points.edit_point(world.users["enterprise"], point, bad)
    assert set(caught.value.message_dict) >= {"name", "accident_types", "lec_c", "controls"}
    assert fresh(point).name == "储罐区" and len(controls(point)) == 2


def test_retire_needs_a_reason_and_a_retired_point_refuses_every_action(world):
    """GIVEN a point WHEN retired without a reason THEN 400; with one THEN out of use, audited with the reason; then
    edit, evaluate and retire are 409 and `can()` offers nothing."""
    actor, point = world.users["enterprise"], make_point(world.e1, "red")
    with pytest.raises(ValidationError) as caught:
        points.retire(actor, point, "  ")
    assert "reason" in caught.value.message_dict and fresh(point).is_active
    points.retire(actor, point, "装置已拆除")
    assert not fresh(point).is_active
    assert AuditEvent.objects.get(action="risk.retire").reason == "装置已拆除"
    for call in (lambda: points.edit_point(actor, point, points.PointData({"name": "新"}, {}, None)),
                 lambda: points.evaluate(actor, point, {"lec_l": 1, "lec_e": 6, "lec_c": 7}),
                 lambda: points.retire(actor, point, "再次")):  # fmt: skip
        with pytest.raises(Conflict):
            call()
    assert points.can(actor, fresh(point)) == set()


def test_others_are_refused_403_and_out_of_scope_is_404(world):
    """GIVEN e1's point WHEN the city office (in scope, not the keeper) acts THEN 403; WHEN a user who cannot see it
    acts THEN 404; nothing changes."""
    point = make_point(world.e1, "yellow")
    with pytest.raises(PermissionDenied):
        points.evaluate(world.users["city"], point, {"lec_l": 1, "lec_e": 6, "lec_c": 7})
    for role in ("dept_head", "outsider"):
        with pytest.raises(Http404):
            points.retire(world.users[role], point, "x")
    assert fresh(point).is_active and fresh(point).colour == "yellow"


def test_mark_due_is_one_update_audited_per_point_and_a_repeat_writes_nothing(world, django_assert_num_queries):
    """GIVEN three points, one out of use WHEN marked due for repeated hazards THEN the two in use are due today for
    "hazards" (an earlier overdue date stays), each with a "risk.due" record; a second call changes nothing."""
    a, b, c = (make_point(world.e1, colour) for colour in ("red", "blue", "yellow"))
    past = timezone.localdate() - timedelta(days=3)
    RiskPoint.objects.filter(pk=b.pk).update(reevaluate_by=past)
    RiskPoint.objects.filter(pk=c.pk).update(is_active=False)
    with django_assert_num_queries(5):  # savepoint, the locked read, the UPDATE, the INSERT, release
        assert points.mark_due(RiskPoint.objects.all(), "hazards", "两次隐患") == 2
    assert fresh(a).reevaluate_by == timezone.localdate() and fresh(b).reevaluate_by == past
    assert {fresh(p).reevaluation_reason for p in (a, b)} == {"hazards"} and fresh(c).reevaluation_reason == "yearly"
    assert AuditEvent.objects.filter(action="risk.due", reason="两次隐患").count() == 2
    assert points.mark_due(RiskPoint.objects.all(), "hazards") == 0
    assert AuditEvent.objects.filter(action="risk.due").count() == 2
    with pytest.raises(ValueError):
        points.mark_due(RiskPoint.objects.all(), "yearly")


def test_overdue_is_a_past_date_or_due_now_for_a_reason(world):
    today = timezone.localdate()
    yearly_today, past, accident, retired = (make_point(world.e1) for _ in range(4))
    RiskPoint.objects.filter(pk=yearly_today.pk).update(reevaluate_by=today)
    RiskPoint.objects.filter(pk__in=[past.pk, retired.pk]).update(reevaluate_by=today - timedelta(days=1))
    RiskPoint.objects.filter(pk=retired.pk).update(is_active=False)
    points.mark_due(RiskPoint.objects.filter(pk=accident.pk), "accident")
    assert set(RiskPoint.objects.filter(points.overdue()).values_list("pk", flat=True)) == {past.pk, accident.pk}


def test_an_accident_reported_for_the_enterprise_makes_its_points_due(world):
    """GIVEN two points of e1 and one of e2 WHEN an accident at e1 is reported through the duty roster THEN e1's
    points are due today for "accident" in the report's transaction; e2's are not; a supplement or an "other
    emergency" marks nothing."""
    mine = [make_point(world.e1, "yellow"), make_point(world.e1, "blue")]
    other = make_point(world.e2, "yellow")
    now = timezone.now()
    facts = incidents.Facts(
        kind="production", place="一号车间", occurred_at=now - timedelta(minutes=30),
        known_at=now - timedelta(minutes=20), course="机械伤害一人", enterprise=world.e1,
    )  # fmt: skip
    incident = incidents.report(world.users["city"], facts)
    for point in mine:
        assert (fresh(point).reevaluation_reason, fresh(point).reevaluate_by) == ("accident", timezone.localdate())
    assert fresh(other).reevaluation_reason == "yearly"
    assert AuditEvent.objects.filter(action="risk.due").count() == 2
    points.evaluate(world.users["enterprise"], mine[0], {"lec_l": 1, "lec_e": 6, "lec_c": 7})
    incidents.supplement(world.users["city"], incident, {"serious_injuries": 1})
    assert fresh(mine[0]).reevaluation_reason == "yearly"
    facts.kind = "other"
    incidents.report(world.users["city"], facts)
    assert fresh(mine[0]).reevaluation_reason == "yearly"
