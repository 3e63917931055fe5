from __future__ import annotations

from datetime import timedelta

import pytest

from early_warnings.choices import WarningKind, WarningLevel

from ..early_warnings.test_public_page import warning
from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_public_warnings_on_a_phone_without_login(live_server, world, phone):
    """GIVEN a red rainstorm warning for 海滨区 and a blue gale warning for the city WHEN someone not logged in opens
    the public page on a phone, picks their street and switches to English THEN each step shows the warnings that
    concern them, coloured by level, with nothing sticking out sideways and nothing refused by the CSP."""
    warning([world.d1], "海滨区暴雨红色预警", level=WarningLevel.RED, text="预计未来3小时海滨区降雨量将达100毫米以上。")
    warning([world.d2], "新城区大风蓝色预警", kind=WarningKind.GALE, level=WarningLevel.BLUE,
            valid_for=timedelta(hours=2))  # fmt: skip
    problems = []
    phone.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    phone.goto(f"{live_server.url}/accounts/login/")
    phone.get_by_role("link", name="生效中的预警（无需登录）").click()
    phone.wait_for_url("**/public/warnings/")
    assert phone.locator("h1").inner_text() == "生效中的预警"
    assert phone.locator("article.pw-warning").count() == 2
    red = phone.locator("article.pw-red .pw-badge")
    assert red.inner_text() == "红色"
    assert red.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(211, 47, 47)"  # the stylesheet loaded
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "public-warnings-390")

    phone.select_option("#pw-region", label="海滨街道")
    phone.get_by_role("button", name="查看").click()
    phone.wait_for_url("**region=990102001**")
    assert phone.locator("h1").inner_text() == "海滨街道生效中的预警"
    assert phone.locator("article.pw-warning h2").all_inner_texts() == ["海滨区暴雨红色预警"]

    phone.get_by_role("link", name="English").click()
    phone.wait_for_url("**lang=en**")
    assert phone.locator("h1").inner_text() == "Warnings in force for 海滨街道"
    assert phone.locator("article.pw-red .pw-badge").inner_text() == "Red"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "public-warnings-street-en-390")
    assert not problems, problems
