"""Risk points in from the Excel template (docs/risks.md, "Import and export"): the sheet's columns, the reading of
each cell, every row validated by the one writer's `build_point` before any is written, then all of them written
in one transaction through `save_new` (audited). All or nothing: a file with any bad cell writes nothing and every
problem is listed with its sheet row and column, in the user's language.

A file is refused cheaply before it is parsed: its size (`RISK_IMPORT_MAX_BYTES`), the unpacked size its ZIP
directory declares (`RISK_IMPORT_MAX_UNPACKED_BYTES`: zipfile never inflates past what is declared, so a bomb
cannot grow behind it) and the number of rows (`RISK_IMPORT_MAX_ROWS`). openpyxl parses with defusedxml (pinned).

A point whose name and place repeat another row of the file, or an active point of the enterprise, is an error
(never an update: editing points is the point pages' job). The same file sent again for the same enterprise within
`RISK_IMPORT_REPEAT_MINUTES` (a double submit) writes nothing and answers the first import's count.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import TextChoices
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from audit.models import AuditEvent, record
from organizations.models import Enterprise, User
from organizations.responsibility import SupervisionMap

from . import points
from .choices import AccidentType, Colour, ControlKind, ControlLevel, HazardFactor, Method, PointKind
from .models import RiskPoint

MAX_LISTED = 200  # problems listed in one answer: a sheet of garbage need not echo all of itself back
HEADER_SEARCH_ROWS = 5  # the header row is found among the first rows (an export may carry a title above it)

# The template's columns: (key, header as written in the sheet, width). The headers are the file format, Chinese
# whatever the user's language, like the checklist workbook's; the export adds COMPUTED_COLUMNS after them.
FIELD_COLUMNS = [
    ("name", "风险点名称", 18), ("kind", "类别", 10), ("place", "所在位置", 16), ("description", "描述", 24),
    ("hazard_factors", "危险和有害因素", 22), ("accident_types", "可能导致的事故类型", 20),
    ("control_level", "管控层级", 10), ("responsible_name", "责任人", 10), ("responsible_phone", "责任人电话", 14),
    ("is_key_place", "重点部位", 9), ("is_major_hazard_source", "重大危险源", 10),
    ("meets_major_criterion", "符合重大风险判定标准", 12), ("emergency_measures", "应急措施（告知卡）", 24),
    ("report_phone", "报告电话", 12), ("method", "评价方法", 10),
    ("lec_l", "LEC-L", 7), ("lec_e", "LEC-E", 7), ("lec_c", "LEC-C", 7), ("ls_l", "LS-L", 7), ("ls_s", "LS-S", 7),
    ("override_colour", "上调至", 10), ("override_reason", "上调理由", 18),
]  # fmt: skip
CONTROL_COLUMNS = [
    (ControlKind.ENGINEERING, "工程技术措施", 24), (ControlKind.MANAGEMENT, "管理措施", 24),
    (ControlKind.TRAINING, "培训教育措施", 24), (ControlKind.PROTECTIVE, "个体防护措施", 24),
    (ControlKind.EMERGENCY, "应急处置措施", 24),
]  # fmt: skip
COLUMNS = [*FIELD_COLUMNS, *((f"control_{k}", h, w) for k, h, w in CONTROL_COLUMNS)]
HEADERS = {key: header for key, header, _w in COLUMNS}
REQUIRED = ("name", "responsible_name")
# Computed by the writer: blank only when the evaluation's inputs were refused, which is reported by their columns.
COMPUTED = ("score", "computed_colour", "colour")
YES_NO_FIELDS = ("is_key_place", "is_major_hazard_source", "meets_major_criterion")
TEXT_FIELDS = ("name", "place", "description", "responsible_name", "responsible_phone", "emergency_measures",
               "report_phone")  # fmt: skip
LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")
MEASURE_SEPARATORS = re.compile(r"[\n;；]+")
YES = {"是", "yes", "y", "true", "1", "√"}
NO = {"否", "no", "n", "false", "0", "×"}
# Short names people write for the colours and methods, beside the codes and the full labels.
COLOUR_ALIASES = {"红": "red", "红色": "red", "橙": "orange", "橙色": "orange", "黄": "yellow", "黄色": "yellow",
                  "蓝": "blue", "蓝色": "blue", "重大风险": "red", "较大风险": "orange", "一般风险": "yellow",
                  "低风险": "blue"}  # fmt: skip
METHOD_ALIASES = {"lec": "lec", "ls": "ls", "风险矩阵": "ls", "lec法": "lec", "作业条件危险性分析法": "lec"}


@dataclass
class Problem:
    """One bad cell: its sheet row (None for the file as a whole), its column's header, what is wrong."""

    row: int | None
    field: str
    message: str

    def sentence(self) -> str:
        if self.row is None:
            return _("%(field)s: %(message)s") % asdict(self)
        return _("Row %(row)d, %(field)s: %(message)s") % asdict(self)


class ImportRefused(ValidationError):
    """The file was refused; `problems` lists each bad cell (at most MAX_LISTED), `total` how many there were."""

    def __init__(self, problems: list[Problem]):
        self.total = len(problems)
        self.problems = problems[:MAX_LISTED]
        super().__init__({"rows": [p.sentence() for p in self.problems]})


@dataclass
class Result:
    count: int
    repeated: bool  # the same file again within RISK_IMPORT_REPEAT_MINUTES: nothing written


def _file_error(message: str) -> ImportRefused:
    return ImportRefused([Problem(None, _("file"), message)])


# Reading the workbook ------------------------------------------------------------------------------------------


def _open_sheet(content: bytes):
    """The first sheet, read-only, after the cheap checks; ImportRefused for a file that is not a usable .xlsx."""
    if len(content) > settings.RISK_IMPORT_MAX_BYTES:
        raise _file_error(_("The file is larger than %(size)s.") % {
            "size": filesizeformat(settings.RISK_IMPORT_MAX_BYTES)})  # fmt: skip
    not_xlsx = _("This is not an Excel workbook (.xlsx). Download the template and fill it in.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _file_error(not_xlsx) from exc
    if unpacked > settings.RISK_IMPORT_MAX_UNPACKED_BYTES:
        raise _file_error(_("The workbook unpacks to more than the platform accepts; split it into several files."))
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        return book, book.worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise _file_error(not_xlsx) from exc


def _header(sheet) -> tuple[int, dict[str, int]]:
    """The header row's number and each known column's index (unknown columns, such as the export's computed
    ones, are ignored)."""
    by_header = {header: key for key, header, _w in COLUMNS}
    for number, row in enumerate(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, max_col=80, values_only=True), 1):
        found = {
            by_header[str(v).strip()]: i for i, v in enumerate(row) if v is not None and str(v).strip() in by_header
        }
        if "name" in found:
            return number, found
    raise _file_error(_("The first sheet has no header row of the template (a column %(name)s).") % {
        "name": HEADERS["name"]})  # fmt: skip


def read_rows(content: bytes) -> list[tuple[int, dict]]:
    """Each non-empty row below the header as (sheet row, {column key: cell value}); ImportRefused for a file that
    is not a workbook, lacks the header, or has more than RISK_IMPORT_MAX_ROWS rows."""
    book, sheet = _open_sheet(content)
    try:
        head, index = _header(sheet)
        width = max(index.values()) + 1
        rows, limit = [], settings.RISK_IMPORT_MAX_ROWS
        for number, row in enumerate(sheet.iter_rows(min_row=head + 1, max_col=width, values_only=True), head + 1):
            values = {key: row[i] for key, i in index.items() if i < len(row)}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
                continue
            if len(rows) == limit:
                raise _file_error(_("A file may hold at most %(max)d risk points; split it.") % {"max": limit})
            rows.append((number, values))
    except ImportRefused:
        raise
    except Exception as exc:  # a sheet that breaks while being read (a truncated or forged part)
        raise _file_error(_("This is not an Excel workbook (.xlsx). Download the template and fill it in.")) from exc
    finally:
        book.close()
    return rows


# Reading the cells ---------------------------------------------------------------------------------------------


def text(value) -> str:
    """A cell as text: a number typed into a phone column stays its digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _lookup(choices: type[TextChoices], aliases: dict[str, str] | None = None) -> dict[str, str]:
    """Every way a value may be written, lower-cased: its code, its Chinese and English labels, the aliases."""
    table = {_key(code): code for code in choices.values}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            table |= {_key(label): code for code, label in choices.choices}
    return table | (aliases or {})


def _key(value) -> str:
    return text(value).lower().replace(" ", "")


def _labels(choices: type[TextChoices]) -> str:
    with translation.override("zh-hans"):
        return "、".join(str(label) for label in choices.labels)


def _one(value, choices: type[TextChoices], aliases: dict[str, str] | None = None) -> str | None:
    return _lookup(choices, aliases).get(_key(value))


def _codes(value, choices: type[TextChoices]) -> tuple[list[str], list[str]]:
    """The codes a list cell names (codes or labels, separated by 、 , ; or new lines) and the words not known.
    A label that itself holds a separator (心理、生理性因素（人）) is recognised before the cell is split."""
    table = _lookup(choices)
    raw = text(value)
    for label, code in sorted(table.items(), key=lambda item: -len(item[0])):
        if LIST_SEPARATORS.search(label) and label in raw.lower():
            raw = re.sub(re.escape(label), code, raw, flags=re.IGNORECASE)
    words = [w.strip() for w in LIST_SEPARATORS.split(raw) if w.strip()]
    codes = [table[_key(w)] for w in words if _key(w) in table]
    return codes, [w for w in words if _key(w) not in table]


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(text(value)).normalize() if text(value) else None
    except InvalidOperation:
        return None


def _whole(value) -> int | None:
    number = _decimal(value)
    return int(number) if number is not None and number == number.to_integral_value() else None


def parse_row(number: int, values: dict) -> tuple[points.PointData, list[Problem]]:
    """One row as the writer's PointData, and the problems found in reading its cells (the writer finds the rest)."""
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        problems.append(Problem(number, HEADERS[key], message))

    fields: dict = {name: text(values.get(name)) for name in TEXT_FIELDS}
    for name in REQUIRED:
        if not fields[name]:
            problem(name, _("This column must be filled in."))
    for name, choices in (("kind", PointKind), ("control_level", ControlLevel)):
        if text(values.get(name)):
            fields[name] = _one(values.get(name), choices)
            if fields[name] is None:
                problem(name, _("Choose one of: %(values)s.") % {"values": _labels(choices)})
    for name, choices in (("hazard_factors", HazardFactor), ("accident_types", AccidentType)):
        fields[name], unknown = _codes(values.get(name), choices)
        if unknown:
            problem(name, _("Not in the list on the second sheet: %(words)s.") % {"words": "、".join(unknown)})
    for name in YES_NO_FIELDS:
        word = _key(values.get(name))
        if word and word not in YES | NO:
            problem(name, _("Write 是 or 否."))
        fields[name] = word in YES
    evaluation = _evaluation(values, problem)
    controls = [
        {"kind": kind, "measure": measure.strip()}
        for kind, _header, _w in CONTROL_COLUMNS
        for measure in MEASURE_SEPARATORS.split(text(values.get(f"control_{kind}")))
        if measure.strip()
    ]
    return points.PointData(fields=fields, evaluation=evaluation, controls=controls), problems


def _evaluation(values: dict, problem) -> dict:
    method = text(values.get("method"))
    if method:
        method = _one(method, Method, METHOD_ALIASES)
        if method is None:
            problem("method", _("Write LEC or LS."))
            method = "lec"
    else:  # not given: the method whose values are filled in
        method = "ls" if any(text(values.get(k)) for k in ("ls_l", "ls_s")) else "lec"
    evaluation = {"method": method, "lec_l": _decimal(values.get("lec_l")), "lec_e": _decimal(values.get("lec_e")),
                  "lec_c": _decimal(values.get("lec_c")), "ls_l": _whole(values.get("ls_l")),
                  "ls_s": _whole(values.get("ls_s")),
                  "override_reason": text(values.get("override_reason"))}  # fmt: skip
    override = text(values.get("override_colour"))
    evaluation["override_colour"] = _one(override, Colour, COLOUR_ALIASES) if override else ""
    if evaluation["override_colour"] is None:
        problem("override_colour", _("Choose one of: %(values)s.") % {"values": _labels(Colour)})
        evaluation["override_colour"] = ""
    return evaluation


# Checking and writing ------------------------------------------------------------------------------------------


def _column(field: str) -> str:
    """The column a writer's error belongs to (the controls' own name for the measures as a whole)."""
    if field in HEADERS:
        return HEADERS[field]
    if field == "controls":
        return _("control measures")
    try:
        return str(RiskPoint._meta.get_field(field).verbose_name)
    except Exception:
        return _("row")


def check_rows(enterprise: Enterprise, rows: list[tuple[int, dict]]) -> list[tuple]:
    """Every row built by `build_point` (one SupervisionMap for the file), nothing written; ImportRefused listing
    every problem, by row and column. Duplicates of another row or of an active point of the enterprise are
    problems too."""
    supervision = SupervisionMap()
    existing = set(
        RiskPoint.objects.filter(enterprise=enterprise, is_active=True).values_list("name", "place").iterator()
    )
    seen: dict[tuple[str, str], int] = {}
    built, problems = [], []
    for number, values in rows:
        data, found = parse_row(number, values)
        problems += found
        key = (data.fields["name"], data.fields["place"])
        if key in seen:
            problems.append(Problem(number, HEADERS["name"], _("The same name and place as row %(row)d.") % {
                "row": seen[key]}))  # fmt: skip
        elif key in existing:
            problems.append(Problem(number, HEADERS["name"],
                                    _("The enterprise already has a risk point of this name and place.")))  # fmt: skip
        seen.setdefault(key, number)
        try:
            built.append(points.build_point(enterprise, data, supervision))
        except ValidationError as exc:
            problems += [Problem(number, _column(field), message) for field, messages in exc.message_dict.items()
                         if field not in COMPUTED and not any(p.field == _column(field) for p in found)
                         for message in messages]  # fmt: skip
    if not rows:
        problems.append(Problem(None, _("file"), _("The sheet holds no risk point below its header.")))
    if problems:
        raise ImportRefused(problems)
    return built


def require_importer(actor: User) -> None:
    """PermissionDenied (403) for anyone but an enterprise's principal or safety manager (no government user
    imports for an enterprise: the issue has the enterprise import its own points)."""
    if not actor.enterprise_id or not points.may_keep(actor, actor.enterprise_id):
        raise PermissionDenied(_("Only the enterprise's principal or safety manager imports its risk points."))


def enterprise_of(actor: User) -> Enterprise:
    """The enterprise whose risk points the actor imports; 403 for anyone else."""
    require_importer(actor)
    return Enterprise.objects.select_related("region").get(pk=actor.enterprise_id)


def _repeat(enterprise: Enterprise, digest: str) -> int | None:
    """The count of an import of this very file for this enterprise within RISK_IMPORT_REPEAT_MINUTES."""
    since = timezone.now() - timedelta(minutes=settings.RISK_IMPORT_REPEAT_MINUTES)
    event = (
        AuditEvent.objects.filter(action="risk.import", content_type=ContentType.objects.get_for_model(Enterprise),
                                  object_id=str(enterprise.pk), at__gte=since, changes__digest=digest)
        .order_by("-at").first()
    )  # fmt: skip
    return event.changes.get("count") if event else None


def import_points(actor: User, content: bytes) -> Result:
    """Import the file's risk points for the actor's enterprise: all rows valid, then all written in one
    transaction (each through `save_new`, audited `risk.create`, and one `risk.import` for the file).
    ImportRefused (400) listing every problem; PermissionDenied (403) for anyone but the enterprise's staff."""
    enterprise = enterprise_of(actor)
    rows = read_rows(content)
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        # One import at a time per enterprise: the duplicate check and the repeat check hold until the commit.
        Enterprise.objects.select_for_update().filter(pk=enterprise.pk).exists()
        repeated = _repeat(enterprise, digest)
        if repeated is not None:
            return Result(count=repeated, repeated=True)
        built = check_rows(enterprise, rows)
        for point, controls in built:
            points.save_new(actor, point, controls)
        record(actor, "risk.import", enterprise, {"count": len(built), "digest": digest})
    return Result(count=len(built), repeated=False)
