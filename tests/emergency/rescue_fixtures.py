"""Fixtures of the rescue-team tests (imported by tests/emergency/test_rescue*.py; no conftest, so the supplies
tests beside them stay apart): three teams of the World and a helper to make more."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from emergency.models import RescueTeam
from workdays.calendar import SHANGHAI

__all__ = ["rescue_world"]


def team(name: str, region, department=None, kind: str = "hazchem", headcount: int = 20) -> RescueTeam:
    return RescueTeam.objects.create(
        name=name, kind=kind, region=region, department=department, base_address="基地路1号",
        duty_phone="0571-12345678", headcount=headcount,
    )  # fmt: skip


@pytest.fixture
def rescue_world(world):
    """海滨区应急局's hazchem team in 海滨街道, 新城区's own fire team (no department), 市应急局's mine team at the
    city."""
    world.team_d1 = team("海滨危化救援队", world.t1, world.d1_yjj, "hazchem")
    world.team_d2 = team("新城消防救援大队", world.d2, None, "fire_rescue", 40)
    world.team_city = team("市矿山救护队", world.city, world.yjj, "mine", 30)
    return world


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def soon(hours: float = 0) -> datetime:
    return timezone.now() + timedelta(hours=hours)
