"""A checklist version's sections and items with their ids, which an inspection's answers name."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from inspections.models import ChecklistItem, ChecklistTemplate


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_versions_items_come_with_their_ids(world):
    template = ChecklistTemplate.objects.order_by("code").first()
    version = template.current()
    client = api(world.users["inspector"])
    listed = client.get("/api/v1/checklist-versions/", {"template": template.pk}).json()["results"]
    assert [v["id"] for v in listed] == [version.pk]
    assert listed[0]["code"] == template.code
    with CaptureQueriesContext(connection) as ctx:
        detail = client.get(f"/api/v1/checklist-versions/{version.pk}/").json()
    assert len(ctx.captured_queries) == 3  # the version with its template, its sections, their items
    items = [item for section in detail["sections"] for item in section["items"]]
    stored = ChecklistItem.objects.filter(section__version=version).order_by("section__order", "order")
    assert [i["id"] for i in items] == [i.pk for i in stored]
    first = stored.select_related("category").first()
    assert items[0]["text"] == first.text and items[0]["answer_kind"] == first.answer_kind
    assert items[0]["category"] == (first.category.code if first.category else None)
    # The enterprise runs self-checks on the same checklists; nobody signed out reads them.
    assert api(world.users["enterprise"]).get(f"/api/v1/checklist-versions/{version.pk}/").status_code == 200
    assert APIClient().get(f"/api/v1/checklist-versions/{version.pk}/").status_code == 401
    assert client.get("/api/v1/checklist-versions/999999/").status_code == 404
