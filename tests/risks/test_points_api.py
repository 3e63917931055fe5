"""The risk point API: the list in scope with the page's filters and a constant number of queries whatever the page
size, create / partial update / evaluate / retire through the workflow, and the answers 400 (by field, in Chinese),
403, 404 and 409."""

from __future__ import annotations

import pytest

from organizations.models import User
from risks.models import RiskControl, RiskPoint
from tests.emergency.test_rescue_api import api, in_chinese

from .factories import make_point

pytestmark = pytest.mark.django_db

POINTS = "/api/v1/risks/points/"


NEW = {
    "name": "液氨储罐", "kind": "facility", "place": "罐区", "responsible_name": "李工", "hazard_factors": ["22"],
    "accident_types": ["17", "19"], "control_level": "company", "is_major_hazard_source": True,
    "method": "lec", "lec_l": "3", "lec_e": "6", "lec_c": "7",
    "controls": [{"kind": "engineering", "measure": "泄漏报警"}, {"kind": "protective", "measure": "防毒面具"}],
}  # fmt: skip


def test_the_enterprise_creates_edits_evaluates_and_retires_a_point(world):
    client = api(world.users["enterprise"])
    created = client.post(POINTS, NEW, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["enterprise"], body["computed_colour"], body["colour"]) == (world.e1.pk, "yellow", "red")
    assert [c["measure"] for c in body["controls"]] == ["泄漏报警", "防毒面具"] and body["is_overdue"] is False
    pk = body["id"]
    kept = [{"kind": "engineering", "measure": "泄漏报警"}]
    edited = client.patch(f"{POINTS}{pk}/", {"place": "二号罐区", "controls": kept}, format="json")
    assert edited.status_code == 200 and edited.json()["reevaluation_reason"] == "change"
    assert edited.json()["is_overdue"] is True and len(edited.json()["controls"]) == 1
    assert RiskControl.objects.filter(point_id=pk, is_active=False).count() == 1
    judged = client.post(f"{POINTS}{pk}/evaluate/", {"method": "ls", "ls_l": 2, "ls_s": 2}, format="json")
    assert judged.status_code == 200
    assert (judged.json()["colour"], judged.json()["reevaluation_reason"]) == ("red", "yearly")  # the source forces red
    assert client.post(f"{POINTS}{pk}/retire/", {"reason": "已拆除"}, format="json").json()["is_active"] is False
    again = client.post(f"{POINTS}{pk}/retire/", {"reason": "已拆除"}, format="json")
    assert again.status_code == 409 and in_chinese(again)
    assert client.get(f"{POINTS}{pk}/").status_code == 200  # found by its id, not listed
    assert pk not in [p["id"] for p in client.get(POINTS).json()["results"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [({"lec_e": None}, "lec_e"), ({"method": "ls", "ls_l": 9}, "ls_l"),
     ({"lec_l": "10", "override_colour": "blue", "override_reason": "已整改"}, "override_colour"),
     ({"controls": []}, "controls"), ({"accident_types": ["21"]}, "accident_types"), ({"name": ""}, "name"),
     ({"enterprise": 999999}, "enterprise")],
)  # fmt: skip
def test_bad_input_is_a_400_by_field_in_chinese_and_nothing_is_written(world, change, field):
    response = api(world.users["enterprise"]).post(POINTS, NEW | change, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert in_chinese(response) and not RiskPoint.objects.exists(), response.json()


def test_who_may_403_out_of_scope_404(world):
    point = make_point(world.e1, "orange")
    city = api(world.users["city"])
    assert city.post(POINTS, NEW, format="json").status_code == 403
    refused = city.post(f"{POINTS}{point.pk}/evaluate/", {"method": "ls", "ls_l": 1, "ls_s": 1}, format="json")
    assert refused.status_code == 403 and in_chinese(refused)
    assert api(world.users["dept_head"]).get(f"{POINTS}{point.pk}/").status_code == 404
    assert api(world.users["dept_head"]).patch(f"{POINTS}{point.pk}/", {"name": "x"}, format="json").status_code == 404
    assert RiskPoint.objects.get(pk=point.pk).colour == "orange"


def test_the_list_filters_as_the_page_does(world):
    make_point(world.e1, "red", is_key_place=True)
    make_point(world.e1, "blue")
    make_point(world.e2, "yellow")
    client = api(world.users["city"])

    def count(query: str) -> int:
        return len(client.get(POINTS + "?" + query).json()["results"])

    assert (count(""), count("colour=red"), count("key_place=1"), count(f"region={world.d2.pk}")) == (3, 1, 1, 1)
    assert count(f"department={world.d1_yjj.pk}") == 2 and count(f"enterprise={world.e2.pk}") == 1
    assert client.get(POINTS + "?colour=purple").status_code == 400


@pytest.mark.parametrize("role", ["city", "enterprise"])
def test_the_list_takes_the_same_queries_for_1_and_30_points(world, role, django_assert_num_queries):
    """GIVEN one point WHEN listed THEN n queries; GIVEN thirty (two controls each) THEN the same n."""
    make_point(world.e1, "red")
    # A fresh user each time, as each request has: the scope is computed within the count.
    api(User.objects.get(pk=world.users[role].pk)).get(POINTS)  # the reference data: read once, kept until it changes
    client = api(User.objects.get(pk=world.users[role].pk))
    with django_assert_num_queries(6, exact=False) as one:  # the scope, the page (enterprise joined), the controls
        assert len(client.get(POINTS + "?page_size=50").json()["results"]) == 1
    for n in range(29):
        make_point(world.e1, ("red", "orange", "yellow", "blue")[n % 4])
    client = api(User.objects.get(pk=world.users[role].pk))
    with django_assert_num_queries(len(one)):
        assert len(client.get(POINTS + "?page_size=50").json()["results"]) == 30
