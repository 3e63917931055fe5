from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from duty_roster import rollcall
from organizations.choices import PositionKind, UnitKind

from ..factories import PositionFactory, UserFactory, assign
from .conftest import open_nav, screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_answering_a_roll_call_on_a_phone(live_server, world, phone):
    """GIVEN a roll call to the district's duty post WHEN the officer on duty opens the notice on a 390×844 phone
    and taps once THEN the answer is timed and the city office's report shows it."""
    post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1,
                           title="海滨区值班室")  # fmt: skip
    officer = UserFactory(username="duty1", full_name="值班员小王", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    assign(officer, post)
    roll = rollcall.call(world.users["city"], [post], "国庆值班查岗")
    log_in(phone, live_server.url, "duty1")
    expect(phone.locator("nav.mainnav .nav-count")).to_have_text("1")
    open_nav(phone, "通知", "通知")
    phone.click(".rows .row-title")
    expect(phone.locator("h1")).to_contain_text("查岗")
    screenshot(phone, "roll-call-notice-390")
    phone.click("button.big")
    expect(phone.locator(".messages")).to_contain_text("已应答")
    row = rollcall.report(roll)[0]
    assert row.answered_by == "值班员小王" and row.late is False
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "roll-call-answered-390")
    assert re.search(r"/notifications/\d+/$", phone.url)
