"""Query counts pinned on the hazard list and detail: the same for 10, 50 and 200 rows, and no COUNT(*)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from hazards import workflow

from .conftest import advance, filing

# Session + user (2), the department and its region (2), the page (1); the reference data is read by the first
# request only (organizations.scope.Reference.shared), so the counts are taken after one.
API_LIST = 5
# The page adds the user's positions and unread notices for the navigation and the enterprise picker's first
# options; with a filter chosen, also the filter's dropdowns (region, department, industry, category). With none,
# the filter form is kept per scope (hazards.views.unfiltered_form) and its dropdowns are not read again.
PAGE_LIST = 8
PAGE_LIST_FILTERED = 12


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
    client.get("/api/v1/hazards/")  # the reference data, read once
    counts = {n: queries(lambda n=n: client.get("/api/v1/hazards/", {"page_size": n})) for n in (10, 50, 200)}
    assert set(counts.values()) == {API_LIST}, counts
    filtered = queries(
        lambda: client.get("/api/v1/hazards/", {"status": "reported", "is_overdue": "false", "level": "general"})
    )
    assert filtered == API_LIST


def test_page_list_queries_do_not_grow_with_the_page(client, many):
    client.force_login(many.users["county_dept"])
    url = reverse("hazards:list")
    client.get(url)  # the reference data, read once
    counts = {n: queries(lambda n=n: client.get(url, {"page_size": n})) for n in (10, 50, 200)}
    assert set(counts.values()) == {PAGE_LIST}, counts
    # an enterprise chosen in the filter beyond the picker's first options costs one query more
    filtered = queries(lambda: client.get(url, {"level": "general", "page_size": 50}))
    assert filtered == PAGE_LIST_FILTERED, filtered
    chosen = queries(lambda: client.get(url, {"enterprise": many.e1.pk, "page_size": 50}))
    assert chosen <= PAGE_LIST_FILTERED + 1, chosen


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


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_list_rows_equal_drf_generic(hz, language):
    """The list writes tuples (HazardSerializer.rows_representation) exactly as DRF writes the hazard: an overdue
    one (days by the clock), a closed one, a category's name in each language."""
    from datetime import timedelta

    from django.utils import timezone, translation
    from rest_framework import serializers

    from hazards.api import HazardSerializer
    from hazards.models import Hazard

    late = advance(hz, "rectifying", level="major")
    Hazard.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(days=3, hours=5))
    advance(hz, "closed")
    advance(hz, "reported")
    hz.fire.name_en = "Fire safety"
    hz.fire.save()
    queryset = Hazard.objects.with_overdue().select_related("enterprise", "category").order_by("-id")
    with translation.override(language):
        serializer = HazardSerializer()
        rows = serializer.rows_representation(queryset.values_list(*HazardSerializer.ROW_COLUMNS, named=True))
        generic = [serializers.ModelSerializer.to_representation(serializer, hazard) for hazard in queryset]
    assert rows == generic
    assert [list(row) for row in rows] == [list(row) for row in generic]
    assert {row["days_overdue"] for row in rows} >= {3, 0}
    assert {row["category_name"] for row in rows} >= {"Fire safety" if language == "en" else hz.fire.name}
