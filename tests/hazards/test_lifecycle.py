"""The closed loop through the API: a general and a major hazard from filing to closure."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from hazards.models import Hazard, HazardEvent, HazardPhoto

from .conftest import FULL_PLAN, MAJOR_PLAN, jpeg_bytes, later, pdf_bytes


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(user, path, data=None, fmt="json"):
    return client_for(user).post(path, data or {}, format=fmt)


def test_general_hazard_full_life(hz):
    users = hz.users
    body = {
        "enterprise": hz.e1.id,
        "title": "配电箱未接地",
        "place": "二号车间",
        "category": "electrical",
        "level": "general",
    }
    created = post(users["inspector"], "/api/v1/hazards/", body)
    assert created.status_code == 201, created.json()
    hazard = created.json()
    assert hazard["code"] == "YH-990102-" + hazard["created_at"][:4] + "-00001"
    assert hazard["status"] == "reported"
    assert hazard["responsibility"]["region"] == hz.t1.id
    assert hazard["responsibility"]["department"] == hz.d1_yjj.id  # 三管三必须: the district's bureau
    assert hazard["responsibility"]["enterprise"] == hz.e1.id
    url = f"/api/v1/hazards/{hazard['id']}/"

    confirmed = post(users["county_dept"], url + "confirm/", {"deadline_working_days": 5})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    plan = {**FULL_PLAN, "deadline": confirmed.json()["deadline"]}
    assert post(users["enterprise"], url + "submit_plan/", plan).json()["status"] == "rectifying"
    photo = SimpleUploadedFile("done.jpg", jpeg_bytes(), "image/jpeg")
    done = post(
        users["manager"], url + "submit_rectification/", {"description": "已接地", "photos": [photo]}, "multipart"
    )
    assert done.status_code == 200 and done.json()["status"] == "awaiting_acceptance"
    assert done.json()["photos"][0]["kind"] == "evidence"

    refused = post(users["manager"], url + "accept/")  # the rectifier cannot accept, whatever their role
    assert refused.status_code == 403 and refused.json()["detail"] == "整改人不能验收自己整改的隐患。", refused.json()
    closed = post(users["county_dept"], url + "accept/", {"comment": "现场验收合格"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    actions = [e["action"] for e in closed.json()["events"]]
    assert actions == ["file", "confirm", "submit_plan", "submit_rectification", "accept"]
    assert closed.json()["allowed_actions"] == ["reopen"]  # a closed general hazard can only be looked at again


def test_rejected_rectification_goes_back(hz):
    from .conftest import advance

    hazard = advance(hz, "awaiting_acceptance")
    url = f"/api/v1/hazards/{hazard.id}/"
    assert post(hz.users["county_dept"], url + "reject/", {}).status_code == 400  # a reason is required
    rejected = post(hz.users["county_dept"], url + "reject/", {"reason": "灭火器型号不符"})
    assert rejected.json()["status"] == "rectifying"
    assert rejected.json()["events"][-1]["reason"] == "灭火器型号不符"


def test_major_hazard_full_life(hz):
    users = hz.users
    body = {
        "enterprise": hz.e1.id,
        "title": "储罐区阀门渗漏",
        "place": "储罐区",
        "category": "hazchem",
        "level": "major",
    }
    hazard = post(users["inspector"], "/api/v1/hazards/", body).json()
    url = f"/api/v1/hazards/{hazard['id']}/"
    post(users["county_dept"], url + "confirm/", {"deadline": later(60).isoformat()})

    thin = post(users["enterprise"], url + "submit_plan/", {**FULL_PLAN, "deadline": later(30).isoformat()})
    assert thin.status_code == 400
    assert {"goal", "methods", "state_and_cause", "harm_and_difficulty", "interim_measures"} <= set(thin.json())
    full = post(
        users["enterprise"], url + "submit_plan/", {**FULL_PLAN, **MAJOR_PLAN, "deadline": later(30).isoformat()}
    )
    assert full.status_code == 200, full.json()

    leader = hz.users["district"].assignments.get().position
    listing = {"authority": "department", "supervising_leader": leader.id, "order_number": "海应急督〔2026〕1号",
               "deadline": later(90).isoformat(), "public_notice": "挂牌督办公告"}  # fmt: skip
    assert post(users["county_dept"], url + "list_supervision/", listing).status_code == 403  # staff, not head
    listed = post(users["county_head"], url + "list_supervision/", listing)
    assert listed.status_code == 200, listed.json()
    assert listed.json()["listing"]["order_number"] == "海应急督〔2026〕1号"
    assert post(users["county_head"], url + "list_supervision/", listing).status_code == 409  # already listed

    post(users["enterprise"], url + "submit_rectification/", {"description": "阀门已更换"})
    no_evaluation = post(users["county_head"], url + "accept/")
    assert no_evaluation.status_code == 400 and "evaluation" in no_evaluation.json()
    pdf = SimpleUploadedFile("评估报告.pdf", pdf_bytes(), "application/pdf")
    assert (
        post(users["enterprise"], url + "evaluation/", {"file": pdf, "note": "专家评估"}, "multipart").status_code
        == 200
    )
    closed = post(users["county_head"], url + "accept/")
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == "closed"
    assert closed.json()["listing"]["delisted_at"] is not None  # 摘牌 on closure
    assert closed.json()["events"][-1]["action"] == "delist"


def test_major_hazard_listed_by_one_department_is_accepted_by_it_only(hz):
    from .conftest import advance

    hazard = advance(hz, "rectifying", level="major")
    leader = hz.users["district"].assignments.get().position
    listing = {"authority": "department", "supervising_leader": leader.id, "order_number": "A-1",
               "deadline": later(90).isoformat()}  # fmt: skip
    post(hz.users["county_head"], f"/api/v1/hazards/{hazard.id}/list_supervision/", listing)
    post(hz.users["enterprise"], f"/api/v1/hazards/{hazard.id}/submit_rectification/", {"description": "完成"})
    pdf = SimpleUploadedFile("e.pdf", pdf_bytes(), "application/pdf")
    post(hz.users["enterprise"], f"/api/v1/hazards/{hazard.id}/evaluation/", {"file": pdf}, "multipart")
    # The city bureau's inspector could accept a general hazard of its mirror, not one the district listed.
    assert post(hz.users["inspector"], f"/api/v1/hazards/{hazard.id}/accept/").status_code == 403
    assert post(hz.users["county_dept"], f"/api/v1/hazards/{hazard.id}/accept/").status_code == 200


def test_filing_with_photos_strips_and_thumbnails(hz):
    photo = SimpleUploadedFile("x.jpg", jpeg_bytes((800, 600)), "image/jpeg")
    body = {
        "enterprise": hz.e1.id,
        "title": "t",
        "place": "p",
        "category": "fire",
        "level": "general",
        "photos": [photo],
    }
    response = post(hz.users["inspector"], "/api/v1/hazards/", body, "multipart")
    assert response.status_code == 201, response.json()
    stored = HazardPhoto.objects.get()
    assert stored.width == 800 and stored.kind == "finding"
    client = APIClient()
    client.force_login(hz.users["county_dept"])
    thumb = client.get(response.json()["photos"][0]["thumbnail_url"])
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    outsider = APIClient()
    outsider.force_login(hz.users["dept_head"])
    assert outsider.get(response.json()["photos"][0]["url"]).status_code == 404


def test_extend_deadline_records_old_new_and_approver(hz):
    from .conftest import advance

    hazard = advance(hz, "rectifying")
    old = Hazard.objects.get(pk=hazard.pk).deadline
    response = post(hz.users["county_head"], f"/api/v1/hazards/{hazard.id}/extend_deadline/",
                    {"deadline": later(40).isoformat(), "reason": "设备到货延迟"})  # fmt: skip
    assert response.status_code == 200, response.json()
    event = HazardEvent.objects.filter(hazard=hazard, action="extend_deadline").get()
    assert event.data["old"].startswith(old.astimezone(event.at.tzinfo).date().isoformat()[:4])
    assert event.data["approved_by"] == "county_head" and event.reason == "设备到货延迟"
    earlier = post(hz.users["county_head"], f"/api/v1/hazards/{hazard.id}/extend_deadline/",
                   {"deadline": later(30).isoformat(), "reason": "x"})  # fmt: skip
    assert earlier.status_code == 400  # must be later than the current one


def test_reopen_after_look_back(hz):
    from .conftest import advance

    hazard = advance(hz, "closed")
    url = f"/api/v1/hazards/{hazard.id}/reopen/"
    response = post(hz.users["inspector"], url, {"reason": "回头看发现复发", "deadline_working_days": 3})
    assert response.status_code == 200 and response.json()["status"] == "rectifying"
    assert response.json()["closed_at"] is None


def test_responsibility_changes_only_with_a_reason_by_the_city_office(hz):
    from .conftest import advance

    hazard = advance(hz, "rectifying")
    url = f"/api/v1/hazards/{hazard.id}/reassign/"
    assert post(hz.users["county_head"], url, {"department": hz.yjj.id, "reason": "x"}).status_code == 403
    assert post(hz.users["city"], url, {"department": hz.yjj.id}).status_code == 400
    moved = post(hz.users["city"], url, {"department": hz.yjj.id, "reason": "市局直接督办"})
    assert moved.status_code == 200 and moved.json()["responsibility"]["department"] == hz.yjj.id
    event = moved.json()["events"][-1]
    assert event["action"] == "reassign" and event["reason"] == "市局直接督办"
    assert event["data"] == {"old": "海滨区应急管理局", "new": "市应急管理局"}


def test_listing_leader_must_be_over_the_hazard(hz):
    from organizations.choices import PositionKind, UnitKind

    from ..factories import PositionFactory
    from .conftest import advance

    hazard = advance(hz, "rectifying", level="major")
    elsewhere = PositionFactory(kind=PositionKind.TERRITORIAL_LEADER, unit_kind=UnitKind.GOVERNMENT, region=hz.d2)
    listing = {"authority": "department", "supervising_leader": elsewhere.id, "order_number": "X-1",
               "deadline": later(90).isoformat()}  # fmt: skip
    response = post(hz.users["county_head"], f"/api/v1/hazards/{hazard.id}/list_supervision/", listing)
    assert response.status_code == 400 and "supervising_leader" in response.json()
