"""A principal verification on a phone (390×844, in Chinese): a district's staff member opens the form from the
enterprise's supervision page, taps 不在岗 without saying who runs the enterprise and is told so under the note;
with the note the check is recorded, and the supervision page lists it as 不在岗."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from oversight.models import Verification

from .conftest import screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_verification_on_a_phone(live_server, world, phone):
    log_in(phone, live_server.url, "county_dept")  # 海滨区应急管理局
    phone.goto(f"{live_server.url}/oversight/enterprises/{world.e1.pk}/")
    phone.get_by_role("link", name="核查主要负责人").click()
    phone.fill("#id_person_name", "王五")
    phone.click("label[for=id_in_post_1]")  # 否
    phone.click("label[for=id_has_experience_0]")  # 是
    phone.click("button.primary")
    expect(phone.locator(".field.invalid .error")).to_contain_text("主要负责人不在岗期间由谁主持工作")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "principal-verify-390")
    phone.fill("#id_note", "外出学习，由生产副总代管")
    phone.click("button.primary")
    expect(phone.locator("#people")).to_contain_text("不在岗")
    made = Verification.objects.get()
    assert (made.enterprise_id, made.in_post, made.has_experience) == (world.e1.pk, False, True)
