"""#14 item 1 on a phone: each role's home page at 390×844 shows its sections, fits the width, and a count opens a
list with that many rows (the server-side check of every count is tests/work/test_queues.py)."""

from __future__ import annotations

import re

import pytest

from ..work.conftest import hz, media, qw  # noqa: F401 - the work-queue world
from .conftest import screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOMES = {
    "city": ("city_office", "全市今日概况"),
    "district": ("territorial_leader", "我的辖区"),
    "county_dept": ("department", "本部门隐患"),
    "inspector": ("inspector", "我的检查工作"),
    "enterprise": ("enterprise", "本企业隐患"),
    "duty": ("duty_officer", "我的值班"),
}


def test_each_role_home_on_a_phone(live_server, qw, browser):  # noqa: F811
    """GIVEN the six kinds of user WHEN each opens their home on a 390×844 phone THEN they see their own section
    first, nothing wider than the screen, and the first count that links a list opens exactly that many rows."""
    for who, (role, title) in HOMES.items():
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
        phone = context.new_page()
        log_in(phone, live_server.url, who)
        sections = phone.locator("section.queue")
        assert sections.first.get_attribute("data-role") == role, who
        assert title in sections.first.locator("h2").inner_text()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, who
        if who == "inspector":  # the big button is at the top, on the first screen
            box = phone.locator("a[data-big-action]").bounding_box()
            assert box["y"] < 200 and box["width"] > 300 and box["height"] >= 50
            assert phone.locator("a[data-big-action]").inner_text() == "登记隐患"
        screenshot(phone, f"home-{who}-390")
        links = phone.locator("a.queue-head[data-count]:not([data-count='0'])")
        if links.count() and "/hazards/" in (links.first.get_attribute("href") or ""):
            expected = int(links.first.get_attribute("data-count"))
            links.first.click()
            phone.wait_for_url("**/hazards/**")
            linked = phone.eval_on_selector_all(
                "main a[href^='/hazards/']", "els => els.map(e => e.getAttribute('href'))"
            )
            assert len({h for h in linked if re.fullmatch(r"/hazards/\d+/", h)}) == expected, who
        context.close()
