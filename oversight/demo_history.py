"""The demo city's past government inspections, so that "not inspected lately" (#19) picks some enterprises and not
all: 市应急管理局's two inspectors (demo-inspector leading, demo-department with them) inspected about two in three of
the producing enterprises they supervise, on days spread over the past year (key units mostly within the last two
months), every item passed. Created and submitted through the inspections' workflow, dated in the past; the
passing answers written at once in between.
Idempotent: an enterprise inspected by demo-inspector already is left alone."""

from __future__ import annotations

import uuid
import zlib
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from inspections import workflow as inspection_workflow
from inspections.choices import AnswerKind, InspectionKind, Result
from inspections.models import Answer, ChecklistItem, ChecklistVersion, Inspection
from organizations.models import Enterprise, User

from .signals import PRODUCING

# 危险化学品储存场所安全检查表 for chemicals, 有限空间作业安全检查表 for the others.
VERSIONS = {"chem": "危险化学品储存场所安全检查表", "other": "有限空间作业安全检查表"}


def _stable(code: str, salt: str) -> int:
    return zlib.crc32(f"{salt}:{code}".encode())


def _values(item: ChecklistItem) -> dict:
    """A passing answer to the item, as the writer would store it (inspections.workflow.check_value)."""
    if item.answer_kind == AnswerKind.NUMBER:
        low = item.min_value if item.min_value is not None else item.max_value
        return {"result": Result.PASS, "number": Decimal(low if low is not None else 0)}
    if item.answer_kind == AnswerKind.TEXT:
        return {"result": Result.PASS, "text": "符合要求"}
    return {"result": Result.PASS}


def load_demo_inspection_history() -> dict[str, int]:
    lead = User.objects.filter(username="demo-inspector").first()
    member = User.objects.filter(username="demo-department").first()
    versions = {
        key: ChecklistVersion.objects.filter(template__name=name).order_by("-number").first()
        for key, name in VERSIONS.items()
    }
    if lead is None or member is None or None in versions.values():
        return {"inspections_past": 0, "inspections_past_created": 0}
    done = set(Inspection.objects.filter(lead=lead, kind=InspectionKind.AD_HOC).values_list("enterprise_id", flat=True))
    items = {
        key: list(ChecklistItem.objects.filter(section__version=version).order_by("section__order", "order"))
        for key, version in versions.items()
    }
    today, created = timezone.localdate(), 0
    enterprises = Enterprise.objects.visible_to(lead).filter(operating_state__in=PRODUCING).select_related("industry")
    for enterprise in enterprises.order_by("pk"):
        code = enterprise.credit_code
        if enterprise.pk in done or _stable(code, "inspected") % 3 == 0:
            continue  # one in three left uninspected: the signal's enterprises
        if enterprise.is_key_unit:
            days_ago = 5 + _stable(code, "days") % (75 if _stable(code, "late") % 4 else 160)
        else:
            days_ago = 10 + _stable(code, "days") % 330
        key = "chem" if "化学品" in enterprise.industry.name else "other"
        new = inspection_workflow.NewInspection(
            enterprise=enterprise, version=versions[key], members=(member,), date=today - timedelta(days=days_ago)
        )
        inspection = inspection_workflow.create(lead, new)
        # Every item passed: the answers of a past inspection written at once (answering each through the writer,
        # with its lock and audit row, made this the slowest part of seed_demo), then submitted through the writer,
        # which checks that every item is answered, scores it and records the submit.
        at = timezone.make_aware(datetime.combine(new.date, time(10)))
        Answer.objects.bulk_create(
            Answer(inspection=inspection, item=item, answered_by=lead, answered_at=at, **_values(item))
            for item in items[key]
        )
        inspection_workflow.submit(lead, inspection, uuid.uuid4(), representative=enterprise.principal_name)
        created += 1
    total = Inspection.objects.filter(lead=lead, kind=InspectionKind.AD_HOC).count()
    return {"inspections_past": total, "inspections_past_created": created}
