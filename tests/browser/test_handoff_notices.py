"""Hand-offs on a phone: each notice appears in the next person's inbox and opens the hazard (issue #14)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hazards import workflow

from ..hazards.conftest import filing
from .conftest import screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_notice(page, base, head: str, code: str) -> None:
    """From the inbox, the notice headed `head` about the hazard, then the hazard it links to."""
    page.goto(f"{base}/notifications/")
    row = page.locator("ul.rows li", has_text=code).filter(has_text=head)
    expect(row).to_have_count(1)
    row.locator("a.row-title").click()
    page.click("main a[href^='/hazards/']")
    page.wait_for_url(f"{base}/hazards/**")
    expect(page.locator("main")).to_contain_text(code)


def test_the_department_confirms_from_its_notice_and_the_enterprise_is_told(
    live_server, world, phone, browser, settings, tmp_path
):
    """GIVEN an inspector's finding at 海滨化工 WHEN its department's staff opens the notice on a 390×844 phone and
    confirms THEN the page names the enterprise principal told, whose inbox holds the notice that opens the hazard."""
    settings.MEDIA_ROOT = tmp_path / "media"
    principal = world.users["enterprise"]
    principal.full_name = "陈晓东"
    principal.save(update_fields=["full_name"])
    hazard, _ = workflow.file_hazard(world.users["inspector"], filing(world))

    log_in(phone, live_server.url, "county_dept")
    open_notice(phone, live_server.url, "【待确认】", hazard.code)
    phone.click("#action-confirm > summary")
    form = phone.locator("#action-confirm form")
    form.locator("input[name=deadline_working_days]").fill("5")
    form.locator("button[type=submit]").click()
    expect(phone.locator(".messages")).to_contain_text("已确认")
    expect(phone.locator(".messages")).to_contain_text("已通知企业主要负责人陈晓东")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "handoff-confirmed-390")

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
    enterprise = context.new_page()
    try:
        log_in(enterprise, live_server.url, "enterprise")
        open_notice(enterprise, live_server.url, "【待整改】", hazard.code)
        expect(enterprise.locator("#action-submit_plan")).to_have_count(1)  # its turn: the plan
        screenshot(enterprise, "handoff-enterprise-hazard-390")
        enterprise.goto(f"{live_server.url}/notifications/settings/")
        expect(enterprise.locator("#muted-kinds")).to_contain_text("隐患逾期督办")
        expect(enterprise.locator("#mute-esc")).to_be_disabled()
        enterprise.check("#mute-hz_closed")
        enterprise.click("form.card button[type=submit]")
        expect(enterprise.locator(".messages")).to_contain_text("只进收件箱")
        expect(enterprise.locator("#mute-hz_closed")).to_be_checked()
        assert enterprise.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(enterprise, "notice-settings-390")
    finally:
        context.close()
