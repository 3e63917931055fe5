"""The work queues (work/queues.py): each role's sections, each count equal to the rows of the list it opens for
the same person, a constant number of queries whatever the data size, and the same queue in the API."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from work import queues

from .conftest import grow

pytestmark = pytest.mark.django_db

ROLE_USERS = {
    "inspector": ["inspector"],
    "county_dept": ["department"],
    "dept_head": ["department"],
    "enterprise": ["enterprise"],
    "district": ["territorial_leader"],
    "duty": ["duty_officer"],
    "city": ["city_office"],
    "outsider": [],
}


def rows_on(client, url: str) -> int:
    """The rows of a list page, as a person sees them (every page of it)."""
    total, seen = 0, set()
    url = url + ("&" if "?" in url else "?") + "page_size=200"
    while url and url not in seen:
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        if url.startswith(reverse("inspections:today")):
            first = html.split('<ul class="rows">', 1)[1].split("</ul>", 1)[0]  # today's, not the recent ones
            return len(re.findall(r"<li>", first))
        if url.startswith(reverse("notifications:inbox")):
            total += len(set(re.findall(r'href="/notifications/(\d+)/"', html)))
        elif "/roll-calls/" in url:
            return len(re.findall(r"<tr><td>", html))
        elif url.startswith("/tipoffs/?"):  # the tip-offs list (#20): each row links its report
            main = html.split("<main", 1)[1]
            total += len(set(re.findall(r'href="/tipoffs/(\d+)/"', main)))
        elif url.startswith("/risks/?"):  # the risk points list (#17): each row links its point
            main = html.split("<main", 1)[1]
            total += len(set(re.findall(r'href="/risks/points/(\d+)/"', main)))
        else:  # a hazard list: each row links its hazard (however the row is laid out)
            main = html.split("<main", 1)[1]
            total += len(set(re.findall(r'href="/hazards/(\d+)/"', main)))
        following = re.search(r'href="([^"]+)" rel="next"', html)
        url = following.group(1).replace("&amp;", "&") if following else None
    return total


@pytest.mark.parametrize("who", list(ROLE_USERS))
def test_each_role_sees_its_sections(client, qw, who):
    sections = queues.build(qw.users[who])
    assert [s.role for s in sections] == ROLE_USERS[who]


@pytest.mark.parametrize("who", [w for w in ROLE_USERS if w != "outsider"])
def test_every_count_equals_the_list_it_opens(client, qw, who):
    """GIVEN hazards in every state, notices, an inspection, a roll call WHEN a person opens each list their home
    links THEN it has exactly as many rows as the home page said."""
    user = qw.users[who]
    client.force_login(user)
    compared = 0
    for section in queues.build(user):
        for entry in section.entries:
            if entry.url:
                assert rows_on(client, entry.url) == entry.count, (section.role, entry.key)
                compared += entry.count
            elif entry.count is not None:
                assert entry.count == len(entry.items), (section.role, entry.key)  # the items are the whole list
                compared += entry.count
            for item in entry.items:
                if item.count is not None:
                    assert rows_on(client, item.url) == item.count, (section.role, entry.key, item.title)
                    compared += item.count
    assert compared > 0  # something was counted and compared


def test_counts_by_role(qw):
    """Counted by hand from the `grow` of one round: what each role is shown."""
    counts = {(who, e.key): e.count for who in ROLE_USERS for s in queues.build(qw.users[who]) for e in s.entries}
    assert counts[("inspector", "inspections")] == 1
    assert counts[("inspector", "insp_acceptance")] == 1
    assert counts[("county_dept", "dept_reported")] == 1  # county_dept: e1 only (chemicals in 海滨区)
    assert counts[("county_dept", "dept_overdue")] == 1
    assert counts[("county_dept", "dept_listed")] == 1
    assert counts[("enterprise", "ent_rectify")] == 7  # every open hazard of e1
    assert counts[("enterprise", "ent_plans")] == 2  # the confirmed general and the listed major one
    assert counts[("enterprise", "ent_rejected")] == 1
    assert counts[("enterprise", "notices")] == 1
    assert counts[("district", "leader_listed")] == 1
    assert counts[("district", "leader_overdue")] == 1
    assert counts[("duty", "shifts")] == 1
    assert counts[("duty", "log")] == 1
    assert counts[("duty", "roll_calls")] == 1
    assert counts[("city", "city_major")] == 1
    assert counts[("city", "city_long")] == 1
    assert counts[("city", "roll_call")] == 1
    assert counts[("city", "late_reports")] == 1


def test_an_enterprise_sees_only_its_own(qw):
    """The queue starts from the visible scope: e2's hazard is no work of e1's."""
    entries = {e.key: e for s in queues.build(qw.users["enterprise"]) for e in s.entries}
    titles = {i.title for e in entries.values() for i in e.items}
    assert not any(t.startswith("建筑") for t in titles)
    dept = {e.key: e for s in queues.build(qw.users["dept_head"]) for e in s.entries}  # 住建局: e2 only
    assert dept["dept_reported"].count == 1 and dept["dept_reported"].items[0].title == "建筑0"


def test_several_roles_several_sections(qw):
    from organizations.choices import PositionKind, UnitKind

    from ..factories import PositionFactory, assign

    leader = qw.users["district"]
    assign(leader, PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=qw.d1))
    leader = type(leader).objects.get(pk=leader.pk)  # a new request: the positions are read again
    assert [s.role for s in queues.build(leader)] == ["territorial_leader", "duty_officer"]


def test_the_first_items_come_nearest_deadline_first(qw):
    entries = {e.key: e for s in queues.build(qw.users["enterprise"]) for e in s.entries}
    dues = [i.due for i in entries["ent_rectify"].items if i.due]
    assert dues == sorted(dues) and len(entries["ent_rectify"].items) == queues.ITEMS
    assert entries["ent_rectify"].items[0].late  # the one 40 days overdue comes first


@pytest.mark.parametrize("who", [w for w in ROLE_USERS if w != "outsider"])
def test_queries_do_not_grow_with_the_data(qw, who, django_assert_max_num_queries):
    """GIVEN one round of data, then three more WHEN the queue is built THEN it takes the same, few queries."""
    if not connection.features.supports_slicing_ordering_in_compound:
        pytest.skip("pinned for PostgreSQL: SQLite (make run) refuses LIMIT in a UNION, so it reads each entry alone")

    def queries() -> int:
        user = type(qw.users[who]).objects.get(pk=qw.users[who].pk)  # a fresh request's user
        with CaptureQueriesContext(connection) as context:
            queues.build(user)
        return len(context.captured_queries)

    small = queries()
    grow(qw, 3)
    # a department's: 10, the key units' red points (#17), spot checks (#18), the unit's tip-offs (#20)
    with django_assert_max_num_queries(13):
        user = type(qw.users[who]).objects.get(pk=qw.users[who].pk)
        queues.build(user)
    assert queries() == small


def test_home_page_shows_the_queue(client, qw):
    client.force_login(qw.users["inspector"])
    html = client.get(reverse("home")).content.decode()
    assert "data-big-action" in html and f"/hazards/new/?enterprise={qw.e1.pk}" in html
    assert "登记隐患" in html and "我的检查工作" in html
    client.force_login(qw.users["county_dept"])
    html = client.get(reverse("home")).content.decode()
    assert 'href="/hazards/?status=reported" data-count="1"' in html


def test_the_api_gives_the_same_queue(qw):
    api = APIClient()
    api.force_authenticate(qw.users["county_dept"])
    body = api.get("/api/v1/me/queue/").json()
    assert [s["role"] for s in body["sections"]] == ["department"]
    entries = {e["key"]: e for e in body["sections"][0]["entries"]}
    assert entries["dept_reported"]["count"] == 1 and entries["dept_reported"]["url"] == "/hazards/?status=reported"
    assert entries["dept_reported"]["items"][0]["url"].startswith("/hazards/")
    assert entries["notices"]["url"] == "/notifications/?unanswered=1"
    assert APIClient().get("/api/v1/me/queue/").status_code == 401


def test_the_api_is_in_the_schema(client, qw):
    client.force_login(qw.users["city"])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/me/queue/" in schema and "QueueSection" in schema


def test_items_offer_the_step_the_person_may_take(qw):
    """The step an item offers comes from the hazard rules (workflow.RULES): offered exactly where the person may
    take it."""

    def actions(who):
        return {(e.key, i.action) for s in queues.build(qw.users[who]) for e in s.entries for i in e.items}

    assert ("dept_acceptance", "验收销号") in actions("county_dept")
    assert ("dept_reported", "确认") in actions("county_dept")
    enterprise = actions("enterprise")
    assert ("ent_plans", "提交整改方案") in enterprise and ("ent_rejected", "提交整改") in enterprise
    assert ("ent_rectify", "验收销号") not in enterprise  # its own rectification is never its to accept
    assert {a for k, a in actions("district") if k == "leader_listed"} == {""}  # a leader submits no plan


@pytest.mark.parametrize("who", [w for w in ROLE_USERS if w != "outsider"])
def test_without_union_the_same_queue(qw, who, monkeypatch):
    """GIVEN a database that refuses LIMIT inside a UNION (SQLite, which `make run` uses)
    WHEN the queue is built THEN it reads each entry on its own and shows exactly what the union shows."""

    def shown() -> list:
        user = type(qw.users[who]).objects.get(pk=qw.users[who].pk)
        return [(e.key, e.count, [i.url for i in e.items]) for s in queues.build(user) for e in s.entries]

    grow(qw, 2)
    with_union = shown()
    monkeypatch.setattr(connection.features, "supports_slicing_ordering_in_compound", False)
    assert shown() == with_union
    assert any(items for _, _, items in with_union)
