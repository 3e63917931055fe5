"""The OpenAPI schema documents what each operation really answers (issue #12, point 16): the error statuses with
one shared error body, plain arrays where the code answers an array, the values a field really takes."""

from __future__ import annotations

import pytest
from rest_framework import exceptions
from rest_framework.test import APIClient

from safety_platform.lib.api import exception_handler

ERROR = {"$ref": "#/components/schemas/Error"}
NOT_PAGED = [
    ("get", "/api/v1/campaigns/{id}/teams/", "200"),
    ("post", "/api/v1/campaigns/{id}/teams/", "200"),
    ("post", "/api/v1/hazards/{id}/photos/", "201"),
    ("get", "/api/v1/inspections/{id}/preview/", "200"),
    ("get", "/api/v1/roll-calls/{id}/report/", "200"),
    ("get", "/api/v1/supervision/nothing-found/", "200"),
]


@pytest.fixture
def schema(db) -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method, path, operation


def test_every_operation_documents_its_error_statuses_with_one_body(schema):
    assert {"detail", "code"} <= set(schema["components"]["schemas"]["Error"]["oneOf"][0]["properties"])
    seen = set()
    for method, path, operation in operations(schema):
        responses = operation["responses"]
        expected = set()
        if {} not in operation.get("security", []):
            expected |= {"401", "403"}
        if "{" in path:
            expected.add("404")
        if "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", [])):
            expected.add("400")
        expected.add("503")  # shed when busy (safety_platform/lib/shedding.py)
        assert expected <= set(responses), (method, path, sorted(responses))
        for code in responses:
            if code >= "400":
                assert responses[code]["content"]["application/json"]["schema"] == ERROR, (method, path, code)
                seen.add(code)
    assert seen == {"400", "401", "403", "404", "409", "429", "503"}


def test_workflow_actions_document_409_and_the_token_429(schema):
    paths = schema["paths"]
    for path in (
        "/api/v1/hazards/{id}/confirm/",
        "/api/v1/inspections/{id}/submit/",
        "/api/v1/shift-changes/{id}/decide/",
    ):
        assert "409" in paths[path]["post"]["responses"], path
    assert "409" not in paths["/api/v1/hazards/{id}/"]["get"]["responses"]
    assert {"400", "429"} <= set(paths["/api/v1/auth/token/"]["post"]["responses"])
    assert "401" not in paths["/api/v1/auth/token/"]["post"]["responses"]


@pytest.mark.parametrize(("method", "path", "code"), NOT_PAGED)
def test_actions_that_answer_an_array_are_documented_as_one(schema, method, path, code):
    body = schema["paths"][path][method]["responses"][code]["content"]["application/json"]["schema"]
    assert body["type"] == "array", body
    names = {p["name"] for p in schema["paths"][path][method].get("parameters", [])}
    assert not names & {"cursor", "page_size", "status"}, names  # no paging, no list filters


def test_grade_raised_from_may_be_blank(schema):
    field = schema["components"]["schemas"]["Incident"]["properties"]["grade_raised_from"]
    blank = {"$ref": "#/components/schemas/BlankEnum"}
    assert blank in field["oneOf"]
    assert schema["components"]["schemas"]["BlankEnum"]["enum"] == [""]


def test_duty_plan_status_requires_its_period(schema, world):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/duty-plans/status/"]["get"]["parameters"]}
    assert parameters["start"].get("required") and parameters["end"].get("required")
    assert not parameters["name"].get("required")
    client = APIClient()
    client.force_authenticate(world.users["city"])
    response = client.get("/api/v1/duty-plans/status/", {"end": "2026-10-08"})
    assert response.status_code == 400 and "start" in response.json()


def test_undocumented_query_values_are_documented(schema):
    def names(path):
        return {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}

    assert {"from", "to"} <= names("/api/v1/duty-failures/")
    assert "year" in names("/api/v1/duty-plans/periods/")
    export = schema["paths"]["/api/v1/checklists/{id}/export/"]["get"]
    assert "as" in names("/api/v1/checklists/{id}/export/")
    assert set(export["responses"]["200"]["content"]) == {
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }


def test_checklist_export_refuses_an_unknown_format(world):
    from inspections.models import ChecklistTemplate

    client = APIClient()
    client.force_authenticate(world.users["city"])
    template = ChecklistTemplate.objects.first()
    assert client.get(f"/api/v1/checklists/{template.pk}/export/", {"as": "xlsx"}).status_code == 200
    response = client.get(f"/api/v1/checklists/{template.pk}/export/", {"as": "pdf"})
    assert response.status_code == 400 and "as" in response.json()


def test_a_bare_validation_message_gets_the_field_shape():
    response = exception_handler(exceptions.ValidationError("Nothing to do."), {})
    assert response.data == {"non_field_errors": ["Nothing to do."]}
    response = exception_handler(exceptions.NotFound(), {})
    assert response.data["code"] == "not_found" and response.data["detail"]


def test_request_bodies_are_json_unless_they_carry_files(schema):
    for method, path, operation in operations(schema):
        content = set(operation.get("requestBody", {}).get("content", {}))
        # photos (the leader's too), evaluations, a workbook of risk points
        # and an accident's investigation report (accidents: records), a watch visit's photos (oversight)
        if content and path.endswith(("/photos/", "/evaluation/", "/leader_action/", "/risks/points/import/",
                                      "/accidents/{id}/close/", "/watches/{id}/visits/")):  # fmt: skip
            assert content == {"multipart/form-data"}, (method, path)
        elif content and path.endswith(("/inspections/{id}/answers/", "/inspections/{id}/findings/")):
            # an answer or a finding: JSON, or multipart with its photos (an offline queue sends them together)
            assert content == {"application/json", "multipart/form-data"}, (method, path)
        elif content and path == "/api/v1/warnings/cap/":  # a CAP 1.2 message is XML (docs/warnings-cap.md)
            assert content == {"application/xml", "text/xml"}, (method, path)
        elif content:
            assert content == {"application/json"}, (method, path, content)


def test_decimal_patterns_need_a_digit(schema):
    import re

    funds = schema["components"]["schemas"]["PlanRequest"]["properties"]["funds"]
    text, number = funds["oneOf"]  # a decimal is sent as text or as a JSON number
    assert number["type"] == "number" and number["minimum"] == 0 and number["multipleOf"] == 0.01
    pattern = re.compile(text["pattern"])
    assert all(pattern.match(v) for v in ("0", "12.5", "100000.00", ".5"))
    assert not any(pattern.match(v) for v in ("", "-", ".", "-1", "1.234"))


def test_yes_no_filters_are_strings_and_non_empty_lists_say_so(schema):
    def parameter(path, name):
        return next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)["schema"]

    key_unit = parameter("/api/v1/enterprises/", "is_key_unit")
    assert key_unit["type"] == "string" and key_unit["enum"] == ["false", "true"]
    assert parameter("/api/v1/hazards/", "is_overdue")["type"] == "string"
    components = schema["components"]["schemas"]
    assert components["StepRequest"]["properties"]["targets"]["minItems"] == 1
    assert components["TeamRequest"]["properties"]["members"]["minItems"] == 1
    assert "minItems" not in components["Step"]["properties"]["targets"]  # a response may list none


def test_statuses_that_views_add_are_documented(schema):
    paths = schema["paths"]
    assert "409" in paths["/api/v1/exports/{id}/download/"]["get"]["responses"]  # not finished yet
    assert "404" in paths["/api/v1/people/"]["get"]["responses"]  # a post or hazard out of scope
    refused = paths["/api/v1/checklists/import/"]["post"]["responses"]["400"]["content"]["application/json"]
    assert refused["schema"] == ERROR and "rows" in schema["components"]["schemas"]["Error"]["oneOf"][0]["properties"]
    hazards = {p["name"]: p for p in paths["/api/v1/hazards/"]["get"]["parameters"]}
    assert hazards["created_before"]["allowEmptyValue"] is True
