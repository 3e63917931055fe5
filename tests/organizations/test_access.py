"""Login, lock-out, tokens, languages, the admin, home pages and the offline API docs."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

ROLES = ["city", "district", "dept_head", "county_dept", "inspector", "enterprise", "outsider"]
PASSWORD = "Correct-Horse-42"


def login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7")


def test_login_and_logout(client, world):
    assert login(client, "district").status_code == 302
    assert "海滨区" in client.get(reverse("home")).content.decode()
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_a_clear_chinese_error(client, world):
    response = login(client, "district", "wrong")
    assert response.status_code == 200
    assert "密码" in response.content.decode()


def test_repeated_failures_lock_the_account_out_with_a_message(client, world):
    """GIVEN five wrong passwords WHEN the right one comes THEN it is refused with a lock-out message."""
    for _ in range(5):
        login(client, "district", "wrong")
    response = login(client, "district")
    assert response.status_code == 429
    assert "锁定" in response.content.decode() and "15" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302  # not logged in
    # Another user from the same address is not punished for it.
    assert login(client, "city").status_code == 302


def test_token_endpoint(world):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "city", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    authed = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert authed.get("/api/v1/enterprises/").status_code == 200
    assert APIClient(HTTP_AUTHORIZATION="Token nonsense").get("/api/v1/enterprises/").status_code == 401


def test_token_endpoint_bad_input_and_lockout(world):
    client = APIClient()
    assert client.post("/api/v1/auth/token/", {"username": ["x"]}, format="json").status_code == 400
    for _ in range(4):
        bad = client.post("/api/v1/auth/token/", {"username": "city", "password": "no"}, format="json")
        assert bad.status_code == 400
        assert "密码" in bad.json()["non_field_errors"][0]
    fifth = client.post("/api/v1/auth/token/", {"username": "city", "password": "no"}, format="json")
    assert fifth.status_code == 429 and "锁定" in fifth.json()["detail"]
    locked = client.post("/api/v1/auth/token/", {"username": "city", "password": PASSWORD}, format="json")
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"


def test_home_in_both_languages(client, world):
    client.force_login(world.users["district"])
    chinese = client.get(reverse("home")).content.decode()
    assert 'lang="zh-hans"' in chinese and "我的辖区" in chinese and "退出" in chinese
    english = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in english and "My territory" in english and "Log out" in english
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log out" in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_home_page_per_role(client, world, role):
    client.force_login(world.users[role])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    text = response.content.decode()
    user = world.users[role]
    if user.unit:
        assert str(user.unit) in text
    else:
        assert "尚未关联单位" in text


@pytest.mark.parametrize(("role", "allowed"), [("city", True), ("district", False), ("dept_head", False)])
def test_admin_is_for_city_office_staff_only(client, world, role, allowed):
    user = world.users[role]
    user.is_staff = True
    user.is_superuser = False
    user.save()
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert (response.status_code == 200) == allowed


def test_security_headers(client, world):
    client.force_login(world.users["city"])
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "http" not in policy
    assert response["X-Frame-Options"] == "DENY"


def test_schema_and_docs_are_served_offline(client, world):
    client.force_login(world.users["city"])
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/enterprises/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs


def test_healthz(client, db):
    response = client.get("/healthz")
    body = response.json()
    assert body["database"] is True
    assert response.status_code == (200 if body["broker"] else 503)
    assert "last_escalation_sweep" in body
