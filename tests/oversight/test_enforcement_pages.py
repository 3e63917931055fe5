"""The enforcement pages and API: the list with its filters, the issue form showing only the kind's fields, a
document's page with carried out / revoked, the PDF (A4, the number and the enterprise), the supervision page's
section with Art. 113's status, the API's create, state and article-113."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from oversight.enforcement import issue
from oversight.enforcement_views import capital_amount
from oversight.models import EnforcementAction

from .enforcement_fixtures import *  # noqa: F403  (the fixtures)
from .enforcement_fixtures import BASIS, FACTS, hazard, past_penalty

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_capital_amount():
    assert capital_amount(Decimal("20000")) == "贰万元整"
    assert capital_amount(Decimal("12345.60")) == "壹万贰仟叁佰肆拾伍元陆角整"
    assert capital_amount(Decimal("1005")) == "壹仟零伍元整"
    assert capital_amount(Decimal("100005.07")) == "壹拾万零伍元零柒分"
    assert capital_amount(Decimal("123456789.12")) == "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"
    assert capital_amount(Decimal("30500")) == "叁万零伍佰元整"


def test_the_form_shows_only_the_kinds_fields_and_issues(world, client):
    client.force_login(world.users["county_dept"])
    url = reverse("enforcement:new", args=[world.e1.pk])
    chooser = client.get(url)
    assert chooser.status_code == 200 and "?kind=penalty" in chooser.content.decode()
    page = client.get(url + "?kind=penalty").content.decode()
    assert 'name="amount"' in page and 'name="deadline"' not in page and 'name="suspended_from"' not in page
    page = client.get(url + "?kind=suspension").content.decode()
    assert 'name="suspended_until"' in page and 'name="amount"' not in page
    start = timezone.localdate()
    refused = client.post(url + "?kind=suspension", {"facts": FACTS, "basis": BASIS, "suspended_from": start,
                                                      "suspended_until": start + timedelta(days=200)})  # fmt: skip
    assert refused.status_code == 400 and "6" in refused.content.decode()
    answer = client.post(url + "?kind=penalty", {"facts": FACTS, "basis": BASIS, "amount": "30000"})
    action = EnforcementAction.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("enforcement:detail", args=[action.pk])
    assert action.amount == Decimal("30000.00")


def test_the_form_is_refused_to_others(world, client):
    client.force_login(world.users["inspector"])
    assert client.get(reverse("enforcement:new", args=[world.e1.pk]) + "?kind=penalty").status_code == 403
    client.force_login(world.users["dept_head"])
    assert client.get(reverse("enforcement:new", args=[world.e1.pk]) + "?kind=penalty").status_code == 404


def test_the_list_filters(world, client, head):
    hazard(world, world.e1)
    past_penalty(world, world.e1, 100)
    past_penalty(world, world.e1, 50)
    issue(world.users["county_dept"], world.e1.pk, "penalty", facts=FACTS, basis=BASIS, amount=5000)
    issue(world.users["city"], world.e3.pk, "referral", facts=FACTS, basis=BASIS)
    client.force_login(world.users["city"])
    url = reverse("enforcement:list")
    html = client.get(url).content.decode()
    assert html.count('class="row-title"') == 5
    assert client.get(url + "?kind=referral").content.decode().count('class="row-title"') == 1
    only_113 = client.get(url + "?article_113=true").content.decode()
    assert only_113.count('class="row-title"') == 1 and "关〔" in only_113
    assert client.get(url + f"?region={world.d2.pk}").content.decode().count('class="row-title"') == 1
    assert client.get(url + "?kind=nonsense").status_code == 400
    client.force_login(world.users["county_dept"])  # 海滨区应急管理局: 新城区's referral out of sight
    assert client.get(url).content.decode().count('class="row-title"') == 4


def test_the_detail_page_changes_the_state(world, client):
    action = issue(world.users["county_dept"], world.e1.pk, "penalty", facts=FACTS, basis=BASIS, amount=20000)
    client.force_login(world.users["county_dept"])
    url = reverse("enforcement:detail", args=[action.pk])
    page = client.get(url).content.decode()
    assert action.number in page and "贰万元整" in page and 'id="state"' in page
    assert client.post(url, {"state": "done", "reason": ""}).status_code == 400
    assert client.post(url, {"state": "done", "reason": "已缴纳"}).status_code == 302
    assert EnforcementAction.objects.get().state == "done"
    assert 'id="state"' not in client.get(url).content.decode()


def test_the_pdf_has_the_number_and_the_enterprise(world, client):
    action = issue(world.users["county_dept"], world.e1.pk, "penalty", facts=FACTS, basis=BASIS, amount=12345.6)
    client.force_login(world.users["county_dept"])
    answer = client.get(reverse("enforcement:pdf", args=[action.pk]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    for part in (
        action.number,
        world.e1.name,
        "海滨区应急管理局",
        "壹万贰仟叁佰肆拾伍元陆角整",
        "12345.60",
        "行政处罚决定书",
    ):
        assert part in text, part
    client.force_login(world.users["dept_head"])
    assert client.get(reverse("enforcement:pdf", args=[action.pk])).status_code == 404


def test_the_supervision_page_shows_the_section(world, client, head):
    hazard(world, world.e1)
    past_penalty(world, world.e1, 100)
    past_penalty(world, world.e1, 50)
    action = issue(world.users["county_dept"], world.e1.pk, "penalty", facts=FACTS, basis=BASIS, amount=5000)
    proposal = EnforcementAction.objects.get(by_article_113=True)
    client.force_login(world.users["county_dept"])
    html = client.get(reverse("oversight:enterprise", args=[world.e1.pk])).content.decode()
    assert 'id="enforcement"' in html and action.number in html and proposal.number in html
    assert reverse("enforcement:new", args=[world.e1.pk]) + "?kind=rectify_order" in html
    client.force_login(world.users["district"])  # a government sees it, without the issue links
    html = client.get(reverse("oversight:enterprise", args=[world.e1.pk])).content.decode()
    assert proposal.number in html and reverse("enforcement:new", args=[world.e1.pk]) not in html


def test_the_api(world, head):
    client = api(world.users["county_dept"])
    hazard(world, world.e1)
    past_penalty(world, world.e1, 100)
    past_penalty(world, world.e1, 50)
    made = client.post("/api/v1/enforcement-actions/", {"enterprise": world.e1.pk, "kind": "penalty", "facts": FACTS,
                                                        "basis": BASIS, "amount": "8000"}, format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    assert made.json()["number"].startswith("罚〔") and made.json()["actions"] == ["done", "revoke"]
    bad = client.post("/api/v1/enforcement-actions/", {"enterprise": world.e1.pk, "kind": "penalty", "facts": FACTS,
                                                       "basis": BASIS, "amount": "0"}, format="json")  # fmt: skip
    assert bad.status_code == 400 and "amount" in bad.json()
    status = client.get(f"/api/v1/enforcement-actions/article-113/?enterprise={world.e1.pk}").json()
    assert status["short"] == 3 and status["due"] and status["proposal"]
    listed = client.get("/api/v1/enforcement-actions/?article_113=true").json()
    assert [row["id"] for row in listed["results"]] == [status["proposal"]]
    changed = client.post(f"/api/v1/enforcement-actions/{made.json()['id']}/state/",
                          {"state": "revoked", "reason": "复议撤销"}, format="json")  # fmt: skip
    assert changed.status_code == 200 and changed.json()["state"] == "revoked"
    again = client.post(f"/api/v1/enforcement-actions/{made.json()['id']}/state/",
                        {"state": "done", "reason": "x"}, format="json")  # fmt: skip
    assert again.status_code == 409
    assert (
        api(world.users["inspector"])
        .post(
            "/api/v1/enforcement-actions/",
            {"enterprise": world.e1.pk, "kind": "referral", "facts": FACTS, "basis": BASIS},
            format="json",
        )
        .status_code
        == 403
    )
    assert api(world.users["enterprise"]).get("/api/v1/enforcement-actions/").json()["results"] == []


def test_the_section_costs_four_queries_whatever_the_documents(world, head, django_assert_max_num_queries):
    from oversight.enforcement_views import section

    hazard(world, world.e1)
    for days in (300, 200, 100, 50, 20):
        past_penalty(world, world.e1, days)
    user = world.users["county_dept"]
    section(user, world.e1)  # the scope is cached on the user once
    with django_assert_max_num_queries(4):
        c = section(user, world.e1)
        assert len(c["actions"]) == 5 and c["article_113"]["long"] == 5 and c["article_113"]["due"]


def test_the_proposals_pdf_is_addressed_to_the_districts_government(world, client, head):
    hazard(world, world.e1)
    past_penalty(world, world.e1, 100)
    past_penalty(world, world.e1, 50)
    issue(world.users["county_dept"], world.e1.pk, "penalty", facts=FACTS, basis=BASIS, amount=5000)
    proposal = EnforcementAction.objects.get(by_article_113=True)
    client.force_login(world.users["city"])
    answer = client.get(reverse("enforcement:pdf", args=[proposal.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.content)).pages)
    text = text.replace(" ", "").replace("\n", "")
    for part in (
        proposal.number,
        "提请关闭建议书",
        "海滨区人民政府：",
        f"提请对{world.e1.name}依法予以关闭",
        "第一百一十三条",
    ):
        assert part in text, part
