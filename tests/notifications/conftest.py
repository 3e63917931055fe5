from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from organizations.choices import PositionKind
from organizations.models import Position, PositionAssignment

from ..hazards.conftest import hz  # noqa: F401  (the hazard world, reused)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def esc(hz, settings):  # noqa: F811
    """The hazard world with a city leader above the district leader, everyone in post since 2020."""
    settings.NOTIFY_WEBHOOK_URL = ""
    district = Position.objects.get(kind=PositionKind.TERRITORIAL_LEADER, region=hz.d1)
    from ..factories import PositionFactory, UserFactory, assign

    mayor = UserFactory(username="mayor", unit_kind="government", region=hz.city, email="mayor@example.gov.cn")
    city_leader = PositionFactory(kind=PositionKind.TERRITORIAL_LEADER, unit_kind="government", region=hz.city)
    assign(mayor, city_leader)
    district.superior = city_leader
    district.save()
    PositionAssignment.objects.update(started_at=datetime(2020, 1, 1, tzinfo=SHANGHAI))
    hz.users["mayor"] = mayor
    hz.district_leader = district
    return hz
