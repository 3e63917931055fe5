"""Query counts pinned: the enterprise list costs the same whatever the page size (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from ..factories import EnterpriseFactory

# Session and user (2); the user's department and its region (2, county bureau only); the industry tree and the
# department-industry links (2); departments for the supervision map (1, API) and the page of enterprises (1).
# The page adds the user's positions and unread notices for the navigation (2) and its filter dropdowns
# (region/department: 2; industries: 1 more where the scope limits them).
API_QUERIES = {"city": 6, "county_dept": 8}
PAGE_QUERIES = {"city": 8, "county_dept": 12}


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
