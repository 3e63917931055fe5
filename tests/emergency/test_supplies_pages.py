"""The supplies pages: lists in scope with pinned query counts, the move form (a short issue is shown on the form,
nothing moves), the approvers' inbox and decision, the alerts page, and the daily alert notice (once a day)."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from emergency import supplies
from emergency.models import AllocationRequest, Stock
from notifications import sweeps
from notifications.models import Notification
from organizations.choices import PositionKind, UnitKind
from tests.factories import PositionFactory, assign

pytestmark = pytest.mark.django_db


def test_warehouse_list_follows_scope_in_a_fixed_number_of_queries(client, sup, django_assert_max_num_queries):
    client.force_login(sup.world.users["district"])
    with django_assert_max_num_queries(8):  # none per row: the counts are annotated
        page = client.get(reverse("supplies:warehouses"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "w_d1" in text and "w_d1_yjj" in text and "w_d2" not in text and "w_city" not in text
    for name, house in sup.houses.items():
        detail = client.get(reverse("supplies:warehouse", args=[house.pk]))
        assert detail.status_code == (200 if name in ("w_d1", "w_d1_yjj") else 404), name


def test_the_move_form_shows_a_short_issue_and_moves_nothing(client, sup):
    client.force_login(sup.world.users["district"])
    url = reverse("supplies:warehouse", args=[sup.houses["w_d1"].pk])
    form = {
        "do": "move",
        "move-kind": "out",
        "move-item": sup.sandbag.pk,
        "move-quantity": "150",
        "move-reason": "抢险",
    }
    page = client.post(url, form)
    assert page.status_code == 400 and "库存不足" in page.content.decode()
    assert Stock.objects.get(warehouse=sup.houses["w_d1"], item=sup.sandbag).quantity == 100
    done = client.post(url, {**form, "move-quantity": "30"})
    assert done.status_code == 302
    assert Stock.objects.get(warehouse=sup.houses["w_d1"], item=sup.sandbag).quantity == 70
    page = client.get(url).content.decode()
    assert "出库" in page and "抢险" in page


def test_the_department_s_warehouse_page_offers_no_form_to_the_district(client, sup):
    client.force_login(sup.world.users["district"])
    house = sup.houses["w_d1_yjj"]
    page = client.get(reverse("supplies:warehouse", args=[house.pk])).content.decode()
    assert 'name="move-kind"' not in page
    refused = client.post(reverse("supplies:warehouse", args=[house.pk]),
                          {"do": "move", "move-kind": "in", "move-item": sup.sandbag.pk, "move-quantity": "1",
                           "move-reason": "x"})  # fmt: skip
    assert refused.status_code == 403


def test_request_approve_and_the_ledger_from_the_pages(client, sup):
    w = sup.world
    client.force_login(w.users["district"])
    form = {
        "warehouse": sup.houses["w_city"].pk,
        "item": sup.sandbag.pk,
        "quantity": "40",
        "reason": "防汛",
        "destination": "海滨街道",
        "destination_region": w.t1.pk,
        "destination_warehouse": sup.houses["w_d1"].pk,
    }
    response = client.post(reverse("supplies:request-new"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    req = AllocationRequest.objects.get()
    client.force_login(w.users["city"])
    inbox = client.get(reverse("supplies:requests")).content.decode()
    assert "海滨街道" in inbox
    assert client.post(reverse("supplies:request", args=[req.pk]), {"do": "approve"}).status_code == 302
    assert Stock.objects.get(warehouse=sup.houses["w_d1"], item=sup.sandbag).quantity == 140
    ledger = client.get(reverse("supplies:ledger"))
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(ledger.streaming_content))).active.values)
    assert rows[2][4] == "沙袋" and rows[2][6] == 40 and rows[2][9] == "w_d1"


def test_a_department_cannot_open_the_request_form(client, sup):
    client.force_login(sup.world.users["county_dept"])
    assert client.get(reverse("supplies:request-new")).status_code == 403


def test_alerts_page(client, sup):
    city = sup.world.users["city"]
    supplies.set_minimum(city, sup.houses["w_d2"], sup.sandbag, 500)
    soon = timezone.localdate() + timedelta(days=5)
    supplies.receive(city, sup.houses["w_city"], sup.jacket, 10, "入库", expires_on=soon)
    client.force_login(city)
    page = client.get(reverse("supplies:alerts")).content.decode()
    assert "w_d2 · 沙袋" in page and "w_city · 救生衣" in page
    only = client.get(reverse("supplies:alerts"), {"kind": "expiring"}).content.decode()
    assert "w_d2 · 沙袋" not in only and "w_city · 救生衣" in only


def test_the_daily_alert_tells_the_owner_once_a_day(sup):
    """GIVEN 海滨区应急管理局's warehouse below its minimum and its head in post WHEN the sweep runs twice today and
    once tomorrow THEN the head has one notice per day, naming the item."""
    w = sup.world
    head = PositionFactory(kind=PositionKind.DEPARTMENT_HEAD, unit_kind=UnitKind.DEPARTMENT, department=w.d1_yjj)
    assign(w.users["county_dept"], head)
    Stock.objects.filter(warehouse=sup.houses["w_d1_yjj"]).update(minimum=Decimal(500))
    now = timezone.localtime().replace(hour=9, minute=0)
    sweeps.run(now.replace(hour=7))  # not before the working day
    assert not Notification.objects.filter(kind="supplyalert").exists()
    sweeps.run(now)
    sweeps.run(now + timedelta(minutes=1))
    notices = Notification.objects.filter(kind="supplyalert", recipient=w.users["county_dept"])
    assert notices.count() == 1 and "沙袋" in notices.get().body and "低于最低储备" in notices.get().body
    sweeps.run(now + timedelta(days=1))
    assert notices.count() == 2


@pytest.mark.parametrize(("name", "limit"), [("warehouse", 9), ("requests", 7), ("alerts", 6), ("plans", 6)])
def test_pages_read_a_fixed_number_of_queries(client, sup, django_assert_max_num_queries, name, limit):
    """Each page's queries do not grow with its rows: three more moves, requests and alerts change nothing."""
    from tests.emergency.supplies_world import make_allocations

    city = sup.world.users["city"]
    make_allocations(sup)
    for n in range(3):
        supplies.receive(city, sup.houses["w_city"], sup.jacket, n + 1, "入库", expires_on=timezone.localdate())
    client.force_login(city)
    url = reverse(f"supplies:{name}", args=[sup.houses["w_city"].pk] if name == "warehouse" else [])
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


def test_api_patch_edits_a_warehouse_and_refuses_a_bad_phone(sup):
    from .conftest import api

    house = sup.houses["w_d1"]
    client = api(sup.world.users["district"])
    ok = client.patch(f"/api/v1/emergency/warehouses/{house.pk}/", {"keeper_name": "李保管"}, format="json")
    assert ok.status_code == 200 and ok.json()["keeper_name"] == "李保管"
    bad = client.patch(f"/api/v1/emergency/warehouses/{house.pk}/", {"keeper_phone": "call me"}, format="json")
    assert bad.status_code == 400 and "keeper_phone" in bad.json()
    assert client.put(f"/api/v1/emergency/warehouses/{house.pk}/", {}, format="json").status_code == 405
    other = api(sup.world.users["county_dept"])
    assert other.patch(f"/api/v1/emergency/warehouses/{house.pk}/", {"active": False}, format="json").status_code == 404
