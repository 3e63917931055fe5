"""The rescue-team pages: the board, the list with level badges, a team's page and its forms, raising in bulk;
who gets in (403) and what is out of scope (404)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from emergency import rescue
from emergency.models import Prepositioning, ReadinessPeriod, RescueTeam

from .rescue_fixtures import *  # noqa: F403  (the fixture)
from .rescue_fixtures import soon, team

pytestmark = pytest.mark.django_db


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_the_pages_show_teams_levels_and_forces(client, rescue_world):
    w = rescue_world
    rescue.raise_readiness(w.users["city"], w.team_d1, "highest", None, soon(3), "红色暴雨预警")
    rescue.preposition(w.users["city"], w.team_d2, rescue.Deployment("国际会展中心", w.d2, 8, soon(2), "展会"))
    client.force_login(w.users["city"])
    board = client.get(reverse("rescue:board")).content.decode()
    assert "海滨危化救援队" in board and 'data-level="highest"' in board and "国际会展中心" in board
    assert "low-supplies" in board
    teams = client.get(reverse("rescue:teams")).content.decode()
    assert teams.count("data-level=") == 3
    page = client.get(reverse("rescue:team", args=[w.team_d1.pk]))
    assert page.status_code == 200 and "红色暴雨预警" in page.content.decode()
    filtered = client.get(reverse("rescue:board"), {"kind": "mine"}).content.decode()
    assert "市矿山救护队" in filtered and "海滨危化救援队" not in filtered


def test_the_owner_raises_and_pre_positions_on_the_team_page(client, rescue_world):
    """GIVEN 海滨区应急局's staff WHEN they raise, pre-position (twice at the same time), withdraw and end on the
    team page THEN each goes through, the overlap shows its Chinese message on the form (400)."""
    w = rescue_world
    client.force_login(w.users["county_dept"])
    url = reverse("rescue:team", args=[w.team_d1.pk])
    answer = client.post(url, {"do": "raise", "raise-level": "raised", "raise-ends_at": local_input(soon(5)),
                               "raise-reason": "国庆节"})  # fmt: skip
    assert answer.status_code == 302 and ReadinessPeriod.objects.filter(team=w.team_d1).count() == 1
    deploy = {"do": "preposition", "preposition-place": "海滨广场", "preposition-region": w.t1.pk,
              "preposition-headcount": 6, "preposition-ends_at": local_input(soon(4)),
              "preposition-reason": "元旦跨年活动"}  # fmt: skip
    assert client.post(url, deploy).status_code == 302
    again = client.post(url, deploy | {"preposition-place": "火车站"})
    assert again.status_code == 400 and "已" in again.content.decode()
    row = Prepositioning.objects.get(team=w.team_d1)
    assert client.post(url, {"do": "withdraw", "id": row.pk}).status_code == 302
    period = ReadinessPeriod.objects.get(team=w.team_d1)
    assert client.post(url, {"do": "end", "id": period.pk}).status_code == 302
    assert rescue.level_of(w.team_d1) == "normal"


@pytest.mark.parametrize(
    ("role", "status", "board"),
    [("city", 200, 200), ("district", 200, 200), ("county_dept", 200, 200), ("inspector", 404, 200),
     ("dept_head", 404, 200), ("enterprise", 404, 403), ("outsider", 404, 403)],
)  # fmt: skip
def test_a_team_page_follows_scope(client, rescue_world, role, status, board):
    """Out of scope is 404; the board and the lists are the government's (an enterprise or no unit: 403)."""
    client.force_login(rescue_world.users[role])
    assert client.get(reverse("rescue:team", args=[rescue_world.team_d1.pk])).status_code == status
    assert client.get(reverse("rescue:board")).status_code == board
    assert client.get(reverse("rescue:teams")).status_code == board


def test_raising_in_bulk_is_for_the_city_office_and_territories(client, rescue_world):
    w = rescue_world
    client.force_login(w.users["county_dept"])
    assert client.get(reverse("rescue:raise")).status_code == 403
    client.force_login(w.users["district"])
    answer = client.post(reverse("rescue:raise"), {"region": w.d1.pk, "level": "raised",
                                                   "ends_at": local_input(soon(24)), "reason": "国庆节"})  # fmt: skip
    assert answer.status_code == 302
    assert list(ReadinessPeriod.objects.values_list("team__name", flat=True)) == ["海滨危化救援队"]
    refused = client.post(reverse("rescue:raise"), {"region": w.d1.pk, "level": "raised",
                                                    "ends_at": local_input(timezone.now() - timedelta(hours=1)),
                                                    "reason": "国庆节"})  # fmt: skip
    assert refused.status_code == 400


def test_registering_and_changing_a_team_on_the_pages(client, rescue_world):
    w = rescue_world
    client.force_login(w.users["district"])
    data = {"name": "海滨区防汛抢险队", "kind": "flood", "region": w.d1.pk, "base_address": "江堤路1号",
            "duty_phone": "0571-8765 4321", "headcount": 25, "equipment": "冲锋舟4艘", "active": "on"}  # fmt: skip
    assert client.post(reverse("rescue:team-new"), data).status_code == 302
    team = RescueTeam.objects.get(name="海滨区防汛抢险队")
    assert team.department is None
    bad = client.post(reverse("rescue:team-edit", args=[team.pk]), data | {"duty_phone": "电话"})
    assert bad.status_code == 400
    assert client.post(reverse("rescue:team-edit", args=[team.pk]), data | {"headcount": 30}).status_code == 302
    team.refresh_from_db()
    assert team.headcount == 30


def test_odd_ids_are_no_server_error(client, rescue_world):
    """Superscript and Arabic-Indic digits, and ids past a bigint, are no id: the board ignores them, a POST is 404."""
    w = rescue_world
    client.force_login(w.users["city"])
    for raw in ("²", "١", "9" * 30, "-1"):
        assert client.get(reverse("rescue:board"), {"region": raw}).status_code == 200
        answer = client.post(reverse("rescue:team", args=[w.team_d1.pk]), {"do": "end", "id": raw})
        assert answer.status_code == 404, raw


def _more_teams(world, first: int, count: int) -> None:
    for n in range(first, first + count):
        made = team(f"防汛队{n}", (world.t1, world.d2)[n % 2], None, "flood")
        rescue.raise_readiness(world.users["city"], made, "raised", None, soon(5), "汛期")
        rescue.preposition(world.users["city"], made, rescue.Deployment("江堤", world.d2, 3, soon(4), "防汛"))


@pytest.mark.parametrize("name", ["rescue:board", "rescue:teams"])
def test_the_board_and_list_pages_take_the_same_queries_for_5_and_50_teams(
    client, rescue_world, name, django_assert_max_num_queries
):
    client.force_login(rescue_world.users["city"])
    _more_teams(rescue_world, 0, 2)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse(name)).status_code == 200
    _more_teams(rescue_world, 2, 45)
    with django_assert_max_num_queries(len(few)):
        assert client.get(reverse(name)).status_code == 200
