"""The oversight board and the enterprise list's signal filter in a real browser, in Chinese, on a phone (390 wide):
the city office opens the board from the navigation, taps a signal's count and lands on the list filtered by it,
with as many rows as the count; ticks a second signal and applies; the page never grows wider than the screen."""

from __future__ import annotations

import pytest

from organizations.models import Enterprise
from tests.factories import EnterpriseFactory

from .conftest import open_nav, screenshot
from .test_circular_acknowledge import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_the_board_to_the_filtered_list_on_a_phone(live_server, world, phone):
    EnterpriseFactory(name="海滨无证转包公司", region=world.t1, industry=world.chem, licence_state="unlicensed",
                      is_subcontracting=True)  # fmt: skip
    EnterpriseFactory(name="新城无证公司", region=world.t2, industry=world.build, licence_state="unlicensed")
    login(phone, live_server.url, "city")
    open_nav(phone, "统计报表", "漏管失控看板")
    phone.wait_for_url("**/oversight/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "oversight-board-390")
    row = phone.locator("#signals tr", has_text="无证经营")
    assert row.locator("a").inner_text() == "2"
    row.locator("a").click()
    phone.wait_for_url("**/enterprises/?signal=unlicensed")
    assert phone.locator("ul.rows a.row-title").count() == 2
    assert "无证经营" in phone.locator("#active-signals").inner_text()
    phone.locator("#signal-filter label.chip", has_text="分包转包").click()
    phone.click("#enterprise-filters button.primary")
    phone.wait_for_url("**/enterprises/?signal=*signal=*")
    assert phone.locator("ul.rows a.row-title").all_inner_texts() == ["海滨无证转包公司"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "enterprise-list-signals-390")
    assert Enterprise.objects.filter(licence_state="unlicensed").count() == 2
