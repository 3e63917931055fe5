from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ..dashboards.conftest import put
from .conftest import open_nav, screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def recent(world):
    """Hazards filed over the last weeks across both districts, some closed, some overdue, one major."""
    now = timezone.now()
    days = [3, 5, 9, 12, 16, 20, 26, 33, 40, 47, 55, 61, 70, 88]
    for i, ago in enumerate(days):
        enterprise = (world.e1, world.e2, world.e3)[i % 3]
        created = now - timedelta(days=ago)
        if i % 3 == 0:
            put(world, enterprise, "closed", created, deadline=created + timedelta(days=10),
                 closed=created + timedelta(days=4 + i))  # fmt: skip
        elif i % 3 == 1:
            put(world, enterprise, "rectifying", created, deadline=created + timedelta(days=15))
        else:
            put(world, enterprise, "confirmed", created, deadline=created + timedelta(days=30),
                 level="major" if i == 2 else "general")  # fmt: skip
    return world


@pytest.mark.parametrize("who", ["city", "district", "dept_head", "enterprise"])
def test_dashboard_on_desktop_and_phone(live_server, recent, browser, who):
    """GIVEN hazards over the last weeks WHEN each role opens their dashboard on a
    desktop and on a 390×844 phone THEN the figures, charts and tables show without sideways scrolling, the side
    panels load, and a figure's link opens the list of exactly that many hazards."""
    for name, viewport in (("desktop", {"width": 1280, "height": 900}), ("390", {"width": 390, "height": 844})):
        context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1 if name == "desktop"
                                      else 2)  # fmt: skip
        page = context.new_page()
        log_in(page, live_server.url, who)
        open_nav(page, "统计报表", "看板")
        expect(page.locator("h1")).to_contain_text("看板")
        expect(page.get_by_role("region", name="主要数据")).to_contain_text("统计期内排查隐患")
        expect(page.locator("#chart-weeks")).to_be_visible()
        expect(page.locator("section.panel").last).to_contain_text("带班不在岗")
        if who == "enterprise":
            expect(page.locator("main")).not_to_contain_text("按属地")
        if who == "city":
            expect(page.locator("section.panel").first).to_contain_text("检查活动")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        screenshot(page, f"dashboard-{who}-{name}")
        if name == "390":
            card = (
                page.get_by_role("region", name="主要数据").locator("a.card").nth(4)
            )  # overdue now (the rate is not a link)
            number = int(card.locator(".card-n").inner_text())
            card.click()
            page.wait_for_url("**/hazards/?**")
            assert page.locator("ul.rows > li:not(.empty)").count() == number
        context.close()


def test_a_large_export_asks_first_then_shows_its_progress(live_server, recent, phone, settings):
    """GIVEN more hazards than EXPORT_SYNC_LIMIT WHEN the city office exports the ledger from the hazard list on a
    phone THEN a page says how many rows and offers to start; starting it shows the progress page (the job is queued
    once, even with a second tap)."""
    from dashboards.models import ExportJob

    settings.EXPORT_SYNC_LIMIT = 3
    log_in(phone, live_server.url, "city")
    phone.goto(f"{live_server.url}/hazards/")
    phone.click(".export-links >> text=Excel")
    expect(phone.locator("main")).to_contain_text("本次导出共14项隐患")
    screenshot(phone, "export-confirm-390")
    phone.click("button.primary")
    expect(phone.locator("progress.export-progress")).to_be_visible()
    expect(phone.locator(".export-state")).to_contain_text("排队中")
    expect(phone.locator(".export-download")).to_be_hidden()  # no download link before the file exists
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "export-progress-390")
    assert ExportJob.objects.filter(owner__username="city", format="xlsx").count() == 1
