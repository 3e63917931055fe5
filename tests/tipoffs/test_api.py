"""The handlers' API (/api/v1/tipoffs/): scope per role, the queue's filters, each action (403, 409, 400), the
informant for the handler only (audited), registration by staff, no identity in any body, bounded queries."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from audit.models import AuditEvent
from hazards.models import HazardCategory
from tipoffs.identity import VIEW
from tipoffs.models import Report

from .factories import PHONE, make_report, submit_report

pytestmark = pytest.mark.django_db

API = "/api/v1/tipoffs/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("who", ["city", "district", "dept_head", "county_dept", "inspector", "enterprise", "outsider"])
def test_scope_of_each_role(world, who):
    report = make_report(world)
    client = api(world.users[who])
    sees = who in {"city", "district", "county_dept", "inspector"}
    listed = client.get(API)
    assert listed.status_code == 200
    assert [row["code"] for row in listed.json()["results"]] == ([report.code] if sees else [])
    one = client.get(f"{API}{report.pk}/")
    assert one.status_code == (200 if sees else 404)
    if sees:
        assert PHONE not in one.content.decode() and "王五" not in one.content.decode()
        assert not {"informant", "name", "phone", "contact_address", "is_anonymous"} & set(one.json())
        expected = ["accept", "decline", "merge", "spam", "transfer"] if who in {"city", "county_dept"} else []
        assert one.json()["actions"] == expected


def test_actions_and_their_errors(world):
    report = submit_report(world).report
    handler, other = api(world.users["county_dept"]), api(world.users["district"])
    assert other.post(f"{API}{report.pk}/accept/", {}, format="json").status_code == 403
    assert api(world.users["enterprise"]).post(f"{API}{report.pk}/accept/", {}).status_code == 404
    assert handler.post(f"{API}{report.pk}/verify/", {}, format="json").status_code == 409
    accepted = handler.post(f"{API}{report.pk}/accept/", {"note": "核查"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert handler.post(f"{API}{report.pk}/accept/", {}, format="json").status_code == 409
    bad = handler.post(f"{API}{report.pk}/extend/", {"reason": " "}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()
    assert handler.post(f"{API}{report.pk}/extend/", {"reason": "需检测"}, format="json").status_code == 200
    assert handler.post(f"{API}{report.pk}/extend/", {"reason": "再延"}, format="json").status_code == 409
    category = HazardCategory.objects.first()
    filed = handler.post(f"{API}{report.pk}/hazard/", {
        "title": "消防通道堵塞", "description": "堵塞", "category": category.pk}, format="json")  # fmt: skip
    assert filed.status_code == 200 and filed.json()["hazard"]
    assert handler.post(f"{API}{report.pk}/hazard/", {
        "title": "再次", "description": "再次", "category": category.pk}, format="json").status_code == 409  # fmt: skip
    assert handler.post(f"{API}{report.pk}/illegal/", {"kind": "unlicensed", "description": "无证"},
                        format="json").status_code == 200  # fmt: skip
    transferred = handler.post(f"{API}{report.pk}/transfer/", {"reason": "属地", "region": world.d1.pk}, format="json")
    assert transferred.status_code == 200 and transferred.json()["handler_region"] == world.d1.pk
    bad_outcome = other.post(f"{API}{report.pk}/verify/", {"outcome": "x", "finding": "属实"}, format="json")
    assert bad_outcome.status_code == 400
    assert other.post(f"{API}{report.pk}/verify/", {"outcome": "partly", "finding": "部分属实"},
                      format="json").status_code == 200  # fmt: skip
    answered = other.post(f"{API}{report.pk}/answer/", {"answer": "已整改"}, format="json")
    assert answered.status_code == 200 and answered.json()["state"] == "closed"
    assert handler.get(f"{API}{report.pk}/").status_code == 200  # still in the department's scope (its industry)


def test_decline_spam_merge(world):
    first = submit_report(world).report
    repeat = submit_report(world, phone="13900005678").report
    city = api(world.users["city"])
    assert city.post(f"{API}{first.pk}/merge/", {}, format="json").status_code == 400  # repeats nothing
    assert city.post(f"{API}{repeat.pk}/merge/", {}, format="json").json()["state"] == "merged"
    declined = city.post(f"{API}{first.pk}/decline/", {"reason": "不属监管范围"}, format="json")
    assert declined.json()["state"] == "declined"
    other = submit_report(world, address="另一处").report
    assert city.post(f"{API}{other.pk}/spam/", {"reason": "广告"}, format="json").json()["state"] == "spam"


def test_the_informant_for_the_handler_only(world):
    report = make_report(world)
    url = f"{API}{report.pk}/informant/"
    assert api(world.users["district"]).post(url).status_code == 403
    assert api(world.users["inspector"]).post(url).status_code == 403
    assert api(world.users["enterprise"]).post(url).status_code == 404
    assert not AuditEvent.objects.filter(action=VIEW).exists()
    shown = api(world.users["city"]).post(url)
    assert shown.status_code == 200
    assert shown.json()["phone"] == PHONE and shown.json()["name"] == "王五"
    assert [v["actor"] for v in shown.json()["viewers"]] == ["city"]
    assert AuditEvent.objects.filter(action=VIEW, actor=world.users["city"]).count() == 1


def test_registration_by_staff(world):
    body = {
        "channel": "letter", "kind": "illegal", "description": "无证经营", "region": world.t1.pk,
        "address": "海滨路40号", "name": "钱七", "phone": "13700002222", "idempotency_key": str(uuid.uuid4()),
    }  # fmt: skip
    assert api(world.users["enterprise"]).post(API, body, format="json").status_code == 403
    client = api(world.users["city"])
    assert client.post(API, {**body, "channel": "web"}, format="json").status_code == 400
    made = client.post(API, body, format="json")
    assert made.status_code == 201 and made.json()["secret"] and made.json()["report"]["channel"] == "letter"
    assert "13700002222" not in str(made.json()["report"])
    again = client.post(API, body, format="json")
    assert again.status_code == 200 and again.json()["report"]["id"] == made.json()["report"]["id"]
    assert Report.objects.filter(address="海滨路40号").count() == 1


def test_filters_through_the_api(world):
    mine = make_report(world)
    make_report(world, department=None)
    client = api(world.users["county_dept"])
    assert [r["code"] for r in client.get(API, {"handler": "mine"}).json()["results"]] == [mine.code]
    assert client.get(API, {"overdue": "2"}).status_code == 400
    assert client.get(API, {"region": world.d2.pk}).status_code == 400


@pytest.mark.parametrize("count", [2, 12])
def test_the_api_queries_are_bounded(world, django_assert_max_num_queries, count):
    for i in range(count):
        make_report(world, department=None if i % 2 else world.d1_yjj, handler_region=world.d1 if i % 2 else None)
    client = api(world.users["city"])
    with django_assert_max_num_queries(8):
        listed = client.get(API)
    assert len(listed.json()["results"]) == count
