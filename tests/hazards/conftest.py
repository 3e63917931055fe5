"""Hazard fixtures on top of the World: people who act on hazards, and hazards in every state."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from hazards import workflow
from hazards.models import Hazard, HazardCategory
from organizations.choices import PositionKind, UnitKind

from ..factories import PositionFactory, UserFactory, assign


def jpeg_bytes(size=(64, 48), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def pdf_bytes(pages: int = 1) -> bytes:
    """A real (blank) PDF, as a scanner or an office suite would write one."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def later(days: int = 10):
    return timezone.now() + timedelta(days=days)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def hz(world):
    """The World plus a district department head, a safety manager, and ready-made filings."""
    head = UserFactory(username="county_head", unit_kind=UnitKind.DEPARTMENT, department=world.d1_yjj)
    assign(
        head, PositionFactory(kind=PositionKind.DEPARTMENT_HEAD, unit_kind=UnitKind.DEPARTMENT, department=world.d1_yjj)
    )
    manager = UserFactory(username="manager", unit_kind=UnitKind.ENTERPRISE, enterprise=world.e1)
    assign(
        manager,
        PositionFactory(
            kind=PositionKind.ENTERPRISE_SAFETY_MANAGER, unit_kind=UnitKind.ENTERPRISE, enterprise=world.e1
        ),
    )
    world.users.update(county_head=head, manager=manager)
    world.fire = HazardCategory.objects.get(code="fire")
    world.gas = HazardCategory.objects.get(code="gas")
    return world


def filing(world, **overrides) -> workflow.Filing:
    values = {
        "enterprise": world.e1,
        "title": "灭火器过期",
        "place": "一号仓库",
        "category": HazardCategory.objects.get(code="fire"),
        "level": "general",
    }
    return workflow.Filing(**{**values, **overrides})


FULL_PLAN = {
    "responsible_person": "王五",
    "measures": "更换灭火器",
    "funds": 1200,
    "contingency_plan": "临时配备移动灭火器",
}
MAJOR_PLAN = {
    "goal": "消除储罐泄漏风险",
    "methods": "更换阀门，加装泄漏报警",
    "materials": "资金50万元，阀门两套",
    "responsible_body": "企业安全生产管理部",
    "safety_measures": "施工期间停用储罐",
    "state_and_cause": "阀门老化导致渗漏",
    "harm_and_difficulty": "可能引发火灾爆炸，需停产整改",
    "workers_withdrawn": True,
}


def advance(world, to: str, level: str = "general") -> Hazard:
    """A hazard at e1 walked through the workflow by the right people up to the given status."""
    users = world.users
    hazard, _ = workflow.file_hazard(users["inspector"], filing(world, level=level))
    if to == "reported":
        return hazard
    workflow.confirm(users["county_dept"], hazard, later(20))
    if to == "confirmed":
        return hazard
    plan = {**FULL_PLAN, "deadline": later(15), **(MAJOR_PLAN if level == "major" else {})}
    workflow.submit_plan(users["enterprise"], hazard, plan)
    if to == "rectifying":
        return hazard
    workflow.submit_rectification(users["enterprise"], hazard, "已更换")
    if to == "awaiting_acceptance":
        return hazard
    workflow.accept(users["county_dept"], hazard)
    assert to == "closed"
    return Hazard.objects.get(pk=hazard.pk)
