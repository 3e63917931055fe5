"""The client address comes from one place (safety_platform.lib.clientip) for the token throttle, django-axes, the
per-address login limit and the audit trail (issue #12, point 13)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent, record
from safety_platform.lib.clientip import ClientAddressMiddleware, client_ip

PASSWORD = "Correct-Horse-42"


def request_from(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    ("behind_proxy", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy: the header is the client's own word, ignored
        (1, None, "10.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the right-most entry, written by our proxy
        (1, "1.1.1.1,  2.2.2.2 ,203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.1, 203.0.113.9", "198.51.100.1"),  # two proxies: one more to the left
        (2, "203.0.113.9", "203.0.113.9"),  # fewer entries than proxies: the left-most there is
        (1, "not-an-address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_is_the_right_most_untrusted_entry(settings, behind_proxy, forwarded, expected):
    settings.BEHIND_PROXY = behind_proxy
    assert client_ip(request_from("10.0.0.1", forwarded)) == expected


def token_request(client: APIClient, remote: str, forwarded: str):
    # No password: a 400 before any login is tried, so only the throttle can answer 429.
    return client.post(
        "/api/v1/auth/token/", {"username": "x"}, format="json", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded
    )


def test_rotating_x_forwarded_for_does_not_bypass_the_token_throttle(db):
    """GIVEN no proxy configured WHEN 21 token requests come from one peer, each with another X-Forwarded-For
    THEN the 21st is throttled (TOKEN_THROTTLE_RATE is 20/min)."""
    client = APIClient()
    answers = [token_request(client, "10.1.2.3", f"198.51.100.{n}").status_code for n in range(21)]
    assert answers == [400] * 20 + [429]
    assert token_request(client, "10.1.2.4", "198.51.100.1").status_code == 400  # another peer: its own count


def test_behind_a_proxy_the_throttle_counts_the_forwarded_client(db, settings):
    settings.BEHIND_PROXY = 1
    client = APIClient()
    # The proxy is the same peer every time; what the client wrote to the left of its entry changes nothing.
    answers = [token_request(client, "10.9.9.9", f"1.2.3.{n}, 203.0.113.7").status_code for n in range(21)]
    assert answers == [400] * 20 + [429]
    assert token_request(client, "10.9.9.9", "203.0.113.8").status_code == 400  # another client behind the proxy


def test_axes_records_the_same_address(world, settings):
    settings.BEHIND_PROXY = 1
    APIClient().post(
        "/api/v1/auth/token/",
        {"username": "city", "password": "wrong"},
        format="json",
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.7"]


def login(client, username: str, remote: str, password: str = "wrong"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=remote)


def test_the_41st_login_from_one_address_is_refused_whatever_the_username(client, world):
    """GIVEN 40 failed logins from one address, each with another username WHEN the 41st comes, even with the right
    password THEN 429 with a Chinese message; another address still logs in."""
    for n in range(40):
        assert login(client, f"nobody{n}", "10.5.5.5").status_code == 200
    refused = login(client, "city", "10.5.5.5", PASSWORD)
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "地址" in text and "60" in text
    assert client.get(reverse("home")).status_code == 302  # not logged in
    assert login(client, "city", "10.5.5.6", PASSWORD).status_code == 302


def test_the_token_endpoint_answers_the_address_limit_too(world, settings):
    settings.LOGIN_ADDRESS_LIMIT = 3
    client = APIClient()
    for n in range(3):
        response = client.post(
            "/api/v1/auth/token/", {"username": f"nobody{n}", "password": "x"}, format="json", REMOTE_ADDR="10.6.6.6"
        )
        assert response.status_code == 400
    response = client.post(
        "/api/v1/auth/token/", {"username": "city", "password": PASSWORD}, format="json", REMOTE_ADDR="10.6.6.6"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out" and "地址" in response.json()["detail"]


def test_the_audit_trail_records_the_client_address(world, settings):
    settings.BEHIND_PROXY = 1

    def view(request):
        record(world.users["city"], "enterprise.update", world.users["city"])

    ClientAddressMiddleware(view)(request_from("10.0.0.1", "203.0.113.5"))
    record(world.users["city"], "enterprise.update", world.users["city"])  # outside a request: a task, say
    assert list(AuditEvent.objects.order_by("id").values_list("address", flat=True)) == ["203.0.113.5", None]
