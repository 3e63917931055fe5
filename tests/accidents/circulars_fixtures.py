"""A published lesson of an accident elsewhere over the World's city, with a task at each of its four enterprises
(the posts of `tests/risks/themes_fixtures.py`): e1 supervised by 海滨区应急管理局 (head `d1_head`), e2 by 市住房和城乡
建设局 (head `dept_head`), e3 and e4 without a department. Told when issued: e1's principal, e2's principal, e3's
safety manager (its principal post vacant), e4 nobody; the two heads; the leaders of 海滨区 and 新城区."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accidents.models import Lesson
from tests.accidents.factories import make_external, make_lesson, make_task
from tests.risks.themes_fixtures import posts  # noqa: F401  (the fixture)

EXPECTED = {"enterprise", "e2_boss", "e3_safety", "d1_head", "dept_head", "district", "lead2"}


@dataclass
class Setting:
    world: object
    lesson: Lesson

    @property
    def users(self) -> dict:
        return self.world.users


def published_lesson(world, **fields) -> Lesson:
    accident = make_external(world.city, world.chem, world.users["city"], direct_causes=["unsafe_act"],
                             indirect_causes=["training", "hazards"], serious_injuries=2,
                             direct_loss=1250000)  # fmt: skip
    lesson = make_lesson(accident, world.users["city"], world.city, status="published", **fields)
    make_task(lesson, world.e1, department=world.d1_yjj)
    make_task(lesson, world.e2, department=world.zjj)
    make_task(lesson, world.e3)
    make_task(lesson, world.e4)
    return lesson


@pytest.fixture
def setting(world, posts) -> Setting:  # noqa: F811
    return Setting(world, published_lesson(world))
