"""The demo lesson: seeded on the demo city, a published lesson from the accident elsewhere over its hazardous
chemicals enterprises (like this one), the same on a second run; the SQLite path is the Python one."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accidents.choices import LessonStatus
from accidents.demo_lessons import TITLE, load_demo_lessons
from accidents.models import Accident, Lesson, LessonTask
from hazards.models import Hazard
from tests.conftest import reseed


@pytest.mark.django_db
def test_the_demo_lesson_is_running_and_seeded_once():
    """GIVEN the demo city WHEN seeded twice THEN one published lesson from the external accident, with a task for
    each hazardous-chemicals enterprise like the accident, its checklist written for it, due in about a week, a few
    done (one found a hazard, filed as accident_lesson), the demo enterprise's not; the second run makes nothing."""
    reseed()
    call_command("seed_demo", stdout=StringIO())
    lesson = Lesson.objects.get(title=TITLE)
    assert lesson.status == LessonStatus.PUBLISHED and lesson.like_this_one
    assert lesson.accident == Accident.objects.filter(external=True).order_by("pk").first()
    assert lesson.version.template.code == f"lesson-{lesson.pk}"
    tasks = LessonTask.objects.filter(lesson=lesson)
    assert tasks.count() == lesson.tasks_total > 0
    assert set(tasks.values_list("industry__name", flat=True)) == {"危险化学品"}
    # Some enterprises have done theirs through the real flow, one finding a hazard; the demo enterprise has not.
    done = tasks.filter(completed_at__isnull=False)
    assert done.exists() and sorted(done.values_list("hazards_found", flat=True))[-1] == 1
    hazard = Hazard.objects.get(inspection_answer__inspection__lesson_task__lesson=lesson)
    assert hazard.source == "accident_lesson"
    assert not done.filter(enterprise__positions__assignments__user__username="demo-enterprise").exists()
    assert load_demo_lessons()["lessons_created"] == 0
    assert Lesson.objects.filter(title=TITLE).count() == 1
