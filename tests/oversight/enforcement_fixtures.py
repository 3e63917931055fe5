"""Fixtures of the enforcement tests: the head of 海滨区应急管理局 (who is told of an Art. 113 proposal with the
territorial leader of 海滨区), past penalties written directly, hazards of e1."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone

from hazards.models import Hazard, HazardCategory
from organizations.choices import PositionKind, UnitKind
from tests.factories import PositionFactory, UserFactory, assign
from tests.oversight.factories import make_action

_codes = count(1)
FACTS = "检查发现该单位未按规定对重大危险源进行监测监控"
BASIS = "《中华人民共和国安全生产法》第一百零一条"


@pytest.fixture
def head(world):
    """The head of 海滨区应急管理局 (e1's supervising department)."""
    user = UserFactory(username="d1_head", unit_kind=UnitKind.DEPARTMENT, department=world.d1_yjj)
    assign(user, PositionFactory(kind=PositionKind.DEPARTMENT_HEAD, unit_kind=UnitKind.DEPARTMENT,
                                 department=world.d1_yjj))  # fmt: skip
    return user


def hazard(world, enterprise, level: str = "major", status: str = "confirmed") -> Hazard:
    now = timezone.now()
    return Hazard.objects.create(
        code=f"YH-E-{next(_codes):05d}", title="储罐区可燃气体报警器失效", enterprise=enterprise, place="储罐区",
        category=HazardCategory.objects.get(code="fire"), level=level, found_at=now,
        found_by=world.users["county_dept"], created_by=world.users["county_dept"], status=status,
        region=enterprise.region, region_path=enterprise.region.path, industry=enterprise.industry,
        department=world.d1_yjj,
    )  # fmt: skip


def past_penalty(world, enterprise, days_ago: float, now=None, **fields):
    """A penalty issued `days_ago` days ago (written directly, the writer issues at now; serials from 1000 so the
    counter's stay free)."""
    at = (now or timezone.now()) - timedelta(days=days_ago)
    return make_action(enterprise, world.d1_yjj, world.users["county_dept"], "penalty", amount=10000, issued_at=at,
                       year=at.year, serial=1000 + next(_codes), **fields)  # fmt: skip
