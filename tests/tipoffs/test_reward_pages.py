"""The rewards' pages and API: the report page's section offers exactly `rewards.allowed`, the POST endpoints call
the writers and go back to the report page (the form again with its errors on a 400), the list by state with its
totals in scope, the API's list, propose, decide and pay; the demo's rewards in every state, idempotent."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from tipoffs import rewards
from tipoffs.demo_rewards import load_demo_rewards
from tipoffs.models import Reward
from tipoffs.reward_views import section

from .factories import PHONE, make_report

pytestmark = pytest.mark.django_db


def rendered(user, report) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("tipoffs/_reward.html", section(request, report), request=request)


def test_the_section_offers_what_the_writers_accept(world):
    report = make_report(world, "closed")
    handler, city, inspector = world.users["county_dept"], world.users["city"], world.users["inspector"]
    assert section(_request(handler), report)["propose_form"] is not None
    html = rendered(handler, report)
    assert reverse("tipoff_rewards:propose", args=[report.pk]) in html and 'name="fine"' in html
    assert 'name="deaths"' not in html
    assert reverse("tipoff_rewards:propose", args=[report.pk]) not in rendered(inspector, report)
    reward = rewards.propose(handler, report, "fine", fine=100_000)
    html = rendered(handler, report)
    assert "15000" in html and reverse("tipoff_rewards:decide", args=[reward.pk]) not in html
    html = rendered(city, report)
    assert reverse("tipoff_rewards:decide", args=[reward.pk]) in html
    assert reverse("tipoff_rewards:pay", args=[reward.pk]) not in html
    rewards.decide(city, reward, True)
    assert reverse("tipoff_rewards:pay", args=[reward.pk]) in rendered(city, report)
    assert PHONE not in rendered(city, report) and "王五" not in rendered(city, report)
    accident = make_report(world, "verified", kind="concealed_accident")
    html = rendered(city, accident)
    assert 'name="deaths"' in html and 'name="grade"' in html and 'name="fine"' not in html


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_propose_decide_pay_on_the_pages(world, client):
    report = make_report(world, "closed")
    detail = reverse("tipoffs:detail", args=[report.pk])
    client.force_login(world.users["county_dept"])
    url = reverse("tipoff_rewards:propose", args=[report.pk])
    bad = client.post(url, {"basis": "fine"})
    assert bad.status_code == 400 and bad.context["propose_form"].errors["fine"]
    assert client.get(url).status_code == 405
    posted = client.post(url, {"basis": "fine", "fine": "100000"})
    assert posted.status_code == 302 and posted["Location"] == detail
    reward = Reward.objects.get()
    assert reward.amount == 15_000
    again = client.post(url, {"basis": "fine", "fine": "100000"})  # 409: told on the report page
    assert again.status_code == 302 and again["Location"] == detail
    decide = reverse("tipoff_rewards:decide", args=[reward.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 403  # the handler does not approve
    client.force_login(world.users["city"])
    refused = client.post(decide, {"decision": "reject", "note": ""})
    assert refused.status_code == 400 and refused.context["decide_form"].errors["note"]
    assert client.post(decide, {"decision": "approve"})["Location"] == detail
    pay = reverse("tipoff_rewards:pay", args=[reward.pk])
    assert client.post(pay, {"payment_ref": ""}).status_code == 400
    assert client.post(pay, {"payment_ref": "PZ-9"})["Location"] == detail
    reward.refresh_from_db()
    assert (reward.state, reward.payment_ref) == ("paid", "PZ-9")
    client.force_login(world.users["enterprise"])
    assert client.post(pay, {"payment_ref": "PZ-9"}).status_code == 404


def test_the_list_by_state_with_totals_in_scope(world, client, django_assert_max_num_queries):
    city = world.users["city"]
    one = rewards.propose(city, make_report(world, "closed"), "fine", fine=100_000)  # 15000, 海滨区
    two = rewards.propose(city, make_report(world, "closed"), "fine", fine=200_000)  # 30000
    rewards.decide(city, two, True)
    other = make_report(world, "closed", region=world.t2, region_path=world.t2.path, enterprise=world.e2,
                        enterprise_name=world.e2.name, industry=world.build, department=world.d2_zjj)  # fmt: skip
    rewards.propose(city, other, "fine", fine=0)  # 3000, 新城区
    client.force_login(city)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("tipoff_rewards:list"))
    tabs = {tab["state"]: (tab["count"], tab["total"]) for tab in page.context["tabs"]}
    assert tabs == {"proposed": (2, 18_000), "approved": (1, 30_000), "paid": (0, 0), "rejected": (0, 0)}
    assert [r.pk for r in page.context["page"].items] == sorted([one.pk, other.reward.pk], reverse=True)
    assert PHONE not in page.content.decode()
    approved = client.get(reverse("tipoff_rewards:list"), {"state": "approved"})
    assert [r.pk for r in approved.context["page"].items] == [two.pk]
    assert client.get(reverse("tipoff_rewards:list"), {"state": "x"}).status_code == 400
    client.force_login(world.users["district"])  # 海滨区 only
    tabs = {t["state"]: t["count"] for t in client.get(reverse("tipoff_rewards:list")).context["tabs"]}
    assert tabs["proposed"] == 1 and tabs["approved"] == 1
    for who in ("enterprise", "outsider"):
        client.force_login(world.users[who])
        assert client.get(reverse("tipoff_rewards:list")).status_code == 403
        assert client.get("/api/v1/tipoffs/rewards/").status_code == 403


def test_the_api(world, client):
    report = make_report(world, "verified")
    client.force_login(world.users["county_dept"])
    base = "/api/v1/tipoffs/rewards/"
    bad = client.post(f"{base}propose/", {"report": report.pk, "basis": "fine"}, content_type="application/json")
    assert bad.status_code == 400 and set(bad.json()) == {"fine"}
    made = client.post(f"{base}propose/", {"report": report.pk, "basis": "fine", "fine": 20_007},
                       content_type="application/json")  # fmt: skip
    assert made.status_code == 201 and made.json()["amount"] == 3_001 and made.json()["state"] == "proposed"
    pk = made.json()["id"]
    assert made.json()["actions"] == []
    again = client.post(f"{base}propose/", {"report": report.pk, "basis": "fine", "fine": 1},
                        content_type="application/json")  # fmt: skip
    assert again.status_code == 409
    assert client.post(f"{base}{pk}/decide/", {"approve": True}, content_type="application/json").status_code == 403
    client.force_login(world.users["city"])
    listed = client.get(base).json()
    assert [r["id"] for r in listed["results"]] == [pk] and listed["results"][0]["actions"] == ["decide"]
    assert "informant" not in str(listed) and PHONE not in str(listed)
    no = client.post(f"{base}{pk}/decide/", {"approve": False}, content_type="application/json")
    assert no.status_code == 400 and set(no.json()) == {"note"}
    yes = client.post(f"{base}{pk}/decide/", {"approve": True}, content_type="application/json")
    assert yes.status_code == 200 and yes.json()["actions"] == ["pay"]
    paid = client.post(f"{base}{pk}/pay/", {"payment_ref": "PZ-1"}, content_type="application/json")
    assert paid.status_code == 200 and paid.json()["state"] == "paid"
    assert client.post(f"{base}{pk}/pay/", {"payment_ref": "PZ-1"}, content_type="application/json").status_code == 409
    assert client.get(base, {"state": "paid"}).json()["results"][0]["id"] == pk
    assert client.get(base, {"state": "proposed"}).json()["results"] == []
    assert client.get(base, {"state": "x"}).status_code == 400


def test_the_demo_rewards_in_every_state_idempotent(world):
    from organizations.choices import PositionKind, UnitKind
    from organizations.models import Position

    assert Position.objects.filter(kind=PositionKind.CITY_OFFICE_STAFF, unit_kind=UnitKind.CITY_OFFICE).exists()
    load_demo_rewards()  # no verified report: nothing
    assert not Reward.objects.exists()
    for _ in range(5):
        make_report(world, "closed")
    make_report(world, "closed", outcome="unfounded")
    load_demo_rewards()
    assert sorted(Reward.objects.values_list("state", flat=True)) == ["approved", "paid", "proposed", "rejected"]
    assert not Reward.objects.filter(report__outcome="unfounded").exists()
    load_demo_rewards()
    assert Reward.objects.count() == 4
