from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from duty_roster import rota
from duty_roster.models import DutyLogEntry, DutyPlan, DutyShift, ShiftChange
from organizations.choices import PositionKind, UnitKind

from ..factories import PositionFactory, UserFactory, assign
from .conftest import screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_YEAR = [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)]
PLANS = "/duty/plans/?start=2027-01-01&end=2027-01-03&name=元旦"


def narrow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_planner_fixes_a_short_shift_and_submits_the_holiday_plan_on_a_phone(live_server, world, phone, settings):
    """GIVEN 海滨区's New Year rota with 2 January one officer short WHEN the planner, on a 390×844 phone, submits
    the plan THEN it is refused naming the day; WHEN they edit that day (first too few, then enough) and submit
    again THEN the plan is recorded and the city office's overview shows it submitted."""
    settings.DUTY_MIN_OFFICERS = {**settings.DUTY_MIN_OFFICERS, "government": 2}
    post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1,
                           title="海滨区值班室")  # fmt: skip
    names = {"L1": "王局长", "L2": "李副局长", "O1": "张伟", "O2": "刘洋", "O3": "陈静", "O4": "赵磊"}
    p = {k: UserFactory(username=k, full_name=v, unit_kind=UnitKind.GOVERNMENT, region=world.d1)
         for k, v in names.items()}  # fmt: skip
    assign(p["O1"], post)
    planner = world.users["district"]
    rota.generate(planner, post, NEW_YEAR[0], NEW_YEAR[-1], [p["L1"], p["L2"]], [p["O1"], p["O2"], p["O3"], p["O4"]],
                  per_day=2)  # fmt: skip
    short = DutyShift.objects.get(post=post, date=NEW_YEAR[1])
    short.officers.remove(short.officers.order_by("pk").first())

    log_in(phone, live_server.url, "district")
    phone.goto(live_server.url + PLANS)
    expect(phone.locator("main .rows")).to_contain_text("海滨区值班室")
    phone.click("main .rows button.primary")
    expect(phone.locator(".messages li.error")).to_contain_text("01-02")
    assert not DutyPlan.objects.exists()
    narrow(phone)
    screenshot(phone, "holiday-plan-refused-390")

    phone.click("main .rows a.row-title")  # to the post's January rota
    expect(phone.locator("ul.rota li")).to_have_count(31)
    narrow(phone)
    screenshot(phone, "rota-month-390")
    phone.click("a[href$='/2027-01-02/']")
    boxes = phone.locator("fieldset.checkboxselectmultiple input[type=checkbox]")
    for i in range(boxes.count()):
        boxes.nth(i).uncheck()
    phone.check("fieldset.checkboxselectmultiple label:has-text('陈静') input")
    phone.fill("#id_reason", "补足两名值班员")
    phone.click("button.primary")
    expect(phone.locator("fieldset.invalid .error")).to_be_visible()  # one officer: below the minimum
    narrow(phone)
    screenshot(phone, "shift-edit-error-390")
    assert DutyShift.objects.get(pk=short.pk).officers.count() == 1

    phone.check("fieldset.checkboxselectmultiple label:has-text('赵磊') input")
    phone.click("button.primary")
    expect(phone.locator(".messages li.success")).to_be_visible()
    assert sorted(o.full_name for o in DutyShift.objects.get(pk=short.pk).officers.all()) == ["赵磊", "陈静"]

    phone.goto(live_server.url + PLANS)
    phone.click("main .rows button.primary")
    expect(phone.locator(".messages li.success")).to_be_visible()
    plan = DutyPlan.objects.get()
    assert (plan.post, plan.submitted_by, plan.name) == (post, planner, "元旦")
    screenshot(phone, "holiday-plan-submitted-390")

    phone.click("text=退出")
    log_in(phone, live_server.url, "city")
    phone.goto(live_server.url + PLANS)
    expect(phone.locator("main .rows li").first).to_contain_text("海滨区值班室")
    narrow(phone)
    screenshot(phone, "holiday-plans-city-390")


def test_duty_log_handover_and_a_substitution_on_a_phone(live_server, world, phone, settings):
    """GIVEN today's and tomorrow's shifts WHEN the officer writes an open item, hands over and asks for a
    substitution on a 390×844 phone THEN the next shift carries the item and the leader approves the request."""
    from datetime import timedelta

    from django.utils import timezone

    settings.DUTY_MIN_OFFICERS = {**settings.DUTY_MIN_OFFICERS, "government": 1}
    post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1,
                           title="海滨区值班室")  # fmt: skip
    leader = UserFactory(username="L1", full_name="王局长", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    officer = UserFactory(username="O1", full_name="张伟", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    other = UserFactory(username="O2", full_name="刘洋", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    today = timezone.localdate()
    rota.generate(world.users["district"], post, today, today + timedelta(days=1),
                  [leader], [officer])  # fmt: skip
    first, second = DutyShift.objects.filter(post=post).order_by("date")

    log_in(phone, live_server.url, "O1")
    phone.goto(f"{live_server.url}/duty/shifts/{first.pk}/")
    phone.fill("#id_text", "化工园区报警待核实，明早9点前回复市应急局")
    phone.check("#id_open_item")
    phone.click("form:has(input[value=log]) button.primary")
    expect(phone.locator("ul.log")).to_contain_text("化工园区报警待核实")
    phone.click("form:has(input[value=hand_over]) button")
    expect(phone.locator(".messages li.success")).to_be_visible()
    narrow(phone)
    screenshot(phone, "shift-log-handover-390")
    assert DutyLogEntry.objects.filter(shift=second, carried_from__isnull=False).count() == 1

    phone.goto(f"{live_server.url}/duty/shifts/{second.pk}/change/")
    phone.check("input[name=kind][value=substitute]")
    phone.select_option("#id_other", str(other.pk))
    phone.fill("#id_reason", "家中有事")
    narrow(phone)
    screenshot(phone, "change-form-390")
    phone.click("button.primary")
    expect(phone.locator("main")).to_contain_text("家中有事")
    narrow(phone)
    screenshot(phone, "change-asked-390")
    phone.goto(f"{live_server.url}/duty/shifts/{second.pk}/")
    expect(phone.locator("ul.log")).to_contain_text("化工园区报警待核实")
    screenshot(phone, "shift-next-carried-390")

    phone.click("text=退出")
    log_in(phone, live_server.url, "L1")
    phone.goto(f"{live_server.url}/duty/changes/")
    narrow(phone)
    screenshot(phone, "changes-to-decide-390")
    phone.click("button[value=approve]")
    expect(phone.locator(".messages li.success")).to_be_visible()
    assert ShiftChange.objects.get().state == "approved"
    assert list(second.officers.all()) == [other]
