"""A failed item filed as a hazard: the finding is the title, the place the place, the item and its legal basis
linked (#14 item 10)."""

from __future__ import annotations

from django.urls import reverse

from hazards.models import Hazard
from inspections.models import Answer

from .test_inspections import answer, api, start


def submit(ins, inspection_id):
    done = api(ins.users["inspector"]).post(f"/api/v1/inspections/{inspection_id}/submit/", {}, format="json")
    assert done.status_code == 200, done.json()


def test_the_finding_is_the_title_and_the_place_is_the_place(ins, client):
    """GIVEN an exit found blocked (a finding and a place written), a width measured too narrow (nothing
    written) WHEN the inspection is submitted THEN the first hazard's title is the finding and its place the place,
    the second's title is 未达标：<item> with its section as the place; each carries the item's requirement and
    legal basis, which its page shows with a link to the inspection."""
    inspection_id = start(ins).json()["id"]
    answer(ins, inspection_id, "是否明确消防安全责任人", result="pass")
    saved = answer(ins, inspection_id, "疏散通道、安全出口是否被占用、堵塞", result="fail", photo=True,
                   text="  堆放纸箱\n堵塞安全出口 ", note="二楼东侧安全出口")  # fmt: skip
    assert saved.status_code in (200, 201), saved.json()
    answer(ins, inspection_id, "疏散通道净宽度", number="0.9")
    submit(ins, inspection_id)

    blocked = Hazard.objects.get(checklist_item="疏散通道、安全出口是否被占用、堵塞")
    assert blocked.title == "堆放纸箱 堵塞安全出口"
    assert blocked.place == "二楼东侧安全出口"
    assert blocked.legal_basis == "GB 35181"
    assert Answer.objects.get(hazard=blocked).item == ins.items["疏散通道、安全出口是否被占用、堵塞"]
    width = Hazard.objects.get(checklist_item="疏散通道净宽度")
    assert width.title == "未达标：疏散通道净宽度"
    assert width.place == "现场检测"  # no place written: the section
    assert width.description == "实测：0.9 m（要求：≥ 1.1）"
    assert api(ins.users["inspector"]).get(f"/api/v1/hazards/{blocked.pk}/").json()["checklist_item"] == (
        "疏散通道、安全出口是否被占用、堵塞"
    )

    client.force_login(ins.users["county_dept"])
    page = client.get(reverse("hazards:detail", args=[blocked.pk])).content.decode()
    facts = page.split('<dl class="facts">')[1].split("</dl>")[0]
    assert "<h1>堆放纸箱 堵塞安全出口</h1>" in page
    assert "<dt>部位</dt><dd>二楼东侧安全出口</dd>" in facts
    assert "<dt>检查项</dt><dd>疏散通道、安全出口是否被占用、堵塞" in facts
    assert f'<a href="{reverse("inspections:detail", args=[inspection_id])}">检查记录</a>' in facts
    assert "<dt>依据</dt><dd>GB 35181</dd>" in facts


def test_a_long_finding_is_shortened_in_the_title_and_kept_whole(ins):
    inspection_id = start(ins).json()["id"]
    finding = "安全出口" + "堆放杂物" * 80  # 324 characters
    answer(ins, inspection_id, "是否明确消防安全责任人", result="fail", text=finding)
    answer(ins, inspection_id, "疏散通道、安全出口是否被占用、堵塞", result="pass")
    answer(ins, inspection_id, "疏散通道净宽度", number="1.5")
    submit(ins, inspection_id)
    hazard = Hazard.objects.get()
    assert len(hazard.title) == 200 and hazard.title.endswith("…") and finding.startswith(hazard.title[:-1])
    assert finding in hazard.description
    assert hazard.place == "消防安全管理"


def test_a_hazard_filed_by_hand_shows_no_checklist_item(hz, client):
    from ..hazards.conftest import advance

    hazard = advance(hz, "reported")
    client.force_login(hz.users["county_dept"])
    page = client.get(reverse("hazards:detail", args=[hazard.pk])).content.decode()
    assert hazard.checklist_item == "" and "检查项" not in page


def test_the_start_form_picks_the_enterprise_by_search(ins, client):
    """The start form's enterprise is the searchable picker the hazard list's filter uses (one include)."""
    client.force_login(ins.users["inspector"])
    page = client.get(reverse("inspections:start")).content.decode()
    assert 'data-enterprise-search="id_enterprise"' in page and 'class="field enterprise-picker' in page
    assert f'<option value="{ins.e1.pk}">{ins.e1.name} · {ins.e1.region.name}</option>' in page
    assert "js/enterprise-picker.js" in page and "<script>" not in page  # a static file: CSP allows no inline script
    refused = client.post(reverse("inspections:start"), {"enterprise": "", "version": ins.version.id})
    assert refused.status_code == 400 and 'class="field enterprise-picker invalid"' in refused.content.decode()


def test_unanswered_items_are_named_before_submitting(ins, client):
    """GIVEN an inspection with one item answered WHEN the team opens the review THEN the items still open are
    listed, each linking to its screen, and the submit button is off; the fill form carries what its script needs
    to say so on each screen; a submit anyway is refused naming the items."""
    inspection_id = start(ins).json()["id"]
    answer(ins, inspection_id, "是否明确消防安全责任人", result="pass")
    client.force_login(ins.users["inspector"])
    review = client.get(reverse("inspections:review", args=[inspection_id])).content.decode()
    blocked, width = ins.items["疏散通道、安全出口是否被占用、堵塞"], ins.items["疏散通道净宽度"]
    assert "2 个检查项尚未作答" in review
    assert f'href="/inspections/{inspection_id}/fill/1/#item-{blocked.pk}"' in review
    assert f'href="/inspections/{inspection_id}/fill/2/#item-{width.pk}"' in review
    assert "现场负责人" not in review  # a text item may stay empty
    assert 'class="primary" disabled' in review

    fill = client.get(reverse("inspections:fill", args=[inspection_id, 1])).content.decode()
    assert 'data-unanswered="本页尚未作答：' in fill and f'id="item-{blocked.pk}"' in fill
    assert 'data-kind="pass_fail"' in fill and "js/inspection-form.js" in fill and "<script>" not in fill

    refused = api(ins.users["inspector"]).post(f"/api/v1/inspections/{inspection_id}/submit/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["answers"] == ["还有2项未作答：疏散通道、安全出口是否被占用、堵塞；疏散通道净宽度"]


def test_the_filed_words_are_chinese_whatever_the_screen(ins):
    """The hazard is a record: "未达标：" and the measured line are written in Chinese even when the inspector
    submits from an English screen."""
    import uuid

    from django.utils import translation

    from inspections import workflow
    from inspections.models import Inspection

    inspection_id = start(ins).json()["id"]
    answer(ins, inspection_id, "是否明确消防安全责任人", result="pass")
    answer(ins, inspection_id, "疏散通道、安全出口是否被占用、堵塞", result="pass")
    answer(ins, inspection_id, "疏散通道净宽度", number="0.9")
    with translation.override("en"):
        workflow.submit(ins.users["inspector"], Inspection.objects.get(pk=inspection_id), uuid.uuid4())
    hazard = Hazard.objects.get()
    assert (hazard.title, hazard.description) == ("未达标：疏散通道净宽度", "实测：0.9 m（要求：≥ 1.1）")


def test_no_link_to_an_inspection_the_reader_may_not_open(ins, client):
    """GIVEN a hazard found in an inspection and assigned to a department outside the enterprise's industries
    THEN that department reads the hazard with its checklist item, but without the link to the inspection it may
    not open (it would answer 404); the inspection's own department keeps the link."""
    from organizations.choices import UnitKind
    from tests.factories import UserFactory

    inspection_id = start(ins).json()["id"]
    answer(ins, inspection_id, "是否明确消防安全责任人", result="pass")
    answer(ins, inspection_id, "疏散通道、安全出口是否被占用、堵塞", result="fail", photo=True, text="堵塞安全出口")
    answer(ins, inspection_id, "疏散通道净宽度", number="1.5")
    submit(ins, inspection_id)
    blocked = Hazard.objects.get(checklist_item="疏散通道、安全出口是否被占用、堵塞")
    Hazard.objects.filter(pk=blocked.pk).update(department=ins.zjj)
    builder = UserFactory(username="builder", unit_kind=UnitKind.DEPARTMENT, department=ins.zjj)
    link = f'<a href="{reverse("inspections:detail", args=[inspection_id])}">检查记录</a>'
    client.force_login(builder)
    page = client.get(reverse("hazards:detail", args=[blocked.pk])).content.decode()
    assert "疏散通道、安全出口是否被占用、堵塞" in page and link not in page
    assert client.get(reverse("inspections:detail", args=[inspection_id])).status_code == 404
    client.force_login(ins.users["inspector"])
    assert link in client.get(reverse("hazards:detail", args=[blocked.pk])).content.decode()
