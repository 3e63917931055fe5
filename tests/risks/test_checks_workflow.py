"""Recording a check through the one writer: all in place; a control not in place with its photo files a hazard
linked to the point; a second hazard at the point makes it due for re-evaluation; a check done too fast is flagged
hollow; refusals by field (nothing written), by role (403), by scope (404) and by state (409); a double submit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from hazards.models import Hazard, HazardPhoto
from risks import checks
from risks.models import CheckPhoto, CheckResult, CheckTask, PointHazard, RiskPoint
from safety_platform.lib.errors import Conflict

from ..factories import PositionFactory, UserFactory, assign
from ..hazards.conftest import jpeg_bytes
from .factories import make_point

pytestmark = pytest.mark.django_db


def photo(name="p.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def open_task(point: RiskPoint, start: date | None = None) -> CheckTask:
    start = start or timezone.localdate()
    return CheckTask.objects.create(
        point=point, enterprise=point.enterprise, region_path=point.region_path, industry=point.industry,
        control_level=point.control_level, period_start=start, due_on=start,
    )  # fmt: skip


def answers(point: RiskPoint, *not_in_place: int, photos: bool = True) -> list[checks.Answer]:
    """An answer for each control; those numbered (1-based) not in place, with a photo unless told otherwise."""
    controls = list(point.controls.order_by("position"))
    return [
        checks.Answer(control=c.pk, in_place=n not in not_in_place, note="灭火器过期" if n in not_in_place else "",
                      photos=(photo(),) if n in not_in_place and photos else ())
        for n, c in enumerate(controls, start=1)
    ]  # fmt: skip


def minutes_ago(n: int = 5):
    return timezone.now() - timedelta(minutes=n)


@pytest.fixture
def point(world):
    return make_point(world.e1, "orange", controls=3, control_level="post")


def test_all_in_place_is_recorded(world, point):
    """GIVEN the day's open task WHEN the principal answers every control in place after five minutes THEN the
    task is done by them, not hollow, with three results, no hazard, and the audit record."""
    actor = world.users["enterprise"]
    task = checks.record_check(actor, open_task(point), answers(point), minutes_ago())
    task.refresh_from_db()
    assert (task.status, task.done_by, task.is_hollow) == ("done", actor, False)
    assert CheckResult.objects.filter(task=task, in_place=True).count() == 3
    assert not Hazard.objects.exists() and not PointHazard.objects.exists()
    assert AuditEvent.objects.filter(action="risk.check", object_id=str(task.pk)).exists()


def test_a_control_not_in_place_files_a_hazard_linked_to_the_point(world, point):
    """GIVEN the day's task WHEN control 2 is not in place, with a note and a photo THEN a self-check hazard of e1
    is filed at the point's place with the photo, the result points at it, and the point lists it."""
    task = checks.record_check(world.users["enterprise"], open_task(point), answers(point, 2), minutes_ago())
    result = CheckResult.objects.get(task=task, in_place=False)
    hazard = result.hazard
    assert (hazard.enterprise_id, hazard.source, hazard.status) == (world.e1.pk, "self_check", "reported")
    assert hazard.title == "管控措施未落实：措施2"
    assert hazard.place == f"{point.place} {point.name}"
    assert "灭火器过期" in hazard.description
    assert CheckPhoto.objects.filter(result=result).count() == 1
    assert HazardPhoto.objects.filter(hazard=hazard).count() == 1
    assert list(PointHazard.objects.filter(point=point).values_list("hazard_id", flat=True)) == [hazard.pk]
    point.refresh_from_db()
    assert point.reevaluation_reason == "yearly"  # one hazard is not a repeat


def test_a_second_hazard_at_the_point_makes_it_due_for_re_evaluation(world, point):
    """GIVEN a hazard found at the point in yesterday's check WHEN today's check finds another THEN the point is due
    for re-evaluation today for repeated hazards."""
    actor = world.users["enterprise"]
    yesterday = timezone.localdate() - timedelta(days=1)
    checks.record_check(actor, open_task(point, yesterday), answers(point, 1), minutes_ago())
    checks.record_check(actor, open_task(point), answers(point, 3), minutes_ago())
    point.refresh_from_db()
    assert (point.reevaluate_by, point.reevaluation_reason) == (timezone.localdate(), "hazards")
    assert PointHazard.objects.filter(point=point).count() == 2


def test_a_check_answered_in_seconds_is_flagged_hollow(world, point):
    """GIVEN three controls (3 s each by default) WHEN the check is submitted 4 seconds after the page opened THEN
    it is recorded and flagged hollow."""
    started = timezone.now() - timedelta(seconds=4)
    task = checks.record_check(world.users["enterprise"], open_task(point), answers(point), started)
    assert CheckTask.objects.get(pk=task.pk).is_hollow


@pytest.mark.parametrize(
    ("make_answers", "started", "field"),
    [
        (lambda p: answers(p, 2, photos=False), minutes_ago, "photos"),
        (lambda p: answers(p)[:2], minutes_ago, "answers"),
        (lambda p: answers(p) + answers(p)[:1], minutes_ago, "answers"),
        (lambda p: answers(p), lambda: None, "started_at"),
        (lambda p: answers(p), lambda: timezone.now() + timedelta(hours=1), "started_at"),
    ],
)
def test_bad_answers_are_refused_by_field_and_nothing_is_written(world, point, make_answers, started, field):
    """GIVEN the day's task WHEN a control not in place has no photo, a control is not answered or answered twice,
    or the start time is missing or in the future THEN a field error names it and the task stays open, no result,
    no hazard."""
    task = open_task(point)
    with pytest.raises(ValidationError) as refused:
        checks.record_check(world.users["enterprise"], task, make_answers(point), started())
    assert field in refused.value.message_dict
    task.refresh_from_db()
    assert task.status == "open"
    assert not CheckResult.objects.exists() and not Hazard.objects.exists()


def test_who_may_record(world, point):
    """GIVEN e1's task WHEN an inspector who sees e1 records it THEN 403; another enterprise's manager THEN 404
    (not in their scope); nothing is written."""
    task = open_task(point)
    with pytest.raises(PermissionDenied):
        checks.record_check(world.users["inspector"], task, answers(point), minutes_ago())
    other = UserFactory(unit_kind="enterprise", enterprise=world.e2)
    assign(other, PositionFactory(kind="enterprise_safety_manager", unit_kind="enterprise", enterprise=world.e2))
    with pytest.raises(Http404):
        checks.record_check(other, task, answers(point), minutes_ago())
    assert CheckTask.objects.get(pk=task.pk).status == "open"


def test_a_double_submit_records_once_and_a_missed_or_done_check_is_refused(world, point):
    """GIVEN a check recorded WHEN the same person submits it again THEN it is returned as recorded (one set of
    results, one hazard); another of the enterprise's staff THEN 409; a missed check THEN 409."""
    actor = world.users["enterprise"]
    task = open_task(point)
    checks.record_check(actor, task, answers(point, 1), minutes_ago())
    checks.record_check(actor, task, answers(point, 1), minutes_ago())
    assert CheckResult.objects.filter(task=task).count() == 3 and Hazard.objects.count() == 1
    manager = UserFactory(unit_kind="enterprise", enterprise=world.e1)
    assign(manager, PositionFactory(kind="enterprise_safety_manager", unit_kind="enterprise", enterprise=world.e1))
    with pytest.raises(Conflict):
        checks.record_check(manager, task, answers(point), minutes_ago())
    missed = open_task(point, timezone.localdate() - timedelta(days=3))
    CheckTask.objects.filter(pk=missed.pk).update(status="missed")
    with pytest.raises(Conflict):
        checks.record_check(actor, missed, answers(point), minutes_ago())
