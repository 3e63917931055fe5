"""A district with two duty posts and its people, another district's post, and the clock before National Day 2026."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from organizations.choices import PositionKind, UnitKind
from organizations.models import PositionAssignment

from ..factories import PositionFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
BEFORE_NATIONAL_DAY = datetime(2026, 9, 20, 10, 0, tzinfo=SHANGHAI)


@dataclass
class Unit:
    world: object
    post: object  # 海滨区值班室
    flood: object  # 海滨区防汛值班室: the same unit's second duty post
    other: object  # 新城区值班室
    p: dict  # people by name; L*/O* in 海滨区, M1/P* in 新城区


@pytest.fixture
def unit(world, settings):
    """GIVEN 海滨区 (two duty posts, leaders L1 L2, officers O1–O4) and 新城区 (one post, M1 P1 P2); at least two
    officers a day at a county post; the clock at 2026-09-20, before National Day."""
    settings.DUTY_MIN_OFFICERS = {**settings.DUTY_MIN_OFFICERS, "government": 2}
    leader_post = world.users["district"].assignments.get().position

    def post(title, region):
        return PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=region,
                               title=title, superior=leader_post)  # fmt: skip

    people = {n: UserFactory(username=n, full_name=n, unit_kind=UnitKind.GOVERNMENT, region=world.d1)
              for n in ("L1", "L2", "O1", "O2", "O3", "O4")}  # fmt: skip
    people |= {n: UserFactory(username=n, full_name=n, unit_kind=UnitKind.GOVERNMENT, region=world.d2)
               for n in ("M1", "P1", "P2")}  # fmt: skip
    PositionAssignment.objects.update(started_at=datetime(2020, 1, 1, tzinfo=SHANGHAI))
    with time_machine.travel(BEFORE_NATIONAL_DAY, tick=False):
        posts = [post("海滨区值班室", world.d1), post("海滨区防汛值班室", world.d1), post("新城区值班室", world.d2)]
        yield Unit(world, *posts, people)
