"""The dashboard's figures kept per scope (dashboards/board_cache.py): computed once for everyone of a scope, never
shown to another scope, their age on the page and in the API, recomputed when old or on 刷新, off with 0."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from dashboards import board_cache
from dashboards.stats import build, period_from
from organizations.choices import UnitKind
from organizations.scope import Scope, ScopeKind

from ..factories import UserFactory
from .conftest import NOW

TALLY = "dashboards_hazardtally"


@pytest.fixture(autouse=True)
def _kept(settings):
    settings.DASHBOARD_CACHE_SECONDS = 60


def get(client, user, url=None, **params):
    """The page (or `url`) as `user`, and how many queries read the hazard tally (the figures' computation)."""
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url or reverse("dashboards:dashboard"), params, HTTP_ACCEPT_LANGUAGE="zh-hans")
    return response, sum(TALLY in q["sql"] for q in ctx.captured_queries), len(ctx.captured_queries)


def colleague(ledger, who: str):
    """Another person of the same unit as ledger.users[who]: the same scope."""
    user = ledger.users[who]
    return UserFactory(username=f"{who}-2", unit_kind=user.unit_kind, region=user.region,
                       department=user.department, enterprise=user.enterprise)  # fmt: skip


def test_two_people_of_one_scope_share_one_computation(client, ledger):
    first, tally_reads, queries = get(client, ledger.users["dept_head"])
    assert first.status_code == 200 and tally_reads > 0
    second, tally_reads_2, queries_2 = get(client, colleague(ledger, "dept_head"))
    assert second.status_code == 200
    assert tally_reads_2 == 0  # not computed again
    # The figure queries and the summary's two are gone; the person's own unanswered notices are counted again.
    assert queries_2 <= queries - 6, (queries, queries_2)
    assert second.context["board"].totals == first.context["board"].totals
    assert second.context["summary"] == first.context["summary"]


def test_no_scope_sees_another_scopes_figures(client, ledger):
    """Every role's page, each served after all the others were kept, shows its own scope's figures; two
    territories of the same kind too."""
    other_district = UserFactory(username="d2", unit_kind=UnitKind.GOVERNMENT, region=ledger.d2)
    people = [ledger.users[w] for w in ("city", "district", "dept_head", "county_dept", "enterprise")]
    people.append(other_district)
    for person in people:
        get(client, person)
    seen = set()
    for person in people:
        response, tally_reads, _ = get(client, person)
        assert tally_reads == 0
        board, fresh = response.context["board"], build(person, period_from({}))
        assert (board.totals, board.scope_name, board.role) == (fresh.totals, fresh.scope_name, fresh.role)
        assert [r["label"] for b in board.breakdowns for r in b.rows] == [
            r["label"] for b in fresh.breakdowns for r in b.rows
        ]
        assert response.context["summary"] == get_summary(person)
        seen.add((board.scope_name, board.totals.found, board.totals.open_now))
    assert len(seen) == len(people)


def get_summary(user) -> str:
    from dashboards.summary import summary_sentence

    with translation.override("zh-hans"):
        return summary_sentence(user, NOW.year, NOW.month)


def test_the_key_holds_every_part_of_the_scope_the_period_and_the_language():
    period, today = period_from({}), NOW.date()
    scopes = [
        Scope(ScopeKind.ALL),
        Scope(ScopeKind.REGION, region_path="/990100/990102/"),
        Scope(ScopeKind.REGION, region_path="/990100/990103/"),
        Scope(ScopeKind.DEPARTMENT, region_path="/990100/", department_id=1, industry_ids=frozenset({1, 2})),
        Scope(ScopeKind.DEPARTMENT, region_path="/990100/", department_id=2, industry_ids=frozenset({1, 2})),
        Scope(ScopeKind.DEPARTMENT, region_path="/990100/", department_id=1, industry_ids=frozenset({1})),
        Scope(ScopeKind.DEPARTMENT, region_path="/990100/990102/", department_id=1, industry_ids=frozenset({1})),
        Scope(ScopeKind.ENTERPRISE, region_path="/990100/990102/", enterprise_id=1),
        Scope(ScopeKind.ENTERPRISE, region_path="/990100/990102/", enterprise_id=2),
    ]
    with translation.override("zh-hans"):
        keys = {board_cache.key(s, today, "board", period) for s in scopes}
        assert len(keys) == len(scopes)
        month = period_from({"period": "month"})
        assert board_cache.key(scopes[0], today, "board", month) not in keys
        assert board_cache.key(scopes[0], today, "summary") not in keys
        assert board_cache.key(scopes[0], today + timedelta(days=1), "board", period) not in keys
    with translation.override("en"):
        assert board_cache.key(scopes[0], today, "board", period) not in keys


def test_the_age_is_shown_and_grows_until_the_figures_are_recomputed(client, ledger):
    user = ledger.users["district"]
    response, _, _ = get(client, user)
    assert "数据更新于 10:00:00（0 秒前）" in response.content.decode()
    with time_machine.travel(NOW + timedelta(seconds=42), tick=False):
        response, tally_reads, _ = get(client, user)
        assert tally_reads == 0
        assert "数据更新于 10:00:00（42 秒前）" in response.content.decode()
        client.force_login(user)
        english = client.get(reverse("dashboards:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Figures as of 10:00:42 (0 s ago)" in english  # English is kept apart: computed now
    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        response, tally_reads, _ = get(client, user)
        assert tally_reads > 0  # older than DASHBOARD_CACHE_SECONDS: recomputed
        assert "数据更新于 10:01:01（0 秒前）" in response.content.decode()


def test_old_figures_are_recomputed_by_one_request_while_the_others_serve_them(ledger):
    user, period = ledger.users["dept_head"], period_from({})
    with translation.override("zh-hans"):
        kept = board_cache.board(user, period)
        name = board_cache.key(Scope.for_user(user), NOW.date(), "board", period)
        assert cache.get(name).as_of == kept.as_of == NOW
        with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
            assert cache.add(f"{name}:lock", 1, 30)  # another request is recomputing
            with CaptureQueriesContext(connection) as ctx:
                served = board_cache.board(user, period)
            assert served.as_of == NOW and not any(TALLY in q["sql"] for q in ctx.captured_queries)
            assert served.value.totals == kept.value.totals and served.value.user == user
            cache.delete(f"{name}:lock")  # it has finished, or died
            assert board_cache.board(user, period).as_of == NOW + timedelta(seconds=61)
            assert cache.get(f"{name}:lock") is None  # the recomputing request let go of its lock


def test_expiry_in_the_cache_itself(ledger, settings):
    """An entry lives twice DASHBOARD_CACHE_SECONDS in the cache; once gone, the next request computes."""
    settings.DASHBOARD_CACHE_SECONDS = 1
    user, period = ledger.users["city"], period_from({})
    with translation.override("zh-hans"):
        board_cache.board(user, period)
        name = board_cache.key(Scope.for_user(user), NOW.date(), "board", period)
        assert cache.get(name) is not None
        cache.delete(name)
        with CaptureQueriesContext(connection) as ctx:
            board_cache.board(user, period)
        assert any(TALLY in q["sql"] for q in ctx.captured_queries)


def test_refresh_recomputes_at_most_once_in_five_seconds_and_returns_to_the_page(client, ledger):
    user = ledger.users["county_dept"]
    get(client, user, period="month")
    response, tally_reads, _ = get(client, user, period="month", refresh="1")
    assert response.status_code == 302 and response["Location"] == reverse("dashboards:dashboard") + "?period=month"
    assert tally_reads == 0  # just computed: a refresh within REFRESH_AFTER gets those figures
    with time_machine.travel(NOW + timedelta(seconds=board_cache.REFRESH_AFTER), tick=False):
        response, tally_reads, _ = get(client, user, period="month", refresh="1")
        assert response.status_code == 302 and tally_reads > 0
        page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "（0 秒前）" in page
        assert re.search(r'<a href="\?[^"]*refresh=1[^"]*" rel="nofollow">刷新</a>', page)


def test_zero_turns_the_cache_off(client, ledger, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    user = ledger.users["dept_head"]
    for _ in range(2):
        response, tally_reads, _ = get(client, user)
        assert response.status_code == 200 and tally_reads > 0
    with translation.override("zh-hans"):
        assert cache.get(board_cache.key(Scope.for_user(user), NOW.date(), "board", period_from({}))) is None


def test_the_api_says_when_its_figures_were_computed(client, ledger):
    url = reverse("dashboard")
    first, tally_reads, _ = get(client, ledger.users["dept_head"], url)
    assert first.status_code == 200 and tally_reads > 0
    assert first.json()["as_of"] == "2026-06-15T10:00:00+08:00" and first.json()["age"] == 0
    with time_machine.travel(NOW + timedelta(seconds=7), tick=False):
        second, tally_reads, _ = get(client, colleague(ledger, "dept_head"), url)
        assert tally_reads == 0 and second.json()["age"] == 7
        assert {k: v for k, v in second.json().items() if k != "age"} == {
            k: v for k, v in first.json().items() if k != "age"
        }
        third, tally_reads, _ = get(client, ledger.users["dept_head"], url, refresh="true")
        assert tally_reads > 0 and third.json()["age"] == 0
    response, _, _ = get(client, ledger.users["dept_head"], url, refresh="yes")
    assert response.status_code == 400 and response.json() == {"refresh": ["必须为 true 或 false。"]}


def test_without_redis_the_figures_and_the_lists_are_computed_not_refused(client, ledger, settings):
    """The cache only saves work: with Redis not answering (a port nothing listens on), the dashboard, its API and
    the hazard list are computed from the database, as they would be with the cache off."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:9/0"}}  # fmt: skip
    user = ledger.users["dept_head"]
    page, tally_reads, _ = get(client, user)
    assert page.status_code == 200 and tally_reads > 0
    again, tally_reads_2, _ = get(client, colleague(ledger, "dept_head"))
    assert again.status_code == 200 and tally_reads_2 > 0  # nothing was kept: computed again
    assert again.context["board"].totals == page.context["board"].totals
    assert client.get("/api/v1/dashboard/").status_code == 200
    listed = client.get("/api/v1/hazards/")
    assert listed.status_code == 200 and listed.json()["results"]


def test_the_notices_about_the_scope_are_kept_and_each_persons_own_counted_each_time(client, ledger, world):
    """Of the unanswered must-answer notices, those about the scope's hazards are the same for everyone of the scope
    and kept with the figures; those addressed to a person about no hazard are counted for that person, every time."""
    from hazards.models import Hazard
    from notifications.models import Notification

    def notice(key, recipient, hazard=None):
        Notification.objects.create(key=key, recipient=recipient, hazard=hazard, title="请应答", body="请应答",
                                    must_answer=True)  # fmt: skip

    # A department head: their count of notices about hazards is the one that reads the scope's hazards.
    head, other = ledger.users["dept_head"], colleague(ledger, "dept_head")
    hazard = Hazard.objects.visible_to(head).first()
    notice("about-a-hazard", world.users["inspector"], hazard)
    notice("to-the-first", head)
    first, tally_reads, _ = get(client, head)
    assert tally_reads > 0 and first.context["board"].unanswered == 2
    second, tally_reads, _ = get(client, other)
    assert tally_reads == 0 and second.context["board"].unanswered == 1  # kept: the scope's one, not the first's own
    notice("to-the-second", other)
    with CaptureQueriesContext(connection) as ctx:
        third, tally_reads, _ = get(client, other)
    assert tally_reads == 0 and third.context["board"].unanswered == 2
    assert not any("hazards_hazard" in q["sql"] for q in ctx.captured_queries)  # nothing counted against the hazards
    again, _, _ = get(client, head)
    assert again.context["board"].unanswered == 2
