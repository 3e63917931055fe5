"""Inspecting offline (#21): the queue sends each answer's photos one per request with its key, files findings made
outside the checklist with their key, and caches the pages listed by `offline-pages`; retried from a bad network, or
from two devices, nothing is stored twice."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from hazards.models import Hazard, HazardPhoto
from inspections import workflow
from inspections.models import AnswerPhoto, Finding, Inspection

from ..hazards.conftest import jpeg_bytes
from .test_inspections import answer, answer_all, api, start

BLOCKED = "疏散通道、安全出口是否被占用、堵塞"


def photo(name="p.jpg"):
    return SimpleUploadedFile(name, jpeg_bytes(), "image/jpeg")


def keyed_answer(ins, inspection_id, key, user="inspector", **values):
    body = {"item": ins.items[BLOCKED].id, "result": "fail", "photos": [photo()], "photo_key": str(key), **values}
    return api(ins.users[user]).post(f"/api/v1/inspections/{inspection_id}/answers/", body, format="multipart")


# Photo keys on answers


def test_a_retried_photo_is_stored_once_and_another_key_stores_another(ins):
    inspection_id = start(ins).json()["id"]
    key = uuid.uuid4()
    first = keyed_answer(ins, inspection_id, key, note="二楼")
    again = keyed_answer(ins, inspection_id, key, note="二楼东侧")  # the retry still saves the values
    assert first.status_code == again.status_code == 200, again.json()
    assert again.json()["photos"] == 1 and again.json()["note"] == "二楼东侧"
    assert list(AnswerPhoto.objects.values_list("upload_key", flat=True)) == [key]
    second = keyed_answer(ins, inspection_id, uuid.uuid4(), user="partner")  # from the other device
    assert second.status_code == 200 and second.json()["photos"] == 2
    assert AnswerPhoto.objects.count() == 2


def test_two_photos_with_one_key_are_refused_and_nothing_is_stored(ins):
    inspection_id = start(ins).json()["id"]
    body = {"item": ins.items[BLOCKED].id, "result": "fail", "photos": [photo("a.jpg"), photo("b.jpg")],
            "photo_key": str(uuid.uuid4())}  # fmt: skip
    refused = api(ins.users["inspector"]).post(
        f"/api/v1/inspections/{inspection_id}/answers/", body, format="multipart"
    )
    assert refused.status_code == 400 and "photos" in refused.json(), refused.json()
    assert not AnswerPhoto.objects.exists() and not Inspection.objects.get().answers.exists()
    with pytest.raises(ValidationError) as caught:
        workflow.answer(ins.users["inspector"], inspection_id, ins.items[BLOCKED].id, {"result": "fail"},
                        [photo("a.jpg"), photo("b.jpg")], photo_key=uuid.uuid4())  # fmt: skip
    assert set(caught.value.message_dict) == {"photos"}


def test_the_required_photo_counts_the_one_stored_under_the_key(ins):
    """A failed exit needs a photo: the queue sends the photo with the answer once, the retry (same key) stores
    nothing new and is not refused for lack of a photo; without any photo the answer was refused."""
    inspection_id = start(ins).json()["id"]
    assert answer(ins, inspection_id, BLOCKED, result="fail").status_code == 400  # no photo at all
    key = uuid.uuid4()
    assert keyed_answer(ins, inspection_id, key).status_code == 200
    retried = workflow.answer(ins.users["inspector"], inspection_id, ins.items[BLOCKED].id,
                              {"result": "fail", "note": "三楼"}, [photo()], photo_key=key)  # fmt: skip
    assert retried.note == "三楼" and retried.photos.count() == 1


def test_a_photo_key_that_is_not_a_uuid_is_a_field_error(ins):
    inspection_id = start(ins).json()["id"]
    for key in ("not-a-uuid", ""):  # sent empty, it is not taken as left out (the schema says a UUID)
        refused = keyed_answer(ins, inspection_id, key)
        assert refused.status_code == 400 and "photo_key" in refused.json()
    assert AnswerPhoto.objects.count() == 0


# Findings outside the checklist


def finding_body(**overrides):
    return {"title": "配电箱未上锁", "place": "一号仓库", "category": "fire", "level": "general",
            "description": "箱门敞开", "idempotency_key": str(uuid.uuid4()), **overrides}  # fmt: skip


def post_finding(ins, inspection_id, body, user="inspector", **kwargs):
    url = f"/api/v1/inspections/{inspection_id}/findings/"
    return api(ins.users[user]).post(url, body, format=kwargs.pop("format", "json"), **kwargs)


def test_a_finding_is_filed_once_and_listed_with_the_inspection(ins):
    inspection_id = start(ins).json()["id"]
    body = finding_body()
    first = post_finding(ins, inspection_id, body)
    assert first.status_code == 201, first.json()
    hazard = Hazard.objects.get()
    shape = {"id": hazard.pk, "code": hazard.code, "title": "配电箱未上锁", "url": f"/hazards/{hazard.pk}/",
             "photos_url": f"/api/v1/hazards/{hazard.pk}/photos/"}  # fmt: skip
    assert first.json() == shape
    assert (hazard.enterprise, hazard.source, hazard.place) == (ins.e1, "inspection", "一号仓库")
    assert hazard.description == "箱门敞开"
    again = post_finding(ins, inspection_id, body)
    assert again.status_code == 200 and again.json() == first.json()
    assert Hazard.objects.count() == Finding.objects.count() == 1
    events = AuditEvent.objects.filter(action="inspection.finding", object_id=str(inspection_id))
    assert [(e.actor, e.changes["hazard"]) for e in events] == [(ins.users["inspector"], hazard.code)]
    listed = api(ins.users["partner"]).get(f"/api/v1/inspections/{inspection_id}/findings/")
    assert listed.status_code == 200 and listed.json() == [first.json()]


def test_the_key_may_come_as_the_header_and_is_required(ins):
    inspection_id = start(ins).json()["id"]
    body = finding_body()
    key = body.pop("idempotency_key")
    missing = post_finding(ins, inspection_id, body)
    assert missing.status_code == 400 and "idempotency_key" in missing.json()
    by_header = post_finding(ins, inspection_id, body, HTTP_IDEMPOTENCY_KEY=key)
    assert by_header.status_code == 201
    assert post_finding(ins, inspection_id, body, HTTP_IDEMPOTENCY_KEY=key).status_code == 200
    assert Hazard.objects.get().idempotency_key == uuid.UUID(key)


def test_a_finding_with_photos_then_more_photos_one_by_one(ins):
    inspection_id = start(ins).json()["id"]
    body = finding_body(photos=[photo()])
    filed = post_finding(ins, inspection_id, body, format="multipart")
    assert filed.status_code == 201, filed.json()
    client = api(ins.users["inspector"])
    key = str(uuid.uuid4())
    sent = client.post(filed.json()["photos_url"], {"file": photo(), "photo_key": key}, format="multipart")
    resent = client.post(filed.json()["photos_url"], {"file": photo(), "photo_key": key}, format="multipart")
    assert (sent.status_code, resent.status_code) == (201, 200)
    assert resent.json() == sent.json()
    assert HazardPhoto.objects.filter(hazard_id=filed.json()["id"]).count() == 2


def test_after_submit_a_retry_is_still_answered_and_a_new_finding_is_refused(ins):
    inspection_id = start(ins).json()["id"]
    body = finding_body()
    assert post_finding(ins, inspection_id, body).status_code == 201
    answer_all(ins, inspection_id)
    submitted = api(ins.users["inspector"]).post(f"/api/v1/inspections/{inspection_id}/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.json()
    retry = post_finding(ins, inspection_id, body)
    assert retry.status_code == 200 and retry.json()["title"] == "配电箱未上锁"
    before = Hazard.objects.count()
    late = post_finding(ins, inspection_id, finding_body(title="另一处"))
    assert late.status_code == 409
    assert late.json()["detail"] == (
        "这次检查已在此期间提交，不能再向其添加检查发现。请将其作为单独的隐患上报，或者放弃。"
    )
    assert Hazard.objects.count() == before


def test_only_the_team_files_findings(ins):
    inspection_id = start(ins).json()["id"]
    refused = post_finding(ins, inspection_id, finding_body(), user="city")
    assert refused.status_code == 403
    assert post_finding(ins, inspection_id, finding_body(), user="outsider").status_code == 404  # out of scope
    assert not Hazard.objects.exists()


def test_an_enterprise_gone_out_of_scope_is_a_clear_field_error(ins):
    """The inspection keeps the industry it had; the enterprise has since moved to another one, outside the
    inspector's scope: file_hazard's enterprise error comes through as a 400 that says so."""
    inspection_id = start(ins).json()["id"]
    ins.e1.industry = ins.build
    ins.e1.save()
    refused = post_finding(ins, inspection_id, finding_body())
    assert refused.status_code == 400, refused.json()
    assert refused.json()["enterprise"] == [
        "海滨化工有限公司已不在您的范围内，不能为其上报隐患。请由其主管部门上报这一发现。"
    ]
    assert not Hazard.objects.exists() and not Finding.objects.exists()


def test_bad_fields_are_field_errors(ins):
    inspection_id = start(ins).json()["id"]
    refused = post_finding(ins, inspection_id, finding_body(title="", category="nope", level="tiny"))
    assert refused.status_code == 400
    assert set(refused.json()) == {"title", "category", "level"}
    assert not Hazard.objects.exists()


# The finding page without JavaScript


def test_the_finding_page_files_with_photos_and_goes_back(ins, client):
    inspection_id = start(ins).json()["id"]
    client.force_login(ins.users["inspector"])
    url = reverse("inspections:finding", args=[inspection_id])
    page = client.get(url).content.decode()
    back = reverse("inspections:fill", args=[inspection_id, 1])
    form = re.search(r"<form [^>]*data-offline=\"finding\"[^>]*>", page).group(0)
    expected = ('method="post"', 'enctype="multipart/form-data"', "novalidate", 'class="card form filing finding"',
                f'data-queue-url="/api/v1/inspections/{inspection_id}/findings/"', f'data-back-url="{back}"',
                'data-enterprise="海滨化工有限公司"', f'data-enterprise-id="{ins.e1.pk}"',
                f'data-scope="inspection:{inspection_id}"')  # fmt: skip
    for attribute in expected:
        assert attribute in form, attribute
    assert "data-posted" not in form  # a page shown afresh: its script may give it a new key
    assert "<h1>记录检查发现</h1>" in page
    assert '<input type="file" name="photos" accept="image/*" capture="environment" multiple' in page
    for name in ("title", "place", "category", "level", "description", "photos"):
        assert f'data-field="{name}"' in page
    levels = page.split('data-field="level"')[1].split("</fieldset>")[0]
    assert '<input type="radio" name="level" value="general" id="id_level_0" required checked>' in levels  # the default
    categories = page.split('data-field="category"')[1].split("</fieldset>")[0]
    assert '<input type="radio" name="category" value="fire"' in categories and "checked" not in categories
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    assert key != client.get(url).content.decode().split('name="idempotency_key" value="')[1].split('"')[0]

    empty = client.post(url, {"idempotency_key": key, "level": "general"})
    assert empty.status_code == 400
    shown = empty.content.decode()
    assert '<p class="error" role="alert">请说明发现了什么。</p>' in shown
    assert '<p class="error" role="alert">请说明在哪里发现的。</p>' in shown
    assert '<p class="error" role="alert">请选择隐患类别。</p>' in shown
    assert not Hazard.objects.exists()

    body = {"idempotency_key": key, "title": "配电箱未上锁", "place": "一号仓库", "category": "fire",
            "level": "major", "description": "", "photos": [photo("a.jpg"), photo("b.jpg")]}  # fmt: skip
    filed = client.post(url, body)
    assert filed.status_code == 302 and filed["Location"] == back
    hazard = Finding.objects.get(inspection_id=inspection_id).hazard
    assert (hazard.level, hazard.photos.count()) == ("major", 2)
    assert [str(m) for m in get_messages(filed.wsgi_request)] == [f"已作为隐患 {hazard.code} 随本次检查上报。"]

    detail = client.get(reverse("inspections:detail", args=[inspection_id])).content.decode()
    assert f'<a class="row-title" href="/hazards/{hazard.pk}/">{hazard.code} 配电箱未上锁</a>' in detail
    assert "检查中另行发现的隐患" in detail
    review = client.get(reverse("inspections:review", args=[inspection_id])).content.decode()
    assert f"{hazard.code} 配电箱未上锁" in review


def test_the_finding_page_shows_a_submitted_inspection_as_a_form_error(ins, client):
    inspection_id = start(ins).json()["id"]
    client.force_login(ins.users["inspector"])
    url = reverse("inspections:finding", args=[inspection_id])
    key = client.get(url).content.decode().split('name="idempotency_key" value="')[1].split('"')[0]
    answer_all(ins, inspection_id)
    api(ins.users["inspector"]).post(f"/api/v1/inspections/{inspection_id}/submit/", {}, format="json")
    late = client.post(url, {"idempotency_key": key, "title": "配电箱未上锁", "place": "一号仓库",
                             "category": "fire", "level": "general"})  # fmt: skip
    assert late.status_code == 400
    assert "这次检查已在此期间提交" in late.content.decode() and not Finding.objects.exists()


def test_the_fill_page_offers_a_finding_and_the_enterprise_facts(ins, client):
    inspection_id = start(ins).json()["id"]
    ins.e1.address, ins.e1.principal_name, ins.e1.principal_phone = "海滨路1号", "李总", "13800000001"
    ins.e1.safety_manager_name, ins.e1.safety_manager_phone = "赵安全", "13800000002"
    ins.e1.save()
    client.force_login(ins.users["inspector"])
    page = client.get(reverse("inspections:fill", args=[inspection_id, 1])).content.decode()
    assert f'href="{reverse("inspections:finding", args=[inspection_id])}">记录其他隐患</a>' in page
    facts = page.split('<details class="card facts">')[1].split("</details>")[0]
    assert "<summary>企业信息</summary>" in facts
    for shown in ("海滨化工有限公司", "海滨路1号", ins.t1.name, ins.chem.name, "李总", "13800000001", "赵安全",
                  "13800000002"):  # fmt: skip
        assert shown in facts
    answer_all(ins, inspection_id)
    api(ins.users["inspector"]).post(f"/api/v1/inspections/{inspection_id}/submit/", {}, format="json")
    assert "记录其他隐患" not in client.get(reverse("inspections:fill", args=[inspection_id, 1])).content.decode()


def test_the_record_pdf_lists_the_findings(ins, client, monkeypatch):
    """The record's HTML (what the PDF is printed from) lists the findings under their own heading."""
    from inspections import views

    def as_html(request, template, context, name):
        return HttpResponse(render_to_string(template, context))

    monkeypatch.setattr(views, "pdf_response", as_html)
    inspection_id = start(ins).json()["id"]
    post_finding(ins, inspection_id, finding_body())
    client.force_login(ins.users["inspector"])
    html = client.get(reverse("inspections:record-pdf", args=[inspection_id])).content.decode()
    hazard = Hazard.objects.get()
    assert "检查中另行发现的隐患" in html and f"<td>{hazard.code}</td><td>配电箱未上锁</td><td>一号仓库</td>" in html


# The pages to cache


def test_offline_pages_list_every_screen_of_my_open_inspections(ins, client, django_assert_max_num_queries):
    mine = [start(ins).json()["id"] for _ in range(3)]
    partnered = start(ins, user="partner", members=[ins.users["inspector"].id]).json()["id"]
    answer_all(ins, mine[0])
    api(ins.users["inspector"]).post(f"/api/v1/inspections/{mine[0]}/submit/", {}, format="json")  # no longer open
    client.force_login(ins.users["inspector"])
    url = reverse("inspections:offline-pages")
    assert url == "/inspections/offline-pages/"
    pages = client.get(url).json()["pages"]
    expected = ["/inspections/"]
    for pk in [partnered, mine[2], mine[1]]:  # newest first
        expected += [f"/inspections/{pk}/fill/1/", f"/inspections/{pk}/fill/2/", f"/inspections/{pk}/findings/new/",
                     f"/inspections/{pk}/"]  # fmt: skip
    assert pages == [*expected, "/hazards/new/"]
    connection.queries_log.clear()  # a full log (it keeps 9000) would count nothing
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    counted = len(few)
    assert 0 < counted <= 8  # the session, the user and their positions, then the inspections in one query
    for _ in range(5):
        start(ins)
    with django_assert_max_num_queries(counted):
        assert len(client.get(url).json()["pages"]) == 2 + 4 * 8


def test_offline_pages_stop_at_twenty_and_need_a_login(ins, client):
    for _ in range(22):
        start(ins)
    assert client.get(reverse("inspections:offline-pages")).status_code == 302
    client.force_login(ins.users["inspector"])
    pages = client.get(reverse("inspections:offline-pages")).json()["pages"]
    assert sum(p.endswith("/findings/new/") for p in pages) == 20
    client.force_login(ins.users["city"])  # not on any team
    assert client.get(reverse("inspections:offline-pages")).json()["pages"] == ["/inspections/", "/hazards/new/"]


def test_offline_pages_of_an_enterprise_are_its_open_self_checks(ins, client):
    body = {"enterprise": ins.e1.id, "version": ins.version.id, "kind": "self_check"}
    checked = api(ins.users["manager"]).post("/api/v1/inspections/", body, format="json").json()
    assert "id" in checked, checked
    start(ins)  # an inspection of the same enterprise by inspectors: not the enterprise's to fill
    client.force_login(ins.users["manager"])
    pages = client.get(reverse("inspections:offline-pages")).json()["pages"]
    assert f"/inspections/{checked['id']}/findings/new/" in pages
    assert sum(p.endswith("/findings/new/") for p in pages) == 1
