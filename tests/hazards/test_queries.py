"""Query counts pinned on the hazard list and detail: the same for 10, 50 and 200 rows, and no COUNT(*)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from hazards import workflow

from .conftest import advance, filing

# Session + user (2), the department and its region (2), reference data (2), the page (1).
API_LIST = 7
# The page adds the user's positions and unread notices for the navigation, the filter dropdowns (region,
# department, industry, category) and the enterprise picker's first options.
PAGE_LIST = 14


@pytest.fixture
def many(hz):
    for i in range(210):
        workflow.file_hazard(hz.users["inspector"], filing(hz, title=f"隐患{i}", place=f"部位{i}"))
    advance(hz, "rectifying")
    return hz


def queries(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200
    # No list counts its table; the navigation's unread-notice count reads one person's small inbox.
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper() and "notification" not in q["sql"]]
    # SELECT DISTINCT on a million hazards sorts every match before the LIMIT (django-filter adds it to
    # multiple-choice filters unless told not to).
    assert not [q for q in ctx.captured_queries if "DISTINCT" in q["sql"].upper()]
    return len(ctx.captured_queries)


def test_api_list_queries_do_not_grow_with_the_page(many):
    client = APIClient()
    client.force_login(many.users["county_dept"])
    counts = {n: queries(lambda n=n: client.get("/api/v1/hazards/", {"page_size": n})) for n in (10, 50, 200)}
    assert set(counts.values()) == {API_LIST}, counts
    filtered = queries(
        lambda: client.get("/api/v1/hazards/", {"status": "reported", "is_overdue": "false", "level": "general"})
    )
    assert filtered == API_LIST


def test_page_list_queries_do_not_grow_with_the_page(client, many):
    client.force_login(many.users["county_dept"])
    url = reverse("hazards:list")
    counts = {n: queries(lambda n=n: client.get(url, {"page_size": n})) for n in (10, 50, 200)}
    assert set(counts.values()) == {PAGE_LIST}, counts
    # an enterprise chosen in the filter beyond the picker's first options costs one query more
    chosen = queries(lambda: client.get(url, {"enterprise": many.e1.pk, "page_size": 50}))
    assert chosen <= PAGE_LIST + 1, chosen


def test_detail_queries_do_not_grow_with_the_timeline(client, hz):
    hazard = advance(hz, "rectifying")
    client.force_login(hz.users["enterprise"])
    url = reverse("hazards:detail", args=[hazard.pk])
    before = queries(lambda: client.get(url))
    for _ in range(5):
        workflow.add_photos(hz.users["inspector"], hazard.pk, [])
    assert queries(lambda: client.get(url)) == before
    api = APIClient()
    api.force_login(hz.users["enterprise"])
    first = queries(lambda: api.get(f"/api/v1/hazards/{hazard.pk}/"))
    workflow.add_photos(hz.users["inspector"], hazard.pk, [])
    assert queries(lambda: api.get(f"/api/v1/hazards/{hazard.pk}/")) == first


def test_fast_hazard_representation_equals_drf_generic(hz):
    """The hand-written read path says exactly what the declared fields (and so the OpenAPI schema) say."""
    from rest_framework import serializers

    from hazards.api import HazardSerializer
    from hazards.models import Hazard

    advance(hz, "rectifying", level="major")
    advance(hz, "reported")
    for hazard in Hazard.objects.with_overdue().select_related("enterprise", "category"):
        serializer = HazardSerializer()
        fast = serializer.to_representation(hazard)
        generic = serializers.ModelSerializer.to_representation(serializer, hazard)
        assert fast == generic
        assert list(fast) == list(generic)
