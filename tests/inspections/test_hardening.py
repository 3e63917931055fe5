"""Issue 12: the checklist Excel export never writes a live formula (point 11); campaigns take only known operating
states, days within bounds and government inspectors as team members (points 8, 10); answers are audited
(point 21)."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from audit.models import AuditEvent
from inspections import checklists
from inspections.models import Campaign, Inspection, Team
from organizations.choices import PositionKind, UnitKind

from ..factories import PositionFactory, UserFactory, assign
from .conftest import TEMPLATE
from .test_inspections import answer, start

HOSTILE = ['=HYPERLINK("http://evil.example/","点此")', "+1+1", "-2+3", "@SUM(A1:A2)", "=1+1"]


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_authenticate(user)
    return client


# --- point 11: no formula in the checklist export -------------------------------------------------------------------


def hostile_template() -> dict:
    item = TEMPLATE["sections"][0]["items"][0]
    items = [{**item, "text": text, "legal_basis": text, "unit": text[:20]} for text in HOSTILE]
    return {**TEMPLATE, "code": "formula-test", "name": "=cmd|' /C calc'!A0", "sections": [
        {"title": "=SECTION()", "items": items}]}  # fmt: skip


def test_the_checklist_export_writes_every_text_cell_as_a_string(ins):
    version, _created = checklists.import_template(hostile_template())
    response = api(ins.users["city"]).get(f"/api/v1/checklists/{version.template.id}/export/?as=xlsx")
    assert response.status_code == 200
    content = response.content
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula element anywhere
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    assert set(HOSTILE) <= texts and "=SECTION()" in texts and "=cmd|' /C calc'!A0" in texts
    # Numbers and yes/no stay typed, and the file still imports as the same version.
    assert {cell.value for cell in cells if cell.data_type == "n"} >= {5}
    assert checklists.import_excel(content) == (version, False)


# --- point 10 and 8: campaigns --------------------------------------------------------------------------------------


def campaign_body(ins, **changes) -> dict:
    today = timezone.localdate()
    return {"name": "汛期专项检查", "starts_on": str(today), "ends_on": str(today + timedelta(days=30)),
            "lead_department": ins.yjj.id, "regions": [ins.d1.id], "industries": [], "key_units_only": False,
            "versions": [ins.version.id], **changes}  # fmt: skip


@pytest.mark.parametrize(
    "states",
    [["operating", "bogus"], ["<script>"], [{"state": "operating"}], "operating", {"operating": True}, [1]],
)
def test_campaign_operating_states_only_from_the_known_states(ins, states):
    response = api(ins.users["city"]).post("/api/v1/campaigns/", campaign_body(ins, operating_states=states),
                                           format="json")  # fmt: skip
    assert response.status_code == 400, response.json()
    assert "operating_states" in response.json()
    assert not Campaign.objects.exists()


def test_campaign_with_known_operating_states_is_created(ins):
    body = campaign_body(ins, operating_states=["operating", "closed_mine"])
    response = api(ins.users["city"]).post("/api/v1/campaigns/", body, format="json")
    assert response.status_code == 201, response.json()
    assert Campaign.objects.get().operating_states == ["operating", "closed_mine"]


def test_the_workflow_refuses_unknown_operating_states_for_every_caller(ins):
    from django.core.exceptions import ValidationError

    from inspections import workflow

    values = {**campaign_body(ins), "lead_department": ins.yjj, "regions": [ins.d1], "versions": [ins.version]}
    values["starts_on"] = timezone.localdate()
    values["ends_on"] = timezone.localdate()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        workflow.create_campaign(ins.users["city"], {**values, "operating_states": ["mars_base"]})
    assert refused.value.message_dict["operating_states"][0].startswith("Operating states are a list of: operating")
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(("field", "day"), [("ends_on", "9999-12-31"), ("starts_on", "1999-01-01")])
def test_campaign_days_out_of_bounds_are_refused(ins, field, day):
    response = api(ins.users["city"]).post("/api/v1/campaigns/", campaign_body(ins, **{field: day}), format="json")
    assert response.status_code == 400, response.json()
    assert "须在2000-01-01至" in response.json()[field][0]
    assert not Campaign.objects.exists()


def test_an_inspection_dated_beyond_the_horizon_is_refused(ins):
    response = start(ins, date="9999-12-31")
    assert response.status_code == 400 and "date" in response.json(), response.json()
    assert not Inspection.objects.exists()


def campaign(ins) -> Campaign:
    item = Campaign.objects.create(
        name="专项检查", starts_on=timezone.localdate(), ends_on=timezone.localdate() + timedelta(days=9),
        lead_department=ins.yjj, created_by=ins.users["city"],
    )  # fmt: skip
    item.regions.set([ins.d1])
    return item


def duty_officer(ins, unit_kind, **unit):
    user = UserFactory(username=f"duty-{unit_kind}", unit_kind=unit_kind, **unit)
    assign(user, PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=unit_kind, **unit))
    return user


@pytest.mark.parametrize("who", ["enterprise", "district_duty", "department_duty", "territorial_leader"])
def test_campaign_team_members_must_be_government_inspectors(ins, who):
    people = {
        "enterprise": lambda: ins.users["enterprise"],
        "district_duty": lambda: duty_officer(ins, UnitKind.GOVERNMENT, region=ins.d1),
        "department_duty": lambda: duty_officer(ins, UnitKind.DEPARTMENT, department=ins.yjj),
        "territorial_leader": lambda: ins.users["district"],
    }
    wrong = people[who]()
    item = campaign(ins)
    body = {"name": "第一组", "lead": ins.users["inspector"].id, "members": [ins.users["partner"].id, wrong.id],
            "enterprises": [ins.e1.id]}  # fmt: skip
    response = api(ins.users["city"]).post(f"/api/v1/campaigns/{item.id}/teams/", body, format="json")
    assert response.status_code == 400, response.json()
    assert str(wrong) in response.json()["members"][0] and "检查人员" in response.json()["members"][0]
    as_lead = api(ins.users["city"]).post(f"/api/v1/campaigns/{item.id}/teams/",
                                          {**body, "lead": wrong.id, "members": [ins.users["partner"].id]},
                                          format="json")  # fmt: skip
    assert as_lead.status_code == 400 and "lead" in as_lead.json()
    assert not Team.objects.exists() and not AuditEvent.objects.filter(action="campaign.team").exists()


def test_an_ad_hoc_inspection_team_takes_no_duty_officer(ins):
    wrong = duty_officer(ins, UnitKind.DEPARTMENT, department=ins.yjj)
    response = start(ins, members=[ins.users["partner"].id, wrong.id])
    assert response.status_code == 400 and "members" in response.json()
    assert not Inspection.objects.exists()


# --- point 21: answers are audited ----------------------------------------------------------------------------------


def test_answers_are_audited_from_what_to_what_and_a_repeat_writes_nothing(ins):
    inspection_id = start(ins).json()["id"]
    item = ins.items["是否明确消防安全责任人"]
    assert answer(ins, inspection_id, "是否明确消防安全责任人", result="fail", note="未明确").status_code == 200
    first = AuditEvent.objects.get(action="inspection.answer")
    assert (first.actor, first.object_id) == (ins.users["inspector"], str(inspection_id))
    assert first.changes == {"item": item.id, "result": [None, "fail"], "note": [None, "未明确"], "photos": 0}
    assert answer(ins, inspection_id, "是否明确消防安全责任人", result="fail", note="未明确").status_code == 200
    assert AuditEvent.objects.filter(action="inspection.answer").count() == 1  # the same answer again: nothing
    assert answer(ins, inspection_id, "是否明确消防安全责任人", user="partner", result="pass").status_code == 200
    changed = AuditEvent.objects.filter(action="inspection.answer").order_by("id").last()
    assert changed.actor == ins.users["partner"]
    assert changed.changes == {"item": item.id, "result": ["fail", "pass"], "note": ["未明确", ""], "photos": 0}
