from __future__ import annotations

import pytest

from .conftest import open_nav, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_on_a_phone_shows_the_chinese_home_page(live_server, world, phone):
    """GIVEN a district leader on a phone WHEN they log in THEN the Chinese home page shows their unit and scope."""
    phone.goto(f"{live_server.url}/")
    assert "/accounts/login/" in phone.url
    assert phone.locator("h1").inner_text() == "登录"
    screenshot(phone, "login-390")
    phone.fill("#id_username", "district")
    phone.fill("#id_password", "Correct-Horse-42")
    phone.click("button.primary")
    phone.wait_for_url(f"{live_server.url}/")
    body = phone.locator("main").inner_text()
    assert "海滨区" in body and "属地" in body
    assert phone.locator("header .brand").get_attribute("href") == "/"  # the brand leads home
    assert phone.locator("nav.mainnav").inner_text().startswith("隐患")
    # Nothing sticks out sideways on a phone: the page is no wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "home-district-390")

    open_nav(phone, "管理", "企业")
    phone.wait_for_url("**/enterprises/")
    names = phone.locator(".rows .row-title").all_inner_texts()
    assert set(names) == {"海滨化工有限公司", "海滨储能科技"}
    screenshot(phone, "enterprises-district-390")


def test_wrong_password_message_on_a_phone(live_server, world, phone):
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("#id_username", "district")
    phone.fill("#id_password", "wrong")
    phone.click("button.primary")
    assert "密码" in phone.locator(".errors").inner_text()
