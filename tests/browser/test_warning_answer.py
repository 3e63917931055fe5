"""A duty officer answers a red warning on a phone (390×844): one tap, a measure ticked and a short note."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from early_warnings import workflow
from early_warnings.models import WarningRecipient
from notifications.models import Notification
from organizations.choices import PositionKind, UnitKind

from ..factories import PositionFactory, UserFactory, assign
from .conftest import screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_answering_a_red_warning_on_a_phone(live_server, world, phone, browser):
    """GIVEN a red rainstorm warning for 海滨区, whose live board the city office has open on its screen WHEN its duty
    officer opens the notice's link on a phone, ticks "patrols out", writes a note and taps 已收到 once THEN the post is
    answered in time with the measure and the note, the page says so, and the board shows it without a reload."""
    post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1,
                           title="海滨区应急值班员")  # fmt: skip
    officer = UserFactory(username="duty1", full_name="值班员小王", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    assign(officer, post)
    warning = workflow.issue(world.users["city"], kind="rainstorm", level="red", issuer="滨海市气象台",
                             areas=[world.d1], title="海滨区暴雨红色预警", text="预计3小时内降雨量将达100毫米以上。",
                             measures="停止户外作业，转移危险区域人员。")  # fmt: skip
    notice = Notification.objects.get(recipient=officer, kind="warning")
    office = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN").new_page()
    log_in(office, live_server.url, "city")
    office.goto(f"{live_server.url}/warnings/{warning.pk}/board/")
    expect(office.locator('[data-total="in_time"]')).to_have_text("0")
    log_in(phone, live_server.url, "duty1")
    phone.goto(live_server.url + notice.link)
    expect(phone.locator("h1")).to_contain_text("暴雨红色预警")
    button = phone.locator("#answer-button")
    expect(button).to_have_text("已收到")
    chip = phone.locator("label.chip", has_text="巡查力量已出动")
    chip.click()
    expect(chip).to_have_css("color", "rgb(255, 255, 255)")  # solid once ticked, its text readable
    phone.fill("textarea[name=note]", "已组织巡查低洼路段")
    screenshot(phone, "warning-answer-390")
    button.click()
    expect(phone.locator("#answered")).to_contain_text("值班员小王")
    expect(phone.locator("#answered")).to_contain_text("巡查力量已出动")
    expect(phone.locator(".messages")).to_contain_text("已叫应")
    row = WarningRecipient.objects.get(warning=warning, post=post)
    assert row.measures == ["patrols_out"] and row.note == "已组织巡查低洼路段"
    assert row.answered_by == officer and row.answered_at <= row.answer_due_at
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "warning-answered-390")
    # The office's board, polling every 5 seconds, shows the answer with its measure and note.
    expect(office.locator('[data-total="in_time"]')).to_have_text("1", timeout=15000)
    answered = office.locator(f'[data-post="{post.pk}"]')
    expect(answered).to_contain_text("值班员小王")
    expect(answered).to_contain_text("巡查力量已出动")
    expect(answered).to_contain_text("已组织巡查低洼路段")
    expect(office.locator("[data-measures]")).to_contain_text("巡查力量已出动 × 1")
    screenshot(office, "warning-board-answered")
    office.context.close()
