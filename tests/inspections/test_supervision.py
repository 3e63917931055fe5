"""Checking the checkers: supervision differences, hollow self-checks, inspectors who find nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from inspections import workflow
from inspections.models import Inspection

from .test_inspections import answer, answer_all, api, start


def submit(ins, inspection_id, user="inspector"):
    response = api(ins.users[user]).post(f"/api/v1/inspections/{inspection_id}/submit/", {}, format="json")
    assert response.status_code == 200, response.json()
    return response


def all_pass(ins, inspection_id, user="inspector"):
    answer(ins, inspection_id, "是否明确消防安全责任人", user=user, result="pass")
    answer(ins, inspection_id, "疏散通道、安全出口是否被占用、堵塞", user=user, result="pass")
    answer(ins, inspection_id, "疏散通道净宽度", user=user, number="1.5")


def test_supervision_records_differences_against_the_original_team(ins):
    original = start(ins).json()["id"]
    all_pass(ins, original)
    submit(ins, original)
    body = {"kind": "supervision", "original": original, "members": [ins.users["county_dept"].id]}
    refused = api(ins.users["inspector"]).post("/api/v1/inspections/", body, format="json")
    assert refused.status_code == 403  # inspectors do not supervise themselves
    created = api(ins.users["county_head"]).post("/api/v1/inspections/", body, format="json")
    assert created.status_code == 201, created.json()
    supervision_id = created.json()["id"]
    assert created.json()["enterprise"] == ins.e1.id and created.json()["version"] == ins.version.id
    answer(ins, supervision_id, "是否明确消防安全责任人", user="county_head", result="pass")
    answer(ins, supervision_id, "疏散通道、安全出口是否被占用、堵塞", user="county_head", result="fail", photo=True)
    answer(ins, supervision_id, "疏散通道净宽度", user="county_head", number="0.8")
    submit(ins, supervision_id, user="county_head")
    rows = api(ins.users["city"]).get("/api/v1/supervision/differences/").json()
    assert {r["item_text"] for r in rows} == {"疏散通道、安全出口是否被占用、堵塞", "疏散通道净宽度"}
    assert {r["counted_against"] for r in rows} == {ins.users["inspector"].id}
    assert all(r["original_result"] == "pass" for r in rows)


@pytest.mark.parametrize("kind", ["self_check", "lesson"])
def test_hollow_self_check_is_flagged(ins, kind):
    """GIVEN a self-check that found nothing (the enterprise's own, or a lesson's comparison self-check) WHEN
    inspectors find hazards there later THEN it is listed as hollow, in scope only."""
    self_check = workflow.create(
        ins.users["enterprise"],
        workflow.NewInspection(ins.e1, ins.version, kind=kind),
        from_lesson_task=kind == "lesson",
    )
    all_pass(ins, self_check.pk, user="enterprise")
    submit(ins, self_check.pk, user="enterprise")
    assert api(ins.users["county_dept"]).get("/api/v1/supervision/hollow-self-checks/").json() == []
    later = start(ins).json()["id"]
    answer_all(ins, later)
    submit(ins, later)
    flagged = api(ins.users["county_dept"]).get("/api/v1/supervision/hollow-self-checks/").json()
    assert [f["id"] for f in flagged] == [self_check.pk]
    assert api(ins.users["dept_head"]).get("/api/v1/supervision/hollow-self-checks/").json() == []  # not its scope


def test_inspectors_who_find_nothing_at_key_units_are_listed(ins, settings):
    settings.NOTHING_FOUND_THRESHOLD = 2
    ins.e1.is_key_unit = True
    ins.e1.save()
    for _ in range(2):
        inspection_id = start(ins).json()["id"]
        all_pass(ins, inspection_id)
        submit(ins, inspection_id)
    rows = api(ins.users["city"]).get("/api/v1/supervision/nothing-found/").json()
    assert rows == [{"user": ins.users["inspector"].id, "name": "inspector", "inspections": 2, "found_nothing": 2}]
    Inspection.objects.update(date=timezone.localdate() - timedelta(days=200))  # long ago: no longer counted
    assert APIClient().get("/api/v1/supervision/nothing-found/").status_code in (401, 403)
    assert api(ins.users["city"]).get("/api/v1/supervision/nothing-found/").json() == []


def test_checkers_page(client, ins):
    client.force_login(ins.users["city"])
    assert client.get("/inspections/supervision/").status_code == 200
    client.force_login(ins.users["enterprise"])
    assert client.get("/inspections/supervision/").status_code == 403
