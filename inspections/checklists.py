"""Checklist templates in and out: JSON (the seed format, see inspections/seed/templates.json) and Excel.

Importing never edits a version that inspections use: it adds a new version when the content differs.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from audit.models import record
from hazards.models import HazardCategory
from safety_platform.lib import xlsx

from .choices import AnswerKind
from .models import ChecklistItem, ChecklistSection, ChecklistTemplate, ChecklistVersion

ITEM_FIELDS = ("text", "legal_basis", "answer_kind", "min_value", "max_value", "unit", "photo_required_on_fail",
               "weight", "major_criterion", "category")  # fmt: skip
EXCEL_HEADERS = [
    "分节",
    "检查项",
    "依据",
    "答题方式",
    "下限",
    "上限",
    "单位",
    "不合格须拍照",
    "分值",
    "重大隐患判定项",
    "隐患类别",
]
EXCEL_WIDTHS = [16, 40, 30, 10, 8, 8, 8, 12, 6, 14, 12]


def export_version(version: ChecklistVersion) -> dict:
    sections = []
    for section in version.sections.prefetch_related("items__category"):
        items = [
            {
                "text": i.text,
                "legal_basis": i.legal_basis,
                "answer_kind": i.answer_kind,
                "min_value": float(i.min_value) if i.min_value is not None else None,
                "max_value": float(i.max_value) if i.max_value is not None else None,
                "unit": i.unit,
                "photo_required_on_fail": i.photo_required_on_fail,
                "weight": i.weight,
                "major_criterion": i.major_criterion,
                "category": i.category.code if i.category else "",
            }
            for i in section.items.all()
        ]
        sections.append({"title": section.title, "items": items})
    template = version.template
    return {"code": template.code, "name": template.name, "description": template.description, "sections": sections}


def _clean(data: dict) -> dict:
    """Check a template's JSON shape and values; a bad one is a field error, nothing is written."""
    if not isinstance(data, dict) or not data.get("code") or not data.get("name"):
        raise ValidationError({"template": _("A template needs a code and a name.")})
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        raise ValidationError({"sections": _("A template needs at least one section with items.")})
    categories = dict(HazardCategory.objects.values_list("code", "id"))
    for s_index, section in enumerate(sections, start=1):
        if not isinstance(section, dict) or not section.get("title") or not section.get("items"):
            raise ValidationError({"sections": _("Section %(n)d needs a title and items.") % {"n": s_index}})
        for i_index, item in enumerate(section["items"], start=1):
            where = {"n": s_index, "m": i_index}
            if not isinstance(item, dict) or not str(item.get("text", "")).strip():
                raise ValidationError({"items": _("Item %(n)d.%(m)d has no text.") % where})
            if item.get("answer_kind") not in AnswerKind.values:
                raise ValidationError({"items": _("Item %(n)d.%(m)d has an unknown answer kind.") % where})
            if (
                item["answer_kind"] == AnswerKind.NUMBER
                and item.get("min_value") is None
                and item.get("max_value") is None
            ):
                raise ValidationError({"items": _("Item %(n)d.%(m)d is a number without limits.") % where})
            if item.get("category") and item["category"] not in categories:
                raise ValidationError({"items": _("Item %(n)d.%(m)d has an unknown hazard category.") % where})
    return categories


@transaction.atomic
def import_template(data: dict, actor=None) -> tuple[ChecklistVersion, bool]:
    """Create the template or a new version of it; returns (version, created). Same content: nothing new."""
    categories = _clean(data)
    template, _created = ChecklistTemplate.objects.update_or_create(
        code=data["code"], defaults={"name": data["name"], "description": data.get("description", "")}
    )
    current = template.current()
    if current is not None and _same(export_version(current)["sections"], data["sections"]):
        return current, False
    version = ChecklistVersion.objects.create(template=template, number=(current.number + 1) if current else 1)
    for s_order, section_data in enumerate(data["sections"], start=1):
        section = ChecklistSection.objects.create(version=version, order=s_order, title=section_data["title"])
        ChecklistItem.objects.bulk_create(
            [_item(section, order, item, categories) for order, item in enumerate(section_data["items"], start=1)]
        )
    record(actor, "checklist.version", template, {"version": version.number})
    return version, True


def _item(section: ChecklistSection, order: int, item: dict, categories: dict) -> ChecklistItem:
    def number(key):
        return Decimal(str(item[key])) if item.get(key) is not None else None

    return ChecklistItem(
        section=section,
        order=order,
        text=str(item["text"])[:500],
        legal_basis=str(item.get("legal_basis", ""))[:500],
        answer_kind=item["answer_kind"],
        min_value=number("min_value"),
        max_value=number("max_value"),
        unit=str(item.get("unit", ""))[:20],
        photo_required_on_fail=bool(item.get("photo_required_on_fail", True)),
        weight=int(item.get("weight", 1)),
        major_criterion=bool(item.get("major_criterion", False)),
        category_id=categories.get(item.get("category") or ""),
    )


def _same(a: list, b: list) -> bool:
    """Whether two section lists say the same, with the import's defaults applied to both."""

    def norm(sections):
        return [(s["title"], [_normal(i) for i in s["items"]]) for s in sections]

    return norm(a) == norm(b)


def _normal(item: dict) -> tuple:
    def number(key):
        return Decimal(str(item[key])).normalize() if item.get(key) is not None else None

    return (
        str(item["text"]).strip(),
        str(item.get("legal_basis") or ""),
        item["answer_kind"],
        number("min_value"),
        number("max_value"),
        str(item.get("unit") or ""),
        bool(item.get("photo_required_on_fail", True)),
        int(item.get("weight", 1)),
        bool(item.get("major_criterion", False)),
        item.get("category") or "",
    )


def export_excel(version: ChecklistVersion) -> bytes:
    """The version as a workbook `import_excel` reads back, written like the ledger: text is always text, so an
    item starting with `=`, `+`, `-` or `@` is never a live formula in the office's spreadsheet."""
    template = version.template
    rows = (
        [section["title"], *(item[f] for f in ITEM_FIELDS)]
        for section in export_version(version)["sections"]
        for item in section["items"]
    )
    head = [["code", template.code, "name", template.name], EXCEL_HEADERS]
    return xlsx.workbook(rows, template.code[:31], head=head, widths=EXCEL_WIDTHS)


def import_excel(content: bytes, actor=None) -> tuple[ChecklistVersion, bool]:
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError({"file": _("This is not an Excel workbook exported from a checklist.")}) from exc
    if len(rows) < 3 or rows[0][0] != "code":
        raise ValidationError({"file": _("This is not an Excel workbook exported from a checklist.")})
    sections: dict[str, list] = {}
    for row in rows[2:]:
        if not row or not row[0]:
            continue
        values = dict(zip(ITEM_FIELDS, row[1:], strict=False))
        values["photo_required_on_fail"] = values.get("photo_required_on_fail") in (True, 1, "TRUE", "True", "是")
        values["major_criterion"] = values.get("major_criterion") in (True, 1, "TRUE", "True", "是")
        sections.setdefault(row[0], []).append(values)
    data = {"code": rows[0][1], "name": rows[0][3], "sections": [{"title": t, "items": i} for t, i in sections.items()]}
    return import_template(data, actor)
