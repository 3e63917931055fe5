from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ..early_warnings.factories_board import answer, notice, post, recipient, warning
from .conftest import screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_board_shows_answers_and_updates_itself_on_a_phone(live_server, world, phone):
    """GIVEN a red warning to three posts, one answered with its measures and a note WHEN the city office opens the
    board on a 390×844 phone THEN it shows the answer and its measures, the silent post first; AND WHEN another post
    answers (its row written here) THEN the board shows it within a few seconds, without reloading the page."""
    now = timezone.now()
    w = warning("暴雨红色预警", "red", [world.city], issued_at=now - timedelta(minutes=20))
    officer = world.users["district"]
    done = recipient(w, post(world.d1, "海滨区政府值班室"))
    silent = recipient(w, post(world.d2, "新城区政府值班室"))
    later = recipient(w, post(world.t1, "海滨街道值班室"), sent_at=now - timedelta(minutes=1))
    for r in (done, silent, later):
        notice(r, officer)
    answer(done, officer, done.sent_at + timedelta(minutes=4), ["workers_withdrawn", "sites_closed"], "撤离工人12名")

    log_in(phone, live_server.url, "city")
    phone.goto(f"{live_server.url}/warnings/{w.pk}/board/")
    expect(phone.locator("h1")).to_contain_text("暴雨红色预警")
    expect(phone.locator("[data-total=in_time]")).to_have_text("1")
    expect(phone.locator("[data-total=silent]")).to_have_text("1")
    first = phone.locator(".wb-post").first
    expect(first).to_contain_text("新城区政府值班室")
    expect(first).to_contain_text("未应答，已超时")
    answered = phone.locator(".wb-post", has_text="海滨区政府值班室")
    expect(answered).to_contain_text("作业人员已撤离")
    expect(answered).to_contain_text("场所已停工关闭")
    expect(answered).to_contain_text("撤离工人12名")
    expect(answered).to_contain_text(officer.full_name)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "warning-board-390")

    phone.evaluate("window.notReloaded = true")
    answer(later, officer, timezone.now(), ["patrols_out"], "巡查组已出发")
    street = phone.locator(".wb-post", has_text="海滨街道值班室")
    expect(street).to_contain_text("巡查组已出发", timeout=15_000)
    expect(street).to_contain_text("巡查力量已出动")
    expect(phone.locator("[data-total=in_time]")).to_have_text("2")
    expect(phone.locator("[data-measures]")).to_contain_text("巡查力量已出动 × 1")
    assert phone.evaluate("window.notReloaded") is True
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "warning-board-updated-390")
