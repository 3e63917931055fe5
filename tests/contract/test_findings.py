"""Findings of the schemathesis run (issue #12, point 17) fixed in the code, each held by a test."""

from __future__ import annotations

from rest_framework.test import APIClient

from hazards.models import EscalationChain


def test_a_patch_of_the_escalation_steps_needs_whole_steps(world):
    """GIVEN the general chain WHEN a PATCH gives a step without its targets (schemathesis sent one) THEN 400 naming
    the step's missing fields, and the chain keeps its steps (before: a step with no one to notify was saved)."""
    client = APIClient()
    client.force_authenticate(world.users["city"])
    chain = EscalationChain.objects.get(level="general")
    before = chain.snapshot()
    response = client.patch(
        f"/api/v1/escalation-chains/{chain.pk}/", {"steps": [{"offset_working_days": 1}]}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["steps"]["0"]) == {"targets", "label"}
    chain.refresh_from_db()
    assert chain.snapshot() == before
    whole = [{"offset_working_days": 1, "targets": ["enterprise_principal"], "must_answer": False, "label": "提醒"}]
    renamed = client.patch(
        f"/api/v1/escalation-chains/{chain.pk}/", {"name": "一般隐患", "steps": whole}, format="json"
    )
    assert renamed.status_code == 200 and len(renamed.json()["steps"]) == 1
    assert (
        client.patch(f"/api/v1/escalation-chains/{chain.pk}/", {"name": "一般隐患逾期"}, format="json").status_code
        == 200
    )


def test_a_number_is_not_text_nor_a_yes_no(world):
    """GIVEN the general chain WHEN a PUT gives a step's label or the chain's name as a JSON number, or must_answer as
    0 (schemathesis: the schema says a string and a boolean, DRF took 0 as "0" and as no) THEN 400 naming the
    field, and the chain is unchanged."""
    client = APIClient()
    client.force_authenticate(world.users["city"])
    chain = EscalationChain.objects.get(level="general")
    before = (chain.name, chain.snapshot())
    step = {"offset_working_days": 0, "targets": ["city_office"], "must_answer": False, "label": 0}
    response = client.put(f"/api/v1/escalation-chains/{chain.pk}/", {"name": "x", "steps": [step]}, format="json")
    assert response.status_code == 400 and "label" in response.json()["steps"]["0"]
    response = client.patch(f"/api/v1/escalation-chains/{chain.pk}/", {"name": 0}, format="json")
    assert response.status_code == 400 and "name" in response.json()
    chain.refresh_from_db()
    assert (chain.name, chain.snapshot()) == before
    step = {**step, "label": "提醒", "must_answer": 0}
    response = client.put(f"/api/v1/escalation-chains/{chain.pk}/", {"name": "x", "steps": [step]}, format="json")
    assert response.status_code == 400 and "must_answer" in response.json()["steps"]["0"]
    chain.refresh_from_db()
    assert (chain.name, chain.snapshot()) == before
    assert client.patch(f"/api/v1/escalation-chains/{chain.pk}/", {"name": "0"}, format="json").status_code == 200


def test_query_values_the_schema_refuses_are_refused(world):
    """Schemathesis sent these and got 200: Django's select reads "2" and "3" as yes and no, django-filter's
    BooleanFilter reads "null" as no filter and its NumberFilter takes 0.5 for an id. The schema says true/false and
    a whole number; each now answers 400 naming the parameter, and "true"/"false" or an empty value still work."""
    client = APIClient()
    client.force_authenticate(world.users["city"])
    for url, name, bad in [
        ("/api/v1/inspections/", "mine", "2"),
        ("/api/v1/departments/", "is_default_supervisor", "3"),
        ("/api/v1/hazard-categories/", "active", "null"),
        ("/api/v1/checklist-versions/", "template", "0.5"),
    ]:
        response = client.get(url, {name: bad})
        assert response.status_code == 400 and name in response.json(), (url, response.content)
        assert client.get(url, {name: ""}).status_code == 200, url
    assert client.get("/api/v1/departments/", {"is_default_supervisor": "true"}).status_code == 200
    assert client.get("/api/v1/hazard-categories/", {"active": "false"}).status_code == 200
