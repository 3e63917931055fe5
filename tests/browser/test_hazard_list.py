"""The hazard list's filters on a phone (#14 item 6)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from hazards import workflow

from ..hazards.conftest import filing
from .conftest import screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filters_fold_and_the_enterprise_is_picked_by_search(live_server, world, phone, tmp_path, settings):
    """GIVEN hazards at two enterprises and the list on a 390 px phone WHEN the city office opens it THEN status,
    level and overdue are in view and the rest folded; typing part of a name in the folded enterprise picker and
    applying lists that enterprise's hazards only, with the filter in the URL and still chosen."""
    settings.MEDIA_ROOT = tmp_path / "media"
    city = world.users["city"]
    workflow.file_hazard(city, filing(world, title="灭火器过期"))
    workflow.file_hazard(city, filing(world, enterprise=world.e3, title="尾矿库排洪设施堵塞", place="尾矿库"))

    log_in(phone, live_server.url, "city")
    phone.goto(f"{live_server.url}/hazards/")
    expect(phone.locator(".rows .row-title")).to_have_count(2)
    common = phone.locator(".filters-common")
    expect(common.locator("label.chip", has_text="已上报")).to_be_visible()
    expect(common.get_by_label("级别")).to_be_visible()
    expect(common.get_by_label("逾期", exact=True)).to_be_visible()
    expect(phone.locator("#id_enterprise-search")).to_be_hidden()  # folded
    expect(phone.locator("#id_created_after")).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "hazard-list-filters-390")

    phone.locator(".filters-more summary").click()
    expect(phone.locator("#id_created_after")).to_have_attribute("type", "date")
    expect(phone.locator(".filters-more")).to_contain_text("年-月-日，如 ")
    phone.locator("#id_enterprise-search").fill("矿业")
    expect(phone.locator("#id_enterprise")).to_have_value(str(world.e3.pk))  # the match, chosen
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "hazard-list-filters-open-390")
    phone.locator("form.filter-split button.primary").click()
    phone.wait_for_url(re.compile(r".*/hazards/\?.*enterprise="))

    assert parse_qs(urlparse(phone.url).query)["enterprise"] == [str(world.e3.pk)]
    expect(phone.locator(".rows .row-title")).to_have_text(["尾矿库排洪设施堵塞"])
    expect(phone.locator(".filters-more")).to_have_attribute("open", "")
    expect(phone.locator("#id_enterprise")).to_have_value(str(world.e3.pk))
    screenshot(phone, "hazard-list-filtered-390")
