from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hazards.models import Hazard, HazardPhoto

from ..conftest import reseed
from ..hazards.conftest import jpeg_bytes
from .conftest import open_nav, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Correct-Horse-42")
    page.click("button.primary")
    page.wait_for_url(f"{base}/")


def test_inspector_files_a_hazard_with_a_photo_on_a_phone(live_server, world, phone, tmp_path, settings):
    """GIVEN an inspector on a 390×844 phone WHEN they search the enterprise, fill the form, take a photo and
    double-tap submit THEN one hazard exists with the photo, and the list shows it."""
    reseed()
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg_bytes((1200, 900)))
    log_in(phone, live_server.url, "inspector")
    open_nav(phone, "隐患", "隐患列表")
    phone.click("a.button >> text=登记隐患")
    phone.wait_for_url("**/hazards/new/")
    phone.fill("#enterprise-search", "海滨化工")
    expect(phone.locator("#id_enterprise option")).to_have_text([re.compile("海滨化工有限公司")])
    phone.fill("#id_place", "一号仓库")
    phone.click("label.chip >> text=消防安全")
    expect(phone.locator("#id_title")).to_have_value("一号仓库消防安全隐患")  # suggested until one is written
    phone.fill("#id_title", "灭火器压力不足")
    phone.click("details.more summary")
    phone.fill("#id_description", "一号仓库东侧3具灭火器压力表指针在红区")
    phone.set_input_files("#id_photos", str(photo))
    phone.fill("#id_deadline_working_days", "3")
    assert phone.locator("#id_photos").get_attribute("capture") == "environment"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "hazard-form-390")
    # After a full-page screenshot with the folded date-time field shown, headless Chromium drops the next click on
    # the page (without the screenshot the click submits): focus the button first, as a finger lands on it.
    phone.focus("button.primary")
    phone.dblclick("button.primary")  # a double tap files once
    phone.wait_for_url(re.compile(r".*/hazards/\d+/$"))
    assert "灭火器压力不足" in phone.locator("h1").inner_text()
    assert "已登记" in phone.locator("main").inner_text() or "登记" in phone.locator(".timeline").inner_text()
    screenshot(phone, "hazard-detail-390")

    hazard = Hazard.objects.get()
    assert hazard.enterprise == world.e1 and hazard.deadline is not None
    assert HazardPhoto.objects.filter(hazard=hazard).count() == 1
    assert phone.locator(".photos img").count() == 1
    assert phone.evaluate("document.querySelector('.photos img').naturalWidth") > 0  # served through scope

    open_nav(phone, "隐患", "隐患列表")
    phone.wait_for_url("**/hazards/")
    assert phone.locator(".rows .row-title").all_inner_texts() == ["灭火器压力不足"]
    screenshot(phone, "hazard-list-390")
