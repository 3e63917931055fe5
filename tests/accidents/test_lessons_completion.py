"""A lesson's completion board (by department, by region) equals the task lists its links open, for several roles;
an overdue task's notice passes up through the real sweep; the board's queries are bounded."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from accidents import lessons
from accidents.models import LessonTask
from notifications import sweeps
from notifications.models import Notification
from organizations.models import Region

from .lessons_fixtures import *  # noqa: F403  (the fixtures)
from .lessons_fixtures import published

STATES = ("done", "in_progress", "pending", "overdue")


def _equal_lists(user, lesson, now) -> int:
    """Every count of both boards equals the length of the list its link opens; returns how many were compared."""
    compared = 0
    for row in lessons.completion(user, lesson, "department", now=now):
        for state in STATES:
            department = "none" if row.key is None else str(row.key)
            found = lessons.task_list(user, lesson, state=state, department=department, now=now)
            assert found.count() == getattr(row.counts, state), (row.name, state)
            compared += 1
    for row in lessons.completion(user, lesson, "region", now=now):
        region = Region.objects.get(pk=row.key)
        for state in STATES:
            found = lessons.task_list(user, lesson, state=state, region=region, own=row.own, now=now)
            assert found.count() == getattr(row.counts, state), (row.name, state)
            compared += 1
    return compared


def test_the_board_equals_its_lists_for_each_role(world, posts, accident):
    """GIVEN a city lesson over four enterprises: e1 done, e3 done, e2 pending WHEN the city office, the 海滨区
    government, the 海滨区 department and e1's principal read the board THEN every count equals its list; the city
    sees 4 tasks, 2 done (50%), 海滨区 sees e1 and e4, the enterprise only its own; and after the deadline the
    open ones are overdue, still equal."""
    lesson = published(world.users["city"], accident)
    now = timezone.now()
    LessonTask.objects.filter(lesson=lesson, enterprise__in=[world.e1, world.e3]).update(completed_at=now)
    city = lessons.totals(lessons.completion(world.users["city"], lesson, "department", now=now))
    assert (city.total, city.done, city.pending, city.rate) == (4, 2, 2, 50.0)
    by_region = {r.name: r.counts.total for r in lessons.completion(world.users["city"], lesson, "region", now=now)}
    assert by_region == {"海滨区": 2, "新城区": 2}
    district = lessons.totals(lessons.completion(world.users["district"], lesson, "region", now=now))
    assert district.total == 2
    mine = lessons.completion(world.users["enterprise"], lesson, "department", now=now)
    assert [(r.key, r.counts.total, r.counts.done) for r in mine] == [(world.d1_yjj.pk, 1, 1)]
    assert list(lessons.task_list(world.users["enterprise"], lesson).values_list("enterprise_id", flat=True)) == [
        world.e1.pk
    ]
    later = lesson.deadline + timedelta(hours=1)
    for user in ("city", "district", "county_dept", "enterprise", "dept_head"):
        assert _equal_lists(world.users[user], lesson, now) > 0 or user == "dept_head"
        _equal_lists(world.users[user], lesson, later)
    assert lessons.totals(lessons.completion(world.users["city"], lesson, "department", now=later)).overdue == 2


def test_the_region_board_drills_down(world, posts, accident):
    """GIVEN a city lesson WHEN the board is read under 新城区 THEN its street 新城街道 holds e2 and e3."""
    lesson = published(world.users["city"], accident)
    rows = lessons.completion(world.users["city"], lesson, "region", under=world.d2)
    assert [(r.name, r.counts.total, r.own) for r in rows] == [("新城街道", 2, False)]


def test_the_board_takes_a_bounded_number_of_queries(world, posts, accident, django_assert_max_num_queries):
    """GIVEN a published lesson WHEN both boards are read THEN two queries each: the grouped counts, and the
    departments' names or the child regions."""
    lesson = published(world.users["city"], accident)
    user = world.users["city"]
    with django_assert_max_num_queries(2):
        lessons.completion(user, lesson, "department")
    with django_assert_max_num_queries(2):
        lessons.completion(user, lesson, "region")


def test_an_overdue_task_passes_up_to_the_superior_post(world, posts, accident):
    """GIVEN a published lesson and no task done WHEN the sweep runs before the deadline THEN nothing passes up;
    after it, e1's notice goes to 海滨区应急管理局局长 (the principal post's superior) pointing at the lesson's overdue
    list, answerable within ACCIDENT_LESSON_PASS_UP_HOURS, and the open tasks are marked escalated; a second sweep
    sends nothing more."""
    lesson = published(world.users["city"], accident)
    assert sweeps.run(lesson.deadline - timedelta(minutes=1)).passed_up == 0
    with time_machine.travel(lesson.deadline + timedelta(minutes=1), tick=False):
        assert sweeps.run().passed_up == 3
        up = Notification.objects.get(kind="up", recipient=world.users["d1_head"])
        assert up.position == posts.d1_head and up.must_answer
        assert up.link == f"/lessons/{lesson.pk}/tasks/?state=overdue"
        assert up.answer_due_at == up.created_at + timedelta(hours=24)
        escalated = LessonTask.objects.filter(lesson=lesson, escalated_at__isnull=False)
        assert set(escalated.values_list("enterprise_id", flat=True)) == {world.e1.pk, world.e2.pk, world.e3.pk}
        assert sweeps.run().passed_up == 0


def test_a_withdrawn_lesson_passes_nothing_up(world, posts, accident):
    """GIVEN a published lesson withdrawn WHEN the sweep runs after the deadline THEN nothing passes up and no task
    is marked escalated."""
    lesson = published(world.users["city"], accident)
    lessons.withdraw(world.users["city"], lesson.pk)
    with time_machine.travel(lesson.deadline + timedelta(minutes=1), tick=False):
        assert sweeps.run().passed_up == 0
    assert not LessonTask.objects.filter(escalated_at__isnull=False).exists()
