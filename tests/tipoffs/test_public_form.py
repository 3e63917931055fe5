"""The public tip-off form without login (tipoffs/public_views.py): the CAPTCHA, the errors next to their fields,
photos, anonymity, the idempotent retry, the receipt and the progress page."""

from __future__ import annotations

import re

import pytest
from captcha.models import CaptchaStore

from tipoffs import handling
from tipoffs.models import Informant, Report, ReportEvent, ReportPhoto

from .factories import PHONE
from .public_helpers import FORM, PROGRESS, fields, hidden, png, post_report, receipt_of

pytestmark = pytest.mark.django_db


def test_the_form_opens_without_login_in_chinese_with_districts_and_streets_and_a_fresh_captcha(client, world):
    response = client.get(FORM)
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    assert "举报" in html and 'class="mainnav"' not in html
    assert re.search(rf'<optgroup label="{world.d1.name}">\s*<option value="{world.d1.pk}"', html)
    assert f'<option value="{world.t1.pk}">{world.t1.name}</option>' in html
    assert CaptchaStore.objects.filter(hashkey=hidden(html, "captcha_0")).exists()
    assert 'src="/static/js/tipoff_form.js"' in html and "<script>" not in html and "style=" not in html


def test_a_wrong_captcha_refuses_writes_nothing_and_names_every_other_error_keeping_what_was_typed(client, world):
    html = client.get(FORM).content.decode()
    data = fields(world, html, captcha_1="zzzz", address="", phone="abc")
    response = client.post(FORM, {**data, "photos": [png()]})
    page = response.content.decode()
    assert response.status_code == 400
    assert not Report.objects.exists() and not Informant.objects.exists() and not ReportPhoto.objects.exists()
    assert "与图片中的字符不符" in page  # the CAPTCHA's own message, in Chinese, next to it
    assert "请填写具体地点" in page and "不是有效的电话号码" in page  # the intake's, at once
    assert "仓库里堆放了大量易燃物品" in page and 'value="李四"' in page  # what was typed is kept
    assert "请重新选择照片" in page
    assert not CaptchaStore.objects.filter(hashkey=data["captcha_0"]).exists()  # a picture answers once
    assert hidden(page, "captcha_0") != data["captcha_0"]
    assert hidden(page, "idempotency_key") == data["idempotency_key"]


def test_a_report_with_photos_is_filed_and_its_receipt_shown_once_never_cached(client, world):
    page = client.get(FORM).content.decode()
    response = client.post(FORM, {**fields(world, page), "photos": [png(), png(name="b.png")]})
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    code, secret = receipt_of(html)
    report = Report.objects.get()
    assert report.code == code and report.photos.count() == 2 and report.channel == "web"
    assert Informant.objects.get(report=report).phone == PHONE  # normalised from "139 0000 1234"
    assert "请妥善保存，凭受理编号和查询密码查询办理进度" in html and "12350" in html
    assert len(secret) == 27 and secret not in Informant.objects.get(report=report).secret_hash


def test_an_anonymous_report_keeps_no_name_and_needs_none(client, world):
    response = post_report(client, world, is_anonymous="1", name="", phone="", contact_address="某小区")
    assert response.status_code == 200, response.content.decode()[:2000]
    informant = Informant.objects.get()
    assert (informant.name, informant.phone, informant.contact_address) == ("", "", "")
    assert Report.objects.get().is_anonymous


def test_the_intakes_errors_stand_next_to_their_fields_in_chinese(client, world, settings):
    settings.TIPOFF_MAX_PHOTOS = 1
    page = client.get(FORM).content.decode()
    response = client.post(FORM, {**fields(world, page, name=""), "photos": [png(), png()]})
    html = response.content.decode()
    assert response.status_code == 400 and not Report.objects.exists()
    assert re.search(r'id="id_name"[^>]*>\s*<p class="error" role="alert">[^<]*匿名', html)
    assert "最多 1 张照片" in html or "最多1张照片" in html


def test_a_second_sending_of_the_same_form_files_once_and_shows_the_receipt_again(client, world):
    page = client.get(FORM).content.decode()
    data = fields(world, page)
    first = client.post(FORM, data)
    again = client.post(FORM, data)  # the same key; its CAPTCHA already used
    assert first.status_code == again.status_code == 200
    assert Report.objects.count() == 1
    code, secret = receipt_of(again.content.decode())
    assert code == receipt_of(first.content.decode())[0] and "只提交了一次" in again.content.decode()
    assert client.post(PROGRESS, {"code": code, "secret": secret}).context["report"].code == code


def test_progress_shows_the_state_and_the_answers_for_the_informant_only(client, world):
    code, secret = receipt_of(post_report(client, world).content.decode())
    report = Report.objects.get(code=code)
    handling.accept(world.users["county_dept"], report, note="内部：先查仓库")
    ReportEvent.objects.create(report=report, action="remind", note="内部备注，不给举报人看")
    response = client.post(PROGRESS, {"code": code.lower(), "secret": secret.replace("-", " ")})
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "已受理，核查中" in html
    assert all(e.public_text in html for e in ReportEvent.objects.filter(report=report).exclude(public_text=""))
    assert "内部" not in html and "李四" not in html and PHONE not in html


def test_a_wrong_code_or_secret_gets_one_message_that_does_not_say_which(client, world):
    code, secret = receipt_of(post_report(client, world).content.decode())
    wrong_secret = client.post(PROGRESS, {"code": code, "secret": "AAAAAA-AAAAAA-AAAAAA-AAAAAA"}).content.decode()
    wrong_code = client.post(PROGRESS, {"code": "JB-1999-000001", "secret": secret}).content.decode()
    message = "受理编号或查询密码不正确"
    assert message in wrong_secret and message in wrong_code
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|value="[^"]*"')
    assert strip.sub("", wrong_secret) == strip.sub("", wrong_code)
    assert "report-state" not in wrong_secret


def test_the_captcha_refresh_gives_a_new_picture(client, world):
    html = client.get(FORM).content.decode()
    assert 'data-captcha-refresh="/captcha/refresh/"' in html
    fresh = client.get("/captcha/refresh/", headers={"x-requested-with": "XMLHttpRequest"}).json()
    assert fresh["key"] != hidden(html, "captcha_0") and CaptchaStore.objects.filter(hashkey=fresh["key"]).exists()
    assert client.get(fresh["image_url"]).status_code == 200


def test_the_login_page_links_to_the_form(client, db):
    assert 'href="/public/tipoffs/"' in client.get("/accounts/login/").content.decode()
