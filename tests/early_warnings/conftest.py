"""The World's city with the posts a warning goes to.

- 海滨区 (d1): its leader (district, under the city's leader post, which nobody holds) and its duty post held by
  duty1 and duty1b (under the district's leader);
- 新城区 (d2): its leader held by lead2, its duty post vacant (no superior: the city office's staff stand in);
- 市住建局 (zjj): a duty post held by zjjduty (under the head, dept_head); 新城区住建局 (d2_zjj): no duty post,
  its head held by head2.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from organizations.choices import PositionKind, UnitKind
from organizations.models import Position

from ..factories import PositionFactory, UserFactory, assign


@dataclass
class Posts:
    city_leader: Position
    d1_leader: Position
    d1_duty: Position
    d2_leader: Position
    d2_duty: Position
    zjj_duty: Position
    zjj_head: Position
    d2_zjj_head: Position
    city_staff: Position


def government(username, region):
    return UserFactory(username=username, unit_kind=UnitKind.GOVERNMENT, region=region)


@pytest.fixture
def posts(world) -> Posts:
    users = world.users
    city_leader = PositionFactory(kind=PositionKind.TERRITORIAL_LEADER, unit_kind=UnitKind.GOVERNMENT,
                                  region=world.city, title="滨海市副市长")  # fmt: skip
    d1_leader = users["district"].assignments.get().position
    d1_leader.title, d1_leader.superior = "海滨区区长", city_leader
    d1_leader.save()
    d1_duty = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1,
                              title="海滨区应急值班员", superior=d1_leader)  # fmt: skip
    d2_leader = PositionFactory(kind=PositionKind.TERRITORIAL_LEADER, unit_kind=UnitKind.GOVERNMENT, region=world.d2,
                                title="新城区区长")  # fmt: skip
    d2_duty = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d2,
                              title="新城区应急值班员")  # fmt: skip
    zjj_head = users["dept_head"].assignments.get().position
    zjj_duty = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.DEPARTMENT, department=world.zjj,
                               title="市住建局值班员", superior=zjj_head)  # fmt: skip
    d2_zjj_head = PositionFactory(kind=PositionKind.DEPARTMENT_HEAD, unit_kind=UnitKind.DEPARTMENT,
                                  department=world.d2_zjj, title="新城区住建局局长")  # fmt: skip
    city_staff = users["city"].assignments.get().position
    users["duty1"] = government("duty1", world.d1)
    users["duty1b"] = government("duty1b", world.d1)
    users["lead2"] = government("lead2", world.d2)
    users["zjjduty"] = UserFactory(username="zjjduty", unit_kind=UnitKind.DEPARTMENT, department=world.zjj)
    users["head2"] = UserFactory(username="head2", unit_kind=UnitKind.DEPARTMENT, department=world.d2_zjj)
    assign(users["duty1"], d1_duty)
    assign(users["duty1b"], d1_duty)
    assign(users["lead2"], d2_leader)
    assign(users["zjjduty"], zjj_duty)
    assign(users["head2"], d2_zjj_head)
    return Posts(city_leader, d1_leader, d1_duty, d2_leader, d2_duty, zjj_duty, zjj_head, d2_zjj_head, city_staff)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


WARNING = {"kind": "rainstorm", "issuer": "滨海市气象台", "title": "暴雨预警",
           "text": "预计未来6小时内海滨区降雨量将达50毫米以上。", "measures": "停止户外作业。",
           "tips": "请企业做好防汛准备。"}  # fmt: skip
