from __future__ import annotations

import pytest

from inspections import checklists
from organizations.choices import PositionKind, UnitKind

from ..factories import PositionFactory, UserFactory, assign
from ..hazards.conftest import hz  # noqa: F401

TEMPLATE = {
    "code": "fire-test",
    "name": "消防安全检查表（测试）",
    "description": "测试用",
    "sections": [
        {
            "title": "消防安全管理",
            "items": [
                {"text": "是否明确消防安全责任人", "legal_basis": "《消防法》第十六条", "answer_kind": "pass_fail",
                 "photo_required_on_fail": False, "weight": 5, "major_criterion": False, "category": "management"},
                {"text": "疏散通道、安全出口是否被占用、堵塞", "legal_basis": "GB 35181", "answer_kind": "pass_fail",
                 "photo_required_on_fail": True, "weight": 10, "major_criterion": True, "category": "evacuation"},
            ],
        },
        {
            "title": "现场检测",
            "items": [
                {"text": "疏散通道净宽度", "legal_basis": "GB 50016", "answer_kind": "number", "min_value": 1.1,
                 "max_value": None, "unit": "m", "photo_required_on_fail": False, "weight": 5,
                 "category": "evacuation"},
                {"text": "现场负责人", "answer_kind": "text", "weight": 0, "photo_required_on_fail": False},
            ],
        },
    ],
}  # fmt: skip


@pytest.fixture
def ins(hz):  # noqa: F811
    """The hazard world, a checklist, and a second inspector in the city bureau to make a team of two."""
    hz.version, _ = checklists.import_template(TEMPLATE)
    partner = UserFactory(username="partner", unit_kind=UnitKind.DEPARTMENT, department=hz.yjj)
    assign(partner, PositionFactory(kind=PositionKind.INSPECTOR, unit_kind=UnitKind.DEPARTMENT, department=hz.yjj))
    hz.users["partner"] = partner
    hz.items = {i.text: i for s in hz.version.sections.all() for i in s.items.all()}
    return hz
