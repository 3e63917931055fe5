"""The dashboard's risk panel (colour counts by region, department and industry; checks overdue and missed;
re-evaluations overdue; the key units' red points) and the department's work-queue entry of key units' red points:
each figure linked to the list that shows it, in the user's scope, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from risks.models import CheckTask, RiskPoint
from work import queues

from .picture_world import linked_numbers, list_count, seed_points

pytestmark = pytest.mark.django_db
PANEL = "risk_picture:panel"


def task(point: RiskPoint, due_days: int, status: str = "open") -> CheckTask:
    today = timezone.localdate()
    return CheckTask.objects.create(
        point=point, enterprise=point.enterprise, region_path=point.region_path, industry=point.industry,
        control_level=point.control_level, period_start=today + timedelta(days=due_days - 7),
        due_on=today + timedelta(days=due_days), status=status,
    )  # fmt: skip


@pytest.fixture
def risky(world):
    """The picture's points; 海滨化工's first red point overdue for its check (and one missed), 新城建设's red one
    due tomorrow; two points past their re-evaluation date."""
    made = seed_points(world)
    task(made["e1"][0], -2)
    task(made["e1"][1], -9, "missed")
    task(made["e2"][2], 1)
    yesterday = timezone.localdate() - timedelta(days=1)
    RiskPoint.objects.filter(pk__in=[made["e1"][3].pk, made["e3"][0].pk]).update(reevaluate_by=yesterday)
    return made


def cards(page: str) -> list[str]:
    return [part.split("</span>")[0] for part in page.split('<span class="card-n">')[1:]]


def test_the_city_office_sees_the_colours_the_late_checks_and_re_evaluations(client, world, risky):
    """GIVEN the points WHEN the city office loads the panel THEN red, orange, yellow, blue, the overdue and missed
    checks, the overdue re-evaluations and the key units' red points, each linked to its list."""
    client.force_login(world.users["city"])
    page = client.get(reverse(PANEL)).content.decode()
    assert cards(page) == ["3", "2", "3", "2", "1", "1", "2", "2"]
    assert 'href="/risks/checks/?status=overdue"' in page and 'href="/risks/checks/?status=missed"' in page
    assert 'href="/risks/?reevaluation=overdue"' in page
    assert 'href="/risks/?colour=red&amp;key_unit=1"' in page
    assert page.count("海滨化工有限公司") == 2  # the key unit's two red points listed
    for query, n in linked_numbers(page):
        assert list_count(world.users["city"], query) == n, query
    assert reverse("risk_picture:picture") in page


def test_a_district_sees_its_own(client, world, risky):
    client.force_login(world.users["district"])  # 海滨区: 海滨化工 and 海滨储能
    assert cards(client.get(reverse(PANEL)).content.decode()) == ["2", "1", "0", "2", "1", "1", "1", "2"]


@pytest.mark.parametrize("who", ["enterprise", "outsider"])
def test_an_enterprise_or_no_unit_gets_no_panel(client, world, who):
    client.force_login(world.users[who])
    assert client.get(reverse(PANEL)).status_code == 403


def test_the_panel_reads_a_fixed_number_of_queries(client, world, risky):
    """GIVEN the points WHEN the panel is loaded, then again with as many points more THEN the same eleven queries."""
    client.force_login(world.users["city"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(PANEL)).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    seed_points(world)
    # Session and user; the names, three grouped tables, the checks, the re-evaluations, the key units' red points;
    # the layout's context (positions, unread notices).
    assert queries() == before == 11


def test_the_dashboard_loads_the_risk_panel(client, world):
    client.force_login(world.users["city"])
    assert f'data-panel="{reverse(PANEL)}"' in client.get(reverse("dashboards:dashboard")).content.decode()


def entry(user, key: str):
    return next((e for s in queues.build(user) for e in s.entries if e.key == key), None)


def test_key_units_red_points_are_in_the_departments_queue(world, risky):
    """GIVEN 海滨化工, a key unit, with two red points WHEN 海滨区应急管理局 builds its queue THEN an urgent entry
    counts them, lists them and links to the points list (colour=red, key_unit=1), which shows as many; a department
    that sees none has no such entry; the entry costs one query."""
    county = world.users["county_dept"]
    found = entry(county, "dept_key_red")
    assert found.count == 2 and found.urgent and len(found.items) == 2
    assert found.url == "/risks/?colour=red&key_unit=1"
    assert list_count(county, "colour=red&key_unit=1") == 2
    assert {i.url for i in found.items} == {f"/risks/points/{p.pk}/" for p in risky["e1"][:2]}
    assert entry(world.users["dept_head"], "dept_key_red") is None  # 市住建局: no key unit's red point, no entry
    assert entry(world.users["enterprise"], "dept_key_red") is None  # not a department's section

    def queries(user) -> int:
        user = type(user).objects.get(pk=user.pk)
        with CaptureQueriesContext(connection) as ctx:
            queues.build(user)
        return len(ctx.captured_queries)

    before = queries(county)
    seed_points(world)
    assert queries(county) == before
    assert entry(county, "dept_key_red").count == 4
