from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from .supplies_world import Supplies, make_supplies


@pytest.fixture
def sup(world) -> Supplies:
    """The World with five warehouses (city office, 海滨区, 新城区, 市应急管理局, 海滨区应急管理局), each
    holding 100 沙袋 (minimum 10); 救生衣 in the catalogue, held nowhere."""
    return make_supplies(world)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
