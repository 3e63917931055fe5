"""A member of the public reports on a phone (390×844), in Chinese, without an account: picks the kind, the street,
types an enterprise name (the registry suggests it), adds a photo, goes anonymous (name and phone fold away),
solves the CAPTCHA (read from the database here), gets the receipt and follows the report with its code and
password. The screenshots are for a person to look at."""

from __future__ import annotations

import pytest
from captcha.models import CaptchaStore
from PIL import Image

from tipoffs.models import Informant, Report

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_report_with_a_photo_on_a_phone_then_its_receipt_and_progress(live_server, world, phone, tmp_path):
    photo = tmp_path / "warehouse.png"
    Image.new("RGB", (640, 480), (180, 90, 30)).save(photo)
    phone.goto(f"{live_server.url}/public/tipoffs/")
    assert phone.locator("h1").inner_text() == "安全生产举报"
    phone.click("label.chip >> text=事故隐患")
    phone.fill("#id_description", "二号仓库堆放大量油漆桶，消防通道被堵，晚上有人在里面抽烟。")
    phone.select_option("#id_region", str(world.t1.pk))
    phone.fill("#id_address", "海滨路18号二号仓库")
    with phone.expect_response("**/public/tipoffs/enterprises.json?q=*") as suggested:
        phone.fill("#id_enterprise_name", "海滨化")
    assert suggested.value.json() == {"names": [world.e1.name]}
    phone.fill("#id_enterprise_name", world.e1.name)
    phone.check("#id_is_employee")
    phone.set_input_files("#id_photos", str(photo))
    assert phone.locator("[data-locate-button]").is_visible()  # the location button, shown by the script
    phone.click("label.chip >> text=匿名举报")
    assert phone.locator("#id_name").is_hidden()
    key = phone.locator("input[name=captcha_0]").input_value()
    phone.fill("#id_captcha_1", CaptchaStore.objects.get(hashkey=key).response)
    fits(phone)
    screenshot(phone, "tipoff-public-form-phone")

    phone.get_by_role("button", name="提交举报").click()
    phone.wait_for_selector("#receipt-code")
    report = Report.objects.get()
    code, secret = phone.inner_text("#receipt-code"), phone.inner_text("#receipt-secret")
    assert code == report.code and report.photos.count() == 1 and report.is_anonymous and report.is_employee
    assert Informant.objects.get(report=report).phone == ""
    assert "请妥善保存，凭受理编号和查询密码查询办理进度" in phone.content() and "12350" in phone.content()
    fits(phone)
    screenshot(phone, "tipoff-public-receipt-phone")

    phone.get_by_role("link", name="查询办理进度").first.click()
    phone.fill("#id_code", code)
    phone.fill("#id_secret", secret)
    phone.get_by_role("button", name="查询", exact=True).click()
    phone.wait_for_selector("#report-state")
    assert phone.inner_text("#report-state") == "已收到，待受理"
    fits(phone)
    screenshot(phone, "tipoff-public-progress-phone")
