from __future__ import annotations

import pytest
from playwright.sync_api import expect

from emergency import supplies
from emergency.models import AllocationRequest, Stock

from ..emergency.supplies_world import make_supplies
from .conftest import open_nav, screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_district_issues_stock_and_the_city_office_approves_a_request_on_a_phone(live_server, world, phone):
    """GIVEN 海滨区's warehouse with 100 沙袋 WHEN its staff, on a 390×844 phone, try to issue 150 and then 30 THEN the
    first is refused on the form and nothing moves, the second leaves 70; and a request to the city's store is
    approved by the city office from its inbox, with the page never wider than the phone."""
    sup = make_supplies(world)
    house = sup.houses["w_d1"]
    log_in(phone, live_server.url, "district")
    open_nav(phone, "值班", "应急物资")
    phone.get_by_role("link", name="w_d1", exact=True).click()
    phone.select_option("#id_move-kind", "out")
    phone.select_option("#id_move-item", str(sup.sandbag.pk))
    phone.fill("#id_move-quantity", "150")
    phone.fill("#id_move-reason", "海滨街道堤防加固")
    phone.click("#move button.primary")
    expect(phone.locator("#move .errors")).to_contain_text("库存不足")
    assert Stock.objects.get(warehouse=house, item=sup.sandbag).quantity == 100
    phone.fill("#id_move-quantity", "30")
    phone.click("#move button.primary")
    expect(phone.locator(".messages")).to_contain_text("出入库已登记")
    expect(phone.locator("#stock")).to_contain_text("70")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "supplies-warehouse-390")

    req = supplies.request_allocation(world.users["district"], sup.houses["w_city"], [supplies.Line(sup.sandbag, 60)],
                                      "海滨街道沿海堤段", "台风防御")  # fmt: skip
    phone.context.clear_cookies()
    log_in(phone, live_server.url, "city")
    phone.goto(f"{live_server.url}/emergency/requests/")
    phone.get_by_role("link", name="w_city → 海滨街道沿海堤段").click()
    phone.get_by_role("button", name="批准并调拨").click()
    expect(phone.locator(".messages")).to_contain_text("已批准")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "supplies-request-approved-390")
    req.refresh_from_db()
    assert req.status == AllocationRequest.Status.APPROVED
    assert Stock.objects.get(warehouse=sup.houses["w_city"], item=sup.sandbag).quantity == 40
