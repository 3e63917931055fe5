"""The live board of a warning (early_warnings/board.py, its page and its JSON)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from early_warnings import board
from organizations.scope import Scope

from ..factories import UserFactory
from .factories_board import answer, many, next_version, notice, post, recipient, warning

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def red(world):
    """A red warning sent 30 minutes ago (limit 10 minutes) to five posts, one in each state, and one passed up."""
    w = warning(areas=[world.city], issued_at=NOW - timedelta(minutes=30))
    officer = world.users["district"]
    rows = {
        "at_limit": recipient(w, post(world.d1, "海滨区值班室")),
        "a_second_late": recipient(w, post(world.t1, "海滨街道值班室")),
        "silent": recipient(w, post(world.d2, "新城区值班室"), passed_up_at=NOW - timedelta(minutes=15)),
        "nobody": recipient(w, post(world.t2, "新城街道值班室"), nobody=True),
        "pending": recipient(w, post(world.city, "市应急局值班室"), sent_at=NOW - timedelta(minutes=2)),
    }
    for r in rows.values():
        notice(r, officer)
    answer(
        rows["at_limit"],
        officer,
        rows["at_limit"].answer_due_at,
        ["workers_withdrawn", "sites_closed"],
        "已撤离工人12名",
    )
    answer(rows["a_second_late"], officer, rows["a_second_late"].answer_due_at + timedelta(seconds=1), ["sites_closed"])
    return w, rows


def states(b: board.Board) -> dict[str, str]:
    return {row["title"]: row["state"] for row in b.rows}


def test_an_answer_at_the_limit_is_in_time_and_a_second_later_is_late(world, red):
    """GIVEN five posts, one answered exactly at its limit, one a second after, one silent past its limit, one with
    nobody holding it and one still within its limit WHEN the city office reads the board THEN each is counted
    once in its own state and the totals add up."""
    w, _ = red
    b = board.build(world.users["city"], w.pk, now=NOW)
    assert states(b) == {
        "海滨区值班室": "in_time",
        "海滨街道值班室": "late",
        "新城区值班室": "silent",
        "新城街道值班室": "nobody",
        "市应急局值班室": "pending",
    }
    t = b.totals
    assert (t["posts"], t["in_time"], t["late"], t["silent"], t["nobody"], t["pending"]) == (5, 1, 1, 1, 1, 1)
    assert (t["answered"], t["passed_up"], t["in_time_pct"]) == (2, 1, 20)


def test_a_post_is_silent_only_once_its_limit_has_passed(world):
    w = warning(areas=[world.city], issued_at=NOW - timedelta(minutes=10))
    r = recipient(w, post(world.d1))
    assert r.answer_due_at == NOW
    assert states(board.build(world.users["city"], w.pk, now=NOW)) == {r.post.title: "pending"}
    later = NOW + timedelta(seconds=1)
    assert states(board.build(world.users["city"], w.pk, now=later)) == {r.post.title: "silent"}


def test_the_silent_come_first_and_each_row_says_who_answered_what_and_when(world, red):
    w, rows = red
    b = board.build(world.users["city"], w.pk, now=NOW)
    assert [r["state"] for r in b.rows] == ["silent", "nobody", "pending", "late", "in_time"]
    silent = b.rows[0]
    assert silent["silent_since"] == rows["silent"].answer_due_at
    assert silent["passed_up_at"] == NOW - timedelta(minutes=15)
    done = b.rows[-1]
    assert done["answered_by"] == world.users["district"].full_name
    assert done["minutes"] == 10.0
    assert [m["code"] for m in done["measures"]] == ["workers_withdrawn", "sites_closed"]
    assert done["note"] == "已撤离工人12名"
    assert done["unit"] == "海滨区" and done["role"] == "government_duty"


def test_the_measures_reported_are_summed(world, red):
    w, _ = red
    b = board.build(world.users["city"], w.pk, now=NOW)
    assert [(m["code"], m["count"]) for m in b.measures] == [("sites_closed", 2), ("workers_withdrawn", 1)]
    assert b.measures[0]["label"] == "场所已停工关闭"


def test_the_city_office_sees_the_counties_and_a_district_its_streets(world, red):
    w, _ = red
    city = board.build(world.users["city"], w.pk, now=NOW)
    by_name = {
        r["name"]: (r["posts"], r["in_time"], r["late"], r["silent"], r["nobody"], r["pending"]) for r in city.regions
    }
    assert by_name == {"滨海市": (1, 0, 0, 0, 0, 1), "海滨区": (2, 1, 1, 0, 0, 0), "新城区": (2, 0, 0, 1, 1, 0)}
    district = board.build(world.users["district"], w.pk, now=NOW)
    assert {r["name"]: r["posts"] for r in district.regions} == {"海滨区": 1, "海滨街道": 1}


def test_a_district_sees_only_its_subtree_posts(world, red):
    w, _ = red
    b = board.build(world.users["district"], w.pk, now=NOW)
    assert set(states(b)) == {"海滨区值班室", "海滨街道值班室"}
    assert b.totals["posts"] == 2
    assert [m["code"] for m in b.measures] == ["sites_closed", "workers_withdrawn"]


@pytest.mark.parametrize("who", ["enterprise", "outsider"])
def test_an_enterprise_or_someone_of_no_unit_gets_no_board(world, red, who):
    with pytest.raises(Http404):
        board.build(world.users[who], red[0].pk)


@pytest.mark.parametrize("who", ["enterprise", "outsider"])
def test_the_page_and_the_json_are_404_out_of_scope(world, red, client, who):
    client.force_login(world.users[who])
    assert client.get(f"/warnings/{red[0].pk}/board/").status_code == 404
    assert client.get(f"/api/v1/warnings/{red[0].pk}/board/").status_code == 404
    assert client.get("/api/v1/warnings/999999/board/").status_code == 404


def test_a_district_reads_the_json_of_its_posts_only(world, red, client):
    client.force_login(world.users["district"])
    data = client.get(f"/api/v1/warnings/{red[0].pk}/board/").json()
    assert {p["title"] for p in data["posts"]} == {"海滨区值班室", "海滨街道值班室"}


def test_the_json_has_the_boards_shape(world, red, client):
    w, _ = red
    client.force_login(world.users["city"])
    data = client.get(f"/api/v1/warnings/{w.pk}/board/").json()
    assert set(data) == {
        "warning",
        "versions",
        "current",
        "now",
        "totals",
        "regions",
        "measures",
        "posts",
        "more",
        "updated",
    }
    assert data["warning"]["id"] == w.pk and data["warning"]["level"] == "red"
    assert data["warning"]["level_label"] == "红色"
    assert set(data["totals"]) == {
        "posts",
        "answered",
        "in_time",
        "late",
        "silent",
        "pending",
        "nobody",
        "passed_up",
        "in_time_pct",
    }
    assert set(data["regions"][0]) == {
        "code",
        "name",
        "posts",
        "in_time",
        "late",
        "silent",
        "pending",
        "nobody",
        "passed_up",
    }
    assert set(data["posts"][0]) >= {
        "title",
        "unit",
        "role_label",
        "state",
        "state_label",
        "answered_at",
        "answered_by",
        "minutes",
        "measures",
        "note",
        "silent_since",
        "passed_up_at",
    }
    assert data["posts"][0]["state_label"] == "未应答，已超时"
    assert data["more"] == 0


def test_the_page_shows_figures_regions_and_the_silent_first(world, red, client):
    w, _ = red
    client.force_login(world.users["city"])
    response = client.get(f"/warnings/{w.pk}/board/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-board="/api/v1/warnings/{w.pk}/board/"' in html
    assert "js/warning-board.js" in html and "<script>" not in html
    assert html.index("新城区值班室") < html.index("海滨区值班室")  # silent before answered
    assert "已撤离工人12名" in html


def test_an_earlier_version_links_to_the_current_one(world, red, client):
    w, _ = red
    newer = next_version(w, "orange", "降为橙色预警")
    b = board.build(world.users["city"], w.pk, now=NOW)
    assert [v.pk for v in b.versions] == [w.pk, newer.pk] and not b.is_current
    assert board.build(world.users["city"], newer.pk, now=NOW).is_current
    client.force_login(world.users["city"])
    html = client.get(f"/warnings/{w.pk}/board/").content.decode()
    assert f'href="/warnings/{newer.pk}/board/"' in html
    assert "降为橙色预警" in html


@pytest.mark.parametrize("count", [10, 500])
def test_the_board_reads_five_queries_whatever_the_count(world, django_assert_max_num_queries, count):
    """GIVEN a warning to 10 or to 500 posts WHEN the board is built THEN it reads at most five queries (four: the
    versions, the grouped counts, the rows shown, the regions' names), the same number for both."""
    w = warning(areas=[world.city], issued_at=NOW - timedelta(minutes=30))
    many(w, [world.d1, world.d2, world.t1, world.t2], count)
    user = world.users["city"]
    Scope.for_user(user)  # computed once per request by the middleware's first scoped query
    with django_assert_max_num_queries(5), CaptureQueriesContext(connection) as ctx:
        b = board.build(user, w.pk)
    assert b.totals["posts"] == count
    assert len(b.rows) == min(count, board.ROWS_SHOWN) and b.more == count - len(b.rows)
    assert len(ctx.captured_queries) == 4
    assert b.measures[0]["count"] == len(range(0, count, 3))


def test_the_json_reads_as_many_queries_for_500_posts_as_for_10(world, client):
    user = world.users["city"]
    client.force_login(user)
    counts = []
    for count in (10, 500):
        w = warning(areas=[world.city], issued_at=NOW - timedelta(minutes=30))
        many(w, [world.d1, world.d2], count)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/v1/warnings/{w.pk}/board/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_a_user_without_a_region_scope_sees_counties(world, red):
    head = UserFactory(username="zjj2", unit_kind="department", department=world.zjj)
    b = board.build(head, red[0].pk, now=NOW)
    assert {r["name"] for r in b.regions} == {"滨海市", "海滨区", "新城区"}


def test_the_series_is_found_when_the_first_version_leaves_its_series_empty(world, red):
    w, _ = red
    newer = next_version(w, "orange", "降为橙色预警")
    type(w).objects.filter(pk=w.pk).update(series=None)
    for pk in (w.pk, newer.pk):
        assert [v.pk for v in board.build(world.users["city"], pk, now=NOW).versions] == [w.pk, newer.pk]


def test_an_id_past_a_bigint_is_a_404(world, client):
    client.force_login(world.users["city"])
    assert client.get("/warnings/99999999999999999999/board/").status_code == 404
    assert client.get("/api/v1/warnings/99999999999999999999/board/").status_code == 404
