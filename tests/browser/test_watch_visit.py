"""A watch visit on a phone (390×844), in Chinese: the watcher ticks what was seen at a suspended mine (workers on
site), takes a photo and submits twice; one visit is recorded with its photo, and the alert reaches the supervising
department's head, who sees it in the inbox. The screenshots are for a person to look at."""

from __future__ import annotations

import re

import pytest

from notifications.models import Notification
from organizations.choices import OperatingState, PositionKind, UnitKind
from organizations.models import Enterprise
from oversight import watches
from oversight.models import VisitPhoto, WatchVisit

from ..factories import PositionFactory, UserFactory, assign
from ..hazards.conftest import jpeg_bytes
from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, username):
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base}])
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Correct-Horse-42")
    page.click("button.primary")
    page.wait_for_url(f"{base}/")


def test_a_watcher_finds_activity_and_the_head_is_alerted(live_server, world, browser, tmp_path, settings):
    """GIVEN 新城矿业 suspended and watched by 市应急管理局's inspector WHEN the inspector records on a phone that
    workers are on site, with a photo, double-tapping submit THEN one visit with its photo, its page shows the
    thumbnail; WHEN the department's head logs in THEN the must-answer alert is in the inbox."""
    settings.MEDIA_ROOT = tmp_path / "media"
    head = UserFactory(username="yjj_head", unit_kind=UnitKind.DEPARTMENT, department=world.yjj, full_name="王局长")
    assign(head, PositionFactory(kind=PositionKind.DEPARTMENT_HEAD, unit_kind=UnitKind.DEPARTMENT,
                                 department=world.yjj))  # fmt: skip
    Enterprise.objects.filter(pk=world.e3.pk).update(operating_state=OperatingState.SUSPENDED)
    inspector = world.users["inspector"]
    watch = watches.start(inspector, world.e3.pk, None, [inspector.pk], 7, "停产整顿期间盯守")
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg_bytes((1200, 900)))

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
    page = phone.new_page()
    log_in(page, live_server.url, "inspector")
    page.goto(f"{live_server.url}/oversight/watches/")
    page.click(f"a.row-title >> text={world.e3.name}")
    page.wait_for_url(f"**/oversight/watches/{watch.pk}/")
    page.click("a.button >> text=登记巡查")
    page.wait_for_url(f"**/oversight/watches/{watch.pk}/visit/")
    page.click("label.chip:has(input[value=workers_present])")
    page.click("label.chip:has(input[value=seals_broken])")
    page.fill("#id_note", "封条被撕开，井口有3名工人作业")
    page.set_input_files("#id_photos", str(photo))
    assert page.locator("#id_photos").get_attribute("capture") == "environment"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "watch-visit-form-390")
    page.focus("button.primary")
    page.dblclick("button.primary")  # a double tap records once
    page.wait_for_url(re.compile(rf".*/oversight/watches/{watch.pk}/$"))
    assert "已告警" in page.locator("main").inner_text()
    assert page.locator(".photos img").count() == 1
    # served through scope: the thumbnail is lazy, so brought into view and waited for (not read at once)
    page.locator(".photos img").scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('.photos img'); return i.complete && i.naturalWidth > 0; }"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "watch-detail-390")
    assert WatchVisit.objects.count() == 1 and VisitPhoto.objects.count() == 1
    phone.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=2)
    page = phone.new_page()
    log_in(page, live_server.url, "yjj_head")
    page.goto(f"{live_server.url}/notifications/")
    inbox = page.locator("main").inner_text()
    assert "新城矿业有限公司" in inbox and "发现生产活动" in inbox
    screenshot(page, "watch-alert-inbox-390")
    notice = Notification.objects.get(recipient=head, kind=watches.KIND)
    assert notice.must_answer
    page.goto(f"{live_server.url}/notifications/{notice.pk}/")
    screenshot(page, "watch-alert-notice-390")
    page.click("a >> text=查看")  # the notice points at the watch
    page.wait_for_url(f"**/oversight/watches/{watch.pk}/")
    page.goto(f"{live_server.url}/oversight/enterprises/{world.e3.pk}/")
    section = page.locator("#watch").inner_text()
    assert "发现生产活动" in section and "登记复产复工验收" in section
    screenshot(page, "watch-section-390")
    page.goto(f"{live_server.url}/oversight/watches/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "watch-list-390")
    page.goto(f"{live_server.url}/oversight/enterprises/{world.e3.pk}/resume/")
    assert "复产复工验收" in page.locator("h1").inner_text()
    page.click("label.chip:has(input[value='0'])")
    page.fill("#id_findings", "隐患尚未整改完毕")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "watch-resume-390")
    Enterprise.objects.filter(pk=world.e1.pk).update(operating_state=OperatingState.DEREGISTERED)
    page.goto(f"{live_server.url}/oversight/enterprises/{world.e1.pk}/watch/")
    page.click(f"label.chip:has(input[value='{head.pk}'])")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "watch-start-390")
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/oversight/watches/\d+/$"))
    assert "已开始盯守" in page.locator("main").inner_text()
    phone.close()
