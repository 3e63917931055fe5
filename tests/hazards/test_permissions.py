"""The permission matrix: every transition × every role, in scope or not, in the right state or not."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from .conftest import FULL_PLAN, advance, later

ROLES = ["city", "district", "dept_head", "county_dept", "county_head", "inspector", "enterprise", "outsider"]
OUT_OF_SCOPE = {"dept_head", "outsider"}  # 住建局 and a person without a unit never see a chemical firm's hazard

# action: (state it needs, body, roles allowed)
TRANSITIONS = {
    "confirm": ("reported", {"deadline_working_days": 5}, {"city", "county_dept", "county_head", "inspector"}),
    "dismiss": ("reported", {"reason": "误报"}, {"city", "county_dept", "county_head", "inspector"}),
    "submit_plan": ("confirmed", "plan", {"enterprise"}),
    "submit_rectification": ("rectifying", {"description": "已整改"}, {"enterprise"}),
    "accept": ("awaiting_acceptance", {}, {"county_dept", "county_head", "inspector"}),
    "reject": ("awaiting_acceptance", {"reason": "不合格"}, {"county_dept", "county_head", "inspector"}),
    "extend_deadline": ("rectifying", "extend", {"city", "county_head"}),
    "reopen": ("closed", "reopen", {"city", "county_dept", "county_head", "inspector"}),
}
# A state each action is never allowed from.
WRONG_STATE = {
    "confirm": "rectifying",
    "dismiss": "rectifying",
    "submit_plan": "awaiting_acceptance",
    "submit_rectification": "confirmed",
    "accept": "rectifying",
    "reject": "closed",
    "extend_deadline": "closed",
    "reopen": "rectifying",
}


def body_for(kind):
    if kind == "plan":
        return {**FULL_PLAN, "deadline": later(15).isoformat()}
    if kind == "extend":
        return {"deadline": later(40).isoformat(), "reason": "延期"}
    if kind == "reopen":
        return {"deadline": later(10).isoformat(), "reason": "回头看"}
    return kind


def call(user, hazard, action, body):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(f"/api/v1/hazards/{hazard.id}/{action}/", body, format="json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_who_may_do_what(hz, action, role):
    state, body, allowed = TRANSITIONS[action]
    hazard = advance(hz, state)
    response = call(hz.users[role], hazard, action, body_for(body))
    expected = 404 if role in OUT_OF_SCOPE else 200 if role in allowed else 403
    assert response.status_code == expected, (action, role, response.json())


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_wrong_state_is_a_conflict(hz, action):
    _, body, allowed = TRANSITIONS[action]
    hazard = advance(hz, WRONG_STATE[action])
    role = sorted(allowed)[0]
    response = call(hz.users[role], hazard, action, body_for(body))
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "conflict" and response.json()["detail"]


def test_outsider_cannot_list_or_read(hz):
    hazard = advance(hz, "reported")
    for role in OUT_OF_SCOPE:
        client = APIClient()
        client.force_authenticate(hz.users[role])
        assert client.get(f"/api/v1/hazards/{hazard.id}/").status_code == 404
        assert client.get("/api/v1/hazards/").json()["results"] == []


def test_filing_needs_a_filing_role_and_an_enterprise_in_scope(hz):
    body = {"enterprise": hz.e1.id, "title": "t", "place": "p", "category": "fire", "level": "general"}
    for role, expected in [("district", 403), ("dept_head", 400), ("outsider", 403), ("city", 201)]:
        client = APIClient()
        client.force_authenticate(hz.users[role])
        response = client.post("/api/v1/hazards/", body, format="json")
        assert response.status_code == expected, (role, response.json())
    # An enterprise files its own findings as a self-check.
    client = APIClient()
    client.force_authenticate(hz.users["enterprise"])
    own = client.post("/api/v1/hazards/", body, format="json")
    assert own.status_code == 201 and own.json()["source"] == "self_check"
