"""A published lesson with a task for 海滨化工 (e1), its checklist the inspections' test template, and helpers to
answer and submit its self-check (tests/accidents/test_selfchecks*.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from django.utils import timezone

from accidents.models import Lesson, LessonTask
from inspections import checklists
from inspections import workflow as inspection_workflow
from notifications.models import Notification
from organizations.choices import PositionKind, UnitKind
from tests.accidents.factories import make_external, make_lesson, make_task
from tests.factories import PositionFactory, UserFactory, assign
from tests.inspections.conftest import TEMPLATE


@dataclass
class SelfCheckWorld:
    world: object
    lesson: Lesson
    task: LessonTask
    principal: object
    manager: object
    items: dict


@pytest.fixture(name="sc")
def sc_world(world):
    """e1's principal (world's "enterprise") and a safety manager; a published lesson over the city with a task for
    e1 (and one for e2), its checklist two sections of four items."""
    version, _created = checklists.import_template(TEMPLATE)
    city = world.users["city"]
    accident = make_external(world.city, world.chem, city)
    lesson = make_lesson(accident, city, world.city, version, status="published", published_at=timezone.now(),
                         title="吸取外省化工厂爆炸事故教训")  # fmt: skip
    task = make_task(lesson, world.e1, department=world.d1_yjj)
    make_task(lesson, world.e2, department=world.d2_zjj)
    manager = UserFactory(username="manager", unit_kind=UnitKind.ENTERPRISE, enterprise=world.e1)
    assign(manager, PositionFactory(kind=PositionKind.ENTERPRISE_SAFETY_MANAGER, unit_kind=UnitKind.ENTERPRISE,
                                    enterprise=world.e1))  # fmt: skip
    items = {i.text: i for s in version.sections.all() for i in s.items.all()}
    return SelfCheckWorld(world, lesson, task, world.users["enterprise"], manager, items)


def answer_all(actor, inspection, items, fail_first: bool = True) -> None:
    """Every item answered: the first (no photo needed) failed when `fail_first`, the rest passed."""
    first, second, width = (
        items[t] for t in ("是否明确消防安全责任人", "疏散通道、安全出口是否被占用、堵塞", "疏散通道净宽度")
    )
    inspection_workflow.answer(actor, inspection, first.pk, {"result": "fail" if fail_first else "pass",
                                                             "text": "未明确消防安全责任人"})  # fmt: skip
    inspection_workflow.answer(actor, inspection, second.pk, {"result": "pass"})
    inspection_workflow.answer(actor, inspection, width.pk, {"number": "1.5"})


def submit(actor, inspection):
    return inspection_workflow.submit(actor, inspection, uuid.uuid4())


def notice(lesson, enterprise, user, **fields) -> Notification:
    """A task notice as the lessons' publishing sends it (lesson:<lesson>:<enterprise>:<person>), must-answer."""
    return Notification.objects.create(key=f"lesson:{lesson.pk}:{enterprise.pk}:{user.pk}", kind="lesson",
                                       recipient=user, title=f"对照检查：{lesson.title}", body="", must_answer=True,
                                       answer_due_at=lesson.deadline, **fields)  # fmt: skip
