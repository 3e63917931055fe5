"""The reports page and the hazard page's print button in a real browser on a phone (look at the screenshots)."""

from __future__ import annotations

import pytest

from dashboards import documents

from ..hazards.conftest import advance, hz, media  # noqa: F401 - fixtures
from .conftest import open_nav, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reports_page_and_print_button_on_a_phone(live_server, hz, phone):  # noqa: F811 - hz is imported above
    """GIVEN a district bureau officer on a phone WHEN they open the reports page and a closed hazard THEN the
    quarter picker, the summary and the print buttons fit the screen."""
    hazard = advance(hz, "closed")
    phone.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("#id_username", "county_dept")
    phone.fill("#id_password", "Correct-Horse-42")
    phone.click("button.primary")
    phone.wait_for_url(f"{live_server.url}/")
    open_nav(phone, "统计报表", "报表")
    phone.wait_for_url("**/reports/")
    assert "海滨区应急管理局监管行业领域未发生生产安全事故" in phone.locator("#summary").inner_text()
    assert phone.locator("#q-quarter option").count() == 4
    assert phone.locator("main >> text=警示通报").count() == 0  # a department does not circulate hazard warnings
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "reports-county-dept-390")
    documents.issue(hz.users["county_dept"], hazard, "acceptance")
    phone.goto(f"{live_server.url}/hazards/{hazard.pk}/")
    buttons = phone.locator("main").inner_text()
    assert "出具并打印整改通知书" in buttons and "打印验收单 〔" in buttons
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "hazard-documents-390")
