from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from duty_roster import rota
from duty_roster.models import DutyCheckIn, DutyShift
from organizations.choices import PositionKind, UnitKind

from ..factories import PositionFactory, UserFactory, assign, plan_ahead
from .conftest import open_nav, screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_in_on_a_phone_and_the_board_shows_it(live_server, world, phone):
    """GIVEN today's rota at 海滨区's duty post WHEN the officer on duty taps "check in" on a 390×844 phone THEN
    the shift is checked in, and the district's duty board shows it."""
    post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1,
                           title="海滨区值班室")  # fmt: skip
    officer = UserFactory(username="duty1", full_name="值班员小王", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    assign(officer, post)
    today = timezone.localdate()
    plan_ahead(world.users["city"], post, today - timedelta(days=1), today + timedelta(days=1),
                  [world.users["district"]], [officer])  # fmt: skip
    running = DutyShift.objects.get(post=post, starts_at__lte=timezone.now(), ends_at__gt=timezone.now())
    log_in(phone, live_server.url, "duty1")
    open_nav(phone, "值班", "我的值班")
    phone.locator("input[name=location]").first.fill("区应急指挥中心值班室")
    phone.click("button.big >> nth=0")
    expect(phone.locator(".messages")).to_contain_text("已签到")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "check-in-390")
    mine = DutyCheckIn.objects.get(shift=running)
    assert (mine.person, mine.location, mine.verified) == (officer, "区应急指挥中心值班室", False)

    phone.click("text=退出")
    log_in(phone, live_server.url, "district")
    phone.goto(f"{live_server.url}/duty/board/")
    expect(phone.locator("main")).to_contain_text("海滨区值班室")
    expect(phone.locator("main")).to_contain_text("已签到")
    screenshot(phone, "duty-board-390")


def test_check_in_with_the_duty_screens_code_on_a_phone_and_the_leaders_absence_counts(live_server, world, phone):
    """GIVEN today's shift at 海滨区's duty post, its screen enrolled by a planner and open at the post WHEN the officer
    types the screen's code on a 390×844 phone THEN the officer's check-in is verified (the officer on duty is refused
    the screen itself), and the leader on duty, not checked in, is "leader not at post" on the duty board and in the
    four failures, though an officer is there."""
    post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1,
                           title="海滨区值班室")  # fmt: skip
    officer = UserFactory(username="duty1", full_name="值班员小王", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    assign(officer, post)
    leader = UserFactory(username="lead1", full_name="带班领导老李", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    today = timezone.localdate()
    plan_ahead(world.users["city"], post, today - timedelta(days=1), today + timedelta(days=1),
               [leader], [officer])  # fmt: skip
    running = DutyShift.objects.get(post=post, starts_at__lte=timezone.now(), ends_at__gt=timezone.now())

    # A planner not on the shift enrols the device at the post as its duty screen, and leaves the screen open.
    log_in(phone, live_server.url, "district")
    phone.goto(f"{live_server.url}/duty/board/")
    phone.get_by_role("link", name="值班屏").click()
    expect(phone.locator("[data-screen-refused]")).to_contain_text("未登记")  # not enrolled yet: no code
    assert phone.locator("[data-code]").count() == 0
    phone.goto(f"{live_server.url}/duty/posts/{post.pk}/check-in-point/")
    phone.click("text=将本设备登记为值班屏")
    expect(phone.locator(".messages")).to_contain_text("值班屏")
    cookie = next(c for c in phone.context.cookies() if c["name"] == f"duty_screen_{post.pk}")
    assert (cookie["path"], cookie["httpOnly"], cookie["sameSite"]) == (f"/duty/posts/{post.pk}/screen/", True,
                                                                        "Strict")  # fmt: skip
    phone.goto(f"{live_server.url}/duty/board/")
    phone.get_by_role("link", name="值班屏").click()
    code = phone.locator("[data-code]").inner_text().strip()
    assert len(code) == 6 and code.isdigit()
    expect(phone.locator("[data-qr] svg")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "duty-screen-390")
    phone.click("text=退出")

    log_in(phone, live_server.url, "duty1")  # on the same device: the officer on duty is refused the screen
    phone.goto(f"{live_server.url}/duty/posts/{post.pk}/screen/")
    expect(phone.locator("[data-screen-refused]")).to_contain_text("您在本岗位当班")
    open_nav(phone, "值班", "我的值班")
    phone.locator("input[name=code]").first.fill(code)
    phone.click("button.big >> nth=0")
    expect(phone.locator(".messages")).to_contain_text("到岗证明：值班屏签到码")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "check-in-code-390")
    mine = DutyCheckIn.objects.get(shift=running)
    assert (mine.person, mine.proof, mine.verified) == (officer, "code", True)

    phone.click("text=退出")
    log_in(phone, live_server.url, "district")
    phone.goto(f"{live_server.url}/duty/board/")
    row = phone.locator("li", has_text="海滨区值班室")
    expect(row).to_contain_text("带班不在岗")
    expect(row).to_contain_text("已签到")
    phone.goto(f"{live_server.url}/duty/failures/")
    # Yesterday's and today's shifts: the leader checked in to neither, whoever else did.
    expect(phone.locator("tr", has_text="海滨区值班室").locator("td").nth(1)).to_have_text("2/2")
    screenshot(phone, "duty-failures-leader-absent-390")


def test_an_open_duty_screen_turns_to_the_refusal_once_another_device_is_enrolled(live_server, world, phone):
    """GIVEN the duty screen enrolled and open on a 390×844 device WHEN a planner enrols another device THEN at the
    screen's next refresh its code is gone and the page says the device is not enrolled (the script reloads on 403)."""
    post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1,
                           title="海滨区值班室")  # fmt: skip
    phone.clock.install()  # the screen's countdown, run on at will
    log_in(phone, live_server.url, "district")
    phone.goto(f"{live_server.url}/duty/posts/{post.pk}/check-in-point/")
    phone.click("text=将本设备登记为值班屏")
    expect(phone.locator("[data-code]")).to_have_text(re.compile(r"^\d{6}$"))
    rota.enrol_screen(world.users["district"], post)  # another device at the post
    refused = phone.locator("[data-screen-refused]")
    for _ in range(3):
        # A fetch the countdown started just before the enrolment may answer after this minute has been run and set
        # the countdown back with the old device's code; the next minute's fetch is then the one refused.
        phone.clock.run_for(61_000)
        try:
            refused.wait_for(timeout=5_000)
            break
        except PlaywrightTimeoutError:
            continue
    expect(refused).to_contain_text("本设备未登记为本岗位的值班屏")
    assert phone.locator("[data-code]").count() == 0
    screenshot(phone, "duty-screen-refused-390")
