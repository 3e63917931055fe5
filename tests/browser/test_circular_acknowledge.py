"""The warning circular in a real browser, in Chinese: the enterprise acknowledges on a phone (390 wide), the city
office reads the figures on a desktop (1280 wide); the screenshots are for a person to look at."""

from __future__ import annotations

import pytest

from accidents import circulars
from tests.accidents.circulars_fixtures import *  # noqa: F403  (the fixtures)

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, url: str, username: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": url}])
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Correct-Horse-42")
    page.click("button.primary")
    page.wait_for_url(f"{url}/")


def test_the_city_issues_the_enterprise_acknowledges_on_a_phone(live_server, setting, browser):
    """GIVEN a published lesson WHEN the city office opens the issue form on a desktop and issues the draft THEN the
    circular's page with its number; WHEN e2's principal opens it on a phone and taps 签收 THEN it fits the screen and
    says so; back on the desktop the figures say 1 / 3 enterprises and list the others."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk = context.new_page()
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2
    ).new_page()
    login(desk, live_server.url, "city")
    desk.goto(f"{live_server.url}/lessons/{setting.lesson.pk}/circular/new/")
    assert "关于外省某化工厂爆炸事故的警示通报" in desk.input_value("#id_title")
    screenshot(desk, "circular-issue-form-1280")
    desk.click("button.primary")
    desk.wait_for_url("**/circulars/*/")
    circular = circulars.visible_circulars(setting.users["city"]).get()
    assert circular.number in desk.locator("h1").inner_text()
    login(phone, live_server.url, "e2_boss")
    phone.goto(f"{live_server.url}/circulars/{circular.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "circular-enterprise-390")
    phone.click("#acknowledge button")
    assert "签收" in phone.locator("#acknowledged").inner_text()
    desk.goto(f"{live_server.url}/circulars/{circular.pk}/")
    figures = desk.locator("#figures").inner_text()
    assert "1 / 3" in figures and "企业" in figures
    assert "新城矿业有限公司" in desk.locator("#pending-enterprises").inner_text()
    screenshot(desk, "circular-city-1280")
    desk.goto(f"{live_server.url}/circulars/")
    screenshot(desk, "circular-list-1280")
    context.close()
    phone.context.close()
