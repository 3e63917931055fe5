"""The top bar on a phone and on a desktop (issue #14, items 4 and 12): at most six top entries, nothing wider than
the screen, every menu inside the window; in English at 390 px the brand, the language switch and "Log out" each on
one line."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from notifications.outbox import notify

from .conftest import open_nav, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOP = "nav.mainnav > .nav-top, nav.mainnav > details > summary"
# Boxes of the visible top entries and of the open menu's panel and links, and the page's width.
MEASURE = """() => {
  const box = (e) => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top,
                                                                    bottom: r.bottom, text: e.innerText}; };
  const visible = (e) => e.getClientRects().length > 0;
  const panel = document.querySelector("nav.mainnav details[open] .nav-panel");
  return {
    scrollWidth: document.documentElement.scrollWidth,
    tops: [...document.querySelectorAll(arguments_top)].filter(visible).map(box),
    panel: panel ? box(panel) : null,
    links: panel ? [...panel.querySelectorAll("a")].map(box) : [],
  };
}""".replace("arguments_top", repr(TOP))
# Lines of text an element's content takes: its text's height over its line height.
LINES = """(e) => { const range = document.createRange(); range.selectNodeContents(e);
  const lineHeight = parseFloat(getComputedStyle(e).lineHeight);
  return {lines: Math.round(range.getBoundingClientRect().height / lineHeight), lineHeight,
          height: e.getBoundingClientRect().height, clipped: e.scrollWidth > e.clientWidth}; }"""


def rows(page) -> list[int]:
    """How many top entries stand in each row of the bar, top to bottom."""
    tops = page.evaluate(MEASURE)["tops"]
    counts: dict[int, int] = {}
    for top in tops:
        counts[round(top["top"])] = counts.get(round(top["top"]), 0) + 1
    return [counts[y] for y in sorted(counts)]


def unread(user, count: int) -> None:
    """Give the user unread notices, so that the bar carries its badge."""
    for index in range(count):
        notify([(user, None)], f"nav-test:{index}", "通知", "")


def log_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Correct-Horse-42")
    page.click("button.primary")
    page.wait_for_url(f"{url}/")


def city_staff(world):
    """The city office's staff member, who sees every group; made staff so that the admin is in the menu too."""
    user = world.users["city"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def check_every_menu(page, width: int, height: int, name: str) -> int:
    """Open each menu in turn: the top entries and the open panel with all its links lie inside the window."""
    measured = page.evaluate(MEASURE)
    assert measured["scrollWidth"] <= width, measured
    tops = measured["tops"]
    assert 1 <= len(tops) <= 7, tops
    for top in tops:
        assert top["left"] >= 0 and top["right"] <= width and top["bottom"] <= height, top
    summaries = page.locator("nav.mainnav > details > summary")
    for index in range(summaries.count()):
        summaries.nth(index).click()
        measured = page.evaluate(MEASURE)
        panel = measured["panel"]
        assert panel and panel["left"] >= 0 and panel["right"] <= width and panel["bottom"] <= height, measured
        for link in measured["links"]:
            assert link["left"] >= 0 and link["right"] <= width and link["bottom"] <= height, link
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if index == 0:
            screenshot(page, f"nav-{name}-menu")
    page.keyboard.press("Escape")
    expect(page.locator("nav.mainnav details[open]")).to_have_count(0)
    return len(tops)


def test_top_bar_on_a_phone_and_a_desktop(live_server, world, browser):
    unread(city_staff(world), 12)
    for width, height, name in ((390, 844, "390"), (1366, 900, "1366")):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        log_in(page, live_server.url, "city")
        screenshot(page, f"nav-city-{name}")
        assert check_every_menu(page, width, height, f"city-{name}") == 7
        # Seven Chinese entries, the notices' badge among them, share one row, also on a phone.
        expect(page.locator("nav.mainnav .nav-count")).to_have_text("12")
        assert rows(page) == [7]
        # One menu open at a time; a tap elsewhere closes it.
        page.locator("nav.mainnav summary", has_text="隐患").click()
        page.locator("nav.mainnav summary", has_text="值班").click()
        expect(page.locator("nav.mainnav details[open]")).to_have_count(1)
        page.mouse.click(width / 2, height - 20)  # below the menu
        expect(page.locator("nav.mainnav details[open]")).to_have_count(0)
        # A menu's entry opens its page, and the menu's heading is marked as where the user is.
        open_nav(page, "值班", "值班总览")
        page.wait_for_url("**/duty/board/")
        expect(page.locator("nav.mainnav summary.active")).to_have_text("值班")
        context.close()


def test_each_role_sees_only_what_it_may_use(live_server, world, phone):
    """The issue's case: a territorial leader is not offered "File a hazard", anywhere."""
    log_in(phone, live_server.url, "district")
    check_every_menu(phone, 390, 844, "district-390")
    open_nav(phone, "隐患", "隐患列表")
    phone.wait_for_url("**/hazards/")
    expect(phone.get_by_text("登记隐患")).to_have_count(0)


def test_english_top_bar_on_a_phone_keeps_each_control_on_one_line(live_server, world, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US", device_scale_factor=2)
    page = context.new_page()
    log_in(page, live_server.url, "city")
    expect(page.locator("header .brand")).to_have_text("Work-safety platform")
    controls = {
        "brand": page.locator("header .brand"),
        "language": page.locator("header .lang button"),
        "log out": page.locator("header .logout button"),
    }
    expect(controls["language"]).to_have_text("简体中文")
    expect(controls["log out"]).to_have_text("Log out")
    for name, control in controls.items():
        measured = control.evaluate(LINES)
        assert measured["lines"] == 1 and not measured["clipped"], (name, measured)
    # The whole bar is one row: the three controls share a line.
    boxes = [control.bounding_box() for control in controls.values()]
    assert max(b["y"] for b in boxes) < min(b["y"] + b["height"] for b in boxes)
    assert check_every_menu(page, 390, 844, "city-en-390") == 7
    # English labels are wider: rows of three (the seventh, Notices, alone on the last).
    assert rows(page) == [3, 3, 1]
    screenshot(page, "nav-city-en-390")
    context.close()
