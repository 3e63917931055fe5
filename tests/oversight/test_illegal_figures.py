"""The figures of 打非治违 per region and department: every count equals the rows of the list it links to (the
illegal operations' and the enterprises', through the API with the same query), for the city office, a district
and a department; a few grouped queries whatever the number of rows; the period and the drill into streets."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.models import Enterprise
from oversight import illegal_figures

from .factories import make_illegal

pytestmark = pytest.mark.django_db


@pytest.fixture
def found(world):
    """Records across regions, departments, kinds and results, in this year and the last."""
    today = timezone.localdate()
    city = world.users["city"]
    Enterprise.objects.filter(pk=world.e3.pk).update(licence_state="unlicensed")
    rows = [
        (world.e1, {"department": world.d1_yjj, "kind": "unlicensed", "result": "banned", "action": "ban"}),
        (world.e1, {"department": world.d1_yjj, "kind": "beyond_licence"}),
        (world.e2, {"department": world.d2_zjj, "kind": "illegal_subcontracting", "result": "stopped"}),
        (world.e2, {"department": world.zjj, "kind": "borrowed_qualification", "result": "referred"}),
        (world.e3, {"department": world.yjj, "kind": "unlicensed", "result": "rectified"}),
        (world.e4, {"department": world.d1_yjj, "kind": "other", "found_on": date(today.year - 1, 12, 31)}),
    ]
    for enterprise, fields in rows:
        make_illegal(enterprise, city, **{"found_on": today, **fields})
    # outside the registry, at a street and at the district itself
    make_illegal(None, city, region=world.t1, industry=world.chem, department=world.d1_yjj, found_on=today)
    make_illegal(None, city, region=world.d1, industry=world.gap, department=world.d1_yjj, found_on=today)
    return rows


def _api(path: str) -> str:
    """The API list of a page list's path."""
    return {
        reverse("illegal:list"): "/api/v1/illegal-operations/",
        reverse("organizations:enterprise-list"): "/api/v1/enterprises/",
    }[path]


def _rows(client, url: str) -> int:
    parts = urlsplit(url)
    next_url = f"{_api(parts.path)}?{parts.query}&page_size=2"
    n = 0
    while next_url:
        answer = client.get(next_url)
        assert answer.status_code == 200, (url, answer.content)
        n += len(answer.json()["results"])
        next_url = answer.json()["next"]
    return n


def _cells(row: dict):
    yield from row["enterprises"].values()
    yield row["recorded"]
    yield from row["kinds"].values()
    yield from row["results"].values()


def _check(client, data: dict) -> int:
    checked = 0
    for row in [data["total"], *data["regions"], *data["departments"]]:
        for cell in _cells(row):
            if cell["url"] is None:
                continue
            assert _rows(client, cell["url"]) == cell["count"], (row["label"], cell)
            checked += 1
    return checked


@pytest.mark.parametrize("user", ["city", "district", "county_dept", "dept_head"])
def test_every_count_is_its_lists_rows(world, found, client, user):
    client.force_login(world.users[user])
    answer = client.get("/api/v1/illegal-operations/figures/")
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert _check(client, data) > 20


def test_the_city_offices_figures(world, found, client):
    client.force_login(world.users["city"])
    data = client.get("/api/v1/illegal-operations/figures/").json()
    total = data["total"]
    assert total["recorded"]["count"] == 7  # last year's is not in this year
    assert total["enterprises"]["registered"]["count"] == 4
    assert total["enterprises"]["unlicensed"]["count"] == 1
    assert {k: c["count"] for k, c in total["results"].items()} == {
        "open": 3, "banned": 1, "stopped": 1, "referred": 1, "rectified": 1,
    }  # fmt: skip
    regions = {row["label"]: row for row in data["regions"]}
    assert regions["海滨区"]["recorded"]["count"] == 4 and regions["新城区"]["recorded"]["count"] == 3
    departments = {row["label"]: row for row in data["departments"]}
    assert departments["海滨区应急管理局"]["recorded"]["count"] == 4
    # 市应急管理局 supervises the sector (chemicals, mines) and the gaps: every enterprise but the builder
    assert departments["市应急管理局"]["enterprises"]["registered"]["count"] == 3
    last = client.get(f"/api/v1/illegal-operations/figures/?year={timezone.localdate().year - 1}").json()
    assert last["total"]["recorded"]["count"] == 1
    assert _check(client, last) > 10


def test_a_district_drills_into_its_streets_and_its_own_level(world, found, client):
    client.force_login(world.users["district"])
    data = client.get("/api/v1/illegal-operations/figures/").json()
    labels = [row["label"] for row in data["regions"]]
    assert labels == ["海滨街道", "海滨区 (itself)"] or labels == ["海滨街道", "海滨区（本级）"]
    street, itself = data["regions"]
    assert street["recorded"]["count"] == 3 and itself["recorded"]["count"] == 1
    assert itself["enterprises"]["registered"]["url"] is None  # the enterprise list has no region-alone filter
    assert data["total"]["recorded"]["count"] == 4
    client.force_login(world.users["city"])
    district = client.get(f"/api/v1/illegal-operations/figures/?region={world.d1.pk}").json()
    assert [row["label"] for row in district["regions"]][0] == "海滨街道"
    assert district["total"]["recorded"]["count"] == 4
    assert _check(client, district) > 20
    outside = client.get(f"/api/v1/illegal-operations/figures/?region={world.t2.pk}")
    assert outside.status_code == 200
    client.force_login(world.users["district"])
    refused = client.get(f"/api/v1/illegal-operations/figures/?region={world.t2.pk}")
    assert refused.status_code == 400 and "region" in refused.json()


def test_a_period_of_days(world, found, client):
    client.force_login(world.users["city"])
    today = timezone.localdate()
    start = (today - timedelta(days=400)).isoformat()
    data = client.get(f"/api/v1/illegal-operations/figures/?found_from={start}&found_to={today}").json()
    assert data["total"]["recorded"]["count"] == 8
    assert _check(client, data) > 20
    bad = client.get("/api/v1/illegal-operations/figures/?found_from=2026-13-01")
    assert bad.status_code == 400 and "found_from" in bad.json()


def test_a_few_grouped_queries(world, found, django_assert_max_num_queries):
    for _n in range(30):
        make_illegal(world.e2, world.users["city"], department=world.d2_zjj, kind="unlicensed")
    for name in ("city", "district", "dept_head"):
        user = type(world.users[name]).objects.get(pk=world.users[name].pk)  # nothing cached
        # the user's unit and region, the industry tree and its departments (the scope's), the region and its
        # subregions, the departments; then five counting queries: operations and enterprises by region, enterprises
        # by department (one aggregate), operations by department
        with django_assert_max_num_queries(11):
            figures = illegal_figures.figures(user, {})
        assert figures.total.recorded.count >= 1


def test_the_page_links_every_count(world, found, client):
    client.force_login(world.users["city"])
    page = client.get(reverse("illegal:figures"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count(reverse("illegal:list") + "?") > 40
    assert f"?region={world.d1.pk}&amp;year=" in html  # the drill into 海滨区's streets
    assert client.get(reverse("illegal:figures") + "?year=abc").status_code == 400


@pytest.mark.parametrize("user", ["enterprise", "outsider"])
def test_figures_are_the_governments(world, client, user):
    client.force_login(world.users[user])
    assert client.get("/api/v1/illegal-operations/figures/").status_code == 403
    assert client.get(reverse("illegal:figures")).status_code == 403
