"""The accident statistics page and the dashboard's accident panel in a Chinese browser, on a desktop (1280) and a
390×844 phone: the sentence, the tables and the panel show without the page scrolling sideways (the tables scroll in
their own box), and the screenshots are kept under artifacts/ for a person to look at."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from workdays.calendar import SHANGHAI

from ..accidents.factories import make_accident, make_lesson, make_task
from .conftest import open_nav, screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def records(world):
    """This year's and last year's accidents at e1 and e2, and a running lesson with three tasks, one done."""
    w, by = world, world.users["city"]
    today = timezone.localdate()
    for year, month, enterprise, deaths, grade, kind in (
        (today.year, 1, w.e1, 1, "general", "08"), (today.year, 3, w.e2, 0, "general", "09"),
        (today.year, 7, w.e1, 3, "large", "19"), (today.year - 1, 5, w.e2, 2, "general", "09"),
    ):  # fmt: skip
        when = datetime(year, month, 10, 10, tzinfo=SHANGHAI)
        make_accident(enterprise, by, occurred_at=when, deaths=deaths, grade=grade, accident_type=kind)
    accident = make_accident(w.e1, by, occurred_at=timezone.now() - timedelta(days=2), deaths=1)
    lesson = make_lesson(accident, by, w.city, status="published", title="吸取海滨化工火灾事故教训",
                         deadline=timezone.now() - timedelta(days=1))  # fmt: skip
    make_task(lesson, w.e1, completed_at=timezone.now())
    make_task(lesson, w.e2)
    make_task(lesson, w.e3)
    return w


def test_statistics_page_and_dashboard_panel(live_server, records, browser):
    """GIVEN the records WHEN the city office opens 事故统计 from the menu and the dashboard, at 1280 and 390 wide
    THEN the sentence, the four tables and the panel (grades, the running lesson 1 / 3 with 2 overdue) show, and the
    page does not scroll sideways."""
    for name, viewport in (("1280", {"width": 1280, "height": 900}), ("390", {"width": 390, "height": 844})):
        context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
        page = context.new_page()
        log_in(page, live_server.url, "city")
        open_nav(page, "统计报表", "事故统计")
        expect(page.locator("h1")).to_contain_text("事故统计")
        expect(page.locator("#figures-sentence")).to_contain_text("全市工矿商贸领域发生生产安全事故")
        expect(page.locator("main")).to_contain_text("按事故类型")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        screenshot(page, f"accident-statistics-{name}")
        page.goto(f"{live_server.url}/accidents/statistics/?period=since&month={timezone.localdate():%Y}-07")
        expect(page.locator("#figures-sentence")).to_contain_text("7月以来")
        page.goto(f"{live_server.url}/accidents/statistics/?period=months&from=2026-9&to=x")
        expect(page.locator(".errorlist")).to_contain_text("YYYY-MM")
        screenshot(page, f"accident-statistics-error-{name}")
        page.goto(f"{live_server.url}/dashboard/")
        panel = page.locator("section.panel", has=page.locator("h2", has_text="事故与警示"))
        expect(panel.locator("#accidents-by-grade")).to_be_visible()
        expect(panel.locator("#running-lessons")).to_contain_text("1 / 3")
        panel.scroll_into_view_if_needed()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        screenshot(page, f"dashboard-accidents-{name}")
        panel.screenshot(path=str(screenshot(page, f"dashboard-accidents-{name}").with_name(
            f"dashboard-accidents-panel-{name}.png")))  # fmt: skip
        context.close()
