"""Query counts pinned: the enterprise list costs the same whatever the page size (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from ..factories import EnterpriseFactory

# Session and user (2); the user's department and its region (2, county bureau only); the page of enterprises (1).
# The industry tree, the department-industry links and the departments are read by the first request only and
# kept until one changes (tests/organizations/test_reference_cache.py), so each count is taken after one request.
# The page adds the user's positions and unread notices for the navigation (2) and its filter dropdowns
# (region/department: 2; industries: 1 more where the scope limits them); the city office's page reads no
# reference table (its scope is everything).
API_QUERIES = {"city": 3, "county_dept": 5}
PAGE_QUERIES = {"city": 8, "county_dept": 10}


@pytest.fixture
def many(world):
    EnterpriseFactory.create_batch(120, region=world.t1, industry=world.chem)
    EnterpriseFactory.create_batch(100, region=world.t2, industry=world.mine)
    return world


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", sorted(API_QUERIES))
def test_enterprise_api_list_query_count_is_constant(many, role):
    client = APIClient()
    client.force_login(many.users[role])  # a fresh user each request, as in production
    client.get("/api/v1/enterprises/")  # the reference tables, read once
    counts = {
        size: count_queries(lambda s=size: client.get("/api/v1/enterprises/", {"page_size": s}))
        for size in (10, 50, 200)
    }
    assert set(counts.values()) == {API_QUERIES[role]}, counts
    response = client.get("/api/v1/enterprises/", {"page_size": 200})
    assert len(response.json()["results"]) in (122, 200)  # the county bureau sees its district only


@pytest.mark.parametrize("role", sorted(PAGE_QUERIES))
def test_enterprise_page_query_count_is_constant(client, many, role):
    client.force_login(many.users[role])
    url = reverse("organizations:enterprise-list")
    client.get(url)  # the reference tables, read once
    counts = {size: count_queries(lambda s=size: client.get(url, {"page_size": s})) for size in (10, 50, 200)}
    assert set(counts.values()) == {PAGE_QUERIES[role]}, counts


def test_no_count_on_the_list(many):
    client = APIClient()
    client.force_authenticate(many.users["city"])
    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/v1/enterprises/", {"page_size": 50, "region": many.d1.id, "is_key_unit": "false"})
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


def test_fast_enterprise_representation_equals_drf_generic(world):
    """The hand-written read path must say exactly what DRF's field-by-field path says."""
    from rest_framework import serializers

    from organizations.api import EnterpriseSerializer

    world.e2.is_key_unit = True
    world.e2.save()
    for enterprise in (world.e1, world.e2, world.e3, world.e4):
        serializer = EnterpriseSerializer()
        fast = serializer.to_representation(enterprise)
        generic = serializers.ModelSerializer.to_representation(serializer, enterprise)
        assert fast == generic
        assert list(fast) == list(generic)


def test_list_rows_equal_drf_generic(world):
    """The list writes tuples (EnterpriseSerializer.rows_representation) exactly as DRF writes the enterprise,
    supervising department and gap included."""
    from rest_framework import serializers

    from organizations.api import EnterpriseSerializer
    from organizations.models import Enterprise

    EnterpriseFactory(name="海滨储能电站", region=world.t1, industry=world.gap)  # a supervision gap
    queryset = Enterprise.objects.select_related("region", "industry").order_by("-id")
    serializer = EnterpriseSerializer()
    rows = serializer.rows_representation(queryset.values_list(*EnterpriseSerializer.ROW_COLUMNS, named=True))
    generic = [serializers.ModelSerializer.to_representation(serializer, enterprise) for enterprise in queryset]
    assert rows == generic
    assert [list(row) for row in rows] == [list(row) for row in generic]
    assert {row["supervision_gap"] for row in rows} == {True, False}
