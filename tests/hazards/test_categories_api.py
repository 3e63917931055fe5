"""The hazard categories a filing names by code: listed with their names in the user's language."""

from __future__ import annotations

from rest_framework.test import APIClient

from hazards.models import HazardCategory


def api(user, language="zh-hans") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def test_categories_are_listed_with_code_name_and_active(world):
    HazardCategory.objects.filter(code="gas").update(is_active=False)
    listed = api(world.users["enterprise"]).get("/api/v1/hazard-categories/", {"page_size": 200}).json()
    rows = {row["code"]: row for row in listed["results"]}
    assert set(rows) == set(HazardCategory.objects.values_list("code", flat=True))
    fire = HazardCategory.objects.get(code="fire")
    assert rows["fire"] == {"code": "fire", "name": fire.name, "active": True}
    assert rows["gas"]["active"] is False
    assert [r["code"] for r in listed["results"]] == list(HazardCategory.objects.values_list("code", flat=True))
    active = api(world.users["enterprise"]).get("/api/v1/hazard-categories/", {"active": "true", "page_size": 200})
    assert "gas" not in {r["code"] for r in active.json()["results"]}
    english = api(world.users["enterprise"], "en").get("/api/v1/hazard-categories/fire/").json()
    assert english["name"] == (fire.name_en or fire.name)
    assert api(world.users["enterprise"]).get("/api/v1/hazard-categories/nope/").status_code == 404
    assert APIClient().get("/api/v1/hazard-categories/").status_code == 401
