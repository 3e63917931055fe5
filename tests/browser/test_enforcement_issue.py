"""Enforcement on a phone (390 wide), in Chinese: the county department's staff opens an enterprise's supervision
page, chooses 责令停产停业整顿, is refused a seventh month, issues six, and reads the document's page; the
screenshots are for a person to look at."""

from __future__ import annotations

import pytest
from django.utils import timezone

from organizations.models import Enterprise
from oversight.enforcement import add_months
from tests.oversight.enforcement_fixtures import BASIS, FACTS

from .conftest import screenshot
from .test_circular_acknowledge import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_suspension_order_on_a_phone(live_server, world, phone):
    url = live_server.url
    login(phone, url, "county_dept")
    phone.goto(f"{url}/oversight/enterprises/{world.e1.pk}/")
    screenshot(phone, "enforcement-section-390")
    phone.locator("#enforcement a.button", has_text="责令停产停业整顿").click()
    phone.wait_for_url("**/enforcement/new/?kind=suspension")
    assert phone.locator("#id_amount").count() == 0 and phone.locator("#id_deadline").count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    start = timezone.localdate()
    phone.fill("#id_facts", FACTS)
    phone.fill("#id_basis", BASIS)
    phone.fill("#id_suspended_from", start.isoformat())
    phone.fill("#id_suspended_until", add_months(start, 7).isoformat())
    phone.click("#issue button.primary")
    assert "最长为6个月" in phone.locator("#issue").inner_text()
    screenshot(phone, "enforcement-refused-390")
    phone.fill("#id_suspended_until", add_months(start, 6).isoformat())
    phone.click("#issue button.primary")
    phone.wait_for_url("**/oversight/enforcement/*/")
    assert "停〔" in phone.locator("h1").inner_text()
    assert Enterprise.objects.get(pk=world.e1.pk).operating_state == "suspended"
    screenshot(phone, "enforcement-detail-390")
    phone.goto(f"{url}/oversight/enforcement/")
    assert "停〔" in phone.locator("#actions").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "enforcement-list-390")
