"""The oversight board: counts per signal in the user's scope, by territory and by supervising department; every
count equals the rows of the enterprise list its link opens (city office, a district, a department); five queries;
government only; the API says the same; the trend from the daily snapshots."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from organizations import flags
from organizations.models import Enterprise
from organizations.scope import Scope
from oversight import board
from oversight.models import SignalCount
from tests.factories import EnterpriseFactory
from tests.oversight.factories import make_certificate, make_verification

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(world):
    """The world plus enterprises that show signals across both districts, industries and levels (one registered
    on the district itself, not a street)."""
    w = world
    extra = [
        EnterpriseFactory(region=w.t1, industry=w.chem, licence_state="unlicensed", is_subcontracting=True),
        EnterpriseFactory(region=w.t1, industry=w.build, is_hosted_operation=True),
        EnterpriseFactory(region=w.t2, industry=w.build, is_borrowed_qualification=True, is_subcontracting=True),
        EnterpriseFactory(region=w.t2, industry=w.gap, operating_state="suspended"),
        EnterpriseFactory(region=w.d1, industry=w.mine, operating_state="closed_mine", licence_state="unlicensed"),
        EnterpriseFactory(region=w.d2, industry=w.chem, is_hosted_operation=True),
    ]
    Enterprise.objects.update(created_at=timezone.now() - timedelta(days=800))
    by = w.users["inspector"]
    make_verification(w.e1, by)
    make_certificate(w.e1, by, "principal")
    make_certificate(w.e1, by, "safety_manager")
    w.extra = extra
    return w


def rows_of(client, url: str) -> int:
    """The number of enterprises the list page at `url` shows (one page holds them all here), checked against its API
    twin with the same filters."""
    page = client.get(url)
    assert page.status_code == 200, url
    shown = page.content.decode().count('class="row-title"')
    response = client.get("/api/v1/enterprises/", [*parse_qsl(urlparse(url).query), ("page_size", 200)])
    assert response.status_code == 200, response.content
    data = response.json()
    assert len(data["results"] if isinstance(data, dict) else data) == shown, url
    return shown


def every_link(b) -> list[tuple[int, str]]:
    links = [(s["count"], s["url"]) for s in b.signals]
    for row in [*b.territory_rows, *b.department_rows]:
        links.append((row["line"].total, row["line"].url))
        links += [(c["count"], c["url"]) for c in row["cells"]]
    return links


@pytest.mark.parametrize("who", ["city", "district", "dept_head", "county_dept", "inspector"])
def test_every_count_equals_the_rows_of_its_list(city, client, who):
    user = city.users[who]
    b = board.build(user)
    client.force_login(user)
    links = every_link(b)
    assert any(count for count, _ in links)  # not all zero: the equality means something
    for count, url in links:
        assert rows_of(client, url) == count, url
    page = client.get(board.list_url(signal="subcontracting"))
    assert page.status_code == 200


def test_the_counts_for_the_city(city):
    b = board.build(city.users["city"])
    counts = {s["key"]: s["count"] for s in b.signals}
    assert b.total == 10
    assert counts["unlicensed"] == 2 and counts["subcontracting"] == 2 and counts["hosted_operation"] == 2
    assert counts["borrowed_qualification"] == 1
    assert counts["no_department"] == 2  # the gap industry: e4 and the suspended one
    assert counts["watch_overdue"] == 2  # suspended and closed mine, no watch
    assert counts["principal_unverified"] == 7  # producing ones but e1
    territories = {line.name: line.total for line in b.territories}
    assert territories == {"海滨区": 5, "新城区": 5}
    departments = {line.name: line.total for line in b.departments}
    # 市应急管理局: the sector's (chem, mine) and the gap's, citywide; 海滨区应急管理局: chem and the gap in 海滨区
    assert departments["市应急管理局"] == 7 and departments["海滨区应急管理局"] == 3
    assert departments["市住房和城乡建设局"] == 3 and departments["新城区住房和城乡建设局"] == 2


def test_a_district_sees_its_streets(city):
    b = board.build(city.users["district"])
    assert b.total == 5
    assert {line.name for line in b.territories} == {"海滨街道"}  # the one on the district itself has no street
    assert "新城区住房和城乡建设局" not in {line.name for line in b.departments}


@pytest.mark.parametrize("who", ["enterprise", "outsider"])
def test_others_are_refused(city, client, who):
    client.force_login(city.users[who])
    assert client.get("/oversight/").status_code == 403
    assert client.get("/api/v1/oversight/board/").status_code == 403


def test_the_board_takes_five_queries(city, django_assert_max_num_queries):
    """Five for the first (industries, department-industry links, departments, the cells, the trend), three for
    each after it: the reference data is kept across requests until it changes (organizations.scope.Reference.shared);
    the same with 30 more enterprises."""

    def queries(who: str) -> int:
        user = city.users[who]
        user.__dict__.pop("_scope", None)
        Scope.for_user(user)  # computed once per request by the middleware
        with django_assert_max_num_queries(5), CaptureQueriesContext(connection) as ctx:
            board.build(user)
        return len(ctx.captured_queries)

    assert queries("city") == 5
    before = {who: queries(who) for who in ("city", "district", "dept_head")}
    assert before == {"city": 3, "district": 3, "dept_head": 3}
    for i in range(30):
        EnterpriseFactory(region=(city.t1, city.t2)[i % 2], industry=(city.chem, city.build, city.gap)[i % 3],
                          is_subcontracting=i % 4 == 0)  # fmt: skip
    assert {who: queries(who) for who in before} == before


def test_the_page_and_the_api(city, client):
    client.force_login(city.users["city"])
    page = client.get("/oversight/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "?signal=subcontracting" in html and "/oversight/watches/" in html and "/oversight/certificates/" in html
    data = client.get("/api/v1/oversight/board/").json()
    assert data["total"] == 10
    assert {s["key"]: s["count"] for s in data["signals"]}["unlicensed"] == 2
    assert len(data["signals"][0]["trend"]) == board.TREND_WEEKS
    assert {t["name"] for t in data["territories"]} == {"海滨区", "新城区"}


def test_the_snapshot_and_the_trend(city):
    """The day's rows add up to the board's counts (per county and resolved department), a second run replaces
    them, and the trend shows each week's last snapshot."""
    today = timezone.localdate()
    n = board.snapshot(today)
    assert n == SignalCount.objects.filter(day=today).count() > 0
    assert board.snapshot(today) == n and SignalCount.objects.filter(day=today).count() == n
    b = board.build(city.users["city"])
    for s in b.signals:
        total = sum(SignalCount.objects.filter(day=today, signal=s["key"]).values_list("count", flat=True))
        assert total == s["count"], s["key"]
        assert s["trend"][-1][1] == s["count"]
    # unlicensed in 新城区 (e2... none): resolved per county; the mine closed on 海滨区 itself counts there
    rows = SignalCount.objects.filter(day=today, signal="unlicensed")
    assert {(r.region.name, r.department.name if r.department else None, r.count) for r in rows} == {
        ("海滨区", "海滨区应急管理局", 1), ("海滨区", "市应急管理局", 1),
    }  # fmt: skip
    # an earlier week's last day
    week_ago = board.week_ends(today)[-2]
    SignalCount.objects.create(day=week_ago, signal="unlicensed", region=city.d1, region_path=city.d1.path, count=7)
    SignalCount.objects.create(
        day=week_ago - timedelta(days=1), signal="unlicensed", region=city.d1, region_path=city.d1.path, count=3
    )
    b = board.build(city.users["city"])
    trend = dict(next(s for s in b.signals if s["key"] == "unlicensed")["trend"])
    assert trend[week_ago] == 7 and trend[board.week_ends(today)[0]] is None
    district = dict(next(s for s in board.build(city.users["district"]).signals if s["key"] == "unlicensed")["trend"])
    assert district[week_ago] == 7
    assert (
        dict(next(s for s in board.build(city.users["dept_head"]).signals if s["key"] == "unlicensed")["trend"])[
            week_ago
        ]
        is None
    )  # a department sees its own rows only


def test_the_beat_task_writes_todays_counts(city, settings):
    from oversight import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["oversight-signal-counts"]
    assert entry["task"] == "oversight.tasks.count_signals"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {30})
    today = timezone.localdate()
    SignalCount.objects.create(day=today, signal="gone", region=city.d1, region_path=city.d1.path, count=99)
    n = tasks.count_signals.apply().get()
    assert n == SignalCount.objects.filter(day=today).count() > 0
    assert not SignalCount.objects.filter(signal="gone").exists()  # the day's rows replaced, in one transaction
    unlicensed = SignalCount.objects.filter(day=today, signal="unlicensed").values_list("count", flat=True)
    assert sum(unlicensed) == 2


def test_the_weekly_summary_carries_the_board(city):
    """Each recipient's summary has the board's counts for their scope and the board's link."""
    from dashboards import weekly
    from notifications.models import Notification

    assert weekly.send_weekly() == 2
    district = Notification.objects.get(key__startswith="weekly:", recipient=city.users["district"])
    head = Notification.objects.get(key__startswith="weekly:", recipient=city.users["dept_head"])
    mine = {s["key"]: s["count"] for s in board.build(city.users["district"]).signals}
    assert mine["unlicensed"] == 2 and mine["hosted_operation"] == 1
    labels = dict(flags.choices())
    assert f"{labels['unlicensed']} 2" in district.body and f"{labels['hosted_operation']} 1" in district.body
    assert "共5家企业" in district.body
    assert f"{labels['unlicensed']} 0" in head.body  # 住建局: building only, none unlicensed
    for notice in (district, head):
        assert "/oversight/" in notice.body
    assert weekly.oversight_lines(city.users["enterprise"], timezone.now()) == []


def test_the_demo_trend_is_written_once(city):
    from oversight.demo import load_demo_oversight

    counts = load_demo_oversight()
    assert counts["signal_counts_created"] == counts["signal_counts"] == SignalCount.objects.count() > 0
    assert SignalCount.objects.values("day").distinct().count() == board.TREND_WEEKS
    assert load_demo_oversight()["signal_counts_created"] == 0
    b = board.build(city.users["city"])
    assert all(n is not None for _, n in b.signals[0]["trend"]) and b.signals[0]["spark"]
