"""Emergency supplies: stock moves through the workflow (never negative, audited), the rules table, alerts, and the
API's answers (403/404/409/400 in Chinese) with their query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent, history
from emergency import supplies
from emergency.models import Stock, StockMove, Warehouse
from safety_platform.lib.errors import Conflict

from .conftest import api

pytestmark = pytest.mark.django_db


def stock(sup, house="w_d1", item=None) -> Stock:
    return Stock.objects.get(warehouse=sup.houses[house], item=item or sup.sandbag)


# --- the workflow -----------------------------------------------------------------------------------------------


def test_issue_takes_stock_and_records_who_and_why(sup):
    district = sup.world.users["district"]
    move = supplies.issue(district, sup.houses["w_d1"].pk, sup.sandbag.pk, "30", "海滨街道堤防加固")
    assert stock(sup).quantity == Decimal(70)
    assert (move.kind, move.quantity, move.balance, move.by, move.reason) == (
        "out",
        30,
        70,
        district,
        "海滨街道堤防加固",
    )
    event = history(stock(sup)).get()
    assert event.action == "supplies.out" and event.changes == {"quantity": ["100.00", "70.00"]}
    assert event.actor == district and event.reason == "海滨街道堤防加固"


def test_taking_more_than_held_is_refused_and_changes_nothing(sup):
    with pytest.raises(Conflict, match="沙袋（50kg）库存不足：现有 100 条，要取 100.5"):
        supplies.issue(sup.world.users["city"], sup.houses["w_d1"].pk, sup.sandbag, "100.5", "抢险")
    assert stock(sup).quantity == Decimal(100)
    assert StockMove.objects.filter(stock=stock(sup)).count() == 1  # the seeded receipt only
    assert not AuditEvent.objects.filter(action__startswith="supplies.").exists()


def test_an_item_never_held_cannot_be_issued(sup):
    with pytest.raises(Conflict, match="没有救生衣"):
        supplies.scrap(sup.world.users["city"], sup.houses["w_d1"].pk, sup.jacket, 1, "过期")
    assert not Stock.objects.filter(item=sup.jacket).exists()


def test_the_database_refuses_a_negative_quantity_as_the_last_line(sup):
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(pk=stock(sup).pk).update(quantity=Decimal("-1"))


def test_receive_creates_the_row_and_keeps_the_earliest_expiry(sup):
    city, house = sup.world.users["city"], sup.houses["w_city"]
    today = timezone.localdate()
    supplies.receive(city, house, sup.jacket, 50, "采购入库", today - timedelta(days=300), today + timedelta(days=90))
    supplies.receive(city, house, sup.jacket, 20, "捐赠", today - timedelta(days=10), today + timedelta(days=20))
    supplies.receive(city, house, sup.jacket, 5, "采购入库", today, today + timedelta(days=400))
    row = stock(sup, "w_city", sup.jacket)
    assert row.quantity == 75 and row.expires_on == today + timedelta(days=20)
    assert row.expiring and list(Stock.objects.expiring()) == [row]
    supplies.issue(city, house, sup.jacket, 75, "全部调出")
    row.refresh_from_db()
    assert row.quantity == 0 and row.expires_on is None and not Stock.objects.expiring().exists()


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-5"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"quantity": "1e30"}, "quantity"),
        ({"reason": "  "}, "reason"),
        ({"item": 999999}, "item"),
    ],
)
def test_bad_input_names_its_field(sup, args, field):
    values = {"item": sup.sandbag.pk, "quantity": "1", "reason": "入库", **args}
    with pytest.raises(ValidationError) as caught:
        supplies.receive(sup.world.users["city"], sup.houses["w_d1"].pk, **values)
    assert field in caught.value.message_dict
    assert stock(sup).quantity == 100


def test_expiry_before_production_is_refused(sup):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        supplies.receive(
            sup.world.users["city"], sup.houses["w_d1"], sup.sandbag, 1, "入库", today, today - timedelta(1)
        )
    assert "expires_on" in caught.value.message_dict


@pytest.mark.parametrize(
    ("role", "house", "outcome"),
    [
        ("city", "w_d1", "ok"),  # the city office, any warehouse
        ("district", "w_d1", "ok"),  # its government's own
        ("district", "w_d1_yjj", 403),  # in its region, but the department's
        ("district", "w_d2", 404),  # another district's: out of scope
        ("county_dept", "w_d1_yjj", "ok"),  # its department's
        ("inspector", "w_yjj", "ok"),  # its department's (an inspector is department staff)
        ("inspector", "w_city", 404),
        ("dept_head", "w_yjj", 404),
        ("enterprise", "w_d1", 404),
        ("outsider", "w_city", 404),
    ],
)
def test_who_moves_stock(sup, role, house, outcome):
    user = sup.world.users[role]
    call = lambda: supplies.issue(user, sup.houses[house].pk, sup.sandbag, 1, "演练")  # noqa: E731
    if outcome == "ok":
        call()
        assert stock(sup, house).quantity == 99
        assert supplies.can(user, sup.houses[house]) >= {"receive", "issue", "scrap", "set_minimum"}
        return
    with pytest.raises(PermissionDenied if outcome == 403 else Http404):
        call()
    assert stock(sup, house).quantity == 100
    if outcome == 403:
        assert supplies.can(user, sup.houses[house]) == set()


def test_a_warehouse_out_of_use_takes_no_moves_but_can_be_edited(sup):
    city, house = sup.world.users["city"], sup.houses["w_d1"]
    supplies.edit_warehouse(city, house.pk, {"active": False, "keeper_phone": "13800000000"})
    with pytest.raises(Conflict, match="已停用"):
        supplies.receive(city, house.pk, sup.sandbag, 1, "入库")
    assert supplies.can(city, Warehouse.objects.get(pk=house.pk)) == {"set_minimum", "edit_warehouse"}
    assert history(house).get().changes == {"active": ["True", "False"], "keeper_phone": ["0591-12345678",
                                                                                         "13800000000"]}  # fmt: skip


def test_an_edit_that_changes_nothing_writes_nothing(sup):
    supplies.edit_warehouse(sup.world.users["city"], sup.houses["w_d1"].pk, {"name": "w_d1"})
    assert not history(sup.houses["w_d1"]).exists()


def test_a_bad_keeper_phone_is_a_field_error(sup):
    with pytest.raises(ValidationError) as caught:
        supplies.edit_warehouse(sup.world.users["city"], sup.houses["w_d1"].pk, {"keeper_phone": "call me"})
    assert "keeper_phone" in caught.value.message_dict


def test_owners_register_their_own_warehouses(sup):
    w = sup.world
    values = {"name": "新库", "address": "海滨路8号", "keeper_name": "陈", "keeper_phone": "0591-1234567"}
    mine = supplies.create_warehouse(w.users["county_dept"], {**values, "region": w.t1})
    assert (mine.owner_kind, mine.department, mine.region) == ("department", w.d1_yjj, w.t1)
    theirs = supplies.create_warehouse(w.users["district"], {**values, "name": "区库"})
    assert (theirs.owner_kind, theirs.department, theirs.region) == ("government", None, w.d1)
    with pytest.raises(ValidationError) as caught:
        supplies.create_warehouse(w.users["county_dept"], {**values, "name": "越界", "region": w.t2})
    assert "region" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        supplies.create_warehouse(w.users["enterprise"], values)
    w.users["district"].region = None  # a government's person with no region
    w.users["district"].__dict__.pop("_scope", None)
    with pytest.raises(PermissionDenied):
        supplies.create_warehouse(w.users["district"], {**values, "name": "无主"})
    assert history(mine).get().action == "supplies.warehouse_created"


def test_minimum_and_alerts(sup):
    city = sup.world.users["city"]
    supplies.set_minimum(city, sup.houses["w_d2"].pk, sup.sandbag, "150")
    supplies.set_minimum(city, sup.houses["w_d2"].pk, sup.sandbag, "150")  # the same again: no second record
    assert [s.warehouse.name for s in Stock.objects.below_minimum()] == ["w_d2"]
    assert history(stock(sup, "w_d2")).count() == 1
    with pytest.raises(ValidationError) as caught:
        supplies.set_minimum(city, sup.houses["w_d2"].pk, sup.sandbag, "-1")
    assert "minimum" in caught.value.message_dict
    # A district sees its own alerts only.
    assert not Stock.objects.visible_to(sup.world.users["district"]).below_minimum().exists()


# --- the API ----------------------------------------------------------------------------------------------------


def test_api_moves_and_their_answers_in_chinese(sup):
    w, house = sup.world, sup.houses["w_d1"]
    url = f"/api/v1/emergency/warehouses/{house.pk}/moves/"
    body = {"kind": "out", "item": sup.sandbag.pk, "quantity": "60", "reason": "抢险"}
    ok = api(w.users["district"]).post(url, body, format="json")
    assert ok.status_code == 201 and ok.json()["balance"] == "40.00"
    short = api(w.users["district"]).post(url, body, format="json")
    assert short.status_code == 409 and "库存不足" in short.json()["detail"]
    refused = api(w.users["county_dept"]).post(f"/api/v1/emergency/warehouses/{house.pk}/moves/", body, format="json")
    assert refused.status_code == 404  # 海滨区政府's warehouse is not the department's
    other = sup.houses["w_d1_yjj"]
    refused = api(w.users["district"]).post(f"/api/v1/emergency/warehouses/{other.pk}/moves/", body, format="json")
    assert refused.status_code == 403 and "所属单位" in refused.json()["detail"]
    bad = api(w.users["district"]).post(url, {**body, "reason": ""}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()
    bad = api(w.users["district"]).post(url, {**body, "quantity": "0"}, format="json")
    assert bad.status_code == 400 and "0.01" in bad.json()["quantity"][0]
    assert stock(sup).quantity == 40


def test_api_stock_alert_filter(sup):
    city = sup.world.users["city"]
    supplies.set_minimum(city, sup.houses["w_city"].pk, sup.sandbag, "500")
    rows = api(city).get("/api/v1/emergency/stock/", {"alert": "below_minimum"}).json()["results"]
    assert [(r["warehouse"], r["below_minimum"]) for r in rows] == [(sup.houses["w_city"].pk, True)]
    assert api(city).get("/api/v1/emergency/stock/", {"alert": "nonsense"}).status_code == 400


@pytest.mark.parametrize(
    ("resource", "limit"),
    [("warehouses", 5), ("stock", 4), ("moves", 4), ("items", 4), ("allocation-plans", 5), ("allocation-requests", 5)],
)
def test_lists_read_a_fixed_number_of_queries(sup, django_assert_max_num_queries, resource, limit):
    """The city office's lists whatever their length (session, scope and the page: no query per row)."""
    for n in range(3):
        supplies.receive(sup.world.users["city"], sup.houses["w_city"], sup.jacket, n + 1, "入库")
    client = api(sup.world.users["district"])
    with django_assert_max_num_queries(limit):
        assert client.get(f"/api/v1/emergency/{resource}/").status_code == 200


def test_the_warehouse_list_offers_what_the_workflow_accepts(sup):
    rows = api(sup.world.users["district"]).get("/api/v1/emergency/warehouses/").json()["results"]
    actions = {r["name"]: r["actions"] for r in rows}
    assert actions == {"w_d1": ["edit_warehouse", "issue", "receive", "scrap", "set_minimum"], "w_d1_yjj": []}


def test_expiring_within_a_given_number_of_days_for_the_readiness_board(sup, settings):
    """GIVEN 沙袋 expiring in 10 days WHEN the board asks for 7 or 30 days, or the setting says 5 THEN it is listed
    exactly when the window reaches it; expired stock is listed, stock of nothing is not."""
    today = timezone.localdate()
    Stock.objects.filter(warehouse=sup.houses["w_d1"]).update(expires_on=today + timedelta(days=10))
    Stock.objects.filter(warehouse=sup.houses["w_d2"]).update(expires_on=today - timedelta(days=1))
    Stock.objects.filter(warehouse=sup.houses["w_yjj"]).update(expires_on=today, quantity=0)
    names = lambda rows: {s.warehouse.name for s in rows}  # noqa: E731
    assert names(Stock.objects.expiring(7)) == {"w_d2"}
    assert names(Stock.objects.expiring(30)) == {"w_d1", "w_d2"}
    settings.SUPPLY_EXPIRY_DAYS = 5
    assert names(Stock.objects.expiring()) == {"w_d2"}
    assert names(Stock.objects.visible_to(sup.world.users["district"]).expiring(30)) == {"w_d1"}


def test_api_request_without_lines_is_a_field_error_in_chinese(sup):
    body = {"warehouse": sup.houses["w_city"].pk, "destination": "海滨街道", "reason": "防汛", "lines": []}
    response = api(sup.world.users["district"]).post("/api/v1/emergency/allocation-requests/", body, format="json")
    assert response.status_code == 400 and "lines" in response.json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(response.json()["lines"]))
