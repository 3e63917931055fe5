"""A checklist import with any bad value imports nothing and lists each problem by row and field (issue 12, point 7)."""

from __future__ import annotations

import copy
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from audit.models import AuditEvent
from inspections import checklists
from inspections.models import ChecklistItem, ChecklistTemplate, ChecklistVersion

from .conftest import TEMPLATE

HAN = range(0x4E00, 0xA000)


def api(user, language="zh-hans") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    client.force_authenticate(user)
    return client


def stored() -> tuple[int, int, int, int]:
    return (ChecklistTemplate.objects.count(), ChecklistVersion.objects.count(), ChecklistItem.objects.count(),
            AuditEvent.objects.count())  # fmt: skip


def template(code="import-test", **item_changes) -> dict:
    """A copy of the test template under a new code, with changes to the first item of the first section."""
    body = copy.deepcopy(TEMPLATE)
    body["code"] = code
    body["sections"][0]["items"][0].update(item_changes)
    return body


BAD_VALUES = [
    ("weight", "abc"),
    ("weight", -5),
    ("weight", 10**30),
    ("weight", 1.5),
    ("min_value", "abc"),
    ("min_value", 10**30),
    ("min_value", "NaN"),
    ("text", "长" * 100_000),
    ("text", "含\x00空字符"),
    ("text", {"a": 1}),
    ("text", None),
    ("legal_basis", ["not", "text"]),
    ("answer_kind", "essay"),
    ("photo_required_on_fail", "maybe"),
    ("category", ["fire"]),
    ("category", "no-such-category"),
    ("unit", "米" * 21),
]


@pytest.mark.parametrize(("field", "value"), BAD_VALUES)
def test_a_bad_item_value_is_listed_and_nothing_is_imported(ins, field, value):
    before = stored()
    response = api(ins.users["city"]).post("/api/v1/checklists/import/", template(**{field: value}), format="json")
    assert response.status_code == 400, (response.status_code, response.content[:500])
    body = response.json()
    assert body["code"] == "invalid" and any(ord(c) in HAN for c in body["detail"]), body
    problems = body["rows"]
    assert [(p["section"], p["item"], p["field"]) for p in problems] == [(1, 1, field)], problems
    assert any(ord(c) in HAN for c in problems[0]["message"]), problems
    assert stored() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("code", "c" * 100_000), ("code", "含 空格"), ("name", "名" * 100_000), ("name", {"zh": "名称"}),
     ("code", None), ("name", "a\x00b"), ("description", ["x"])],
)  # fmt: skip
def test_a_bad_template_value_is_listed_and_nothing_is_imported(ins, field, value):
    before = stored()
    body = {**template(), field: value}
    response = api(ins.users["city"]).post("/api/v1/checklists/import/", body, format="json")
    assert response.status_code == 400, (response.status_code, response.content[:500])
    assert [(p["section"], p["item"], p["field"]) for p in response.json()["rows"]] == [(None, None, field)]
    assert stored() == before


def test_every_problem_is_listed_at_once(ins):
    """GIVEN a template with bad values in three items of two sections, and a bad section WHEN imported THEN the
    400 lists each (section, item, field) once, in order, and nothing is stored."""
    body = template(weight="abc", min_value="abc")
    body["sections"][1]["items"][0]["weight"] = -5
    body["sections"][1]["items"][1]["category"] = ["fire"]
    body["sections"].append({"title": "", "items": [None]})
    before = stored()
    response = api(ins.users["city"], "en").post("/api/v1/checklists/import/", body, format="json")
    assert response.status_code == 400
    problems = response.json()["rows"]
    assert [(p["section"], p["item"], p["field"]) for p in problems] == [
        (1, 1, "min_value"), (1, 1, "weight"), (2, 1, "weight"), (2, 2, "category"), (3, None, "title"),
        (3, 1, "item"),
    ], problems  # fmt: skip
    assert "Nothing was imported" in response.json()["detail"]
    assert stored() == before


@pytest.mark.parametrize("sections", [None, [], "text", [None], [{"title": "x", "items": []}], [{"title": "x"}]])
def test_a_bad_shape_of_sections_is_listed(ins, sections):
    before = stored()
    response = api(ins.users["city"]).post("/api/v1/checklists/import/", {**template(), "sections": sections},
                                           format="json")  # fmt: skip
    assert response.status_code == 400, response.content[:300]
    assert response.json()["rows"], response.json()
    assert stored() == before


def test_a_good_template_still_imports_once(ins):
    client = api(ins.users["city"])
    first = client.post("/api/v1/checklists/import/", template(), format="json")
    assert first.status_code == 201, first.json()
    again = client.post("/api/v1/checklists/import/", template(), format="json")
    assert again.status_code == 200
    version = ChecklistTemplate.objects.get(code="import-test").current()
    items = [i for s in version.sections.all() for i in s.items.all()]
    assert [(i.weight, i.category.code if i.category else "") for i in items] == [
        (5, "management"), (10, "evacuation"), (5, "evacuation"), (0, ""),
    ]  # fmt: skip


def excel_with(ins, changes: dict[tuple[int, int], object]) -> bytes:
    """The test checklist exported to Excel under the code excel-test, with cells (row, column), counted from 1,
    overwritten. Rows 3 to 6 are items 1.1, 1.2, 2.1 (a number) and 2.2 (text)."""
    book = load_workbook(io.BytesIO(checklists.export_excel(ins.version)))
    sheet = book.active
    for (row, column), value in {(1, 2): "excel-test", **changes}.items():
        sheet.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WEIGHT, MIN_VALUE, TEXT, CATEGORY = 9, 5, 2, 11  # columns of the export


def test_excel_problems_are_listed_by_sheet_row_and_nothing_is_imported(ins):
    content = excel_with(ins, {(3, WEIGHT): "abc", (4, WEIGHT): -5, (5, MIN_VALUE): "abc",
                          (6, TEXT): "长" * 600, (6, CATEGORY): "nope"})  # fmt: skip
    before = stored()
    upload = SimpleUploadedFile("c.xlsx", content, "application/octet-stream")
    response = api(ins.users["city"]).post("/api/v1/checklists/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400, response.content[:500]
    problems = response.json()["rows"]
    assert sorted((p["row"], p["field"]) for p in problems) == [
        (3, "weight"),
        (4, "weight"),
        (5, "min_value"),
        (6, "category"),
        (6, "text"),
    ], problems
    assert stored() == before


def test_an_excel_round_trip_still_imports(ins):
    content = excel_with(ins, {})
    upload = SimpleUploadedFile("c.xlsx", content, "application/octet-stream")
    response = api(ins.users["city"]).post("/api/v1/checklists/import/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content[:500]
