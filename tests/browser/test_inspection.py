from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hazards.models import Hazard
from inspections import checklists
from organizations.choices import PositionKind, UnitKind

from ..conftest import reseed
from ..factories import PositionFactory, UserFactory, assign
from ..hazards.conftest import jpeg_bytes
from ..inspections.conftest import TEMPLATE
from .conftest import open_nav, screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_whole_inspection_on_a_phone(live_server, world, phone, tmp_path, settings):
    """GIVEN an inspector on a 390×844 phone WHEN they start an inspection, answer each section (a failed exit
    with a photo, a too-narrow corridor), review and submit THEN the two findings are hazards in the list."""
    reseed()
    settings.MEDIA_ROOT = tmp_path / "media"
    checklists.import_template(TEMPLATE)
    partner = UserFactory(username="partner", full_name="李四", unit_kind=UnitKind.DEPARTMENT, department=world.yjj)
    assign(partner, PositionFactory(kind=PositionKind.INSPECTOR, unit_kind=UnitKind.DEPARTMENT, department=world.yjj))
    photo = tmp_path / "exit.jpg"
    photo.write_bytes(jpeg_bytes((1000, 750)))

    log_in(phone, live_server.url, "inspector")
    open_nav(phone, "检查", "我的检查")
    phone.click("a.button >> text=开始检查")
    phone.wait_for_load_state("load")  # the picker's script listens from here on: typing earlier is not searched
    phone.fill("#id_enterprise-search", "海滨化工")  # the searchable picker of the hazard list's filter
    # the match comes from the API after a 250 ms pause; a loaded machine (CI) may take seconds to answer
    expect(phone.locator("#id_enterprise")).to_have_value(str(world.e1.pk), timeout=20_000)
    phone.select_option("#id_version", label="消防安全检查表（测试） v1")
    phone.check("text=李四")
    phone.click("button.primary")
    phone.wait_for_url(re.compile(r".*/fill/1/$"))
    expect(phone.locator(".progress")).to_contain_text("1")
    items = phone.locator("fieldset.item")
    items.nth(0).locator("text=合格").first.click()
    expect(items.nth(0)).to_have_class(re.compile("autosaved"))  # saved the moment it was given
    phone.reload()  # the browser closed, the network lost: the answer is still there
    expect(phone.locator("fieldset.item").nth(0).locator("input[value=pass]")).to_be_checked()
    items = phone.locator("fieldset.item")
    phone.click("button.primary")  # the second item is still open: said now, not at submit
    expect(phone.locator(".card.unanswered-list")).to_be_visible()
    expect(phone.locator(".card.unanswered-list li")).to_have_text(
        ["2. 疏散通道、安全出口是否被占用、堵塞 重大隐患判定项"]
    )
    expect(items.nth(1)).to_have_class(re.compile("unanswered"))
    assert re.search(r"/fill/1/$", phone.url)
    screenshot(phone, "inspection-unanswered-390")
    items.nth(1).locator("label.choice >> text=不合格").click()
    expect(phone.locator(".card.unanswered-list")).to_be_hidden()
    items.nth(1).locator("input[name$=-text]").fill("消防通道堆放纸箱")
    items.nth(1).locator("input[name$=-note]").fill("二楼东侧安全出口")
    items.nth(1).locator("input[type=file]").set_input_files(str(photo))
    items.nth(1).locator("input[name$=-note]").press("Tab")
    # Let each answer's own save finish before the screen is saved (SQLite allows one writer at a time).
    phone.wait_for_load_state("networkidle")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "inspection-section-390")
    phone.click("button.primary")
    phone.wait_for_url(re.compile(r".*/fill/2/$"))
    phone.locator("fieldset.item input[type=number]").fill("0.9")
    phone.locator("fieldset.item input[type=number]").press("Tab")
    expect(phone.locator("fieldset.item").first).to_have_class(re.compile("autosaved"))
    phone.click("button.primary")
    phone.wait_for_url(re.compile(r".*/review/$"))
    expect(phone.locator("main")).to_contain_text("疏散通道净宽度")
    screenshot(phone, "inspection-review-390")
    phone.fill("#id_representative", "王经理")
    phone.click("button.primary")
    phone.wait_for_url(re.compile(r".*/inspections/\d+/$"))
    assert Hazard.objects.count() == 2
    codes = list(Hazard.objects.values_list("code", flat=True))
    for code in codes:
        expect(phone.locator("main")).to_contain_text(code)
    screenshot(phone, "inspection-done-390")
    open_nav(phone, "隐患", "隐患列表")
    titles = phone.locator(".rows .row-title").all_inner_texts()
    assert set(titles) == {"消防通道堆放纸箱", "未达标：疏散通道净宽度"}  # the finding, or the item not met
