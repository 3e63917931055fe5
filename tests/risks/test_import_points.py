"""Importing risk points from the Excel template: a good file writes every point with its controls and computed
grade in one transaction; any bad cell is reported by row and column and nothing is written; limits, files that are
not workbooks, zip bombs; who may; the API; a double submit."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from risks import importing
from risks.models import RiskControl, RiskEvaluation, RiskPoint

from ..factories import PositionFactory, UserFactory, assign
from .factories import make_point
from .io_helpers import row, workbook

pytestmark = pytest.mark.django_db
URL = "/risks/import/"


def client(user, language: str = "zh-hans") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(user)
    return c


def post(user, content: bytes, name: str = "points.xlsx", language: str = "zh-hans", follow: bool = False):
    return client(user, language).post(URL, {"file": SimpleUploadedFile(name, content)}, follow=follow)


def test_a_good_file_imports_every_point_with_controls_and_grades(world):
    """GIVEN a file of three points (LEC 6×6×15, LS 4×5, LEC 1×6×7 raised to orange) and an empty row between
    WHEN the enterprise's principal uploads it THEN three points are written with their controls split by line and
    ；, the grades computed, the codes read from Chinese names (a name holding 、 too), one first evaluation each,
    each audited and the file audited once; the page says how many."""
    content = workbook(
        row(),
        {},
        row(name="动火作业", kind="作业活动", method="LS", lec_l=None, lec_e=None, lec_c=None, ls_l=4, ls_s=5,
            hazard_factors="12", accident_types="08、07", control_engineering=None, control_management="动火审批"),
        row(name="配电室", lec_l=1, lec_e=6, lec_c=7, override_colour="橙", override_reason="人员密集",
            is_key_place="否", responsible_phone="0532-1234"),
    )  # fmt: skip
    response = post(world.users["enterprise"], content, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "已导入 3 个风险点。" in response.content.decode()
    points = {p.name: p for p in RiskPoint.objects.filter(enterprise=world.e1)}
    assert set(points) == {"液氨储罐", "动火作业", "配电室"}
    tank, fire, room = points["液氨储罐"], points["动火作业"], points["配电室"]
    assert (tank.score, tank.colour, tank.kind, tank.control_level) == (Decimal(540), "red", "facility", "workshop")
    assert (tank.hazard_factors, tank.accident_types) == (["22", "11"], ["08", "19"])
    assert (tank.responsible_phone, tank.is_key_place, tank.department) == ("13800000000", True, world.d1_yjj)
    assert list(tank.controls.values_list("kind", "measure")) == [
        ("engineering", "氨气泄漏报警"), ("engineering", "紧急切断阀"), ("protective", "防毒面具"),
        ("protective", "防护服")]  # fmt: skip
    assert (fire.method, fire.score, fire.colour, fire.kind) == ("ls", Decimal(20), "red", "activity")
    assert (room.computed_colour, room.colour, room.override_reason) == ("blue", "orange", "人员密集")
    assert RiskEvaluation.objects.filter(point__enterprise=world.e1).count() == 3
    assert AuditEvent.objects.filter(action="risk.create").count() == 3
    assert AuditEvent.objects.get(action="risk.import").changes["count"] == 3


BAD_CELLS = [
    ({"lec_l": 7}, "LEC-L", "请从 LEC 取值表中选择"),
    ({"lec_c": "很严重"}, "LEC-C", "请从 LEC 取值表中选择"),
    ({"method": "LS", "ls_l": 6, "ls_s": 2}, "LS-L", "1"),
    ({"method": "ABC"}, "评价方法", "LEC"),
    ({"kind": "仓库"}, "类别", "场所"),
    ({"control_level": "集团级"}, "管控层级", "公司级"),
    ({"hazard_factors": "化学性因素（物）、粗心"}, "危险和有害因素", "粗心"),
    ({"accident_types": "爆炸"}, "可能导致的事故类型", "爆炸"),
    ({"is_key_place": "也许"}, "重点部位", "是"),
    ({"name": None}, "风险点名称", ""),
    ({"responsible_name": " "}, "责任人", ""),
    ({"override_colour": "紫"}, "上调至", "红"),
    ({"override_colour": "蓝", "override_reason": "x"}, "上调至", ""),
    ({"override_colour": "红", "override_reason": None}, "上调理由", ""),
    ({"control_engineering": None, "control_protective": "；\n"}, "管控措施", ""),
    ({"responsible_phone": "1" * 31}, "责任人电话", ""),
]


@pytest.mark.parametrize(("change", "column", "words"), BAD_CELLS)
def test_each_bad_cell_is_reported_by_row_and_column_and_nothing_is_written(world, change, column, words):
    """GIVEN a file whose third data row (sheet row 4) has one bad cell WHEN it is uploaded THEN the page (400) says
    第4行，<column>：<message> in Chinese, and no point, control, evaluation or audit record is written."""
    content = workbook(row(name="一"), row(name="二"), row(**{"name": "三", **change}))
    response = post(world.users["enterprise"], content)
    assert response.status_code == 400
    problems = [p.sentence() for p in response.context["problems"]]
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"第4行，{column}："), problems
    assert words in problems[0]
    assert not RiskPoint.objects.exists() and not RiskControl.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="risk.").exists()


def test_the_lec_message_reads_as_the_user_would_see_it(world):
    """GIVEN L = 7 on sheet row 7 THEN the Chinese page says exactly 第7行，LEC-L：请从 LEC 取值表中选择。 and the
    English
    one Row 7, LEC-L: Choose a value from the LEC table."""
    content = workbook(*(row(name=f"点{n}") for n in range(5)), row(name="坏", lec_l=7))
    zh = post(world.users["enterprise"], content)
    assert "第7行，LEC-L：请从 LEC 取值表中选择。" in zh.content.decode()
    en = post(world.users["enterprise"], content, language="en")
    assert "Row 7, LEC-L: Choose a value from the LEC table." in en.content.decode()


def test_duplicates_in_the_file_and_with_existing_points_are_errors(world):
    """GIVEN an existing point 储罐区 at 一号罐区 and a file repeating it, and one row twice THEN both are reported
    by row and nothing is written."""
    make_point(world.e1)
    content = workbook(row(name="储罐区", place="一号罐区"), row(name="甲"), row(name="甲"))
    response = post(world.users["enterprise"], content)
    assert response.status_code == 400
    problems = [p.sentence() for p in response.context["problems"]]
    assert problems == [
        "第2行，风险点名称：企业已有同名、同位置的风险点。",
        "第4行，风险点名称：与第 3 行的名称和位置相同。",
    ]
    assert RiskPoint.objects.count() == 1


def test_too_many_rows_are_refused(world, settings):
    """GIVEN RISK_IMPORT_MAX_ROWS = 3 and a file of four points THEN the file is refused as too long, nothing
    written; three points import."""
    settings.RISK_IMPORT_MAX_ROWS = 3
    response = post(world.users["enterprise"], workbook(*(row(name=f"点{n}") for n in range(4))))
    assert response.status_code == 400
    assert "最多 3 个" in response.context["problems"][0].sentence()
    assert not RiskPoint.objects.exists()
    assert post(world.users["enterprise"], workbook(*(row(name=f"点{n}") for n in range(3)))).status_code == 302


@pytest.mark.parametrize(
    "content",
    [b"name,place\n1,2\n", b"PK\x03\x04 truncated", b"", "not a zip of a workbook"],
    ids=["csv", "broken-zip", "empty", "zip-without-workbook"],
)
def test_a_file_that_is_not_a_workbook_gets_a_clear_error(world, content):
    """GIVEN a CSV, a broken ZIP, an empty file or a ZIP that holds no workbook THEN a 400 saying it is not an Excel
    workbook, nothing written."""
    if content == "not a zip of a workbook":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hi")
        content = buffer.getvalue()
    response = post(world.users["enterprise"], content)
    assert response.status_code == 400
    assert "不是 Excel 工作簿" in response.content.decode()
    assert not RiskPoint.objects.exists()


def test_a_sheet_without_the_header_is_refused(world):
    """GIVEN a workbook without the template's header row THEN it is refused naming the missing column."""
    response = post(world.users["enterprise"], workbook(row(), header=False))
    assert response.status_code == 400
    assert "风险点名称" in response.context["problems"][0].sentence()


def test_a_zip_bomb_is_refused_before_it_is_parsed(world, settings):
    """GIVEN a workbook whose sheet unpacks to 8 MB of one repeated row (a few KB packed) and a 1 MB unpacking limit
    THEN it is refused by its declared size with at most the queries of the permission check: nothing inflated."""
    settings.RISK_IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    good = zipfile.ZipFile(io.BytesIO(workbook(row())))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in good.infolist():
            data = good.read(info.filename)
            if info.filename.endswith("sheet1.xml"):
                data = data.replace(b"</sheetData>", b"<row><c t='inlineStr'><is><t>x</t></is></c></row>" * 160_000
                                    + b"</sheetData>")  # fmt: skip
            bomb.writestr(info.filename, data)
    content = buffer.getvalue()
    assert len(content) < 200_000
    with CaptureQueriesContext(connection) as queries, pytest.raises(importing.ImportRefused) as refused:
        importing.import_points(world.users["enterprise"], content)
    assert "拆分" in refused.value.problems[0].sentence()
    assert len(queries) <= 2
    assert not RiskPoint.objects.exists()


def test_a_file_over_the_size_limit_is_refused_unread(world, settings):
    """GIVEN RISK_IMPORT_MAX_BYTES = 1 KB THEN a good file of 5 KB is refused by its size."""
    settings.RISK_IMPORT_MAX_BYTES = 1024
    response = post(world.users["enterprise"], workbook(row()))
    assert response.status_code == 400
    assert "文件不能超过 1.0\xa0KB" in response.context["problems"][0].sentence()


def test_only_the_enterprises_staff_import(world):
    """GIVEN the city office, an inspector, a district leader, an enterprise user holding no staff position and a
    person of no unit THEN each gets 403 on the page and the API, and nothing is written; the principal imports."""
    bystander = UserFactory(unit_kind="enterprise", enterprise=world.e1)
    for user in (world.users["city"], world.users["inspector"], world.users["district"], world.users["outsider"],
                 bystander):  # fmt: skip
        assert client(user).get(URL).status_code == 403
        assert post(user, workbook(row())).status_code == 403
        api = APIClient()
        api.force_authenticate(user)
        file = SimpleUploadedFile("p.xlsx", workbook(row()))
        assert api.post("/api/v1/risks/points/import/", {"file": file}, format="multipart").status_code == 403
    assert not RiskPoint.objects.exists()
    manager = UserFactory(unit_kind="enterprise", enterprise=world.e2)
    assign(manager, PositionFactory(kind="enterprise_safety_manager", unit_kind="enterprise", enterprise=world.e2))
    assert post(manager, workbook(row())).status_code == 302
    assert RiskPoint.objects.get().enterprise == world.e2


def test_a_double_submit_writes_once(world):
    """GIVEN a file imported WHEN the same file is sent again at once THEN nothing more is written and the page says
    it was imported a moment ago; a changed file with the same points is refused as duplicates."""
    content = workbook(row(), row(name="配电室"))
    assert post(world.users["enterprise"], content).status_code == 302
    again = post(world.users["enterprise"], content, follow=True)
    assert again.redirect_chain == [(URL, 302)]
    assert "刚刚已导入" in again.content.decode()
    assert RiskPoint.objects.count() == 2
    assert AuditEvent.objects.filter(action="risk.import").count() == 1
    changed = post(world.users["enterprise"], workbook(row(), row(name="配电室"), {}))
    assert changed.status_code == 400 and RiskPoint.objects.count() == 2


def test_the_api_answers_201_with_the_count_400_with_the_rows(world):
    """GIVEN the enterprise's principal by token WHEN a good file is posted THEN 201 {count: 2, repeated: false}; the
    same again 200 {count: 2, repeated: true}; a bad one 400 with each problem's row, column and message."""
    api = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    api.force_authenticate(world.users["enterprise"])
    url = reverse("risk-point-import")
    content = workbook(row(), row(name="配电室"))
    first = api.post(url, {"file": SimpleUploadedFile("p.xlsx", content)}, format="multipart")
    assert (first.status_code, first.json()) == (201, {"count": 2, "repeated": False})
    again = api.post(url, {"file": SimpleUploadedFile("p.xlsx", content)}, format="multipart")
    assert (again.status_code, again.json()) == (200, {"count": 2, "repeated": True})
    bad = api.post(url, {"file": SimpleUploadedFile("p.xlsx", workbook(row(name="新", lec_e=4)))}, format="multipart")
    assert bad.status_code == 400
    body = bad.json()
    assert body["code"] == "invalid" and body["rows"] == [
        {"row": 2, "field": "LEC-E", "message": "请从 LEC 取值表中选择。"}
    ]
    missing = api.post(url, {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()
    assert RiskPoint.objects.count() == 2
