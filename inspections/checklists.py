"""Checklist templates in and out: JSON (the seed format, see inspections/seed/templates.json) and Excel.

Importing never edits a version that inspections use: it adds a new version when the content differs.
"""

from __future__ import annotations

import io
from decimal import Decimal
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from audit.models import record
from hazards.models import HazardCategory
from safety_platform.lib import xlsx

from .checklist_checks import MAX_ITEMS, clean_template
from .models import ChecklistItem, ChecklistSection, ChecklistTemplate, ChecklistVersion

ITEM_FIELDS = ("text", "legal_basis", "answer_kind", "min_value", "max_value", "unit", "photo_required_on_fail",
               "weight", "major_criterion", "category")  # fmt: skip
YES_NO = {"是": True, "否": False, "TRUE": True, "FALSE": False}
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


@transaction.atomic
def import_template(data: dict, actor=None, rows: dict | None = None) -> tuple[ChecklistVersion, bool]:
    """Create the template or a new version of it; returns (version, created). Same content: nothing new.
    Every value is checked first (`checklist_checks`): one bad value anywhere and nothing is written."""
    categories = dict(HazardCategory.objects.values_list("code", "id"))
    data = clean_template(data, categories, rows)
    template, _created = ChecklistTemplate.objects.update_or_create(
        code=data["code"], defaults={"name": data["name"], "description": data["description"]}
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
    """An item from checked values (`ItemSerializer.validated_data`)."""
    return ChecklistItem(
        section=section,
        order=order,
        text=item["text"],
        legal_basis=item["legal_basis"],
        answer_kind=item["answer_kind"],
        min_value=item.get("min_value"),
        max_value=item.get("max_value"),
        unit=item["unit"],
        photo_required_on_fail=item["photo_required_on_fail"],
        weight=item["weight"],
        major_criterion=item["major_criterion"],
        category_id=categories.get(item["category"]),
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
    """The export's sheet back in: row 1 code and name, row 2 the headers, then an item a row (a row without a
    section is skipped). Problems are listed by sheet row."""
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True).active
        rows = list(islice(sheet.iter_rows(values_only=True), MAX_ITEMS + 3))
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError({"file": _("This is not an Excel workbook exported from a checklist.")}) from exc
    if len(rows) < 3 or not rows[0] or rows[0][0] != "code":
        raise ValidationError({"file": _("This is not an Excel workbook exported from a checklist.")})
    if len(rows) > MAX_ITEMS + 2:
        raise ValidationError({"file": _("A template has at most %(max)d items.") % {"max": MAX_ITEMS}})
    head = [*rows[0], None, None, None, None][:4]
    sections: dict[object, list] = {}
    where: dict[tuple, int] = {}
    for number, row in enumerate(rows[2:], start=3):
        if not row or row[0] in (None, ""):
            continue
        values = dict(zip(ITEM_FIELDS, row[1:], strict=False))
        for flag in ("photo_required_on_fail", "major_criterion"):
            values[flag] = YES_NO.get(values.get(flag), values.get(flag))
        s = list(sections).index(row[0]) + 1 if row[0] in sections else len(sections) + 1
        items = sections.setdefault(row[0], [])
        items.append(values)
        where.setdefault((s, None), number)
        where[(s, len(items))] = number
    data = {"code": head[1], "name": head[3], "sections": [{"title": t, "items": i} for t, i in sections.items()]}
    return import_template(data, actor, rows=where)
