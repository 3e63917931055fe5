"""Handling a tip-off on a phone (390 wide), in Chinese: the county department's staff open the queue, open a report,
accept it with the folded form, and see it accepted; no informant on the pages until asked. The screenshots are for a
person to look at."""

from __future__ import annotations

import pytest

from tests.tipoffs.factories import PHONE, submit_report
from tipoffs.models import Report

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, url: str, username: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": url}])
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Correct-Horse-42")
    page.click("button.primary")
    page.wait_for_url(f"{url}/")


def test_the_county_department_accepts_a_report_on_a_phone(live_server, world, phone):
    report = submit_report(world).report
    submit_report(world, address="海滨路99号", enterprise_name="")
    login(phone, live_server.url, "county_dept")
    phone.goto(f"{live_server.url}/tipoffs/")
    assert report.code in phone.content() and PHONE not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "tipoff-list-phone")
    phone.get_by_role("link", name=report.code).click()
    phone.wait_for_url(f"{live_server.url}/tipoffs/{report.pk}/")
    phone.locator("#action-accept summary").click()
    screenshot(phone, "tipoff-detail-phone")
    phone.fill("#id_accept-note", "派员现场核查")
    phone.locator("#action-accept button[type=submit]").click()
    phone.wait_for_selector(".messages")
    assert Report.objects.get(pk=report.pk).state == "accepted"
    assert "已受理" in phone.content() and PHONE not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("button", name="查看举报人信息").click()
    phone.wait_for_selector("#informant dl")
    assert PHONE in phone.content()
    screenshot(phone, "tipoff-accepted-phone")
