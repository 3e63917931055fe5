"""Who counts which unanswered must-answer notices: those about hazards in their scope, and those addressed to them
without a hazard (the dashboard's figure and the 未应答 page use the same queryset)."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from notifications.models import Notification
from notifications.views import unanswered_for
from workdays.calendar import SHANGHAI

from ..dashboards.conftest import put

pytestmark = pytest.mark.django_db


def notice(key: str, recipient, hazard=None, answered: bool = False) -> Notification:
    return Notification.objects.create(
        key=key, recipient=recipient, hazard=hazard, title="请应答", body="请应答", must_answer=True,
        acknowledged_at=timezone.now() if answered else None,
    )  # fmt: skip


def test_each_sees_the_notices_about_their_hazards_and_their_own(world):
    at = datetime(2026, 5, 5, 9, tzinfo=SHANGHAI)
    in_d1 = put(world, world.e1, "rectifying", at)  # 海滨区
    in_d2 = put(world, world.e2, "rectifying", at)  # 新城区
    users = world.users
    notice("a", users["inspector"], in_d1)
    notice("b", users["inspector"], in_d2)
    notice("c", users["inspector"], in_d2, answered=True)
    notice("d", users["city"])  # no hazard: counts for its recipient only
    notice("e", users["district"])
    counted = {who: set(unanswered_for(users[who]).values_list("key", flat=True)) for who in ("city", "district")}
    assert counted == {"city": {"a", "b", "d"}, "district": {"a", "e"}}
