"""The scope matrix: every role against an object in scope and one out of scope, for every list,
detail and page. Out of scope is a 404, never a 403 and never a leak."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

ROLES = ["city", "district", "dept_head", "county_dept", "inspector", "enterprise", "outsider"]

# What each role must see, by the World fixture's names.
ENTERPRISES = {
    "city": {"e1", "e2", "e3", "e4"},
    "district": {"e1", "e4"},  # everything in 海滨区
    "dept_head": {"e2"},  # 住建局: construction, city-wide
    "county_dept": {"e1", "e4"},  # 海滨区应急局: chemicals in its district, and the unsupervised industry as default
    "inspector": {"e1", "e3", "e4"},  # 市应急局: the whole 工矿商贸 sector city-wide, and the gap as default
    "enterprise": {"e1"},
    "outsider": set(),
}
REGIONS = {
    "city": {"city", "d1", "d2", "t1", "t2"},
    "district": {"city", "d1", "t1"},
    "dept_head": {"city", "d1", "d2", "t1", "t2"},
    "county_dept": {"city", "d1", "t1"},
    "inspector": {"city", "d1", "d2", "t1", "t2"},
    "enterprise": {"city", "d1", "t1"},
    "outsider": set(),
}
DEPARTMENTS = {
    "city": {"yjj", "zjj", "d1_yjj", "d2_zjj"},
    "district": {"yjj", "zjj", "d1_yjj"},
    "dept_head": {"yjj", "zjj", "d1_yjj", "d2_zjj"},
    "county_dept": {"yjj", "zjj", "d1_yjj"},
    "inspector": {"yjj", "zjj", "d1_yjj", "d2_zjj"},
    "enterprise": {"yjj", "zjj", "d1_yjj"},
    "outsider": set(),
}
INDUSTRIES = {
    "city": {"sector", "chem", "mine", "build", "gap"},
    "district": {"sector", "chem", "mine", "build", "gap"},
    "dept_head": {"build"},
    "county_dept": {"sector", "chem", "gap"},
    "inspector": {"sector", "chem", "mine", "gap"},
    "enterprise": {"sector", "chem"},
    "outsider": set(),
}
ALL = {
    "enterprises": ({"e1", "e2", "e3", "e4"}, ENTERPRISES),
    "regions": ({"city", "d1", "d2", "t1", "t2"}, REGIONS),
    "departments": ({"yjj", "zjj", "d1_yjj", "d2_zjj"}, DEPARTMENTS),
    "industries": ({"sector", "chem", "mine", "build", "gap"}, INDUSTRIES),
}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("resource", sorted(ALL))
@pytest.mark.parametrize("role", ROLES)
def test_api_list_and_detail_follow_scope(world, role, resource):
    """GIVEN a user of each kind WHEN they list and open every object THEN they get exactly their scope."""
    names, expected = ALL[resource]
    client = api(world.users[role])
    response = client.get(f"/api/v1/{resource}/", {"page_size": 200})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {getattr(world, n).id for n in expected[role]}
    for name in names:
        obj = getattr(world, name)
        detail = client.get(f"/api/v1/{resource}/{obj.id}/")
        assert detail.status_code == (200 if name in expected[role] else 404), (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_enterprise_pages_follow_scope(client, world, role):
    client.force_login(world.users[role])
    page = client.get(reverse("organizations:enterprise-list"))
    assert page.status_code == 200
    text = page.content.decode()
    for name in ("e1", "e2", "e3", "e4"):
        enterprise = getattr(world, name)
        assert (enterprise.name in text) == (name in ENTERPRISES[role]), (role, name)
        detail = client.get(reverse("organizations:enterprise-detail", args=[enterprise.pk]))
        assert detail.status_code == (200 if name in ENTERPRISES[role] else 404), (role, name)


def test_anonymous_is_sent_to_login_and_refused_by_the_api(client, world):
    response = client.get(reverse("organizations:enterprise-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert APIClient().get("/api/v1/enterprises/").status_code in (401, 403)


def test_filter_dropdowns_offer_only_the_scope(client, world):
    """A district leader's region filter lists its own district, never the neighbour."""
    client.force_login(world.users["district"])
    text = client.get(reverse("organizations:enterprise-list")).content.decode()
    assert world.d1.name in text and world.d2.name not in text
    assert world.d2_zjj.name not in text


def test_filter_by_out_of_scope_region_is_a_field_error(world):
    response = api(world.users["district"]).get("/api/v1/enterprises/", {"region": world.d2.id})
    assert response.status_code == 400
    assert "region" in response.json()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "d1"}, {"e1", "e4"}),
        ({"region": "t2"}, {"e2", "e3"}),
        ({"industry": "sector"}, {"e1", "e3"}),
        ({"department": "d1_yjj"}, {"e1", "e4"}),
        ({"department": "zjj"}, {"e2"}),
        ({"department": "yjj"}, {"e1", "e3", "e4"}),
        ({"q": "新城"}, {"e2", "e3"}),
    ],
)
def test_enterprise_filters(world, params, expected):
    query = {k: (v if k == "q" else getattr(world, v).id) for k, v in params.items()}
    response = api(world.users["city"]).get("/api/v1/enterprises/", query)
    assert response.status_code == 200, response.json()
    assert {row["id"] for row in response.json()["results"]} == {getattr(world, n).id for n in expected}


def test_state_filters(world):
    world.e2.licence_state = "unlicensed"
    world.e2.operating_state = "suspended"
    world.e2.is_key_unit = True
    world.e2.save()
    client = api(world.users["city"])
    for params in ({"licence_state": "unlicensed"}, {"operating_state": "suspended"}, {"is_key_unit": "true"}):
        rows = client.get("/api/v1/enterprises/", params).json()["results"]
        assert [row["id"] for row in rows] == [world.e2.id], params
    rows = client.get("/api/v1/enterprises/", {"q": world.e3.credit_code.lower()}).json()["results"]
    assert [row["id"] for row in rows] == [world.e3.id]


def test_supervising_department_is_derived(world):
    """三管三必须: the nearest department in charge of the industry; the default one for a gap."""
    client = api(world.users["city"])
    by_id = {row["id"]: row for row in client.get("/api/v1/enterprises/").json()["results"]}
    assert by_id[world.e1.id]["supervising_department"] == world.d1_yjj.id  # the district mirror beats the city
    assert by_id[world.e2.id]["supervising_department"] == world.d2_zjj.id
    assert by_id[world.e3.id]["supervising_department"] == world.yjj.id  # through its sector
    assert by_id[world.e4.id]["supervising_department"] == world.d1_yjj.id  # default supervisor of 海滨区
    assert by_id[world.e4.id]["supervision_gap"] is True
    assert not any(by_id[e.id]["supervision_gap"] for e in (world.e1, world.e2, world.e3))


def test_gap_page_lists_unsupervised_industries(client, world):
    client.force_login(world.users["city"])
    text = client.get(reverse("organizations:gaps")).content.decode()
    assert world.gap.name in text and world.chem.name not in text
    client.force_login(world.users["enterprise"])
    assert client.get(reverse("organizations:gaps")).status_code == 403


def test_moving_a_region_moves_its_subtree(world):
    world.d1.parent = world.d2
    world.d1.save()
    world.t1.refresh_from_db()
    assert world.t1.path == "/990100/990103/990102/990102001/"
    assert set(world.d2.__class__.objects.subtree(world.d2).values_list("code", flat=True)) == {
        "990103", "990103001", "990102", "990102001"
    }  # fmt: skip


def test_a_sector_with_a_supervised_industry_is_not_a_gap(world):
    from organizations.scope import Reference

    gaps = Reference().unsupervised()
    assert gaps == {world.gap.id}
