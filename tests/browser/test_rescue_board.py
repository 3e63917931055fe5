"""The readiness board on a phone (390×844): the city office opens it from the navigation, sees each district's
teams with their level and where forces stand, filters by kind, and a team's owner pre-positions forces from the
team page, which the board then shows."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from emergency import rescue
from emergency.models import Prepositioning

from ..emergency.rescue_fixtures import *  # noqa: F403  (the fixture)
from ..emergency.rescue_fixtures import soon
from .conftest import open_nav, screenshot
from .test_hazard_filing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def narrow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_readiness_board_on_a_phone(live_server, rescue_world, phone):
    w = rescue_world
    rescue.raise_readiness(w.users["city"], w.team_d1, "highest", None, soon(6), "暴雨红色预警")
    rescue.raise_in_bulk(w.users["city"], w.city, [], "raised", None, soon(30), "国庆节")
    rescue.preposition(w.users["city"], w.team_d2, rescue.Deployment("新城体育中心", w.t2, 10, soon(3), "演唱会"))

    log_in(phone, live_server.url, "city")
    open_nav(phone, "值班", "战备值守看板")
    expect(phone.locator("h1")).to_have_text("战备值守看板")
    rows = phone.locator("section.board-row")
    expect(rows).to_have_count(3)  # the city's own teams, 海滨区, 新城区
    haibin = phone.locator("section.board-row[data-region='990102']")
    expect(haibin.locator("[data-level='highest']")).to_have_text("最高")
    expect(phone.locator("section.board-row[data-region='990103'] .force")).to_contain_text("新城体育中心")
    expect(phone.locator("#low-supplies")).to_contain_text("低于最低库存的物资")
    narrow(phone)
    screenshot(phone, "readiness-board-390")

    phone.click("details.filters summary")
    phone.check("input[name=kind][value=mine]")
    phone.click("details.filters button[type=submit]")
    expect(phone.locator("section.board-row li a.row-title")).to_have_text(["市矿山救护队"])

    phone.context.clear_cookies()
    log_in(phone, live_server.url, "county_dept")
    phone.goto(f"{live_server.url}/emergency/teams/{w.team_d1.pk}/")
    phone.fill("#id_preposition-place", "海滨广场")
    phone.select_option("#id_preposition-region", str(w.t1.pk))
    phone.fill("#id_preposition-headcount", "8")
    until = timezone.localtime(soon(4)).strftime("%Y-%m-%dT%H:%M")
    phone.fill("#id_preposition-ends_at", until)
    phone.fill("#id_preposition-reason", "元旦跨年活动")
    narrow(phone)
    phone.click("form:has(input[name=do][value=preposition]) button.primary")
    expect(phone.locator(".messages")).to_contain_text("力量已前置")
    assert Prepositioning.objects.filter(team=w.team_d1, place="海滨广场").exists()
    phone.goto(f"{live_server.url}/emergency/readiness/")
    expect(phone.locator("section.board-row[data-region='990102'] .force")).to_contain_text("海滨广场")
    narrow(phone)
