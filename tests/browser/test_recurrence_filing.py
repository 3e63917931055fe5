"""The filing page on a phone shows the open hazard a finding repeats, and adds the finding to it in one tap."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from hazards import workflow
from hazards.choices import Action
from hazards.models import Hazard, HazardCategory

from ..conftest import reseed
from .conftest import screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_repeated_finding_is_added_to_the_open_hazard_on_a_phone(live_server, world, phone):
    """GIVEN an open hazard at 海滨化工's 一号仓库 (fire) WHEN the inspector files the same at "一号 仓库。" on a
    390×844 phone THEN the page shows that hazard with a full-width button, and one tap adds the finding to it."""
    reseed()
    fire = HazardCategory.objects.get(code="fire")
    filing = workflow.Filing(enterprise=world.e1, title="灭火器过期", place="一号仓库", category=fire)
    existing, _ = workflow.file_hazard(world.users["inspector"], filing)
    log_in(phone, live_server.url, "inspector")
    phone.goto(f"{live_server.url}/hazards/new/?enterprise={world.e1.pk}")
    phone.fill("#id_place", "一号 仓库。")
    phone.click("label.chip >> text=消防安全")
    phone.focus("button.primary.big")
    phone.click("button.primary.big")
    panel = phone.locator("section.similar")
    expect(panel).to_be_visible()
    expect(panel.locator(".row-title")).to_have_text([re.compile(existing.code)])
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "hazard-similar-390")
    button = panel.locator("button[name=link_to]")
    row = panel.locator(".rows li").bounding_box()
    box = button.bounding_box()
    assert box["width"] >= row["width"] - 40 and box["height"] >= 44  # the row's width: an easy tap
    button.click()
    phone.wait_for_url(re.compile(rf".*/hazards/{existing.pk}/$"))
    assert Hazard.objects.count() == 1
    assert existing.events.filter(action=Action.ADD_FINDING, data__place="一号 仓库。").count() == 1
