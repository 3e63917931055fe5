"""Who may start, answer, submit and close an inspection of the chemical firm e1 (by the city bureau's team)."""

from __future__ import annotations

import pytest

from .test_inspections import answer, answer_all, api, start

ROLES = [
    "city",
    "district",
    "dept_head",
    "county_dept",
    "county_head",
    "inspector",
    "partner",
    "enterprise",
    "outsider",
]
# Start: government staff with e1 in scope (a team of two); others refused, or e1 not in their scope.
START = {"city": 201, "county_dept": 201, "county_head": 201, "inspector": 201, "partner": 201, "district": 403,
         "enterprise": 403, "outsider": 403, "dept_head": 400}  # fmt: skip
# Answer and submit: the team (inspector, partner); in-scope strangers 403; out of scope 404.
TEAM = {"inspector": 200, "partner": 200, "city": 403, "district": 403, "county_dept": 403, "county_head": 403,
        "enterprise": 403, "dept_head": 404, "outsider": 404}  # fmt: skip
# Close: the lead (inspector) or a department head / the city office.
CLOSE = {"inspector": 200, "city": 200, "county_head": 200, "partner": 403, "district": 403, "county_dept": 403,
         "enterprise": 403, "dept_head": 404, "outsider": 404}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_start(ins, role):
    members = [ins.users["partner" if role != "partner" else "inspector"].id]
    response = start(ins, user=role, members=members)
    assert response.status_code == START[role], (role, response.json())


@pytest.mark.parametrize("role", ROLES)
def test_answer(ins, role):
    inspection_id = start(ins).json()["id"]
    response = answer(ins, inspection_id, "是否明确消防安全责任人", user=role, result="pass")
    assert response.status_code == TEAM[role], role


@pytest.mark.parametrize("role", ROLES)
def test_submit(ins, role):
    inspection_id = start(ins).json()["id"]
    answer_all(ins, inspection_id)
    response = api(ins.users[role]).post(f"/api/v1/inspections/{inspection_id}/submit/", {}, format="json")
    assert response.status_code == TEAM[role], role


@pytest.mark.parametrize("role", ROLES)
def test_close(ins, role):
    inspection_id = start(ins).json()["id"]
    assert api(ins.users["inspector"]).post(f"/api/v1/inspections/{inspection_id}/close/").status_code == 409
    answer_all(ins, inspection_id)
    api(ins.users["inspector"]).post(f"/api/v1/inspections/{inspection_id}/submit/", {}, format="json")
    response = api(ins.users[role]).post(f"/api/v1/inspections/{inspection_id}/close/")
    assert response.status_code == CLOSE[role], role
    if CLOSE[role] == 200:
        assert response.json()["status"] == "closed"
        late = answer(ins, inspection_id, "是否明确消防安全责任人", result="fail")
        assert late.status_code == 409  # nothing changes after submitting


def test_team_members_are_government_inspectors(ins):
    response = start(ins, members=[ins.users["enterprise"].id])
    assert response.status_code == 400 and "members" in response.json()
