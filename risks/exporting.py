"""Risk points out: the import template (a sheet with the columns and drop-downs, a second sheet explaining them with
the allowed values and the evaluation tables) and the export of the user's visible points in the template's
columns plus the computed ones, streamed in constant memory (`safety_platform.lib.xlsx`: typed text never runs
as a formula). An exported file imports again (`risks.importing` ignores the computed columns). The cells are
written in Chinese, the file format, whatever the user's language, like the checklist workbook's."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from rest_framework.exceptions import ValidationError

from organizations.models import Region, User
from safety_platform.lib import xlsx
from safety_platform.lib.query import MAX_ID, query_int

from . import evaluation
from .choices import AccidentType, Colour, ControlKind, ControlLevel, HazardFactor, Method, PointKind
from .importing import COLUMNS, CONTROL_COLUMNS, FIELD_COLUMNS, HEADERS
from .models import RiskControl, RiskPoint

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COMPUTED_COLUMNS = [("score", "风险值", 8), ("colour", "风险等级", 14), ("enterprise", "企业", 24),
                    ("reevaluate_by", "复评日期", 12)]  # fmt: skip
CHUNK = 1000
TEMPLATE_ROWS = 2000  # the drop-downs reach this far down the template
REEVALUATION_SOON_DAYS = 30  # ?reevaluation=due: due within this many days (or overdue)

# What each column takes, for the template's second sheet (the file format's language, like the headers).
EXPLANATIONS = {
    "name": "必填。同一企业内，名称与所在位置相同的风险点不能重复。",
    "kind": "选填，默认“场所”。",
    "place": "车间、楼层、区域。",
    "description": "选填。",
    "hazard_factors": "GB/T 13861 的类别，填代码或名称，多个用“、”“，”或换行分隔（见下表）。",
    "accident_types": "GB 6441 的 20 类，填代码或名称，多个用“、”“，”或换行分隔（见下表）。",
    "control_level": "选填，默认“班组级”；决定排查周期。",
    "responsible_name": "必填。",
    "responsible_phone": "选填。",
    "is_key_place": "是 / 否，空为否。",
    "is_major_hazard_source": "是 / 否；是则定为红色（重大风险）。",
    "meets_major_criterion": "是 / 否；是则定为红色（重大风险）。",
    "emergency_measures": "风险告知卡上的应急措施。",
    "report_phone": "风险告知卡上的报告电话。",
    "method": "LEC 或 LS（风险矩阵）；空则按填了哪组数值判断。",
    "lec_l": "LEC 法：事故发生的可能性，从下表取值。",
    "lec_e": "LEC 法：暴露于危险环境的频繁程度，从下表取值。",
    "lec_c": "LEC 法：发生事故产生的后果，从下表取值。",
    "ls_l": "风险矩阵：可能性 1–5。",
    "ls_s": "风险矩阵：严重性 1–5。",
    "override_colour": "只能上调，不能下调；上调须写理由。",
    "override_reason": "上调时必填。",
}
CONTROL_EXPLANATION = "每条措施一行（或用“；”分隔）；五类措施合计至少一条。"


def _zh(choices) -> list[str]:
    return [str(label) for label in choices.labels]


# The template ---------------------------------------------------------------------------------------------------


def template_workbook() -> bytes:
    """The import template: the columns with drop-downs on the first sheet, the explanations and tables on the
    second. Small, so written whole with openpyxl (which can add data validation)."""
    with translation.override("zh-hans"):
        book = Workbook()
        sheet = book.active
        sheet.title = "风险点"
        bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8EEF4")
        for n, (_key, header, width) in enumerate(COLUMNS, 1):
            cell = sheet.cell(row=1, column=n, value=header)
            cell.font, cell.fill = bold, fill
            sheet.column_dimensions[get_column_letter(n)].width = width
        sheet.freeze_panes = "A2"
        _drop_downs(sheet)
        _explanations(book.create_sheet("填写说明"))
        out = io.BytesIO()
        book.save(out)
    return out.getvalue()


def _drop_downs(sheet) -> None:
    numbers = lambda table: [f"{v.normalize():f}" if hasattr(v, "normalize") else str(v) for v in table]  # noqa: E731
    lists = {
        "kind": _zh(PointKind), "control_level": _zh(ControlLevel), "method": ["LEC", "LS"],
        "is_key_place": ["是", "否"], "is_major_hazard_source": ["是", "否"], "meets_major_criterion": ["是", "否"],
        "lec_l": numbers(evaluation.LEC_L), "lec_e": numbers(evaluation.LEC_E), "lec_c": numbers(evaluation.LEC_C),
        "ls_l": numbers(evaluation.LS_L), "ls_s": numbers(evaluation.LS_S), "override_colour": _zh(Colour),
    }  # fmt: skip
    position = {key: n for n, (key, _h, _w) in enumerate(COLUMNS, 1)}
    for key, values in lists.items():
        letter = get_column_letter(position[key])
        check = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        check.error, check.errorTitle = "请从下拉列表中选择。", HEADERS[key]
        check.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(check)


def _explanations(sheet) -> None:
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for letter, width in (("A", 22), ("B", 60), ("C", 40)):
        sheet.column_dimensions[letter].width = width
    sheet.append(["列", "填写要求", "可填的值"])
    allowed = {"kind": _zh(PointKind), "control_level": _zh(ControlLevel), "override_colour": _zh(Colour),
               "method": _zh(Method)}  # fmt: skip
    for key, header, _w in FIELD_COLUMNS:
        sheet.append([header, EXPLANATIONS[key], "、".join(allowed.get(key, []))])
    for _kind, header, _w in CONTROL_COLUMNS:
        sheet.append([header, CONTROL_EXPLANATION, ""])
    tables = [
        ("LEC-L（可能性）", evaluation.LEC_L), ("LEC-E（暴露频繁程度）", evaluation.LEC_E),
        ("LEC-C（后果）", evaluation.LEC_C), ("LS-L（可能性）", evaluation.LS_L), ("LS-S（严重性）", evaluation.LS_S),
        ("危险和有害因素（GB/T 13861）", dict(HazardFactor.choices)),
        ("事故类型（GB 6441）", dict(AccidentType.choices)),
    ]  # fmt: skip
    for title, table in tables:
        sheet.append([])
        sheet.append([title, "含义"])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        for value, meaning in table.items():
            sheet.append([f"{value.normalize():f}" if hasattr(value, "normalize") else str(value), str(meaning)])
    sheet.append([])
    sheet.append(["分级", "LEC：D = L × E × C，D > 320 红，160–320 橙，70–160 黄，< 70 蓝；"
                  "风险矩阵：R = L × S，20–25 红，9–16 橙，4–8 黄，1–3 蓝。"])  # fmt: skip
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = wrap
    for cell in sheet[1]:
        cell.font = bold


# The export -----------------------------------------------------------------------------------------------------


def filter_points(queryset: QuerySet, params) -> QuerySet:
    """The list's GET filters over the points (ValidationError, a 400, naming a bad parameter): `enterprise`,
    `region` (its subtree), `industry`, `department` (ids), `colour`, `kind` (codes), `key_place` (true/false),
    `reevaluation` (`overdue`: its date has passed; `due`: within REEVALUATION_SOON_DAYS or overdue), `q` (name or
    place contains). To be joined with the point list's filterset."""
    for name, lookup in (("enterprise", "enterprise_id"), ("industry", "industry_id"),
                         ("department", "department_id")):  # fmt: skip
        value = query_int(params, name, 1, MAX_ID)
        if value is not None:
            queryset = queryset.filter(**{lookup: value})
    region = query_int(params, "region", 1, MAX_ID)
    if region is not None:
        path = Region.objects.filter(pk=region).values_list("path", flat=True).first()
        queryset = queryset.filter(region_path__startswith=path) if path else queryset.none()
    for name, choices in (("colour", Colour), ("kind", PointKind)):
        value = params.get(name, "")
        if value and value not in choices.values:
            raise ValidationError({name: [_("Choose one of: %(values)s.") % {"values": ", ".join(choices.values)}]})
        if value:
            queryset = queryset.filter(**{name: value})
    key_place = params.get("key_place", "")
    if key_place:
        if key_place not in ("true", "false"):
            raise ValidationError({"key_place": [_("Choose one of: %(values)s.") % {"values": "true, false"}]})
        queryset = queryset.filter(is_key_place=key_place == "true")
    queryset = _reevaluation(queryset, params.get("reevaluation", ""))
    q = params.get("q", "").strip()[:100]
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(place__icontains=q))
    return queryset


def _reevaluation(queryset: QuerySet, value: str) -> QuerySet:
    today = timezone.localdate()
    if value == "overdue":
        return queryset.filter(reevaluate_by__lt=today)
    if value == "due":
        return queryset.filter(reevaluate_by__lte=today + timedelta(days=REEVALUATION_SOON_DAYS))
    if value:
        raise ValidationError({"reevaluation": [_("Choose one of: %(values)s.") % {"values": "due, overdue"}]})
    return queryset


def visible_points(user: User, params) -> QuerySet:
    """The active points the user sees, filtered as the list is."""
    return filter_points(RiskPoint.objects.visible_to(user).filter(is_active=True), params)


def _chunks(queryset: QuerySet) -> Iterator[RiskPoint]:
    """The points in id order, CHUNK at a time, each chunk one query continuing after the last id (the hazard
    ledger's keyset, `dashboards.exports._keyset`) and one for its controls."""
    controls = Prefetch("controls", RiskControl.objects.filter(is_active=True).order_by("position", "id"))
    queryset = queryset.select_related("enterprise").prefetch_related(controls).order_by("id")
    last = 0
    while True:
        batch = list(queryset.filter(id__gt=last)[:CHUNK])
        yield from batch
        if len(batch) < CHUNK:
            return
        last = batch[-1].pk


def _number(value):
    return value.normalize() if value is not None else None


def point_row(point: RiskPoint, labels: dict) -> list:
    """One point in COLUMNS order, then the computed columns: the values the import reads back."""
    yes_no = {True: "是", False: "否"}
    values = {
        "name": point.name, "kind": labels["kind"].get(point.kind, point.kind), "place": point.place,
        "description": point.description,
        "hazard_factors": "、".join(labels["factor"].get(c, c) for c in point.hazard_factors),
        "accident_types": "、".join(labels["accident"].get(c, c) for c in point.accident_types),
        "control_level": labels["level"].get(point.control_level, point.control_level),
        "responsible_name": point.responsible_name, "responsible_phone": point.responsible_phone,
        "is_key_place": yes_no[point.is_key_place], "is_major_hazard_source": yes_no[point.is_major_hazard_source],
        "meets_major_criterion": yes_no[point.meets_major_criterion], "emergency_measures": point.emergency_measures,
        "report_phone": point.report_phone, "method": point.method.upper(), "lec_l": _number(point.lec_l),
        "lec_e": _number(point.lec_e), "lec_c": _number(point.lec_c), "ls_l": point.ls_l, "ls_s": point.ls_s,
        "override_colour": labels["colour"].get(point.override_colour, ""), "override_reason": point.override_reason,
    }  # fmt: skip
    measures: dict[str, list[str]] = {}
    for control in point.controls.all():
        measures.setdefault(control.kind, []).append(control.measure)
    values |= {f"control_{kind}": "\n".join(measures.get(kind, [])) for kind in ControlKind.values}
    return [*(values[key] for key, _h, _w in COLUMNS), _number(point.score),
            labels["colour"].get(point.colour, point.colour), point.enterprise.name, point.reevaluate_by]  # fmt: skip


def export_rows(queryset: QuerySet) -> Iterator[list]:
    with translation.override("zh-hans"):
        labels = {name: {code: str(label) for code, label in choices.choices} for name, choices in (
            ("kind", PointKind), ("factor", HazardFactor), ("accident", AccidentType), ("level", ControlLevel),
            ("colour", Colour))}  # fmt: skip
    for point in _chunks(queryset):
        yield point_row(point, labels)


def export_workbook(user: User, params) -> Iterator[bytes]:
    """The user's visible points (filtered as the list) as an .xlsx, streamed; the filters are read first, so a bad
    one is a 400 before the first byte."""
    queryset = visible_points(user, params)
    head = [header for _k, header, _w in [*COLUMNS, *COMPUTED_COLUMNS]]
    widths = [width for _k, _h, width in [*COLUMNS, *COMPUTED_COLUMNS]]
    return xlsx.stream(export_rows(queryset), "风险点", head=[head], widths=widths, autofilter=True)
