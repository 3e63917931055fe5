"""The dashboard's panel of warnings in force and emergency readiness: each warning in force with its answers
(linked to its live board), the teams on raised readiness, the forces standing, the supplies below minimum and
expiring; in the user's scope, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from emergency.models import Prepositioning, ReadinessPeriod, RescueTeam, Stock
from tests.early_warnings.factories_board import answer, notice, post, recipient, warning
from tests.emergency.supplies_world import make_supplies

PANEL = "dashboards:panel-readiness"


@pytest.fixture
def city_at_alert(world):
    """An orange warning over the city sent 30 minutes ago to two posts (海滨区's answered, 新城区's silent), a lifted
    and an expired one; 海滨区's fire team raised with 5 people standing at the fair; 海滨区's government's sandbags
    under their minimum and the city office's expiring in 10 days."""
    now = timezone.now()
    w = warning("暴雨橙色预警", "orange", [world.city], issued_at=now - timedelta(minutes=30))
    haibin = recipient(w, post(world.d1, "海滨区值班室"))
    xincheng = recipient(w, post(world.d2, "新城区值班室"))
    for r in (haibin, xincheng):
        notice(r, world.users["district"])
    answer(haibin, world.users["district"], haibin.answer_due_at - timedelta(minutes=3), ["patrols_out"])
    warning("大风蓝色预警", "blue", [world.city], status="lifted")
    warning("高温黄色预警", "yellow", [world.city], valid_until=now - timedelta(minutes=1))
    team = RescueTeam.objects.create(name="海滨区消防救援大队", kind="fire", region=world.d1, base_address="海滨路1号",
                                     duty_phone="0591-12345678", headcount=60)  # fmt: skip
    city = world.users["city"]
    ReadinessPeriod.objects.create(team=team, level="raised", starts_at=now - timedelta(hours=1),
                                   ends_at=now + timedelta(days=1), reason="暴雨", created_by=city)  # fmt: skip
    Prepositioning.objects.create(team=team, place="会展中心", region=world.d1, headcount=5, reason="展会",
                                  starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=5),
                                  created_by=city)  # fmt: skip
    s = make_supplies(world)
    Stock.objects.filter(warehouse=s.houses["w_d1"]).update(quantity=Decimal(3))
    Stock.objects.filter(warehouse=s.houses["w_city"]).update(expires_on=timezone.localdate() + timedelta(days=10))
    return w


def figures(page: str) -> list[str]:
    return [part.split("</span>")[0] for part in page.split('<span class="card-n">')[1:]]


def test_the_city_office_sees_the_warning_in_force_and_the_readiness(client, world, city_at_alert):
    client.force_login(world.users["city"])
    page = client.get(reverse(PANEL)).content.decode()
    assert reverse("warning_board:board", args=[city_at_alert.pk]) in page
    assert '<span class="tag level-orange">橙色</span>' in page and "暴雨橙色预警" in page
    assert "2 个岗位中 1 个已应答" in page and "1 个超时未应答" in page
    assert "大风蓝色预警" not in page and "高温黄色预警" not in page  # lifted, expired
    assert figures(page) == ["1", "1", "1", "1"]  # raised teams, forces, below minimum, expiring
    assert f"{reverse('supplies:alerts')}?kind=below_minimum" in page


def test_a_district_sees_its_subtree_and_a_department_its_own(client, world, city_at_alert):
    client.force_login(world.users["district"])  # 海滨区: its post (answered), its team, its warehouse
    page = client.get(reverse(PANEL)).content.decode()
    assert "1 个岗位中 1 个已应答" in page and "超时未应答" not in page
    assert figures(page) == ["1", "1", "1", "0"]
    client.force_login(world.users["county_dept"])  # 海滨区应急管理局: no team, its own warehouse is full
    assert figures(client.get(reverse(PANEL)).content.decode()) == ["0", "0", "0", "0"]


@pytest.mark.parametrize("who", ["enterprise", "outsider"])
def test_an_enterprise_or_no_unit_gets_no_panel(client, world, city_at_alert, who):
    client.force_login(world.users[who])
    assert client.get(reverse(PANEL)).status_code == 403


def test_the_panel_reads_a_fixed_number_of_queries(client, world, city_at_alert, django_assert_num_queries):
    client.force_login(world.users["city"])
    client.get(reverse(PANEL))
    for n in range(5):
        w = warning(f"预警{n}", "yellow", [world.city])
        recipient(w, post(world.d1, f"岗位{n}"))
    # session and user; warnings, answers, teams, forces, stock; the navigation's positions and unread notices
    with django_assert_num_queries(9):
        assert client.get(reverse(PANEL)).status_code == 200
