"""Lessons: drafting (who, checklist, deadline), publishing to the enterprises in scope (regions, industries,
"enterprises like this one" in SQL and through Python), the task notices, withdrawal and the look-back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from accidents import lessons
from accidents.choices import LessonStatus
from accidents.models import Lesson, LessonTask
from audit.models import AuditEvent
from inspections.models import ChecklistTemplate
from notifications.models import Notification
from organizations.choices import OperatingState
from safety_platform.lib.errors import Conflict

from ..factories import EnterpriseFactory
from ..risks.factories import make_point
from .lessons_fixtures import *  # noqa: F403  (the fixtures)
from .lessons_fixtures import fields, published


def _task_enterprises(lesson) -> set[int]:
    return set(LessonTask.objects.filter(lesson=lesson).values_list("enterprise_id", flat=True))


def test_publishing_a_city_lesson_makes_a_task_per_operating_enterprise_with_its_department(world, posts, accident):
    """GIVEN the city office's draft over the whole city and a closed enterprise WHEN published THEN each operating
    enterprise has one task with its supervising department resolved as its own (e1 海滨区应急管理局, e2 市住建局's
    district mirror, e4 the default supervisor), `tasks_total` is 4, and each principal (e3: its safety manager) has
    a must-answer notice keyed lesson:<lesson>:<enterprise>:<user> linking to the task, due at the deadline."""
    EnterpriseFactory(
        name="已关停化工", region=world.t1, industry=world.chem, operating_state=OperatingState.DEREGISTERED
    )
    lesson = published(world.users["city"], accident)
    assert lesson.status == LessonStatus.PUBLISHED and lesson.tasks_total == 4
    tasks = {t.enterprise_id: t for t in LessonTask.objects.filter(lesson=lesson)}
    assert set(tasks) == {world.e1.pk, world.e2.pk, world.e3.pk, world.e4.pk}
    assert tasks[world.e1.pk].department_id == world.d1_yjj.pk
    assert tasks[world.e2.pk].department_id == world.d2_zjj.pk
    assert tasks[world.e4.pk].department_id == world.d1_yjj.pk  # the gap: the district's default supervisor
    assert tasks[world.e1.pk].region_path == world.t1.path and tasks[world.e1.pk].industry_id == world.chem.pk
    notice = Notification.objects.get(key=f"lesson:{lesson.pk}:{world.e1.pk}:{world.users['enterprise'].pk}")
    assert notice.must_answer and notice.kind == "lesson"
    assert notice.link == f"/lessons/tasks/{tasks[world.e1.pk].pk}/"
    assert abs((notice.answer_due_at - lesson.deadline).total_seconds()) < 2
    e3 = Notification.objects.get(key__startswith=f"lesson:{lesson.pk}:{world.e3.pk}:")
    assert e3.recipient == world.users["e3_safety"]
    assert not Notification.objects.filter(key__startswith=f"lesson:{lesson.pk}:", recipient=world.users["e1_safety"])
    assert AuditEvent.objects.filter(action="lesson.publish", object_id=str(lesson.pk)).exists()


def test_the_scope_by_region_industry_and_key_units(world, posts, accident):
    """GIVEN lessons over 新城区 only, over the sector 工矿商贸 (its industries), and key units only WHEN published
    THEN they cover e2 and e3; e1 and e3 (chemicals and mines under the sector); the one key unit."""
    city = world.users["city"]
    assert _task_enterprises(published(city, accident, regions=[world.d2])) == {world.e2.pk, world.e3.pk}
    assert _task_enterprises(published(city, accident, industries=[world.sector])) == {world.e1.pk, world.e3.pk}
    world.e4.is_key_unit = True
    world.e4.save()
    assert _task_enterprises(published(city, accident, key_units_only=True)) == {world.e4.pk}


def test_a_department_lesson_without_industries_covers_those_it_supervises(world, posts, accident):
    """GIVEN 海滨区应急管理局 (chemicals, and as the district's default supervisor the unsupervised 新型储能) drafting
    without industries WHEN it publishes THEN e1 and e4 have a task and the lesson keeps the department's industries."""
    lesson = published(world.users["county_dept"], accident)
    assert lesson.department == world.d1_yjj
    assert _task_enterprises(lesson) == {world.e1.pk, world.e4.pk}
    assert set(lesson.industries.all()) == {world.chem, world.gap}


def test_enterprises_like_this_one_in_sql_and_through_python_are_the_same(world, posts, accident):
    """GIVEN chemicals enterprises: e1 with a point that could cause fire (08), one whose points could not (only 01),
    one whose fire point is retired, one without points; and e3 (mines) WHEN a "like this one" lesson is published
    THEN e1, the one without points and the retired one's are in (a retired point counts as none), the other is out;
    and the Python path (SQLite's) makes the same rows as PostgreSQL's jsonb containment."""
    make_point(world.e1, accident_types=["08", "19"])
    other = EnterpriseFactory(name="别样化工", region=world.t1, industry=world.chem)
    make_point(other, accident_types=["01"])
    bare = EnterpriseFactory(name="无风险点化工", region=world.t2, industry=world.chem)
    retired = EnterpriseFactory(name="退役点化工", region=world.t2, industry=world.chem)
    point = make_point(retired, accident_types=["08"])
    point.is_active = False
    point.save()
    city = world.users["city"]
    in_sql = lessons.publish(city, lessons.create(city, accident, like_this_one=True, **fields()), in_sql=True)
    in_python = lessons.publish(city, lessons.create(city, accident, like_this_one=True, **fields()), in_sql=False)
    assert _task_enterprises(in_sql) == {world.e1.pk, bare.pk, retired.pk}
    assert _task_enterprises(in_python) == _task_enterprises(in_sql)
    rows = lambda lesson: set(  # noqa: E731
        LessonTask.objects.filter(lesson=lesson).values_list("enterprise_id", "region_path", "industry_id",
                                                             "department_id"))  # fmt: skip
    assert rows(in_python) == rows(in_sql)


def test_nothing_in_scope_is_a_400_and_nothing_is_written(world, posts, accident):
    """GIVEN a lesson over key units only and none is one WHEN published THEN a 400 and no task, notice, or change."""
    city = world.users["city"]
    lesson = lessons.create(city, accident, key_units_only=True, **fields())
    with pytest.raises(ValidationError) as err:
        lessons.publish(city, lesson)
    assert "non_field_errors" in err.value.message_dict
    lesson.refresh_from_db()
    assert lesson.status == LessonStatus.DRAFT and lesson.tasks_total == 0
    assert not LessonTask.objects.exists() and not Notification.objects.filter(kind="lesson").exists()


def test_who_may_draft_and_change(world, posts, accident):
    """GIVEN an enterprise's principal, a district outside its subtree, another department WHEN they draft or change
    THEN 403; a published lesson cannot be edited (409); a deadline past or beyond the limit is a 400."""
    with pytest.raises(PermissionDenied):
        lessons.create(world.users["enterprise"], accident, **fields())
    with pytest.raises(ValidationError) as err:
        lessons.create(world.users["district"], accident, regions=[world.d2], **fields())
    assert "regions" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        lessons.create(world.users["county_dept"], accident, industries=[world.build], **fields())
    assert "industries" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        lessons.create(world.users["city"], accident, **fields(deadline=timezone.now() + timedelta(days=400)))
    assert "deadline" in err.value.message_dict
    lesson = lessons.create(world.users["district"], accident, **fields())
    assert lessons.can(world.users["district"], lesson) == {"edit", "publish"}
    assert lessons.can(world.users["county_dept"], lesson) == set()
    with pytest.raises(Http404):  # another district does not see the draft
        lessons.publish(world.users["lead2"], lesson)
    lessons.publish(world.users["district"], lesson)
    with pytest.raises(Conflict):
        lessons.edit(world.users["district"], lesson, {"title": "改"})


def test_items_written_for_a_lesson_become_its_own_checklist(world, posts, accident):
    """GIVEN items written with their basis WHEN drafted THEN the template lesson-<id> holds them in one section;
    an item without text is a 400 on items and nothing is written; edited items make a new version."""
    city = world.users["city"]
    items = [{"text": "动火作业是否严格审批", "legal_basis": "GB 30871-2022 第5条"},
             {"text": "可燃物是否清理", "legal_basis": "", "major_criterion": True}]  # fmt: skip
    lesson = lessons.create(city, accident, **fields(version=None, items=items))
    template = ChecklistTemplate.objects.get(code=f"lesson-{lesson.pk}")
    assert lesson.version.template == template
    texts = list(lesson.version.sections.get().items.order_by("order").values_list("text", "legal_basis"))
    assert texts == [("动火作业是否严格审批", "GB 30871-2022 第5条"), ("可燃物是否清理", "")]
    before = Lesson.objects.count()
    with pytest.raises(ValidationError) as err:
        lessons.create(city, accident, **fields(version=None, items=[{"text": " "}]))
    assert "items" in err.value.message_dict and Lesson.objects.count() == before
    with pytest.raises(ValidationError) as err:
        lessons.create(city, accident, **fields(version=None, items=[{"text": "x" * 600}]))
    assert "items" in err.value.message_dict and Lesson.objects.count() == before
    edited = lessons.edit(city, lesson, {"items": [{"text": "动火作业票是否齐全", "legal_basis": "GB 30871"}]})
    assert edited.version.template == template and edited.version.number == 2


def test_withdrawing_stops_the_unanswered_notices(world, posts, accident):
    """GIVEN a published lesson (3 notices) WHEN withdrawn THEN its notices no longer need an answer."""
    lesson = published(world.users["city"], accident)
    lessons.withdraw(world.users["city"], lesson.pk, "通报有误")
    assert not Notification.objects.filter(kind="lesson", must_answer=True).exists()
    assert Notification.objects.filter(kind="lesson").count() == 3  # e4 has nobody to tell
    with pytest.raises(Conflict):
        lessons.withdraw(world.users["city"], lesson.pk)


def test_a_look_back_covers_the_enterprises_that_found_hazards(world, posts, accident):
    """GIVEN a published lesson where e1 found 2 hazards and e2 none WHEN the city looks back THEN a new published
    lesson of the same accident and checklist has one task, e1's; with no hazard found it is a 400; a department
    that did not make the lesson may not (403)."""
    city = world.users["city"]
    lesson = published(city, accident)
    with pytest.raises(ValidationError):
        lessons.look_back(city, lesson, deadline=timezone.now() + timedelta(days=5))
    LessonTask.objects.filter(lesson=lesson, enterprise=world.e1).update(hazards_found=2, completed_at=timezone.now())
    with pytest.raises(PermissionDenied):
        lessons.look_back(world.users["county_dept"], lesson, deadline=timezone.now() + timedelta(days=5))
    again = lessons.look_back(city, lesson, deadline=timezone.now() + timedelta(days=5))
    assert again.look_back_of == lesson and again.status == LessonStatus.PUBLISHED
    assert again.version == lesson.version and again.accident == lesson.accident
    assert _task_enterprises(again) == {world.e1.pk} and again.tasks_total == 1
    assert again.title.startswith("回头看")
    assert AuditEvent.objects.filter(action="lesson.look_back", object_id=str(again.pk)).exists()


def test_publishing_takes_the_same_number_of_queries_for_20_and_200_enterprises(world, posts, accident,
                                                                               django_assert_num_queries):  # fmt: skip
    """GIVEN 20 more enterprises, then 200 more WHEN a like-this-one lesson is published each time THEN the number of
    queries is the same (no enterprise passes through Python)."""
    city = world.users["city"]
    counts = []
    for n in (20, 180):
        EnterpriseFactory.create_batch(n, region=world.t2, industry=world.chem)
        lesson = lessons.create(city, accident, like_this_one=True, **fields())
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            lessons.publish(city, lesson)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 40
