"""The World's city with principal posts held at three of its enterprises, and helpers to make risk themes.

- e1 海滨化工 (海滨街道, chemicals): principal `enterprise` (the World's), under a superior post 海滨区应急管理局局长
  held by `d1_head`; a safety manager `e1_safety`;
- e2 新城建设 (新城街道, building): principal `e2_boss`, no superior (the city office's staff stand in);
- e3 新城矿业 (新城街道, mines): only a safety manager `e3_safety`;
- e4 海滨储能 (海滨街道, a supervision gap): nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from organizations.choices import PositionKind, UnitKind
from organizations.models import Position
from risks import themes
from workdays.calendar import SHANGHAI

from ..factories import PositionFactory, UserFactory, assign


@dataclass
class Posts:
    e1_principal: Position
    d1_head: Position
    e2_principal: Position
    e3_safety: Position


@pytest.fixture
def posts(world) -> Posts:
    users = world.users
    d1_head = PositionFactory(kind=PositionKind.DEPARTMENT_HEAD, unit_kind=UnitKind.DEPARTMENT,
                              department=world.d1_yjj, title="海滨区应急管理局局长")  # fmt: skip
    e1_principal = users["enterprise"].assignments.get().position
    e1_principal.title, e1_principal.superior = "海滨化工主要负责人", d1_head
    e1_principal.save()
    e1_safety = PositionFactory(kind=PositionKind.ENTERPRISE_SAFETY_MANAGER, unit_kind=UnitKind.ENTERPRISE,
                                enterprise=world.e1, title="海滨化工安全管理负责人")  # fmt: skip
    e2_principal = PositionFactory(kind=PositionKind.ENTERPRISE_PRINCIPAL, unit_kind=UnitKind.ENTERPRISE,
                                   enterprise=world.e2, title="新城建设主要负责人")  # fmt: skip
    e3_safety = PositionFactory(kind=PositionKind.ENTERPRISE_SAFETY_MANAGER, unit_kind=UnitKind.ENTERPRISE,
                                enterprise=world.e3, title="新城矿业安全管理负责人")  # fmt: skip
    users["d1_head"] = UserFactory(username="d1_head", unit_kind=UnitKind.DEPARTMENT, department=world.d1_yjj)
    users["e1_safety"] = UserFactory(username="e1_safety", unit_kind=UnitKind.ENTERPRISE, enterprise=world.e1)
    users["e2_boss"] = UserFactory(username="e2_boss", unit_kind=UnitKind.ENTERPRISE, enterprise=world.e2)
    users["e3_safety"] = UserFactory(username="e3_safety", unit_kind=UnitKind.ENTERPRISE, enterprise=world.e3)
    users["e1_clerk"] = UserFactory(username="e1_clerk", unit_kind=UnitKind.ENTERPRISE, enterprise=world.e1)
    users["lead2"] = UserFactory(username="lead2", unit_kind=UnitKind.GOVERNMENT, region=world.d2)
    assign(users["d1_head"], d1_head)
    assign(users["e1_safety"], e1_safety)
    assign(users["e2_boss"], e2_principal)
    assign(users["e3_safety"], e3_safety)
    assign(users["lead2"], PositionFactory(kind=PositionKind.TERRITORIAL_LEADER, unit_kind=UnitKind.GOVERNMENT,
                                           region=world.d2, title="新城区区长"))  # fmt: skip
    return Posts(e1_principal, d1_head, e2_principal, e3_safety)


def today() -> date:
    return timezone.localdate()


def at(day: date, hour: int = 18) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def fields(**changes) -> dict:
    """A valid theme: a holiday from tomorrow for ten days, confirmed by 18:00 the day after tomorrow."""
    values = {
        "kind": "holiday",
        "title": "元旦假期风险",
        "required_controls": "动火作业审批；危化品储存检查；值班值守到位。",
        "starts_on": today() + timedelta(days=1),
        "ends_on": today() + timedelta(days=10),
        "confirm_by": at(today() + timedelta(days=2)),
    }
    values.update(changes)
    return values


def published(user, **changes):
    return themes.publish(user, themes.create(user, **fields(**changes)))


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
