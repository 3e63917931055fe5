"""Workbooks for the import tests: the template's header and rows given by column key."""

from __future__ import annotations

import io

from openpyxl import Workbook

from risks.importing import COLUMNS

GOOD = {
    "name": "液氨储罐", "kind": "设施设备", "place": "一号罐区",
    "hazard_factors": "化学性因素（物）、心理、生理性因素（人）",
    "accident_types": "火灾，中毒和窒息", "control_level": "车间级", "responsible_name": "李工",
    "responsible_phone": 13800000000, "is_key_place": "是", "is_major_hazard_source": "否", "method": "LEC",
    "lec_l": 6, "lec_e": 6, "lec_c": 15, "control_engineering": "氨气泄漏报警\n紧急切断阀",
    "control_protective": "防毒面具；防护服",
}  # fmt: skip


def workbook(*rows: dict, header: bool = True) -> bytes:
    """An .xlsx whose first sheet has the template's header row, then a row per dict (an empty dict: an empty row)."""
    book = Workbook()
    sheet = book.active
    if header:
        sheet.append([h for _k, h, _w in COLUMNS])
    for row in rows:
        sheet.append([row.get(key) for key, _h, _w in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(**changes) -> dict:
    return {**GOOD, **changes}
