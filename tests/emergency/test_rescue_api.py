"""The rescue-team API under /api/v1/emergency/: scope of lists and details, the error answers (403, 404, 409, 400)
in Chinese, bulk and holiday raises, and the readiness board's queries pinned whatever the number of teams."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from emergency import rescue
from emergency.models import Prepositioning, ReadinessPeriod
from tests.test_error_language import chinese, messages
from workdays.models import SpecialDay

from .rescue_fixtures import *  # noqa: F403  (the fixture)
from .rescue_fixtures import soon, team

pytestmark = pytest.mark.django_db

TEAMS = "/api/v1/emergency/teams/"
PERIODS = "/api/v1/emergency/readiness-periods/"
FORCES = "/api/v1/emergency/prepositionings/"
BOARD = "/api/v1/emergency/readiness/"


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_authenticate(user)
    return client


def in_chinese(response) -> bool:
    found = messages(response.json())
    return bool(found) and all(chinese(m) for m in found)


@pytest.mark.parametrize(
    ("role", "names"),
    [
        ("city", {"海滨危化救援队", "新城消防救援大队", "市矿山救护队"}),
        ("district", {"海滨危化救援队"}),
        ("county_dept", {"海滨危化救援队"}),
        ("inspector", {"市矿山救护队"}),
        ("dept_head", set()),
        ("enterprise", set()),
        ("outsider", set()),
    ],
)
def test_lists_and_details_follow_scope(rescue_world, role, names):
    """GIVEN a period and a pre-positioning per team WHEN each role lists and opens them THEN it gets its scope; the
    others are 404."""
    w = rescue_world
    for t in (w.team_d1, w.team_d2, w.team_city):
        rescue.raise_readiness(w.users["city"], t, "raised", None, soon(5), "国庆节")
        rescue.preposition(w.users["city"], t, rescue.Deployment("会展中心", t.region, 5, soon(3), "展会"))
    client = api(w.users[role])
    for url, key in ((TEAMS, "name"), (PERIODS, "team_name"), (FORCES, "team_name")):
        assert {row[key] for row in client.get(url).json()["results"]} == names, url
    for t in (w.team_d1, w.team_d2, w.team_city):
        assert client.get(f"{TEAMS}{t.pk}/").status_code == (200 if t.name in names else 404)


def test_the_errors_answer_in_chinese(rescue_world):
    """404 out of scope, 403 not the owner, 409 a clash or a state, 400 naming the field: each message in Chinese."""
    w = rescue_world
    body = {"team": w.team_d1.pk, "level": "raised", "ends_at": soon(5).isoformat(), "reason": "国庆节"}
    not_found = api(w.users["inspector"]).post(PERIODS, body, format="json")
    assert not_found.status_code == 404 and in_chinese(not_found)
    forbidden = api(w.users["district"]).post(PERIODS, body, format="json")
    assert forbidden.status_code == 403 and in_chinese(forbidden)
    bad = api(w.users["county_dept"]).post(PERIODS, body | {"ends_at": soon(-1).isoformat()}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"ends_at"} and in_chinese(bad)
    deploy = {"team": w.team_d1.pk, "place": "海滨广场", "region": w.t1.pk, "headcount": 5,
              "ends_at": soon(4).isoformat(), "reason": "跨年活动"}  # fmt: skip
    client = api(w.users["county_dept"])
    assert client.post(FORCES, deploy, format="json").status_code == 201
    clash = client.post(FORCES, deploy | {"place": "火车站"}, format="json")
    assert clash.status_code == 409 and in_chinese(clash) and "海滨广场" in clash.json()["detail"]
    too_many = client.post(FORCES, deploy | {"headcount": 21, "starts_at": soon(5).isoformat(),
                                             "ends_at": soon(6).isoformat()}, format="json")  # fmt: skip
    assert too_many.status_code == 400 and set(too_many.json()) == {"headcount"} and in_chinese(too_many)
    row = Prepositioning.objects.get()
    assert client.post(f"{FORCES}{row.pk}/withdraw/").status_code == 200
    again = client.post(f"{FORCES}{row.pk}/withdraw/")
    assert again.status_code == 409 and in_chinese(again)
    phone = api(w.users["city"]).patch(f"{TEAMS}{w.team_d1.pk}/", {"duty_phone": "打电话"}, format="json")
    assert phone.status_code == 400 and set(phone.json()) == {"duty_phone"} and in_chinese(phone)


def test_teams_are_registered_and_changed_by_their_owner(rescue_world):
    w = rescue_world
    body = {"name": "海滨区电力抢修队", "kind": "power", "region": w.t1.pk, "base_address": "电力路1号",
            "duty_phone": "0571-95598", "headcount": 18, "equipment": "发电车2台"}  # fmt: skip
    made = api(w.users["county_dept"]).post(TEAMS, body, format="json")
    assert made.status_code == 201 and made.json()["department"] == w.d1_yjj.pk
    assert made.json()["current_level"] == "normal"
    refused = api(w.users["enterprise"]).post(TEAMS, body | {"name": "x"}, format="json")
    assert refused.status_code == 403 and in_chinese(refused)
    changed = api(w.users["county_dept"]).patch(f"{TEAMS}{made.json()['id']}/", {"headcount": 20}, format="json")
    assert changed.status_code == 200 and changed.json()["headcount"] == 20
    assert api(w.users["district"]).patch(f"{TEAMS}{made.json()['id']}/", {"headcount": 2}).status_code == 403
    off = api(w.users["county_dept"]).patch(f"{TEAMS}{made.json()['id']}/", {"active": False}, format="json")
    assert off.json()["active"] is False
    kept = api(w.users["county_dept"]).patch(f"{TEAMS}{made.json()['id']}/", {"headcount": 21}, format="json")
    assert kept.json()["active"] is False, "a field not sent is not changed (no default)"


def test_bulk_and_holiday_raises_and_ending_early(rescue_world):
    w = rescue_world
    body = {"region": w.city.pk, "kinds": ["hazchem", "mine"], "level": "highest", "ends_at": soon(8).isoformat(),
            "reason": "红色暴雨预警"}  # fmt: skip
    raised = api(w.users["city"]).post(f"{PERIODS}bulk/", body, format="json")
    assert raised.status_code == 201
    assert {row["team_name"] for row in raised.json()} == {"海滨危化救援队", "市矿山救护队"}
    refused = api(w.users["district"]).post(f"{PERIODS}bulk/", body, format="json")
    assert refused.status_code == 403 and in_chinese(refused)
    period = raised.json()[0]["id"]
    assert api(w.users["city"]).post(f"{PERIODS}{period}/end/").status_code == 200
    assert api(w.users["city"]).post(f"{PERIODS}{period}/end/").status_code == 409
    SpecialDay.objects.all().delete()
    none_ahead = api(w.users["city"]).get(f"{PERIODS}next-holiday/")
    assert none_ahead.status_code == 409 and in_chinese(none_ahead)
    first = timezone.localdate() + timedelta(days=10)
    for n in range(3):
        SpecialDay.objects.create(date=first + timedelta(days=n), name="国庆节")
    holiday = api(w.users["city"]).get(f"{PERIODS}next-holiday/").json()
    assert (holiday["name"], holiday["first_day"]) == ("国庆节", first.isoformat())
    done = api(w.users["district"]).post(f"{PERIODS}next-holiday/", {"region": w.d1.pk}, format="json")
    assert done.status_code == 201 and [row["reason"] for row in done.json()] == ["国庆节"]
    assert ReadinessPeriod.objects.filter(reason="国庆节").get().starts_at.date() <= first


def _many_teams(world, count: int, first: int = 0) -> None:
    """`count` teams spread over the districts, each raised and half of them with forces standing now."""
    city = world.users["city"]
    for n in range(first, first + count):
        made = team(f"队伍{n}", (world.t1, world.d2, world.city)[n % 3], None if n % 3 else world.d1_yjj, "flood")
        rescue.raise_readiness(city, made, ("raised", "highest")[n % 2], None, soon(5), "国庆节")
        if n % 2:
            rescue.preposition(city, made, rescue.Deployment("江堤", world.d2, 3, soon(4), "防汛"))


@pytest.mark.parametrize("role", ["city", "district", "county_dept"])
def test_the_board_takes_the_same_queries_for_5_and_50_teams(rescue_world, role, django_assert_num_queries):
    """GIVEN 5, then 50 teams raised and pre-positioned WHEN the board is asked THEN the same number of queries."""
    w = rescue_world
    client = api(w.users[role])
    client.get(BOARD)  # the user's scope and the session once
    _many_teams(w, 2)
    with django_assert_num_queries(QUERIES) as five:
        assert client.get(BOARD).status_code == 200
    _many_teams(w, 45, first=2)
    with django_assert_num_queries(len(five)):
        answer = client.get(BOARD, {"kind": ["flood", "hazchem"]})
    assert answer.status_code == 200
    body = answer.json()
    assert body["low_supplies"] == []
    if role == "city":
        assert [row["region_name"] for row in body["rows"]] == ["滨海市", "海滨区", "新城区"]
        assert body["teams"] == 48  # 47 flood teams and the hazchem team
        assert sum(len(t["forces"]) for row in body["rows"] for t in row["teams"]) == 23


# The board's queries once the user's scope is known (computed once per request and user): regions, teams, the
# periods covering now, the forces standing now, the supplies below minimum.
QUERIES = 5


def test_the_board_filters_by_region_and_refuses_bad_values(rescue_world):
    w = rescue_world
    client = api(w.users["city"])
    rows = client.get(BOARD, {"region": w.d2.pk}).json()["rows"]
    assert [(r["region_name"], [t["name"] for t in r["teams"]]) for r in rows] == [("新城区", ["新城消防救援大队"])]
    assert client.get(BOARD, {"kind": "dragon"}).status_code == 400
    out = api(w.users["district"]).get(BOARD, {"region": w.d2.pk})
    assert out.status_code == 400 and set(out.json()) == {"region"}
    for role in ("enterprise", "outsider"):
        refused = api(w.users[role]).get(BOARD)
        assert refused.status_code == 403 and in_chinese(refused)


def test_the_board_lists_supplies_below_minimum_in_scope(rescue_world):
    """GIVEN the five warehouses' sandbags (minimum 10) WHEN two fall below it (海滨区's government's, 3 left; the
    city office's, 9 left) THEN the board lists both to the city office, the furthest below first, and only 海滨区's
    to 海滨区 (its subtree) and to a region filter of 海滨区; none to 海滨区应急管理局, whose own stock is full."""
    from decimal import Decimal

    from emergency.models import Stock
    from tests.emergency.supplies_world import make_supplies

    s = make_supplies(rescue_world)
    Stock.objects.filter(warehouse=s.houses["w_d1"]).update(quantity=Decimal(3))
    Stock.objects.filter(warehouse=s.houses["w_city"]).update(quantity=Decimal(9))
    seen = api(rescue_world.users["city"]).get(BOARD).json()["low_supplies"]
    assert [(r["warehouse"], r["item"], r["quantity"], r["minimum"]) for r in seen] == [
        ("w_d1", "沙袋（50kg）", "3", "10"),
        ("w_city", "沙袋（50kg）", "9", "10"),
    ]
    assert [r["warehouse"] for r in api(rescue_world.users["district"]).get(BOARD).json()["low_supplies"]] == ["w_d1"]
    by_region = api(rescue_world.users["city"]).get(BOARD, {"region": rescue_world.d1.pk}).json()["low_supplies"]
    assert [r["warehouse"] for r in by_region] == ["w_d1"]
    assert api(rescue_world.users["county_dept"]).get(BOARD).json()["low_supplies"] == []
