"""Every error the API answers is in the user's language: walked through each error path (401, 403, 404, 405, 415,
400, 429 and the password validators) in zh-hans, where each message must contain Chinese, and in English, where
none may."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"\b[a-z]{3,}\b")  # "not found", "matches"; acronyms such as JSON and CSRF may stay


ECHOED = re.compile(r"“[^”]*”|\b(bogus|str|yesterday)\b")  # what the requests sent, quoted back to the user


def chinese(message: str) -> bool:
    return bool(CJK.search(message)) and not ENGLISH_WORD.search(ECHOED.sub("", message))


def messages(body) -> list[str]:
    """Every human message in an error body: `detail`, and each field's list (nested or not); `code` is not one."""
    if isinstance(body, str):
        return [body]
    if isinstance(body, list):
        return [m for item in body for m in messages(item)]
    if isinstance(body, dict):
        return [m for key, value in body.items() if key != "code" for m in messages(value)]
    return []


def client(language: str, user=None, token: bool = False, csrf: bool = False) -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE=language, enforce_csrf_checks=csrf)
    if user is not None and token:
        api.credentials(HTTP_AUTHORIZATION="Token " + Token.objects.get_or_create(user=user)[0].key)
    elif user is not None:
        api.force_login(user)
    return api


def error_responses(world, language: str) -> dict[str, tuple[int, object]]:
    """(status, body) of each error path, by name."""
    city, enterprise = world.users["city"], world.users["enterprise"]
    anonymous = client(language)
    by_token = client(language, enterprise, token=True)
    city_api = client(language, city, token=True)
    found = {
        "401 no credentials": anonymous.get("/api/v1/hazards/"),
        "401 bad token": client(language).get("/api/v1/hazards/", HTTP_AUTHORIZATION="Token not-a-token"),
        "403 role": by_token.post("/api/v1/checklists/import/", {}, format="json"),
        "403 workflow": by_token.post("/api/v1/inspections/", {"kind": "ad_hoc"}, format="json"),
        "403 csrf": client(language, enterprise, csrf=True).post("/api/v1/hazards/", {}, format="json"),
        "404 hazard": by_token.get("/api/v1/hazards/999999/"),
        "404 enterprise": by_token.get(f"/api/v1/enterprises/{world.e2.pk}/"),
        "404 action": by_token.post("/api/v1/hazards/999999/accept/", {}, format="json"),
        "404 acknowledge": by_token.post("/api/v1/notifications/999999/acknowledge/"),
        "404 no such path": by_token.get("/api/v1/no-such-thing/"),
        "405": by_token.delete("/api/v1/hazards/"),
        "415": by_token.post("/api/v1/hazards/", data="x", content_type="text/plain"),
        "400 not json": by_token.post("/api/v1/hazards/", data="{", content_type="application/json"),
        "400 fields": city_api.post("/api/v1/enterprises/", {"region": "abc", "industry": 999999}, format="json"),
        "400 filter": by_token.get("/api/v1/hazards/?status=bogus&created_after=yesterday"),
        "400 token": anonymous.post("/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json"),
    }
    cache.clear()  # the token endpoint's throttle counts in the cache
    for _attempt in range(30):
        throttled = anonymous.post("/api/v1/auth/token/", {}, format="json")
        if throttled.status_code == 429:
            break
    found["429"] = throttled
    cache.clear()
    return {name: (r.status_code, r.json()) for name, r in found.items()}


def password_messages(world, language: str) -> list[str]:
    user = world.users["city"]
    found = []
    with translation.override(language):
        for password in ("1234", "city", "password", "98765432109876"):
            try:
                validate_password(password, user)
            except ValidationError as exc:
                found.extend(exc.messages)
    return found


EXPECTED = {"401 no credentials": 401, "401 bad token": 401, "403 role": 403, "403 workflow": 403, "403 csrf": 403,
            "404 hazard": 404, "404 enterprise": 404, "404 action": 404, "404 acknowledge": 404,
            "404 no such path": 404, "405": 405, "415": 415, "400 not json": 400, "400 fields": 400,
            "400 filter": 400, "400 token": 400, "429": 429}  # fmt: skip


def test_every_error_is_in_chinese_by_default(world):
    answers = error_responses(world, "zh-hans")
    assert {name: status for name, (status, _body) in answers.items()} == EXPECTED
    english = {name: m for name, (_s, body) in answers.items() for m in messages(body) if not chinese(m)}
    assert english == {}
    assert all(messages(body) for _s, body in answers.values())
    passwords = password_messages(world, "zh-hans")
    assert len(passwords) >= 4
    assert [m for m in passwords if not chinese(m)] == []


def test_every_error_is_in_english_when_asked(world):
    answers = error_responses(world, "en")
    assert {name: status for name, (status, _body) in answers.items()} == EXPECTED
    chinese = {name: m for name, (_s, body) in answers.items() for m in messages(body) if CJK.search(m)}
    assert chinese == {}
    assert answers["404 hazard"][1] == {"detail": "Hazard not found.", "code": "not_found"}
    passwords = password_messages(world, "en")
    assert "This password is too short. It must contain at least 10 characters." in passwords


@pytest.mark.parametrize(("language", "text"), [("zh-hans", "未找到"), ("en", "Not found")])
def test_pages_say_not_found_in_the_users_language(world, language, text):
    page = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    page.force_login(world.users["enterprise"])
    response = page.get("/no-such-page/")
    assert response.status_code == 404
    assert text in response.content.decode()
