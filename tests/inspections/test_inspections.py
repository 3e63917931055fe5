"""Checklists, campaigns and coverage, inspections answered as drafts and submitted into hazards."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from hazards.models import Hazard, HazardPhoto
from inspections import checklists
from inspections.models import Campaign, ChecklistVersion, Inspection

from ..hazards.conftest import jpeg_bytes
from .conftest import TEMPLATE


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def start(ins, enterprise=None, user="inspector", **extra):
    body = {"enterprise": (enterprise or ins.e1).id, "version": ins.version.id, "members": [ins.users["partner"].id],
            **extra}  # fmt: skip
    return api(ins.users[user]).post("/api/v1/inspections/", body, format="json")


def answer(ins, inspection_id, item_text, user="inspector", photo=False, **values):
    body = {"item": ins.items[item_text].id, **values}
    if photo:
        body["photos"] = [SimpleUploadedFile("p.jpg", jpeg_bytes(), "image/jpeg")]
    return api(ins.users[user]).post(f"/api/v1/inspections/{inspection_id}/answers/", body, format="multipart")


def answer_all(ins, inspection_id):
    answer(ins, inspection_id, "是否明确消防安全责任人", result="pass")
    answer(ins, inspection_id, "疏散通道、安全出口是否被占用、堵塞", result="fail", note="二楼东侧安全出口", photo=True)
    answer(ins, inspection_id, "疏散通道净宽度", number="0.9")


def test_checklist_versions_json_and_excel(ins):
    again, created = checklists.import_template(TEMPLATE)
    assert (again, created) == (ins.version, False)  # same content: no new version
    changed = {**TEMPLATE, "sections": [*TEMPLATE["sections"], {"title": "新增", "items": [
        {"text": "新项目", "answer_kind": "pass_fail", "weight": 1}]}]}  # fmt: skip
    second, created = checklists.import_template(changed)
    assert created and second.number == 2 and ins.version.sections.count() == 2  # v1 untouched
    excel = checklists.export_excel(second)
    round_trip, created = checklists.import_excel(excel)
    assert (round_trip, created) == (second, False)
    exported = api(ins.users["city"]).get(f"/api/v1/checklists/{second.template.id}/export/").json()
    assert exported["version"] == 2 and exported["sections"][1]["items"][0]["legal_basis"] == "GB 50016"


def test_bad_checklists_are_field_errors(ins):
    before = ChecklistVersion.objects.count()
    client = api(ins.users["city"])
    bad = {**TEMPLATE, "sections": [{"title": "x", "items": [{"text": "宽度", "answer_kind": "number"}]}]}
    response = client.post("/api/v1/checklists/import/", bad, format="json")
    assert response.status_code == 400
    assert [(p["section"], p["item"], p["field"]) for p in response.json()["rows"]] == [(1, 1, "min_value")]
    garbage = SimpleUploadedFile("a.xlsx", b"not a workbook", "application/octet-stream")
    assert client.post("/api/v1/checklists/import/", {"file": garbage}, format="multipart").status_code == 400
    assert api(ins.users["inspector"]).post("/api/v1/checklists/import/", TEMPLATE, format="json").status_code == 403
    assert ChecklistVersion.objects.count() == before


def test_failed_items_become_hazards_with_responsibilities_and_legal_basis(ins):
    created = start(ins)
    assert created.status_code == 201, created.json()
    inspection_id = created.json()["id"]
    answer_all(ins, inspection_id)
    preview = api(ins.users["inspector"]).get(f"/api/v1/inspections/{inspection_id}/preview/").json()
    assert len(preview) == 2  # reviewed before submitting
    key = str(uuid.uuid4())
    body = {"submit_key": key, "representative": "王厂长"}
    submitted = api(ins.users["partner"]).post(f"/api/v1/inspections/{inspection_id}/submit/", body, format="json")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted" and submitted.json()["score"] == "25.0"  # 5 of 20 points
    hazards = {h.checklist_item: h for h in Hazard.objects.all()}
    exit_blocked = hazards["疏散通道、安全出口是否被占用、堵塞"]
    assert exit_blocked.level == "major" and exit_blocked.legal_basis == "GB 35181"
    assert exit_blocked.place == "二楼东侧安全出口" and exit_blocked.source == "inspection"
    assert exit_blocked.department == ins.d1_yjj and exit_blocked.region == ins.t1
    assert HazardPhoto.objects.filter(hazard=exit_blocked).count() == 1
    # the photo is attached through the hazard workflow, which says so on the hazard's timeline
    assert [(e.action, e.data) for e in exit_blocked.events.order_by("id")][1:] == [
        ("add_photo", {"photos": 1, "kind": "finding"})
    ]
    width = hazards["疏散通道净宽度"]
    assert width.level == "general" and "0.9" in width.description
    again = api(ins.users["partner"]).post(f"/api/v1/inspections/{inspection_id}/submit/", {"submit_key": key},
                                           format="json")  # fmt: skip
    assert again.status_code == 200 and Hazard.objects.count() == 2  # a retry submits once
    other = api(ins.users["partner"]).post(f"/api/v1/inspections/{inspection_id}/submit/",
                                           {"submit_key": str(uuid.uuid4())}, format="json")  # fmt: skip
    assert other.status_code == 409


def test_drafts_are_kept_and_resumed(ins):
    inspection_id = start(ins).json()["id"]
    answer(ins, inspection_id, "是否明确消防安全责任人", result="fail", note="未明确")
    answer(ins, inspection_id, "是否明确消防安全责任人", result="pass")  # changed mind: replaced, not added
    detail = api(ins.users["partner"]).get(f"/api/v1/inspections/{inspection_id}/").json()
    assert detail["status"] == "in_progress"
    assert [(a["item"], a["result"]) for a in detail["answers"]] == [(ins.items["是否明确消防安全责任人"].id, "pass")]
    incomplete = api(ins.users["inspector"]).post(f"/api/v1/inspections/{inspection_id}/submit/", {}, format="json")
    assert incomplete.status_code == 400 and "answers" in incomplete.json()


def test_answers_that_do_not_fit_are_errors(ins):
    inspection_id = start(ins).json()["id"]
    no_photo = answer(ins, inspection_id, "疏散通道、安全出口是否被占用、堵塞", result="fail")
    assert no_photo.status_code == 400 and "photos" in no_photo.json()
    out_of_range = answer(ins, inspection_id, "疏散通道净宽度", number="0.5", result="pass")
    assert out_of_range.status_code == 400 and "number" in out_of_range.json()
    assert answer(ins, inspection_id, "疏散通道净宽度", number="abc").status_code == 400
    assert answer(ins, inspection_id, "是否明确消防安全责任人", result="maybe").status_code == 400
    assert Inspection.objects.get(pk=inspection_id).answers.count() == 0


def test_who_may_inspect(ins):
    assert start(ins, members=[]).status_code == 400  # a team of one is not a team
    assert start(ins, enterprise=ins.e2).status_code == 400  # 住建 firm: outside the city bureau's scope
    inspection_id = start(ins).json()["id"]
    stranger = answer(ins, inspection_id, "是否明确消防安全责任人", user="county_dept", result="pass")
    assert stranger.status_code == 403  # in scope, but not on the team
    outsider = answer(ins, inspection_id, "是否明确消防安全责任人", user="dept_head", result="pass")
    assert outsider.status_code == 404
    assert start(ins, user="district").status_code == 403


def test_campaign_coverage(ins):
    campaign = Campaign.objects.create(
        name="国庆节前安全生产大检查", starts_on=timezone.localdate(), ends_on=timezone.localdate() + timedelta(days=9),
        lead_department=ins.yjj, created_by=ins.users["city"],
    )  # fmt: skip
    campaign.regions.set([ins.d1])
    campaign.versions.set([ins.version])
    client = api(ins.users["city"])
    before = client.get(f"/api/v1/campaigns/{campaign.id}/coverage/").json()
    assert (before["total"], before["inspected"], before["days_left"]) == (2, 0, 9)
    assert {e["name"] for e in before["not_inspected"]} == {ins.e1.name, ins.e4.name}
    outside = start(ins, enterprise=ins.e3, campaign=campaign.id)
    assert outside.status_code == 400  # 新城 is outside a 海滨区 campaign
    inspection_id = start(ins, campaign=campaign.id).json()["id"]
    answer_all(ins, inspection_id)
    api(ins.users["inspector"]).post(f"/api/v1/inspections/{inspection_id}/submit/", {}, format="json")
    after = client.get(f"/api/v1/campaigns/{campaign.id}/coverage/").json()
    assert (after["total"], after["inspected"], after["rate"]) == (2, 1, 50.0)
    assert after["by_region"] == [{"id": ins.d1.id, "name": "海滨区", "total": 2, "inspected": 1, "rate": 50.0}]
    assert after["by_department"] == [
        {"id": ins.d1_yjj.id, "name": "海滨区应急管理局", "total": 2, "inspected": 1, "rate": 50.0}
    ]
    assert [e["name"] for e in after["not_inspected"]] == [ins.e4.name]
    # The district bureau sees the same campaign cut to its own scope.
    county = api(ins.users["county_dept"]).get(f"/api/v1/campaigns/{campaign.id}/coverage/").json()
    assert (county["total"], county["inspected"]) == (2, 1)
    assert api(ins.users["enterprise"]).get(f"/api/v1/campaigns/{campaign.id}/coverage/").status_code == 404


def test_five_real_checklists_are_seeded(db):
    from inspections.models import ChecklistTemplate

    from ..conftest import reseed

    reseed()
    codes = {"fire-crowded-places", "hazchem-storage", "construction-site", "restaurant-gas", "confined-space"}
    assert codes <= set(ChecklistTemplate.objects.values_list("code", flat=True))
    for template in ChecklistTemplate.objects.filter(code__in=codes):
        exported = checklists.export_version(template.current())
        items = [i for s in exported["sections"] for i in s["items"]]
        assert len(items) >= 15 and sum(i["major_criterion"] for i in items) >= 2, template.code
        assert all(i["legal_basis"] for i in items if i["answer_kind"] != "text"), template.code
        assert any(i["answer_kind"] == "number" for i in items), template.code


def test_campaign_teams_and_assignments(ins):
    campaign = Campaign.objects.create(
        name="专项检查", starts_on=timezone.localdate(), ends_on=timezone.localdate() + timedelta(days=9),
        lead_department=ins.yjj, created_by=ins.users["city"],
    )  # fmt: skip
    campaign.regions.set([ins.d1])
    url = f"/api/v1/campaigns/{campaign.id}/teams/"
    body = {"name": "第一组", "lead": ins.users["inspector"].id, "members": [ins.users["partner"].id],
            "enterprises": [ins.e1.id]}  # fmt: skip
    assert api(ins.users["inspector"]).post(url, body, format="json").status_code == 403
    created = api(ins.users["city"]).post(url, body, format="json")
    assert created.status_code == 200, created.json()
    [team] = created.json()
    assert (team["name"], team["lead"], team["enterprises"]) == ("第一组", ins.users["inspector"].id, [ins.e1.id])
    assert set(team["members"]) == {ins.users["inspector"].id, ins.users["partner"].id}
    again = api(ins.users["city"]).post(url, {**body, "name": "第二组"}, format="json")
    assert again.status_code == 400 and "第一组" in again.json()["enterprises"][0]
    outside = api(ins.users["city"]).post(url, {**body, "name": "第三组", "enterprises": [ins.e2.id]}, format="json")
    assert outside.status_code == 400 and ins.e2.name in outside.json()["enterprises"][0]
    alone = api(ins.users["city"]).post(url, {**body, "name": "第四组", "members": [], "enterprises": [ins.e4.id]},
                                        format="json")  # fmt: skip
    assert alone.status_code == 400


def test_a_version_in_use_cannot_be_edited_in_the_admin(ins, client):
    from inspections.models import ChecklistSection

    section = ChecklistSection.objects.filter(version=ins.version).first()
    city = ins.users["city"]
    city.is_staff = city.is_superuser = True
    city.save()
    client.force_login(city)
    url = f"/admin/inspections/checklistsection/{section.pk}/change/"
    assert 'name="_save"' in client.get(url).content.decode()  # not used yet: correctable
    start(ins)
    assert 'name="_save"' not in client.get(url).content.decode()  # in use: read-only
    rows = api(ins.users["inspector"]).get("/api/v1/inspections/", {"mine": "true", "status": "planned"}).json()
    assert len(rows["results"]) == 1


def test_coverage_arithmetic_on_a_generated_campaign(ins):
    """GIVEN 60 generated enterprises in two districts, some suspended, some key units, and inspections of a random
    third WHEN coverage is computed THEN it equals counting by hand, for every region and in total."""
    import random

    from inspections.choices import InspectionStatus
    from inspections.coverage import coverage

    from ..factories import EnterpriseFactory

    rng = random.Random(7)
    generated = [
        EnterpriseFactory(
            region=rng.choice([ins.t1, ins.t2]),
            industry=rng.choice([ins.chem, ins.mine]),
            operating_state=rng.choice(["operating", "suspended", "deregistered"]),
            is_key_unit=rng.random() < 0.5,
        )  # fmt: skip
        for _ in range(60)
    ]
    campaign = Campaign.objects.create(
        name="生成的检查活动", starts_on=timezone.localdate(), ends_on=timezone.localdate(), lead_department=ins.yjj,
        created_by=ins.users["city"], key_units_only=True,
    )  # fmt: skip
    campaign.industries.set([ins.sector])
    campaign.versions.set([ins.version])
    in_scope = [e for e in generated if e.is_key_unit and e.operating_state != "deregistered"]
    inspected = {e.pk for e in in_scope if rng.random() < 0.35}
    for enterprise in generated:
        if enterprise.pk in inspected or (enterprise not in in_scope and rng.random() < 0.3):
            Inspection.objects.create(
                campaign=campaign, enterprise=enterprise, version=ins.version, lead=ins.users["inspector"],
                created_by=ins.users["inspector"], status=InspectionStatus.SUBMITTED,
                region_path=enterprise.region.path, industry=enterprise.industry,
            )  # fmt: skip
    # An unsubmitted inspection does not count.
    spare = next(e for e in in_scope if e.pk not in inspected)
    Inspection.objects.create(campaign=campaign, enterprise=spare, version=ins.version, lead=ins.users["inspector"],
                              created_by=ins.users["inspector"], region_path=spare.region.path,
                              industry=spare.industry)  # fmt: skip
    result = coverage(campaign, ins.users["city"])
    assert (result.total, result.inspected) == (len(in_scope), len(inspected))
    for district in (ins.d1, ins.d2):
        row = next(r for r in result.by_region if r["id"] == district.pk)
        here = [e for e in in_scope if e.region.parent_id == district.pk]
        assert (row["total"], row["inspected"]) == (len(here), len([e for e in here if e.pk in inspected]))
    assert sum(r["total"] for r in result.by_department) == result.total
    assert sum(r["inspected"] for r in result.by_department) == result.inspected
