"""Recording an illegal operation on a phone (390 wide), in Chinese: a district's leader taps the kind and the
source, names an operator outside the registry, and sees the record with its department; the city office reads the
figures on a desktop. The screenshots are for a person to look at."""

from __future__ import annotations

import pytest

from oversight.models import IllegalOperation

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, url: str, username: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": url}])
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Correct-Horse-42")
    page.click("button.primary")
    page.wait_for_url(f"{url}/")


def test_a_district_records_an_unlicensed_workshop_on_a_phone(live_server, world, browser, phone):
    login(phone, live_server.url, "district")
    phone.goto(f"{live_server.url}/oversight/illegal/new/")
    phone.click("label.chip >> text=无证生产经营")
    phone.fill("#id_description", "居民楼内无证加工塑料制品，堆放易燃物")
    phone.fill("#id_operator_name", "海滨街道某塑料加工点")
    phone.select_option("#id_region", str(world.t1.pk))
    phone.fill("#id_address", "海滨路12号底商")
    phone.select_option("#id_industry", str(world.chem.pk))
    phone.check("input[name=source][value=tip_off]")  # a tap on the short chip lands on its (clear) radio
    phone.fill("#id_source_ref", "JB-2026-0420")
    screenshot(phone, "illegal-record-phone")
    phone.get_by_role("button", name="登记", exact=True).click()
    phone.wait_for_url(f"{live_server.url}/oversight/illegal/*/")
    op = IllegalOperation.objects.get()
    assert (op.operator_name, op.source, op.department_id) == ("海滨街道某塑料加工点", "tip_off", world.d1_yjj.pk)
    assert "海滨区应急管理局" in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    login(desk, live_server.url, "city")
    desk.goto(f"{live_server.url}/oversight/illegal/figures/")
    assert desk.locator("#illegal-totals .card-n").nth(3).inner_text() == "1"
    screenshot(desk, "illegal-figures-desktop")
    desk.context.close()
