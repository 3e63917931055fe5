"""The task states: every task is in exactly one, and `state_q` selects what `state_of` says."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accidents.choices import TaskState
from accidents.models import LessonTask
from accidents.states import state_of, state_q
from inspections.models import Inspection
from tests.accidents.factories import make_external, make_lesson, make_task
from tests.factories import EnterpriseFactory, IndustryFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_each_task_in_exactly_one_state_and_the_q_agrees():
    """GIVEN tasks done, started, untouched, under a past and a future deadline WHEN each state's Q is counted THEN
    every task is in exactly one, the one state_of names."""
    now = timezone.now()
    by = UserFactory(is_superuser=True)
    region, industry = RegionFactory(), IndustryFactory()
    enterprises = [EnterpriseFactory(region=region, industry=industry) for _ in range(6)]
    accident = make_external(enterprises[0].region, enterprises[0].industry, by)
    future = make_lesson(accident, by, enterprises[0].region, deadline=now + timedelta(days=1))
    past = make_lesson(accident, by, enterprises[0].region, deadline=now - timedelta(days=1))
    version = future.version
    for n, enterprise in enumerate(enterprises):
        lesson = future if n % 2 else past
        inspection = None
        if n in (2, 3):
            inspection = Inspection.objects.create(enterprise=enterprise, version=version, lead=by, created_by=by,
                                                   region_path=enterprise.region.path, industry=enterprise.industry,
                                                   kind="lesson")  # fmt: skip
        make_task(lesson, enterprise, inspection=inspection, completed_at=now if n in (0, 1) else None)
    seen = {}
    for state in TaskState.values:
        for task in LessonTask.objects.filter(state_q(state, now)).select_related("lesson"):
            assert task.pk not in seen
            seen[task.pk] = state
            assert state_of(task.completed_at, task.inspection_id is not None, task.lesson.deadline, now) == state
    assert len(seen) == 6
    assert sorted(seen.values()) == sorted(["done", "done", "overdue", "in_progress", "overdue", "pending"])
