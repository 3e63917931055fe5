"""Debian's chromium, headless, driven by Playwright through its executable path (never a download)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ..conftest import CHROMIUM, need

ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", Path(__file__).resolve().parents[2] / "artifacts"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    need("chromium")
    # Playwright's sync API runs an event loop in this thread; the live server's database work is ours.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A phone-sized page (390×844) in a Chinese browser."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Saved outside the repository (artifacts/ is ignored) for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_nav(page, group: str, entry: str | None = None) -> None:
    """Follow the navigation: open the menu `group` and tap its `entry`, or tap `group` when it is a plain link
    (a group of one entry)."""
    menu = page.locator("nav.mainnav > details", has=page.locator("summary", has_text=group))
    if menu.count():
        menu.locator("summary").click()
        menu.locator(".nav-panel").get_by_role("link", name=entry or group, exact=True).click()
    else:
        page.locator("nav.mainnav > a.nav-top", has_text=group).click()
    page.wait_for_load_state()
