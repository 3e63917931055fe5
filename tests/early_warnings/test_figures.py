"""Call-and-answer figures over a period (early_warnings/figures.py, its page and its API)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from early_warnings import figures
from workdays.calendar import SHANGHAI

from .factories_board import answer, many, post, recipient, warning

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NOON = datetime.combine(TODAY - timedelta(days=3), time(12), tzinfo=SHANGHAI)


@pytest.fixture
def period(world):
    """A red warning three days ago to four posts (answered after 2, 4 and 10 minutes, one silent), an orange one
    to two posts (one answered after 20 of its 15 minutes, one exactly at its limit), and a red one
    40 days ago, outside the default period."""
    officer = world.users["district"]
    red = warning("暴雨红色预警", "red", [world.city], issued_at=NOON)
    for region, minutes in ((world.d1, 2), (world.t1, 4), (world.d2, 10), (world.t2, None)):
        r = recipient(red, post(region))
        if minutes is not None:
            answer(r, officer, NOON + timedelta(minutes=minutes))
    orange = warning("大风橙色预警", "orange", [world.d2], issued_at=NOON + timedelta(hours=1), kind="gale")
    late = recipient(orange, post(world.d2, "新城区应急局值班室"))
    answer(late, officer, late.sent_at + timedelta(minutes=20))
    at_limit = recipient(orange, post(world.t2, "新城街道应急值班室"))
    answer(at_limit, officer, at_limit.answer_due_at)
    old = warning("旧预警", "red", [world.city], issued_at=NOON - timedelta(days=40))
    recipient(old, post(world.d1, "旧岗位"))
    return red, orange, old


def test_the_period_counts_posts_in_time_the_median_and_the_silent(world, period):
    f = figures.build(world.users["city"], TODAY - timedelta(days=30), TODAY)
    t = f.total
    assert (t["posts"], t["answered"], t["in_time"], t["silent"]) == (6, 5, 4, 1)
    assert t["in_time_pct"] == pytest.approx(66.7)
    assert t["median_minutes"] == 10.0  # 2, 4, 10, 15, 20
    red, orange, _ = period
    by_warning = {r["warning"]: r for r in f.warnings}
    assert set(by_warning) == {red.pk, orange.pk}
    assert by_warning[red.pk]["median_minutes"] == 4.0 and by_warning[red.pk]["in_time_pct"] == 75.0
    assert by_warning[orange.pk]["median_minutes"] == 17.5  # 15 and 20: the continuous median
    assert (by_warning[orange.pk]["in_time"], by_warning[orange.pk]["silent"]) == (1, 0)
    assert [r["warning"] for r in f.warnings] == [orange.pk, red.pk]  # newest first


def test_by_level_and_by_region(world, period):
    f = figures.build(world.users["city"], TODAY - timedelta(days=30), TODAY)
    assert [(r["level"], r["posts"], r["in_time"]) for r in f.levels] == [("red", 4, 3), ("orange", 2, 1)]
    regions = {r["name"]: (r["posts"], r["in_time"], r["silent"], r["median_minutes"]) for r in f.regions}
    assert regions == {"海滨区": (2, 2, 0, 3.0), "新城区": (4, 2, 1, 15.0)}


def test_the_period_is_chosen_by_issue_date(world, period):
    _, _, old = period
    f = figures.build(world.users["city"], TODAY - timedelta(days=60), TODAY - timedelta(days=31))
    assert [r["warning"] for r in f.warnings] == [old.pk]
    assert f.total["silent"] == 1 and f.total["median_minutes"] is None and f.total["in_time_pct"] == 0


def test_an_empty_period_has_no_figures(world):
    f = figures.build(world.users["city"], TODAY, TODAY)
    assert f.total["posts"] == 0 and f.total["in_time_pct"] is None and f.warnings == []


def test_a_district_counts_only_its_subtree(world, period):
    f = figures.build(world.users["district"], TODAY - timedelta(days=30), TODAY)
    assert (f.total["posts"], f.total["in_time"], f.total["median_minutes"]) == (2, 2, 3.0)
    assert [r["name"] for r in f.regions] == ["海滨区"]


def test_the_figures_read_as_many_queries_for_many_posts(world, django_assert_max_num_queries):
    user = world.users["city"]
    w = warning(areas=[world.city], issued_at=NOON)
    many(w, [world.d1, world.d2], 10)
    with CaptureQueriesContext(connection) as few:
        figures.build(user, TODAY - timedelta(days=30), TODAY)
    many(warning(areas=[world.city], issued_at=NOON), [world.d1, world.t2], 300)
    with django_assert_max_num_queries(len(few.captured_queries)):
        f = figures.build(user, TODAY - timedelta(days=30), TODAY)
    assert f.total["posts"] == 310 and len(few.captured_queries) <= 5


def api(user, language: str = "zh-hans") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def test_the_api_answers_the_period_and_its_figures(world, period):
    start, end = (TODAY - timedelta(days=30)).isoformat(), TODAY.isoformat()
    response = api(world.users["city"]).get(f"/api/v1/warnings/figures/?start={start}&end={end}")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"start", "end", "total", "warnings", "levels", "regions"}
    assert data["start"] == start and data["total"]["posts"] == 6
    assert data["levels"][0]["level_label"] == "红色"
    default = api(world.users["city"]).get("/api/v1/warnings/figures/").json()
    assert default["end"] == TODAY.isoformat() and default["total"] == data["total"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2026-13-01", "start"),
        ("start=yesterday", "start"),
        ("end=1999-12-31", "end"),
        ("start=2026-02-01&end=2026-01-01", "end"),
        ("start=2024-01-01&end=2025-06-01", "end"),
        ("start=２０２６-01-01", "start"),
    ],
)
def test_bad_dates_are_a_400_naming_the_parameter_in_the_users_language(world, query, field):
    zh = api(world.users["city"]).get(f"/api/v1/warnings/figures/?{query}")
    assert zh.status_code == 400 and list(zh.json()) == [field]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.json()[field][0])
    en = api(world.users["city"], "en").get(f"/api/v1/warnings/figures/?{query}")
    assert en.status_code == 400 and not any("\u4e00" <= ch <= "\u9fff" for ch in en.json()[field][0])


@pytest.mark.parametrize("who", ["enterprise", "outsider"])
def test_the_figures_are_refused_to_an_enterprise_and_to_no_unit(world, client, who):
    assert api(world.users[who]).get("/api/v1/warnings/figures/").status_code == 403
    client.force_login(world.users[who])
    assert client.get("/warnings/figures/").status_code == 403


def test_the_page_shows_the_figures_and_falls_back_on_bad_dates(world, period, client):
    client.force_login(world.users["city"])
    html = client.get("/warnings/figures/").content.decode()
    assert "暴雨红色预警" in html and "66.7%" in html and "大风橙色预警" in html
    response = client.get("/warnings/figures/?start=2026-99-01")
    assert response.status_code == 200
    html = response.content.decode()
    assert "日期格式为YYYY-MM-DD" in html and "暴雨红色预警" in html
