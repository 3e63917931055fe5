"""Dashboard figures against a hand-made ledger: counts, rates, breakdowns that add up, drill-down links that list
exactly what they count, scope, and the number of queries."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards import tally
from dashboards.stats import Period, build, period_from
from hazards.filters import HazardFilterSet
from hazards.models import Hazard
from organizations.scope import Scope

YEAR = Period(date(2026, 1, 1), date(2026, 6, 15), "year")


class _Request:
    def __init__(self, user):
        self.user = user


def listed(user, link: str) -> int:
    """What the hazard list shows for a dashboard link: the list's own FilterSet over the user's scope."""
    parts = urlsplit(link)
    assert parts.path == reverse("hazards:list")
    params = QueryDict(parts.query)
    filterset = HazardFilterSet(params, queryset=Hazard.objects.visible_to(user), request=_Request(user))
    assert filterset.is_valid(), filterset.errors
    return filterset.qs.count()


def test_city_figures_match_the_hand_count(ledger):
    board = build(ledger.users["city"], YEAR)
    t = board.totals
    assert (t.found, t.dismissed, t.closed, t.on_time, t.recurrences) == (10, 1, 4, 3, 1)
    assert (t.open_now, t.overdue_now, t.major_open) == (6, 3, 2)
    assert t.rate == pytest.approx(4 / 9)
    assert t.on_time_rate == pytest.approx(3 / 4)
    cells = {(row["level"], cell["link"]): cell["n"] for row in board.matrix for cell in row["cells"]}
    general = {s: c["n"] for s, c in zip(["reported", "confirmed", "rectifying", "awaiting_acceptance", "closed",
                                          "dismissed"], board.matrix[0]["cells"], strict=True)}  # fmt: skip
    assert general == {"reported": 1, "confirmed": 1, "rectifying": 1, "awaiting_acceptance": 0, "closed": 4,
                       "dismissed": 1}  # fmt: skip
    assert [row["total"] for row in board.matrix] == [8, 2]
    assert sum(cells.values()) == t.found
    # The trend: June so far has 4 filed (8th, 9th, 10th and the major on 5-20 is May) and 1 closed.
    june = next(m for m in board.months if m["label"] == "2026-06")
    assert (june["found"], june["closed"]) == (3, 1)
    assert sum(m["found"] for m in board.months) == 12  # 2025-07 .. 2026-06 includes the 2025-10/11 hazards
    this_week = board.weeks[-1]  # 2026-06-15 is a Monday: the week has only begun
    assert (this_week["label"], this_week["found"]) == ("06-15", 0)
    assert board.weeks[-2]["found"] == 3 and board.weeks[-2]["closed"] == 1  # 06-08 .. 06-14
    assert [h.code for h in board.top_overdue] == [
        ledger.hazards[k].code for k in ("old_open", "confirmed_overdue", "major_overdue")
    ]
    assert {h.code for h in board.majors} == {ledger.hazards["major_rectifying"].code,
                                              ledger.hazards["major_overdue"].code}  # fmt: skip


@pytest.mark.parametrize("who", ["city", "district", "dept_head", "county_dept", "enterprise"])
def test_totals_equal_the_sum_of_their_breakdowns(ledger, who):
    board = build(ledger.users[who], YEAR)
    for breakdown in board.breakdowns:
        for name in ("found", "closed", "open_now", "overdue_now", "on_time"):
            assert sum(getattr(r["figures"], name) for r in breakdown.rows) == getattr(board.totals, name), (
                breakdown.title, name)  # fmt: skip
    assert sum(row["total"] for row in board.matrix) == board.totals.found


def board_links(board):
    t = board.totals
    yield board.period_link(), t.found
    yield board.period_link(status="closed"), t.closed
    yield board.period_link(status="dismissed"), t.dismissed
    yield board.period_link(on_time="true"), t.on_time
    yield board.period_link(recurrence="true"), t.recurrences
    yield board.link(is_overdue="true"), t.overdue_now
    yield board.link(status=["reported", "confirmed", "rectifying", "awaiting_acceptance"]), t.open_now
    yield board.link(level="major", status=["reported", "confirmed", "rectifying", "awaiting_acceptance"]), t.major_open
    for row in board.matrix:
        yield row["link"], row["total"]
        for cell in row["cells"]:
            yield cell["link"], cell["n"]
    for breakdown in board.breakdowns:
        for row in breakdown.rows:
            if row["found"] is None:
                continue
            yield row["found"], row["figures"].found
            yield row["closed"], row["figures"].closed
            yield row["open"], row["figures"].open_now
            yield row["overdue"], row["figures"].overdue_now
    for bar in board.weeks + board.months:
        yield bar["found_link"], bar["found"]
        yield bar["closed_link"], bar["closed"]


@pytest.mark.parametrize("who", ["city", "district", "dept_head", "county_dept", "enterprise"])
def test_every_number_links_to_a_list_of_exactly_that_many(ledger, who):
    user = ledger.users[who]
    board = build(user, YEAR)
    checked = 0
    for link, expected in board_links(board):
        assert listed(user, link) == expected, link
        checked += 1
    assert checked >= 30


def test_region_breakdown_rows_are_the_districts(ledger):
    board = build(ledger.users["city"], YEAR)
    regions = {r["label"]: r["figures"] for r in board.breakdowns[0].rows}
    assert set(regions) == {"海滨区", "新城区"}
    assert (regions["海滨区"].found, regions["新城区"].found) == (4, 6)
    assert regions["海滨区"].overdue_now == 1 and regions["新城区"].overdue_now == 2
    industries = {r["label"]: r["figures"].found for r in board.breakdowns[2].rows}
    assert industries == {"工矿商贸": 6, "建筑施工": 4}  # 危险化学品 and 非煤矿山 roll up to their sector


def test_a_department_head_sees_only_their_industry(ledger):
    head = ledger.users["dept_head"]  # 市住房和城乡建设局: construction
    board = build(head, YEAR)
    assert Scope.for_user(head).kind == "department"
    assert board.totals.found == 4  # e2 filed in 2026: closed_no_deadline, dismissed, reported, confirmed_overdue
    assert board.totals.open_now == 2
    assert {r["label"] for r in board.breakdowns[0].rows} == {"新城区"}
    codes = {h.code for h in board.top_overdue + board.majors}
    assert codes == {ledger.hazards["confirmed_overdue"].code}


def test_the_enterprise_sees_its_own_only(ledger):
    board = build(ledger.users["enterprise"], YEAR)  # e1
    assert (board.totals.found, board.totals.open_now) == (4, 3)
    assert board.breakdowns == []


def figure_queries(user) -> int:
    """Names, the main table, the watch list, unanswered notices and the hazards overdue on the government's side; on
    PostgreSQL the main table and the trend are two queries of the tally (an enterprise's dashboard groups its
    hazards and has neither notices nor government delays to count)."""
    scope = Scope.for_user(user)
    return 3 if scope.kind == "enterprise" else 5 + tally.available(scope)


def test_at_most_six_queries_whatever_the_scope(ledger):
    for who in ("city", "district", "dept_head", "county_dept", "enterprise"):
        user = ledger.users[who]
        Scope.for_user(user).reference  # the request's scope, computed once per request by every page  # noqa: B018
        with CaptureQueriesContext(connection) as ctx:
            build(user, YEAR)
        assert len(ctx.captured_queries) == figure_queries(user), [q["sql"] for q in ctx.captured_queries]
        assert len(ctx.captured_queries) <= 6


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, (date(2026, 1, 1), date(2026, 6, 15))),
        ({"period": "quarter"}, (date(2026, 4, 1), date(2026, 6, 15))),
        ({"period": "month"}, (date(2026, 6, 1), date(2026, 6, 15))),
        ({"period": "last12"}, (date(2025, 7, 1), date(2026, 6, 15))),
        ({"from": "2025-03-01", "to": "2025-05-31"}, (date(2025, 3, 1), date(2025, 5, 31))),
    ],
)
def test_periods(params, expected):
    period = period_from(params, today=date(2026, 6, 15))
    assert (period.start, period.end) == expected


@pytest.mark.parametrize("params", [{"from": "2026-13-01"}, {"from": "2026-05-01", "to": "2026-04-01"},
                                    {"period": "decade"}])  # fmt: skip
def test_a_bad_period_is_a_clear_error_in_chinese(client, ledger, params):
    client.force_login(ledger.users["city"])
    response = client.get(reverse("dashboards:dashboard"), params, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    text = response.content.decode()
    assert any(message in text for message in ("日期", "结束", "未知的统计期"))


@pytest.mark.parametrize("who", ["city", "district", "dept_head", "county_dept", "enterprise"])
def test_the_page_renders_for_each_role(client, ledger, who):
    client.force_login(ledger.users[who])
    response = client.get(reverse("dashboards:dashboard"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "<svg" in text and "hazards/?" in text
    for panel in ("dashboards:panel-duty",) + (() if who == "enterprise" else ("dashboards:panel-coverage",)):
        assert client.get(reverse(panel)).status_code == 200


def test_an_outsider_gets_no_dashboard(client, ledger):
    client.force_login(ledger.users["outsider"])
    assert client.get(reverse("dashboards:dashboard")).status_code == 403
    assert client.get(reverse("dashboards:panel-duty")).status_code == 403


def test_the_page_links_are_drill_downs(client, ledger):
    """Every hazard-list link on the rendered page lists as many hazards as the number it carries."""
    user = ledger.users["city"]
    client.force_login(user)
    text = client.get(reverse("dashboards:dashboard")).content.decode()
    import re

    pairs = re.findall(r'<a href="(/hazards/\?[^"]+)">(\d+)</a>', text)
    assert len(pairs) >= 20
    for link, number in pairs:
        assert listed(user, link.replace("&amp;", "&")) == int(number), link
    assert parse_qs(urlsplit(pairs[0][0]).query)


@pytest.mark.parametrize("kept", [0, 60])
def test_page_queries_are_pinned(client, ledger, settings, kept):
    settings.DASHBOARD_CACHE_SECONDS = kept
    client.force_login(ledger.users["dept_head"])
    client.get(reverse("dashboards:dashboard"))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("dashboards:dashboard")).status_code == 200
    # Session, user, department and its region, the figure queries, the month's summary sentence (accidents and
    # hazards: 2), positions and unread notices for the navigation; the reference data was read by the first
    # request and is kept until it changes (organizations.scope.Reference.shared). With the figures kept
    # (dashboards/board_cache.py), the one figure query left is the person's own unanswered notices.
    figures = figure_queries(ledger.users["dept_head"]) + 2 if not kept else 1
    expected = 4 + figures + 2
    assert len(ctx.captured_queries) == expected, [q["sql"] for q in ctx.captured_queries]


def test_a_hazard_assigned_from_another_territory_is_named_by_its_region_without_a_link(ledger):
    """GIVEN a 新城街道 construction hazard assigned to 海滨区应急管理局 WHEN that department opens its dashboard THEN
    it is counted under 新城街道 (not as 海滨区's own), as in the quarterly table, and neither its territory nor its
    sector row links to a list the department's filters would refuse; every link still lists exactly its number."""
    from .conftest import put, when

    put(ledger, ledger.e2, "rectifying", when(6, 1), deadline=when(6, 30))
    Hazard.objects.filter(title="隐患", enterprise=ledger.e2, created_at=when(6, 1)).update(department=ledger.d1_yjj)
    user = ledger.users["county_dept"]
    board = build(user, YEAR)
    regions = {r["label"]: r for r in board.breakdowns[0].rows}
    assert "新城街道" in regions and regions["新城街道"]["found"] is None
    assert not any("本级" in label for label in regions)
    building = next(r for r in board.breakdowns[1].rows if r["label"] == "建筑施工")
    assert building["found"] is None
    for link, expected in board_links(board):
        assert listed(user, link) == expected, link


def test_a_far_future_period_is_a_clear_error(client, ledger):
    client.force_login(ledger.users["city"])
    response = client.get(reverse("dashboards:dashboard"), {"from": "9999-01-01", "to": "9999-12-31"})
    assert response.status_code == 400
