"""The error pages (issue #14, item 5): 400, 403, 404 and 500 in the base layout, in the user's language (zh-hans by
default), with a link home and a back link; JSON under /api/; the 500 page drawn without touching the database.

This module is also the URLconf of its tests: the site's, plus a page that fails."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import path, reverse

from organizations.models import User
from safety_platform.urls import handler400, handler403, handler404, handler500  # noqa: F401 (this URLconf's)
from safety_platform.urls import urlpatterns as site

from .factories import UserFactory


def boom(request):
    User.objects.count()  # fails when the database is down, as in the test below
    raise RuntimeError("boom")


urlpatterns = [path("boom/", boom), *site]
pytestmark = pytest.mark.urls("tests.test_error_pages")

WAYS = ('<a class="button" href="/">', "data-back>")
TEXTS = {
    "zh-hans": {"404": "未找到", "403": "无权访问", "400": "请求有误", "500": "服务器错误",
                "home": "返回首页", "back": "返回上一页"},
    "en": {"404": "Not found", "403": "Not allowed", "400": "Bad request", "500": "Server error",
           "home": "Back to the start page", "back": "Back to the previous page"},
}  # fmt: skip


def in_language(language: str) -> Client:
    client = Client(raise_request_exception=False)
    if language != "zh-hans":
        client.cookies["django_language"] = language
    return client


def assert_page(response, status: int, language: str) -> str:
    html = response.content.decode()
    texts = TEXTS[language]
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f'<html lang="{language}">' in html and '<header class="topbar">' in html  # the base layout
    assert f"<h1>{texts[str(status)]}</h1>" in html
    assert texts["home"] in html and texts["back"] in html and all(way in html for way in WAYS)
    return html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_not_found_in_the_users_language_with_the_way_back(db, language):
    client = in_language(language)
    client.force_login(UserFactory())
    html = assert_page(client.get("/no-such-page/", HTTP_REFERER="http://testserver/hazards/"), 404, language)
    assert 'href="http://testserver/hazards/" data-back>' in html  # back to where the user came from
    assert '<nav class="mainnav"' in html  # the signed-in user keeps the navigation
    # A referer of another site is not followed: "back" leads home.
    html = assert_page(client.get("/no-such-page/", HTTP_REFERER="https://evil.example/"), 404, language)
    assert 'href="/" data-back>' in html and "evil.example" not in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_forbidden_says_why_in_the_users_language(db, language):
    client = in_language(language)
    client.force_login(UserFactory(unit_kind="government"))  # holds no position: may not file a hazard
    html = assert_page(client.get(reverse("hazards:create")), 403, language)
    reason = {"zh-hans": "您的岗位无权执行此操作。", "en": "Your position does not allow this."}[language]
    assert reason in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_bad_request(db, language):
    assert_page(in_language(language).get("/", HTTP_HOST="not-ours.example"), 400, language)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_server_error_page_needs_no_database(db, language):
    """The database goes away: the page that failed on it still gets the 500 page, which asks nothing of it."""
    client = in_language(language)
    client.force_login(UserFactory())
    attempts = []

    def refuse(execute, sql, params, many, context):
        attempts.append(sql)
        raise OperationalError("the database is down")

    with connection.execute_wrapper(refuse):
        response = client.get("/boom/")
    assert_page(response, 500, language)
    assert len(attempts) == 1  # the failing page's own query, none from the error page


def test_api_errors_stay_json(db, client):
    client.force_login(UserFactory())
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert response.json()["detail"] == "未找到。"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_expired_form_gets_the_403_page_saying_what_to_do(db, language):
    client = in_language(language)
    client.handler.enforce_csrf_checks = True
    html = assert_page(client.post(reverse("login"), {"username": "x", "password": "y"}), 403, language)
    assert {"zh-hans": "重新加载", "en": "reload the page"}[language] in html
