from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from duty_roster import incidents
from organizations.choices import PositionKind, UnitKind

from ..factories import PositionFactory, UserFactory, assign
from .conftest import screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_county_duty_receives_and_records_the_response_on_a_phone(live_server, world, phone):
    """GIVEN 海滨化工 reported a fire 20 minutes after it was known WHEN 海滨区's duty officer opens the incident on a
    390×844 phone, taps "received now" and records "on scene" THEN both are stored, timed, and the page fits."""
    post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1,
                           title="海滨区值班室")  # fmt: skip
    officer = UserFactory(username="duty1", full_name="值班员小王", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    assign(officer, post)
    now = timezone.now()
    incident = incidents.report(world.users["enterprise"], incidents.Facts(
        kind="fire", place="二号罐区", occurred_at=now - timedelta(minutes=25), known_at=now - timedelta(minutes=20),
        course="储罐区泄漏着火。",
    ))  # fmt: skip
    log_in(phone, live_server.url, "duty1")
    phone.goto(f"{live_server.url}/duty/incidents/{incident.pk}/")
    phone.click("#chain button[type=submit]")
    expect(phone.locator(".messages")).to_contain_text("接报已登记")
    phone.select_option("select[name=step-kind]", "on_scene")
    phone.fill("input[name=step-note]", "区应急局已到场")
    phone.click("#steps button[type=submit]")
    expect(phone.locator("#steps .timeline")).to_contain_text("到达现场")
    expect(phone.locator("#chain")).to_contain_text("已向上级报送")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "incident-handling-390")
    assert incident.relays.get(level="county").received_by == officer
    assert incident.steps.get().kind == "on_scene" and incident.steps.get().delay_minutes == 0
