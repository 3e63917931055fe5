"""The accident records' API (/api/v1/accidents/): confirm from an incident, an accident elsewhere, PATCH, close
(multipart) with the statuses docs/api.md names, scope and the filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accidents.models import Accident

from .factories import make_accident, make_external
from .records_fixtures import api, not_pdf, pdf, reported

pytestmark = pytest.mark.django_db
ACCIDENTS = "/api/v1/accidents/"


def test_confirm_then_patch_then_close_through_the_api(world, settings, tmp_path):
    """GIVEN an incident at e1 WHEN the district leader posts it to from-incident THEN 201 with the three parties and
    the actions edit and close; again 409 in Chinese; PATCH the deaths THEN the grade follows; close with a PDF THEN
    closed, a report URL served through scope (the PDF's bytes), the enterprise sees it and an outsider 404s."""
    settings.MEDIA_ROOT = tmp_path
    incident = reported(world.users["city"], world.e1)
    district = api(world.users["district"])
    made = district.post(f"{ACCIDENTS}from-incident/", {"incident": incident.pk, "kind": "production",
                                                         "accident_type": "08"}, format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["enterprise"], body["region"], body["department"]) == (world.e1.pk, world.t1.pk, world.d1_yjj.pk)
    assert body["actions"] == ["close", "edit"] and body["grade"] == "general" and body["report_url"] is None
    again = district.post(f"{ACCIDENTS}from-incident/", {"incident": incident.pk, "kind": "production",
                                                          "accident_type": "08"}, format="json")  # fmt: skip
    assert again.status_code == 409 and "已建立事故记录" in again.json()["detail"]
    changed = district.patch(f"{ACCIDENTS}{body['id']}/", {"deaths": 3}, format="json")
    assert changed.status_code == 200 and changed.json()["grade"] == "large"
    refused = district.post(f"{ACCIDENTS}{body['id']}/close/", {"report": not_pdf(), "findings": "f",
                                                                "measures": "m"}, format="multipart")  # fmt: skip
    assert refused.status_code == 400 and set(refused.json()) == {"report", "direct_causes"}
    closed = district.post(f"{ACCIDENTS}{body['id']}/close/", {"report": pdf(), "findings": "负有责任。",
                           "measures": "整改。", "direct_causes": ["unsafe_act"]}, format="multipart")  # fmt: skip
    assert closed.status_code == 200, closed.json()
    assert closed.json()["investigation"] == "closed" and closed.json()["actions"] == []
    url = closed.json()["report_url"]
    client = district
    client.force_login(world.users["enterprise"])
    downloaded = client.get(url)
    assert downloaded.status_code == 200 and b"".join(downloaded.streaming_content).startswith(b"%PDF-")
    client.force_login(world.users["dept_head"])
    assert client.get(url).status_code == 404
    assert district.patch(f"{ACCIDENTS}{body['id']}/", {"title": "x"}, format="json").status_code in (404, 409)
    assert api(world.users["city"]).patch(f"{ACCIDENTS}{body['id']}/", {"title": "x"}, format="json").status_code == 409


def test_refusals_404_403_400(world):
    """GIVEN an incident at e1 and one with no enterprise THEN 住建局's head 404, the inspector 403, no enterprise 400
    on incident, an unknown cause 400; an accident elsewhere by a district 403, by the city office 201."""
    city = world.users["city"]
    incident = reported(city, world.e1)
    post = {"incident": incident.pk, "kind": "production", "accident_type": "08"}
    assert api(world.users["dept_head"]).post(f"{ACCIDENTS}from-incident/", post, format="json").status_code == 404
    assert api(world.users["inspector"]).post(f"{ACCIDENTS}from-incident/", post, format="json").status_code == 403
    nowhere = reported(city, region=world.t2, place="新城路口")
    answer = api(city).post(f"{ACCIDENTS}from-incident/", {**post, "incident": nowhere.pk}, format="json")
    assert answer.status_code == 400 and "incident" in answer.json()
    answer = api(city).post(f"{ACCIDENTS}from-incident/", {**post, "direct_causes": ["luck"]}, format="json")
    assert answer.status_code == 400 and "direct_causes" in answer.json()
    elsewhere = {"title": "外省某化工企业爆炸事故", "source": "国务院安委会办公室通报", "place": "某省某市",
                 "occurred_at": (timezone.now() - timedelta(days=1)).isoformat(), "industry": world.chem.pk,
                 "accident_type": "18", "grade": "large", "deaths": 3}  # fmt: skip
    assert api(world.users["district"]).post(f"{ACCIDENTS}elsewhere/", elsewhere, format="json").status_code == 403
    made = api(city).post(f"{ACCIDENTS}elsewhere/", elsewhere, format="json")
    assert made.status_code == 201 and made.json()["external"] is True and made.json()["grade"] == "large"


def test_the_list_in_scope_with_filters_and_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    """GIVEN two records at e1 and one elsewhere THEN the city office lists 3, ?external=true 1, ?grade=large 1; the
    enterprise lists its own 2; 住建局's head the one elsewhere; a bad year 400; the query count does not grow."""
    city = world.users["city"]
    for _ in range(2):
        make_accident(world.e1, city)
    make_external(world.city, world.chem, city)
    client = api(city)
    with django_assert_max_num_queries(12):
        assert len(client.get(ACCIDENTS).json()["results"]) == 3
    assert len(client.get(ACCIDENTS, {"external": "true"}).json()["results"]) == 1
    assert len(client.get(ACCIDENTS, {"grade": "large"}).json()["results"]) == 1
    assert len(api(world.users["enterprise"]).get(ACCIDENTS).json()["results"]) == 2
    assert [a["external"] for a in api(world.users["dept_head"]).get(ACCIDENTS).json()["results"]] == [True]
    assert client.get(ACCIDENTS, {"year": "1999"}).status_code == 400
    assert Accident.objects.count() == 3


def test_the_lists_query_count_does_not_grow_with_the_rows(world):
    """GIVEN 2 then 8 records at e1 WHEN the district leader lists them (each with its actions) through the API and
    the page THEN the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    city, district = world.users["city"], world.users["district"]
    client = api(district)
    page = APIClient()
    page.force_login(district)

    def counted() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as api_queries:
            assert client.get(ACCIDENTS).status_code == 200
        with CaptureQueriesContext(connection) as page_queries:
            assert page.get("/accidents/").status_code == 200
        return len(api_queries), len(page_queries)

    for _ in range(2):
        make_accident(world.e1, city)
    counted()  # the user's positions and region are read once and kept on the (same) user object
    few = counted()
    for _ in range(6):
        make_accident(world.e1, city)
    assert counted() == few
