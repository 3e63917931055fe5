"""The enterprise's comparison self-check (accidents/selfchecks.py): start, done on submit, the hazards linked to the
lesson, the notices answered; the spot checks; the rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from accidents import selfchecks
from accidents.models import LessonTask
from audit.models import AuditEvent
from hazards.models import Hazard
from inspections import workflow as inspection_workflow
from inspections.models import Inspection
from notifications.models import Notification
from safety_platform.lib.errors import Conflict
from tests.accidents.factories import make_task

from .selfcheck_world import answer_all, notice, sc_world, submit  # noqa: F401

pytestmark = pytest.mark.django_db


def actions(name: str) -> int:
    return AuditEvent.objects.filter(action=name).count()


# --- start ------------------------------------------------------------------------------------------------------------


def test_start_makes_a_lesson_inspection_once(sc):
    """GIVEN e1's task WHEN its principal starts twice THEN one inspection of kind lesson with the lesson's checklist
    is stored on the task, and one start is audited."""
    first = selfchecks.start(sc.principal, sc.task)
    again = selfchecks.start(sc.principal, sc.task.pk)
    assert first.pk == again.pk
    assert (first.kind, first.enterprise_id, first.version_id) == ("lesson", sc.world.e1.pk, sc.lesson.version_id)
    assert LessonTask.objects.get(pk=sc.task.pk).inspection_id == first.pk
    assert Inspection.objects.filter(kind="lesson").count() == 1
    assert actions("lesson_task.start") == 1


def test_the_safety_manager_may_start_and_late_is_allowed(sc):
    """GIVEN the lesson's deadline passed WHEN e1's safety manager starts THEN it starts, recorded late."""
    sc.lesson.deadline = timezone.now() - timedelta(hours=1)
    sc.lesson.save(update_fields=["deadline"])
    inspection = selfchecks.start(sc.manager, sc.task)
    assert inspection.lead_id == sc.manager.pk
    assert AuditEvent.objects.get(action="lesson_task.start").changes["late"] is True


def test_start_refused_by_role_scope_and_state(sc):
    """GIVEN e1's task WHEN a district leader (sees it), e2's principal (does not), and e1 after a withdrawal or when
    done start THEN 403, 404, 409, 409, and nothing is made."""
    with pytest.raises(PermissionDenied):
        selfchecks.start(sc.world.users["district"], sc.task)
    other = sc.world.users["dept_head"]
    other_task = LessonTask.objects.get(enterprise=sc.world.e2)
    with pytest.raises(Http404):
        selfchecks.start(sc.principal, other_task)
    with pytest.raises(PermissionDenied):
        selfchecks.start(other, other_task)
    sc.lesson.status = "withdrawn"
    sc.lesson.save(update_fields=["status"])
    with pytest.raises(Conflict):
        selfchecks.start(sc.principal, sc.task)
    sc.lesson.status = "published"
    sc.lesson.save(update_fields=["status"])
    LessonTask.objects.filter(pk=sc.task.pk).update(completed_at=timezone.now())
    with pytest.raises(Conflict):
        selfchecks.start(sc.principal, sc.task)
    assert not Inspection.objects.exists()
    assert actions("lesson_task.start") == 0


# --- done on submit ---------------------------------------------------------------------------------------------------


def test_submit_completes_the_task_with_the_hazard_linked_to_the_lesson(sc):
    """GIVEN a started self-check with one failed item WHEN the principal submits it THEN the task is done with one
    hazard found, the hazard's source is accident_lesson and lesson_hazards finds it; audited once."""
    inspection = selfchecks.start(sc.principal, sc.task)
    answer_all(sc.principal, inspection, sc.items)
    submit(sc.principal, inspection)
    task = LessonTask.objects.get(pk=sc.task.pk)
    assert task.completed_at is not None and task.hazards_found == 1
    hazard = Hazard.objects.get()
    assert hazard.source == "accident_lesson" and hazard.enterprise_id == sc.world.e1.pk
    assert list(selfchecks.lesson_hazards(sc.principal, sc.lesson)) == [hazard]
    assert list(selfchecks.lesson_hazards(sc.world.users["city"], sc.lesson.pk)) == [hazard]
    assert list(selfchecks.lesson_hazards(sc.world.users["dept_head"], sc.lesson)) == []  # zjj: building only
    assert actions("lesson_task.done") == 1
    with pytest.raises(Conflict):
        selfchecks.start(sc.principal, sc.task)


def test_submit_answers_the_actor_notice_and_stops_the_others(sc):
    """GIVEN must-answer task notices to the principal and the manager, one to e2 and one passed up from the
    manager's WHEN the manager submits THEN theirs is answered, the principal's and the passed-up one stop (not
    answered), e2's is untouched."""
    mine = notice(sc.lesson, sc.world.e1, sc.manager)
    principal = notice(sc.lesson, sc.world.e1, sc.principal)
    e2_user = sc.world.users["dept_head"]
    other = notice(sc.lesson, sc.world.e2, e2_user)
    up = Notification.objects.create(key=f"esc:{mine.pk}:1", kind="esc", recipient=sc.world.users["district"],
                                     title="t", body="", must_answer=True, parent=mine)  # fmt: skip
    inspection = selfchecks.start(sc.manager, sc.task)
    answer_all(sc.manager, inspection, sc.items, fail_first=False)
    submit(sc.manager, inspection)
    rows = {n.pk: n for n in Notification.objects.all()}
    assert rows[mine.pk].acknowledged_at is not None
    assert rows[principal.pk].must_answer is False and rows[principal.pk].acknowledged_at is None
    assert rows[up.pk].must_answer is False
    assert rows[other.pk].must_answer is True
    assert LessonTask.objects.get(pk=sc.task.pk).hazards_found == 0


def test_other_inspections_leave_the_tasks_alone(sc):
    """GIVEN an ordinary self-check of e1 WHEN submitted THEN no task is done and nothing is audited as done; its
    failed item files as self_check."""
    inspection = inspection_workflow.create(sc.principal, inspection_workflow.NewInspection(
        enterprise=sc.world.e1, version=sc.lesson.version, kind="self_check"))  # fmt: skip
    answer_all(sc.principal, inspection, sc.items)
    submit(sc.principal, inspection)
    assert not LessonTask.objects.filter(completed_at__isnull=False).exists()
    assert actions("lesson_task.done") == 0
    assert Hazard.objects.get().source == "self_check"
    assert list(selfchecks.lesson_hazards(sc.principal, sc.lesson)) == []


def test_a_lesson_inspection_is_made_only_through_start(sc):
    """GIVEN e1's principal WHEN inspections.workflow.create is asked for kind lesson directly THEN a 400 on kind."""
    with pytest.raises(ValidationError) as caught:
        inspection_workflow.create(sc.principal, inspection_workflow.NewInspection(
            enterprise=sc.world.e1, version=sc.lesson.version, kind="lesson"))  # fmt: skip
    assert "kind" in caught.value.message_dict
    assert not Inspection.objects.exists()


# --- spot checks ------------------------------------------------------------------------------------------------------


def _done_tasks(sc, count: int) -> list[LessonTask]:
    """`count` more completed tasks of the lesson at new enterprises of e1's street and industry."""
    from tests.factories import EnterpriseFactory

    now = timezone.now()
    return [make_task(sc.lesson, EnterpriseFactory(region=sc.world.t1, industry=sc.world.chem),
                      department=sc.world.d1_yjj, completed_at=now) for _ in range(count)]  # fmt: skip


def test_choose_sample_takes_a_share_at_least_one_never_twice(sc):
    """GIVEN 12 completed tasks (and 2 not done) WHEN the city office samples 10 % THEN 2 are chosen (ceil), audited;
    again 10 % of the 10 left: 1; with none left: 0."""
    _done_tasks(sc, 12)
    city = sc.world.users["city"]
    assert selfchecks.choose_sample(city, sc.lesson, 10) == 2
    assert LessonTask.objects.filter(spot_chosen_at__isnull=False, completed_at__isnull=False).count() == 2
    assert selfchecks.choose_sample(city, sc.lesson.pk, 10) == 1
    assert selfchecks.choose_sample(city, sc.lesson, 100) == 9
    assert selfchecks.choose_sample(city, sc.lesson, 100) == 0
    assert LessonTask.objects.filter(spot_chosen_at__isnull=False).count() == 12
    assert actions("lesson.spot_sample") == 4


def test_choose_sample_in_scope_by_role_and_percent(sc):
    """GIVEN completed tasks at e1 (chemicals) and e2 (building) WHEN zjj's head samples 100 % THEN only e2's; an
    enterprise is refused (403), a bad percent is a 400, a withdrawn lesson a 409."""
    LessonTask.objects.update(completed_at=timezone.now())
    assert selfchecks.choose_sample(sc.world.users["dept_head"], sc.lesson, 100) == 1
    assert LessonTask.objects.get(spot_chosen_at__isnull=False).enterprise_id == sc.world.e2.pk
    with pytest.raises(PermissionDenied):
        selfchecks.choose_sample(sc.principal, sc.lesson, 10)
    for bad in (0, 101, "10", True):
        with pytest.raises(ValidationError):
            selfchecks.choose_sample(sc.world.users["city"], sc.lesson, bad)
    sc.lesson.status = "withdrawn"
    sc.lesson.save(update_fields=["status"])
    with pytest.raises(Conflict):
        selfchecks.choose_sample(sc.world.users["city"], sc.lesson, 10)


def test_spot_check_once_on_a_chosen_task_and_hollow_is_flagged_and_told(sc):
    """GIVEN e1's task done WHEN spot-checked before being chosen THEN 409; chosen, hollow without a note THEN 400;
    hollow with a note THEN recorded, counted, e1's principal and manager told; again THEN 409."""
    LessonTask.objects.filter(pk=sc.task.pk).update(completed_at=timezone.now())
    county = sc.world.users["county_dept"]
    with pytest.raises(Conflict):
        selfchecks.spot_check(county, sc.task, hollow=True, note="走过场")
    LessonTask.objects.filter(pk=sc.task.pk).update(spot_chosen_at=timezone.now())
    with pytest.raises(ValidationError) as caught:
        selfchecks.spot_check(county, sc.task, hollow=True, note=" ")
    assert "note" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        selfchecks.spot_check(sc.principal, sc.task, hollow=False)
    assert "spot_check" in selfchecks.can(county, LessonTask.objects.select_related("lesson").get(pk=sc.task.pk))
    task = selfchecks.spot_check(county, sc.task, hollow=True, note="仓库堵塞通道未查出")
    assert task.hollow is True and task.spot_checked_by_id == county.pk and task.spot_note == "仓库堵塞通道未查出"
    assert selfchecks.hollow_count(county, sc.lesson) == 1
    assert selfchecks.hollow_count(sc.world.users["dept_head"], sc.lesson) == 0  # not in zjj's scope
    told = Notification.objects.filter(kind="lesson_hollow")
    assert sorted(n.recipient_id for n in told) == sorted([sc.principal.pk, sc.manager.pk])
    assert all(not n.must_answer and n.link == f"/lessons/tasks/{sc.task.pk}/" for n in told)
    with pytest.raises(Conflict):
        selfchecks.spot_check(county, sc.task, hollow=False)
    assert actions("lesson_task.spot_check") == 1
    assert "spot_check" not in selfchecks.can(county, LessonTask.objects.select_related("lesson").get(pk=sc.task.pk))


def test_can_runs_the_rules(sc):
    """GIVEN the task and the lesson WHEN each person asks can() THEN exactly what the functions accept."""
    task = LessonTask.objects.select_related("lesson").get(pk=sc.task.pk)
    assert selfchecks.can(sc.principal, task) == {"start"}
    assert selfchecks.can(sc.world.users["district"], task) == set()
    assert selfchecks.can(sc.world.users["district"], sc.lesson) == {"sample"}
    assert selfchecks.can(sc.world.users["inspector"], sc.lesson) == set()  # an inspector does not spot-check
    assert selfchecks.can(sc.principal, sc.lesson) == set()
    assert selfchecks.can(sc.world.users["outsider"], task) == set()
