"""The risk themes' API (/api/v1/risks/themes/, /api/v1/risks/theme-confirmations/): create, publish, withdraw,
confirm with the statuses docs/api.md names, scope, and the confirmations' drill-down."""

from __future__ import annotations

from datetime import timedelta

from risks import themes
from risks.models import ThemeConfirmation

from .themes_fixtures import *  # noqa: F403  (the fixture)
from .themes_fixtures import api, fields, published

THEMES = "/api/v1/risks/themes/"
CONFIRMATIONS = "/api/v1/risks/theme-confirmations/"


def body(**changes) -> dict:
    values = fields(**changes)
    for name in ("starts_on", "ends_on", "confirm_by"):
        values[name] = values[name].isoformat()
    return values


def test_the_city_office_creates_and_publishes_and_the_list_counts(world, posts):
    """GIVEN the city office WHEN it creates THEN 201 a draft offering edit and publish; WHEN it publishes THEN 200
    published, counting 4 not yet confirmed; the list shows it with the same counts."""
    city = api(world.users["city"])
    created = city.post(THEMES, body(industries=[world.chem.pk, world.build.pk]), format="json")
    assert created.status_code == 201, created.json()
    theme = created.json()
    assert theme["status"] == "draft" and theme["actions"] == ["edit", "publish"]
    assert theme["industries"] == sorted([world.chem.pk, world.build.pk]) and theme["region"] == world.city.pk
    done = city.post(f"{THEMES}{theme['id']}/publish/")
    assert done.status_code == 200 and done.json()["status"] == "published"
    assert done.json()["counts"] == {"confirmed": 0, "pending": 2, "overdue": 0}
    listed = city.get(THEMES).json()
    assert [t["id"] for t in listed["results"]] == [theme["id"]] and listed["next"] is None
    assert listed["results"][0]["counts"] == {"confirmed": 0, "pending": 2, "overdue": 0}
    assert city.get(THEMES, {"status": "draft"}).json()["results"] == []


def test_bad_input_is_400_by_field_in_chinese(world, posts):
    """GIVEN a theme whose last day is before its first WHEN created THEN 400 on ends_on in Chinese; an unknown kind
    400 on kind; a region outside a district's territory 400 on region."""
    city = api(world.users["city"])
    answer = city.post(THEMES, body(ends_on=fields()["starts_on"] - timedelta(days=1)), format="json")
    assert answer.status_code == 400 and answer.json()["ends_on"] == ["最后一天不能早于第一天。"]
    assert "kind" in city.post(THEMES, body(kind="weather"), format="json").json()
    outside = api(world.users["district"]).post(THEMES, body(region=world.d2.pk), format="json")
    assert outside.status_code == 400 and "region" in outside.json()


def test_refusals_are_403_404_409(world, posts):
    """GIVEN a published city theme THEN an enterprise creating is 403; a district withdrawing 403; an outsider 404;
    publishing again 409; withdrawn, confirming is 409."""
    theme = published(world.users["city"])
    assert api(world.users["enterprise"]).post(THEMES, body(), format="json").status_code == 403
    assert api(world.users["district"]).post(f"{THEMES}{theme.pk}/withdraw/").status_code == 403
    assert api(world.users["outsider"]).get(f"{THEMES}{theme.pk}/").status_code == 404
    assert api(world.users["outsider"]).post(f"{THEMES}{theme.pk}/withdraw/").status_code == 404
    assert api(world.users["city"]).post(f"{THEMES}{theme.pk}/publish/").status_code == 409
    withdrawn = api(world.users["city"]).post(f"{THEMES}{theme.pk}/withdraw/", {"reason": "取消"}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    refused = api(world.users["enterprise"]).post(f"{THEMES}{theme.pk}/confirm/")
    assert refused.status_code == 409 and refused.json()["code"] == "conflict"


def test_the_enterprise_sees_its_confirmation_and_confirms_once(world, posts):
    """GIVEN a published theme WHEN e1's principal lists confirmations THEN only e1's; WHEN it confirms THEN 200 with
    its note; again 409; a theme not asking e1 404."""
    theme = published(world.users["city"])
    other = published(world.users["city"], region=world.d2)
    client = api(world.users["enterprise"])
    mine = client.get(CONFIRMATIONS).json()["results"]
    assert [(r["theme"], r["enterprise"]) for r in mine] == [(theme.pk, world.e1.pk)]
    assert mine[0]["is_overdue"] is False and mine[0]["confirmed_at"] is None
    done = client.post(f"{THEMES}{theme.pk}/confirm/", {"note": "已检查"}, format="json")
    assert done.status_code == 200 and done.json()["note"] == "已检查" and done.json()["confirmed_at"]
    assert client.post(f"{THEMES}{theme.pk}/confirm/").status_code == 409
    assert client.post(f"{THEMES}{other.pk}/confirm/").status_code == 404


def test_the_confirmations_drill_down_by_state_and_region(world, posts):
    """GIVEN e1 confirmed of four WHEN the city office lists ?confirmed=false THEN e2, e3, e4; with ?region=新城区
    THEN e2 and e3; a district sees its own region's only; a bad boolean is 400."""
    theme = published(world.users["city"])
    themes.confirm(world.users["enterprise"], theme.pk)
    city = api(world.users["city"])

    def listed(client, **query):
        return {r["enterprise"] for r in client.get(CONFIRMATIONS, {"theme": theme.pk, **query}).json()["results"]}

    assert listed(city, confirmed="false") == {world.e2.pk, world.e3.pk, world.e4.pk}
    assert listed(city, confirmed="true") == {world.e1.pk}
    assert listed(city, confirmed="false", region=world.d2.pk) == {world.e2.pk, world.e3.pk}
    assert listed(api(world.users["district"])) == {world.e1.pk, world.e4.pk}
    assert city.get(CONFIRMATIONS, {"confirmed": "maybe"}).status_code == 400
    assert ThemeConfirmation.objects.filter(theme=theme).count() == 4


def list_queries(world, n: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(n):
        published(world.users["district"], region=world.d1, title=f"主题{n}-{i}")
    client = api(world.users["district"])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(THEMES).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_costs_the_same_queries_for_2_or_8_themes(world, posts):
    """GIVEN 2 themes, then 6 more WHEN 海滨区 lists them (counts and actions included) THEN the same queries."""
    assert list_queries(world, 2) == list_queries(world, 6)
