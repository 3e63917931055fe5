"""The four-colour picture (四色分布): counts by region, department and industry, each number linked to the points
list with the filters that show exactly those points (checked against the list's filter semantics), in the user's
scope, drilled down by region, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards import risk_picture

from .picture_world import SVG_LINK, linked_numbers, list_count, seed_points

pytestmark = pytest.mark.django_db
PICTURE = "risk_picture:picture"


def counts(rows) -> dict:
    return {r.label: [r.counts[c] for c in risk_picture.COLOURS] for r in rows}


def test_the_city_sees_every_point_by_district_department_and_industry(world):
    """GIVEN 14 points over two districts and the city itself WHEN the city office draws the picture THEN each
    district's row counts its subtree by colour (red, orange, yellow, blue), the city's own level is a row of its
    own, and departments and industries count by the stored ids."""
    seed_points(world)
    picture = risk_picture.build(world.users["city"])
    assert counts(picture.regions) == {"海滨区": [2, 1, 0, 2], "新城区": [1, 1, 2, 0], "滨海市本级": [0, 0, 1, 0]}
    assert [picture.totals.counts[c] for c in risk_picture.COLOURS] == [3, 2, 3, 2]
    assert counts(picture.industries) == {"危险化学品": [2, 1, 1, 1], "建筑施工": [1, 0, 2, 0],
                                          "非煤矿山": [0, 1, 0, 0], "新型储能电站": [0, 0, 0, 1]}  # fmt: skip
    assert sum(r.total for r in picture.departments) == 10


@pytest.mark.parametrize("who", ["city", "district", "dept_head", "county_dept", "inspector", "enterprise"])
def test_every_number_equals_what_its_list_shows(client, world, who):
    """GIVEN the points WHEN each role opens the picture THEN every linked number, in the tables and in the SVG's
    bars, is the count the points list gives for that link's filters, in the same user's scope."""
    seed_points(world)
    user = world.users[who]
    client.force_login(user)
    page = client.get(reverse(PICTURE)).content.decode()
    links = linked_numbers(page)
    assert links, "no linked figure"
    for query, n in links:
        assert list_count(user, query) == n, query
    bars = linked_numbers(page, SVG_LINK)
    assert bars or who == "outsider"
    for query, n in bars:
        assert list_count(user, query) == n, query


def test_a_district_is_drilled_down_to_its_streets_and_every_link_keeps_the_region(client, world):
    """GIVEN the city office WHEN it opens 海滨区's picture THEN the rows are 海滨区's streets, the department and
    industry links carry region=海滨区, and each equals the list."""
    seed_points(world)
    city = world.users["city"]
    picture = risk_picture.build(city, world.d1.pk)
    assert counts(picture.regions) == {"海滨街道": [2, 1, 0, 2]}
    assert all(r.query["region"] == world.d1.pk for r in picture.departments + picture.industries if r.query)
    client.force_login(city)
    page = client.get(reverse(PICTURE), {"region": world.d1.pk}).content.decode()
    assert "海滨街道" in page and "新城街道" not in page
    for query, n in linked_numbers(page):
        assert f"region={world.d1.pk}" in query or f"region={world.t1.pk}" in query
        assert list_count(city, query) == n
    assert f'href="/risks/picture/?region={world.d1.pk}"' in client.get(reverse(PICTURE)).content.decode()


def test_the_scope_holds_for_a_district_a_department_and_an_enterprise(world):
    """GIVEN the points WHEN a district, a county department and an enterprise draw the picture THEN each counts
    only its visible points."""
    seed_points(world)
    district = risk_picture.build(world.users["district"])
    assert counts(district.regions) == {"海滨街道": [2, 1, 0, 2]}
    # 海滨区应急管理局: chemicals in 海滨区, and 海滨储能 whose industry no department supervises (its default).
    department = risk_picture.build(world.users["county_dept"])
    assert [department.totals.counts[c] for c in risk_picture.COLOURS] == [2, 1, 0, 2]
    enterprise = risk_picture.build(world.users["enterprise"])
    assert enterprise.totals.total == 4


@pytest.mark.parametrize("who,region", [("district", "d2"), ("county_dept", "d2"), ("city", "nowhere")])
def test_a_region_outside_the_scope_is_not_found(client, world, who, region):
    client.force_login(world.users[who])
    pk = getattr(world, region).pk if region != "nowhere" else 999999
    assert client.get(reverse(PICTURE), {"region": pk}).status_code == 404
    assert client.get(reverse(PICTURE), {"region": "x"}).status_code == 404


def test_no_unit_no_picture(client, world):
    client.force_login(world.users["outsider"])
    assert client.get(reverse(PICTURE)).status_code == 404


def test_the_picture_reads_four_queries_whatever_the_data(world):
    """GIVEN the points, then as many again WHEN the picture is built THEN four queries: the names and one grouped
    query per table."""
    seed_points(world)
    city = world.users["city"]

    def queries() -> int:
        city.__dict__.pop("_scope", None)
        with CaptureQueriesContext(connection) as ctx:
            risk_picture.build(city)
        return len(ctx.captured_queries)

    before = queries()
    seed_points(world)
    assert queries() == before
    with CaptureQueriesContext(connection) as ctx:
        risk_picture.build(city)
    assert len([q for q in ctx.captured_queries if "GROUP BY" in q["sql"]]) == 3
    assert len(ctx.captured_queries) == 4


def test_an_enterprises_picture_by_place_and_colour(client, world):
    """GIVEN 海滨化工's four points WHEN its picture is opened THEN places × colours, linked by enterprise and
    colour; another enterprise's picture is out of its scope."""
    seed_points(world)
    picture = risk_picture.enterprise_picture(world.users["enterprise"], world.e1.pk)
    assert counts(picture.places) == {"罐区": [2, 0, 0, 0], "仓库": [0, 1, 0, 1]}
    client.force_login(world.users["enterprise"])
    url = reverse("risk_picture:enterprise", args=[world.e1.pk])
    page = client.get(url).content.decode()
    for query, n in linked_numbers(page):
        assert f"enterprise={world.e1.pk}" in query and list_count(world.users["enterprise"], query) == n
    assert client.get(reverse("risk_picture:enterprise", args=[world.e2.pk])).status_code == 404
