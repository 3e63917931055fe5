"""Allocation: a territory asks, the owning unit approves (the stock moves, every line or none) or rejects; the plan;
the ledger as an Excel workbook."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import history
from emergency import supplies
from emergency.models import AllocationRequest, Stock, StockMove
from notifications.models import Notification
from organizations.choices import PositionKind, UnitKind
from safety_platform.lib.errors import Conflict
from tests.factories import PositionFactory, assign

from .conftest import api

pytestmark = pytest.mark.django_db
Line = supplies.Line


def qty(sup, house, item=None) -> Decimal:
    row = Stock.objects.filter(warehouse=sup.houses[house], item=item or sup.sandbag).first()
    return row.quantity if row else Decimal(0)


def ask(sup, house="w_city", lines=None, **kwargs):
    lines = lines or [Line(sup.sandbag, 60)]
    return supplies.request_allocation(sup.world.users["district"], sup.houses[house], lines, "海滨街道堤防", "防汛",
                                       **kwargs)  # fmt: skip


def test_approval_moves_every_line_out_and_in_at_once(sup):
    city = sup.world.users["city"]
    supplies.receive(city, sup.houses["w_city"], sup.jacket, 40, "采购")
    req = ask(sup, lines=[Line(sup.sandbag, 60), Line(sup.jacket, 40)], destination_warehouse=sup.houses["w_d1"])
    supplies.approve(city, req.pk)
    assert (qty(sup, "w_city"), qty(sup, "w_city", sup.jacket)) == (40, 0)
    assert (qty(sup, "w_d1"), qty(sup, "w_d1", sup.jacket)) == (160, 40)
    kinds = sorted(StockMove.objects.filter(allocation=req).values_list("kind", flat=True))
    assert kinds == ["allocation_in", "allocation_in", "allocation_out", "allocation_out"]
    req.refresh_from_db()
    assert (req.status, req.decided_by) == ("approved", city)
    assert history(req).filter(action="supplies.allocation_approved").count() == 1


def test_a_short_line_refuses_the_whole_approval(sup):
    """GIVEN 100 沙袋 and no 救生衣 WHEN a request for 60 沙袋 and 5 救生衣 is approved THEN 409 naming 救生衣, and
    nothing moved: the 沙袋 line is not half-done."""
    req = ask(sup, lines=[Line(sup.sandbag, 60), Line(sup.jacket, 5)], destination_warehouse=sup.houses["w_d1"])
    with pytest.raises(Conflict, match="库存不足，未调拨：救生衣 现有 0，要 5"):
        supplies.approve(sup.world.users["city"], req.pk)
    assert (qty(sup, "w_city"), qty(sup, "w_d1")) == (100, 100)
    assert not StockMove.objects.filter(allocation=req).exists()
    req.refresh_from_db()
    assert req.status == "pending"


def test_who_decides(sup):
    w = sup.world
    req = ask(sup, "w_d1_yjj")  # 海滨区 asks 海滨区应急管理局's warehouse
    with pytest.raises(PermissionDenied):
        supplies.approve(w.users["district"], req.pk)  # it sees the request, but does not own the warehouse
    assert supplies.can(w.users["district"], req) == set()
    assert supplies.can(w.users["county_dept"], req) == {"approve", "reject"}
    with pytest.raises(ValidationError) as caught:
        supplies.reject(w.users["county_dept"], req.pk, " ")
    assert "note" in caught.value.message_dict
    supplies.reject(w.users["county_dept"], req.pk, "库存留作本区防汛")
    with pytest.raises(Conflict, match="已驳回"):
        supplies.approve(w.users["city"], req.pk)
    assert qty(sup, "w_d1_yjj") == 100
    assert Notification.objects.filter(recipient=w.users["district"], key=f"supplies:decided:{req.pk}:"
                                       f"{w.users['district'].pk}").exists()  # fmt: skip


def test_what_a_territory_may_ask(sup):
    w = sup.world
    with pytest.raises(ValidationError) as caught:
        ask(sup, "w_d2")  # a neighbour district's warehouse
    assert "warehouse" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        ask(sup, destination_region=w.t2)
    assert "destination_region" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        ask(sup, lines=[Line(sup.sandbag, 1), Line(sup.sandbag, 2)])
    assert "lines" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        supplies.request_allocation(w.users["county_dept"], sup.houses["w_city"], [Line(sup.sandbag, 1)], "x", "y")
    assert not AllocationRequest.objects.exists()


def test_the_owner_is_told_of_a_request(sup):
    w = sup.world
    post = PositionFactory(kind=PositionKind.DEPARTMENT_HEAD, unit_kind=UnitKind.DEPARTMENT, department=w.d1_yjj)
    assign(w.users["county_dept"], post)
    req = ask(sup, "w_d1_yjj")
    notice = Notification.objects.get(key=f"supplies:request:{req.pk}:{w.users['county_dept'].pk}")
    assert "海滨区" in notice.body and notice.link == f"/emergency/requests/{req.pk}/"


def test_api_approve_short_is_409_in_chinese_and_the_ledger_opens_in_excel(sup):
    w, city = sup.world, sup.world.users["city"]
    client = api(w.users["district"])
    body = {"warehouse": sup.houses["w_city"].pk, "destination": "=HYPERLINK(\"x\")", "reason": "防汛",
            "lines": [{"item": sup.sandbag.pk, "quantity": "120"}]}  # fmt: skip
    created = client.post("/api/v1/emergency/allocation-requests/", body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert client.post(f"/api/v1/emergency/allocation-requests/{pk}/approve/").status_code == 403
    short = api(city).post(f"/api/v1/emergency/allocation-requests/{pk}/approve/")
    assert short.status_code == 409 and "沙袋（50kg） 现有 100，要 120" in short.json()["detail"]
    body["lines"] = [{"item": sup.sandbag.pk, "quantity": "25.5"}]
    pk = client.post("/api/v1/emergency/allocation-requests/", body, format="json").json()["id"]
    assert api(city).post(f"/api/v1/emergency/allocation-requests/{pk}/approve/").json()["status"] == "approved"
    assert api(w.users["outsider"]).post(f"/api/v1/emergency/allocation-requests/{pk}/approve/").status_code == 404
    response = client.get("/api/v1/emergency/allocation-requests/ledger/")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "调拨台账" and rows[1][:4] == ("申请编号", "批准时间", "批准人", "调出仓库")
    assert len(rows) == 3  # the banner, the head, the one approved line (the short request was never approved)
    assert rows[2][0] == pk and rows[2][3] == "w_city" and rows[2][4] == "沙袋" and rows[2][6] == 25.5
    assert rows[2][8] == '=HYPERLINK("x")'  # typed text stays text, never a formula
    assert book.active["I3"].data_type == "s"
    # Out of its scope, the ledger is empty.
    other = openpyxl.load_workbook(io.BytesIO(b"".join(api(w.users["inspector"]).get(
        "/api/v1/emergency/allocation-requests/ledger/").streaming_content)))  # fmt: skip
    assert len(list(other.active.iter_rows(values_only=True))) == 2


def test_a_plan_is_prepared_by_the_city_office_or_a_department(sup):
    w = sup.world
    line = Line(sup.sandbag, 50, sup.houses["w_d1_yjj"], "海滨街道安置点", w.t1)
    plan = supplies.prepare_plan(w.users["county_dept"], "海滨区洪涝", w.d1, [line])
    assert plan.department == w.d1_yjj and plan.lines.get().destination_region == w.t1
    with pytest.raises(PermissionDenied):
        supplies.prepare_plan(w.users["district"], "海滨区洪涝", w.d1, [line])
    with pytest.raises(ValidationError) as caught:  # the city's warehouse is not the department's
        supplies.prepare_plan(w.users["county_dept"], "x", w.d1, [Line(sup.sandbag, 1, sup.houses["w_city"], "x")])
    assert "lines" in caught.value.message_dict
    response = api(w.users["city"]).post("/api/v1/emergency/allocation-plans/", {
        "name": "海滨区洪涝", "region": w.d1.pk, "lines": [{"warehouse": sup.houses["w_city"].pk,
        "item": sup.sandbag.pk, "quantity": "200", "destination": "海滨街道", "destination_region": w.t1.pk}],
    }, format="json")  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["lines"][0]["quantity"] == "200.00"
