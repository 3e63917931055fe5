"""Dates at the edges of the calendar (issue 12, point 6): 9999-12-31, 0001-01-01 and friends are a 400 naming the
field on the API and a clear message (and a sensible period) on the pages, never an OverflowError."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from duty_roster.models import DutyPlan, DutyShift

EDGE_DATES = ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"]
HAN = range(0x4E00, 0xA000)


def api(user, language="zh-hans") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    client.force_authenticate(user)
    return client


def browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", raise_request_exception=False)
    client.force_login(user)
    return client


def said_in_chinese(body: dict, field: str) -> bool:
    return any(ord(ch) in HAN for ch in body[field][0])


@pytest.mark.parametrize("day", EDGE_DATES)
@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/duty-failures/", {"from": "{day}"}, "from"),
        ("/api/v1/duty-failures/", {"to": "{day}"}, "to"),
        ("/api/v1/duty-failures/", {"from": "{day}", "to": "{day}"}, "from"),
        ("/api/v1/duty-plans/status/", {"start": "{day}", "end": "{day}"}, "start"),
        ("/api/v1/duty-plans/status/", {"start": "2026-10-01", "end": "{day}"}, "end"),
        ("/api/v1/rota-shifts/", {"date_after": "{day}"}, "date_after"),
        ("/api/v1/rota-shifts/", {"date_before": "{day}"}, "date_before"),
    ],
)
def test_query_dates_at_the_edges_are_400(unit, url, params, field, day):
    params = {k: v.format(day=day) for k, v in params.items()}
    response = api(unit.world.users["city"]).get(url, params)
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert said_in_chinese(response.json(), field), response.json()


def test_query_dates_in_range_still_work(unit):
    city = api(unit.world.users["city"])
    assert city.get("/api/v1/duty-failures/", {"from": "2026-09-01", "to": "2026-09-20"}).status_code == 200
    assert city.get("/api/v1/duty-plans/status/", {"start": "2026-10-01", "end": "2026-10-07"}).status_code == 200
    assert city.get("/api/v1/rota-shifts/", {"date_after": "2026-10-01"}).status_code == 200


@pytest.mark.parametrize("day", EDGE_DATES)
def test_posting_a_rota_or_plan_at_the_edges_is_400_and_saves_nothing(unit, day):
    u, p = unit, unit.p
    district = api(u.world.users["district"])
    people = {"leader": p["L1"].pk, "officers": [p["O1"].pk, p["O2"].pk], "reason": "补排"}
    cases = [
        ("/api/v1/rota-shifts/", {"post": u.post.pk, "date": day, **people}, "date"),
        (
            "/api/v1/rota-shifts/generate/",
            {"post": u.post.pk, "start": day, "end": day, "leaders": [p["L1"].pk], "officers": [p["O1"].pk]},
            "start",
        ),  # fmt: skip
        (
            "/api/v1/rota-shifts/generate/",
            {"post": u.post.pk, "start": "2026-12-01", "end": day, "leaders": [p["L1"].pk], "officers": [p["O1"].pk]},
            "end",
        ),  # fmt: skip
        ("/api/v1/duty-plans/", {"post": u.post.pk, "name": "假期", "start": day, "end": day}, "start"),
        ("/api/v1/duty-plans/", {"post": u.post.pk, "name": "假期", "start": "2026-12-01", "end": day}, "end"),
    ]
    for url, body, field in cases:
        response = district.post(url, body, format="json")
        assert response.status_code == 400, (url, body, response.status_code, response.content[:300])
        assert said_in_chinese(response.json(), field), (url, response.json())
    assert not DutyShift.objects.exists() and not DutyPlan.objects.exists()


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1999-12", "2101-01", "2026-13", "²-1", "abc"])
def test_the_month_rota_page_at_the_edges(unit, month):
    """GIVEN a month at or past the calendar's edge WHEN the rota page is asked for it THEN it shows this month
    and says why, with links to months that exist."""
    response = browser(unit.world.users["district"]).get(f"/duty/rota/{unit.post.pk}/", {"month": month})
    assert response.status_code == 200, (response.status_code, response.content[:300])
    html = response.content.decode()
    assert "2026年9月" in html or "2026-09" in html, html[:3000]
    assert "月份无效" in html, html[:3000]


@pytest.mark.parametrize("month", ["2000-01", "2100-12"])
def test_the_month_rota_page_at_the_last_good_months(unit, month):
    response = browser(unit.world.users["district"]).get(f"/duty/rota/{unit.post.pk}/", {"month": month})
    assert response.status_code == 200, (response.status_code, response.content[:300])
    assert "月份无效" not in response.content.decode()


@pytest.mark.parametrize("day", EDGE_DATES)
def test_the_failures_page_at_the_edges(unit, day):
    response = browser(unit.world.users["city"]).get("/duty/failures/", {"from": day, "to": day})
    assert response.status_code == 200, (response.status_code, response.content[:300])
    assert "2000" in response.content.decode()  # the message says which dates may be chosen


@pytest.mark.parametrize("day", EDGE_DATES)
def test_the_plans_page_at_the_edges(unit, day):
    response = browser(unit.world.users["city"]).get("/duty/plans/", {"start": day, "end": day})
    assert response.status_code == 200, (response.status_code, response.content[:300])


@pytest.mark.parametrize("day", EDGE_DATES)
def test_submitting_a_plan_on_the_page_at_the_edges(unit, day):
    form = {"post": unit.post.pk, "start": day, "end": day, "name": "假期"}
    response = browser(unit.world.users["district"]).post("/duty/plans/", form)
    assert response.status_code in (302, 400, 404), (response.status_code, response.content[:300])
    assert not DutyPlan.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_editing_a_day_at_the_edges_on_the_page_is_404(unit, day):
    assert browser(unit.world.users["district"]).get(f"/duty/rota/{unit.post.pk}/{day}/").status_code == 404
