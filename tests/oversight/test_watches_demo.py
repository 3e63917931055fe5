"""The demo's watches (`oversight.demo_watches`): through the writers, on enterprises of 市应急管理局 set to the
watched states by demo-city; one overdue, one alert to the department's head, one passed resumption check; a second
run writes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from notifications.models import Notification
from organizations.choices import OperatingState, PositionKind, UnitKind
from oversight import watches
from oversight.demo_watches import load_demo_watches
from oversight.models import ResumptionCheck, Watch, WatchVisit

from ..factories import EnterpriseFactory, PositionFactory, UserFactory, assign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_demo_watches(world):
    city = UserFactory(username="demo-city", unit_kind=UnitKind.CITY_OFFICE, region=world.city)
    assign(city, PositionFactory(kind=PositionKind.CITY_OFFICE_STAFF, unit_kind=UnitKind.CITY_OFFICE,
                                 region=world.city))  # fmt: skip
    head = UserFactory(username="demo-department", unit_kind=UnitKind.DEPARTMENT, department=world.yjj)
    assign(head, PositionFactory(kind=PositionKind.DEPARTMENT_HEAD, unit_kind=UnitKind.DEPARTMENT,
                                 department=world.yjj))  # fmt: skip
    inspector = UserFactory(username="demo-inspector", unit_kind=UnitKind.DEPARTMENT, department=world.yjj)
    assign(inspector, PositionFactory(kind=PositionKind.INSPECTOR, unit_kind=UnitKind.DEPARTMENT,
                                      department=world.yjj))  # fmt: skip
    for n in range(4):
        EnterpriseFactory(name=f"演示矿业{n}", region=world.t2, industry=world.mine)
    counts = load_demo_watches()
    assert counts == {"watches": 5, "watch visits": 6, "watch alerts": 1, "resumption checks": 1}
    assert Watch.objects.count() == 5 and WatchVisit.objects.count() == 6
    assert Watch.objects.filter(ended_at__isnull=True, due_at__lt=timezone.now()).count() == 1
    assert Notification.objects.filter(kind=watches.KIND, recipient=head).count() == 1
    check = ResumptionCheck.objects.get()
    assert check.passed and check.enterprise.operating_state == OperatingState.OPERATING
    assert load_demo_watches() == {"watches": 0, "watch visits": 0, "watch alerts": 0, "resumption checks": 0}
    assert Watch.objects.count() == 5
