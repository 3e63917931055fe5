"""Bad input from any logged-in user is a 4xx with a message in the user's language, never a server error (issue 12).

Every request here is sent with the test client's exceptions turned off, so a 500 shows as a status, not a trace.
"""

from __future__ import annotations

import base64

import pytest
from django.test import Client
from rest_framework.test import APIClient

from hazards.models import Hazard
from inspections.models import Inspection

from .hazards.conftest import advance, hz  # noqa: F401

HAN = range(0x4E00, 0xA000)


def chinese(text: str) -> bool:
    return any(ord(ch) in HAN for ch in text)


def api(user, language: str = "zh-hans") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    client.force_authenticate(user)
    return client


def page(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", raise_request_exception=False)
    client.force_login(user)
    return client


# 1. A non-numeric (or absurd) id in a detail or action URL is a 404 by routing, for every role.

ACTION_URLS = [
    "/api/v1/hazards/{id}/accept/",
    "/api/v1/hazards/{id}/confirm/",
    "/api/v1/hazards/{id}/submit_plan/",
    "/api/v1/hazards/{id}/extend_deadline/",
    "/api/v1/notifications/{id}/acknowledge/",
    "/api/v1/notifications/{id}/read/",
    "/api/v1/duty-shifts/{id}/hand_over/",
    "/api/v1/duty-shifts/{id}/take_over/",
    "/api/v1/duty-shifts/{id}/check_in/",
    "/api/v1/inspections/{id}/close/",
    "/api/v1/inspections/{id}/submit/",
    "/api/v1/inspections/{id}/answers/",
    "/api/v1/incidents/{id}/supplement/",
    "/api/v1/rota-shifts/{id}/edit/",
    "/api/v1/shift-changes/{id}/decide/",
]
DETAIL_URLS = [
    "/api/v1/hazards/{id}/",
    "/api/v1/enterprises/{id}/",
    "/api/v1/inspections/{id}/",
    "/api/v1/campaigns/{id}/coverage/",
    "/api/v1/checklists/{id}/export/",
    "/api/v1/roll-calls/{id}/report/",
    "/api/v1/escalation-chains/{id}/",
]
BAD_IDS = ["abc", "1.5", "-1", "²", "١", "1%00", "99999999999999999999", "9" * 5000]


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize("url", ACTION_URLS)
def test_a_bad_id_in_an_action_url_is_404(hz, url, bad_id):  # noqa: F811
    for role in ("city", "enterprise", "outsider"):
        response = api(hz.users[role]).post(url.format(id=bad_id), {}, format="json")
        assert response.status_code == 404, (role, response.status_code, response.content[:200])


@pytest.mark.parametrize("bad_id", BAD_IDS)
@pytest.mark.parametrize("url", DETAIL_URLS)
def test_a_bad_id_in_a_detail_url_is_404(hz, url, bad_id):  # noqa: F811
    response = api(hz.users["city"]).get(url.format(id=bad_id))
    assert response.status_code == 404, (response.status_code, response.content[:200])


def test_the_404_is_said_in_chinese(hz):  # noqa: F811
    response = api(hz.users["city"]).post("/api/v1/hazards/abc/accept/", {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert chinese(response.json()["detail"]), response.json()


# 2. Extending or reopening without a deadline: 400 naming the field, after the role and scope checks.


@pytest.mark.parametrize(("action", "state"), [("extend_deadline", "rectifying"), ("reopen", "closed")])
def test_extend_or_reopen_without_a_deadline(hz, action, state):  # noqa: F811
    """GIVEN a hazard in the state the action needs WHEN each role posts only a reason THEN who may not act is told
    so first (404 out of scope, 403 wrong role), who may is told the deadline is missing; nothing changes."""
    hazard = advance(hz, state)
    hazard.refresh_from_db()
    deadline = hazard.deadline
    url = f"/api/v1/hazards/{hazard.id}/{action}/"
    expected = {"outsider": 404, "dept_head": 404, "enterprise": 403, "city": 400}
    for role, status in expected.items():
        response = api(hz.users[role]).post(url, {"reason": "r"}, format="json")
        assert response.status_code == status, (role, response.json())
    body = api(hz.users["city"]).post(url, {"reason": "r"}, format="json").json()
    assert list(body) == ["deadline"] and chinese(body["deadline"][0]), body
    english = api(hz.users["city"], "en").post(url, {"reason": "r"}, format="json").json()
    assert "deadline" in english["deadline"][0].lower(), english
    hazard.refresh_from_db()
    assert (hazard.status, hazard.deadline) == (state, deadline)


def test_extend_with_working_days_still_works(hz):  # noqa: F811
    hazard = advance(hz, "rectifying")
    response = api(hz.users["city"]).post(
        f"/api/v1/hazards/{hazard.id}/extend_deadline/", {"reason": "r", "deadline_working_days": 30}, format="json"
    )
    assert response.status_code == 200, response.json()


# 3. Bodies that are not objects, and bodies nested too deep to parse.

OBJECT_ENDPOINTS = [
    "/api/v1/inspections/",
    "/api/v1/hazards/",
    "/api/v1/incidents/",
    "/api/v1/campaigns/",
    "/api/v1/enterprises/",
    "/api/v1/checklists/import/",
    "/api/v1/rota-shifts/generate/",
]


@pytest.mark.parametrize("body", ["[null]", "[]", "[{}]", "null", "1", '"text"', "true"])
@pytest.mark.parametrize("url", OBJECT_ENDPOINTS)
def test_a_body_that_is_not_an_object_is_400(hz, url, body):  # noqa: F811
    before = Inspection.objects.count(), Hazard.objects.count()
    response = api(hz.users["city"]).post(url, body, content_type="application/json")
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert chinese(response.json()["non_field_errors"][0]), response.json()
    assert (Inspection.objects.count(), Hazard.objects.count()) == before


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_a_body_nested_100000_deep_is_400(hz, opener):  # noqa: F811
    body = opener * 100_000
    for url in ("/api/v1/inspections/", "/api/v1/hazards/", "/api/v1/enterprises/"):
        response = api(hz.users["city"]).post(url, body, content_type="application/json")
        assert response.status_code == 400, (url, response.status_code, response.content[:300])
        assert chinese(response.json()["detail"]), response.json()


def test_a_body_nested_a_little_is_still_an_ordinary_field_error(hz):  # noqa: F811
    response = api(hz.users["city"]).post("/api/v1/hazards/", {"title": [[["x"]]]}, format="json")
    assert response.status_code == 400 and "title" in response.json()


# 4. A tampered cursor: 400 naming the cursor on the API, the first page with a message on the pages.


def cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


BAD_CURSORS = [cursor("p=abc"), cursor("p=99999999999999999999"), cursor("p=1&r=x"), cursor("o=-1"), "%%%", "cD1"]
LISTS = [
    "/api/v1/hazards/",
    "/api/v1/enterprises/",
    "/api/v1/regions/",
    "/api/v1/notifications/",
    "/api/v1/inspections/",
    "/api/v1/incidents/",
    "/api/v1/campaigns/",
]


@pytest.mark.parametrize("bad", BAD_CURSORS)
@pytest.mark.parametrize("url", LISTS)
def test_a_tampered_cursor_is_400_on_the_api(hz, url, bad):  # noqa: F811
    advance(hz, "reported")
    response = api(hz.users["city"]).get(url, {"cursor": bad})
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert list(response.json()) == ["cursor"] and chinese(response.json()["cursor"][0]), response.json()


def test_a_real_cursor_still_pages(hz):  # noqa: F811
    for _ in range(3):
        advance(hz, "reported")
    first = api(hz.users["city"]).get("/api/v1/hazards/", {"page_size": 2}).json()
    second = api(hz.users["city"]).get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1


@pytest.mark.parametrize("bad", BAD_CURSORS)
@pytest.mark.parametrize("url", ["/hazards/", "/enterprises/", "/notifications/", "/duty/incidents/"])
def test_a_tampered_cursor_shows_the_first_page_with_a_message(hz, url, bad):  # noqa: F811
    advance(hz, "reported")
    response = page(hz.users["city"]).get(url, {"cursor": bad})
    assert response.status_code == 200, (response.status_code, response.content[:300])
    text = response.content.decode()
    assert "翻页链接无效" in text, text[:2000]


@pytest.mark.parametrize("url", ["/hazards/", "/enterprises/", "/notifications/"])
def test_a_tampered_cursor_and_page_size_together_show_the_first_page(hz, url):  # noqa: F811
    """The size is read before the cursor: both bad values are dropped and both are named (was a 500)."""
    advance(hz, "reported")
    response = page(hz.users["city"]).get(url, {"cursor": "cD1hYmM=", "page_size": "null"})
    assert response.status_code == 200, (response.status_code, response.content[:300])
    text = response.content.decode()
    assert "翻页链接无效" in text and "每页" in text, text[:2000]


# 5. and 10. Query values: out of range, not a number, Unicode digits, empty: 400 naming the parameter.


@pytest.mark.parametrize("value", ["999999", "1e10", "-1e10", "-1", "1.5", "²", "abc", "1e999999999", "NaN"])
def test_overdue_days_min_out_of_range_is_400(hz, value):  # noqa: F811
    response = api(hz.users["city"]).get("/api/v1/hazards/", {"overdue_days_min": value})
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert list(response.json()) == ["overdue_days_min"] and chinese(response.json()["overdue_days_min"][0])
    assert page(hz.users["city"]).get("/hazards/", {"overdue_days_min": value}).status_code == 400


@pytest.mark.parametrize("value", ["0", "3", "3650"])
def test_overdue_days_min_in_range_filters(hz, value):  # noqa: F811
    response = api(hz.users["city"]).get("/api/v1/hazards/", {"overdue_days_min": value})
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize(
    ("url", "param", "value"),
    [
        ("/api/v1/hazards/", "enterprise", "1e999999999"),
        ("/api/v1/hazards/", "enterprise", "99999999999999999999"),
        ("/api/v1/hazards/", "enterprise", "²"),
        ("/api/v1/hazards/", "region", "abc"),
        ("/api/v1/hazards/", "created_after", "9999-99-99"),
        ("/api/v1/hazards/", "status", "nonsense"),
        ("/api/v1/hazards/", "created_after", "9999-12-31"),
        ("/api/v1/hazards/", "closed_before", "0001-01-01"),
        ("/api/v1/inspections/", "date_after", "9999-12-31"),
        ("/api/v1/inspections/", "enterprise", "1e10"),
        ("/api/v1/inspections/", "mine", "maybe"),
        ("/api/v1/inspections/", "mine", "²"),
        ("/api/v1/departments/", "is_default_supervisor", "maybe"),
        ("/api/v1/hazard-categories/", "active", "maybe"),
        ("/api/v1/checklist-versions/", "template", "1e10"),
        ("/api/v1/checklist-versions/", "template", "-1"),
        ("/api/v1/rota-shifts/", "post", "1e999999999"),
        ("/api/v1/rota-shifts/", "date_after", "0000-01-01"),
        ("/api/v1/duty-plans/periods/", "year", "²"),
        ("/api/v1/duty-plans/periods/", "year", "0"),
        ("/api/v1/duty-plans/periods/", "year", "99999"),
        ("/api/v1/duty-plans/periods/", "year", "abc"),
    ],
)
def test_an_invalid_query_value_is_400_naming_it(hz, url, param, value):  # noqa: F811
    response = api(hz.users["city"]).get(url, {param: value})
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert param in response.json(), response.json()
    assert chinese(response.json()[param][0]), response.json()


@pytest.mark.parametrize(
    ("url", "param", "value"),
    [("/api/v1/inspections/", "mine", "true"), ("/api/v1/inspections/", "mine", "false"),
     ("/api/v1/inspections/", "mine", ""), ("/api/v1/departments/", "is_default_supervisor", "1"),
     ("/api/v1/hazards/", "created_after", "2026-01-01"), ("/api/v1/hazards/", "enterprise", "12"),
     ("/api/v1/hazard-categories/", "active", "true"), ("/api/v1/checklist-versions/", "template", "1")],
)  # fmt: skip
def test_a_valid_query_value_is_taken(hz, url, param, value):  # noqa: F811
    response = api(hz.users["city"]).get(url, {param: value})
    assert response.status_code == 200, response.json()


def test_periods_of_a_good_year(hz):  # noqa: F811
    response = api(hz.users["city"]).get("/api/v1/duty-plans/periods/", {"year": "2026"})
    assert response.status_code == 200 and response.json(), response.content


@pytest.mark.parametrize("value", ["null", "0", "-5", "abc", "1.5", "²", "201", "99999999999999999999"])
@pytest.mark.parametrize("url", LISTS)
def test_an_invalid_page_size_is_400(hz, url, value):  # noqa: F811
    response = api(hz.users["city"]).get(url, {"page_size": value})
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert list(response.json()) == ["page_size"] and chinese(response.json()["page_size"][0]), response.json()


@pytest.mark.parametrize("value", ["", "1", "50", "200"])
def test_a_page_size_in_range_pages(hz, value):  # noqa: F811
    assert api(hz.users["city"]).get("/api/v1/hazards/", {"page_size": value}).status_code == 200


def test_a_bad_page_size_on_a_page_shows_the_default_with_a_message(hz):  # noqa: F811
    response = page(hz.users["city"]).get("/hazards/", {"page_size": "null"})
    assert response.status_code == 200
    assert "每页条数" in response.content.decode()
