"""The warning circular in a real browser, in Chinese: the enterprise acknowledges on a phone (390 wide), the city
office reads the figures on a desktop (1280 wide); the screenshots are for a person to look at."""

from __future__ import annotations

import pytest

from accidents import circulars
from tests.browser.conftest import browser, phone, screenshot  # noqa: F401  (fixtures)

from .circulars_fixtures import *  # noqa: F403  (the fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, url: str, username: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": url}])
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Correct-Horse-42")
    page.click("button.primary")
    page.wait_for_url(f"{url}/")


def test_the_enterprise_acknowledges_on_a_phone_and_the_city_sees_it(live_server, setting, phone, browser):  # noqa: F811
    """GIVEN an issued circular WHEN e2's principal opens it on a phone and taps 签收 THEN it fits the screen and says
    so; WHEN the city office opens it on a desktop THEN 1 / 3 enterprises and the others listed."""
    title, body = circulars.draft(setting.lesson)
    circular = circulars.issue(setting.users["city"], setting.lesson, title=title, body=body)
    login(phone, live_server.url, "e2_boss")
    phone.goto(f"{live_server.url}/circulars/{circular.pk}/")
    assert "〔" in phone.locator("h1").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "circular-enterprise-390")
    phone.click("#acknowledge button")
    assert "签收" in phone.locator("#acknowledged").inner_text()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk = context.new_page()
    login(desk, live_server.url, "city")
    desk.goto(f"{live_server.url}/circulars/{circular.pk}/")
    figures = desk.locator("#figures").inner_text()
    assert "1 / 3" in figures and "企业" in figures
    assert "新城矿业有限公司" in desk.locator("#pending-enterprises").inner_text()
    screenshot(desk, "circular-city-1280")
    desk.goto(f"{live_server.url}/lessons/{setting.lesson.pk}/circular/new/")
    screenshot(desk, "circular-issued-redirect-1280")
    context.close()
