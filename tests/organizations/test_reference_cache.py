"""The reference tables (industries, departments and their links, regions) are read once and kept across requests
(organizations.scope.Reference.shared, SupervisionMap.shared) until one of them changes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from organizations.models import Industry

from ..factories import DepartmentFactory, EnterpriseFactory

REFERENCE_TABLES = ("organizations_industry", "organizations_department_industries", "organizations_department")


def reference_reads(call) -> int:
    """The queries of `call` that read a whole reference table (not the user's own department, by its id)."""
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200
    return sum(
        1
        for q in ctx.captured_queries
        if q["sql"].split(" FROM ")[1].split()[0].strip('"') in REFERENCE_TABLES and " WHERE " not in q["sql"]
    )


def row(client, enterprise) -> dict:
    response = client.get("/api/v1/enterprises/", {"page_size": 200})
    return next((r for r in response.json()["results"] if r["id"] == enterprise.id), None)


@pytest.fixture
def gap(world):
    """An enterprise of an industry that no department is in charge of, in the county bureau's district."""
    return EnterpriseFactory(name="海滨储能电站", region=world.t1, industry=world.gap)


def test_the_reference_is_read_once_across_requests(world):
    client = APIClient()
    client.force_login(world.users["county_dept"])
    first = reference_reads(lambda: client.get("/api/v1/enterprises/"))
    assert first >= 2  # the industry tree, the links (and the departments, for the supervision map)
    client = APIClient()  # another request, another user object: the tables are not read again
    client.force_login(world.users["county_dept"])
    assert reference_reads(lambda: client.get("/api/v1/enterprises/")) == 0


def test_a_department_taking_an_industry_is_seen_at_once(world, gap):
    client = APIClient()
    client.force_login(world.users["city"])
    before = row(client, gap)
    assert before["supervision_gap"] is True
    assert before["supervising_department"] == world.d1_yjj.id  # the district's default supervisor
    county = APIClient()
    county.force_login(world.users["county_dept"])
    assert row(county, gap) is not None  # the default supervisor sees what nobody supervises

    world.zjj.industries.add(world.gap)  # the city's construction bureau takes it on (m2m_changed)

    after = row(client, gap)
    assert after["supervision_gap"] is False
    assert after["supervising_department"] == world.zjj.id
    county = APIClient()
    county.force_login(world.users["county_dept"])
    assert row(county, gap) is None  # no longer a gap: out of the default supervisor's scope


def test_a_new_department_and_a_moved_industry_are_seen_at_once(world, gap):
    client = APIClient()
    client.force_login(world.users["city"])
    assert row(client, gap)["supervising_department"] == world.d1_yjj.id
    # a sector's industries are supervised by whoever is in charge of the sector (the tree is reference data)
    Industry.objects.filter(pk=world.gap.pk).update(parent=world.sector)  # no signal: the cache does not know
    industry = Industry.objects.get(pk=world.gap.pk)
    industry.save()  # post_save
    assert row(client, gap)["supervision_gap"] is False  # 市应急管理局 is in charge of the sector
    department = DepartmentFactory(code="d1-new", name="海滨区新能源局", region=world.d1, industries=[world.gap])
    assert row(client, gap)["supervising_department"] == department.id  # the nearest in charge
