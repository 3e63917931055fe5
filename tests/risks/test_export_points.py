"""The import template and the export of risk points: the template opens with its columns, drop-downs and the
explanation sheet; the export holds the user's visible points only, filtered as the list, with the computed
columns; an exported file imports again with the same points; bad filters are a 400."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from risks import importing
from risks.models import RiskPoint

from ..factories import PositionFactory, UserFactory, assign
from .factories import make_point
from .io_helpers import row, workbook

pytestmark = pytest.mark.django_db
TEMPLATE, EXPORT, IMPORT = "/risks/import/template.xlsx", "/risks/export.xlsx", "/risks/import/"


def client(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(user)
    return c


def download(user, query: str = "") -> list[tuple]:
    response = client(user).get(EXPORT + query)
    assert response.status_code == 200, response.content[:500]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(book.active.iter_rows(values_only=True))


def test_the_template_downloads_and_opens(world):
    """GIVEN the enterprise's principal WHEN they download the template THEN it opens in openpyxl with the columns'
    Chinese headers, drop-downs for the kind, the LEC values and yes/no, and a second sheet that explains every
    column and lists the LEC table with its meanings; an empty template imports as 'no risk point'."""
    response = client(world.users["enterprise"]).get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet, help_ = book.worksheets
    assert [c.value for c in sheet[1]] == [h for _k, h, _w in importing.COLUMNS]
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["B2"] == '"场所,设施设备,作业活动"'
    assert lists["P2"] == '"10,6,3,1,0.5,0.2,0.1"'
    assert lists["J2"] == '"是,否"'
    explained = [r[0] for r in help_.iter_rows(values_only=True)]
    assert all(h in explained for _k, h, _w in importing.COLUMNS)
    assert ("10", "完全可以预料") in [r[:2] for r in help_.iter_rows(values_only=True)]
    refused = client(world.users["enterprise"]).post(IMPORT, {"file": SimpleUploadedFile("t.xlsx", response.content)})
    assert refused.status_code == 400 and "表头下没有任何风险点" in refused.content.decode()


def test_the_export_holds_the_visible_points_only(world):
    """GIVEN points of e1 (海滨区, chemicals) and e2 (新城区, construction) THEN e1's principal and the district
    leader of 海滨区 get e1's only, the city office both, the construction department e2's only, a person of no
    unit none; the computed columns say score, colour, enterprise and re-evaluation date."""
    make_point(world.e1, "red", name="甲")
    make_point(world.e2, "blue", name="乙")
    names = lambda user: sorted(r[0] for r in download(user)[1:])  # noqa: E731
    assert names(world.users["enterprise"]) == ["甲"]
    assert names(world.users["district"]) == ["甲"]
    assert names(world.users["city"]) == ["乙", "甲"]
    assert names(world.users["dept_head"]) == ["乙"]
    assert names(world.users["outsider"]) == []
    head, first = download(world.users["enterprise"])[:2]
    computed = dict(zip(head[-4:], first[-4:], strict=True))
    assert computed["风险值"] == 420 and computed["风险等级"] == "重大风险（红）"
    assert computed["企业"] == "海滨化工有限公司" and computed["复评日期"] is not None


def test_the_export_honours_the_lists_filters(world):
    """GIVEN points of each colour, one a key place, one of a place named 仓库 THEN colour, key_place, q, region,
    enterprise and kind filter the export; a bad value is a 400 naming the parameter."""
    for colour in ("red", "orange", "yellow", "blue"):
        make_point(world.e1, colour, name=colour, is_key_place=colour == "orange")
    make_point(world.e2, "blue", name="仓库点", place="仓库")
    city = world.users["city"]
    names = lambda q: sorted(r[0] for r in download(city, q)[1:])  # noqa: E731
    assert names("?colour=red") == ["red"]
    assert names("?key_place=true") == ["orange"]
    assert names("?q=仓库") == ["仓库点"]
    assert names(f"?region={world.d2.pk}") == ["仓库点"]
    assert names(f"?enterprise={world.e1.pk}&colour=blue") == ["blue"]
    assert names("?kind=activity") == []
    assert names("?reevaluation=overdue") == []
    for bad in ("?colour=purple", "?region=abc", "?key_place=maybe", "?reevaluation=soon"):
        response = client(city).get(EXPORT + bad)
        assert response.status_code == 400, bad
        assert bad[1:].split("=")[0] in response.content.decode()


def test_an_exported_file_imports_again(world):
    """GIVEN e1's points exported by its principal (codes, names with 、, controls, LS and an override) WHEN another
    enterprise's safety manager imports that very file THEN the same points are written with the same fields,
    controls and grades; imported again into e1 every row is refused as a duplicate, nothing written."""
    make_point(world.e1, "red", name="储罐", hazard_factors=["11", "22"], is_key_place=True)
    make_point(world.e1, "blue", controls=3, name="配电室", responsible_phone="0532-1", meets_major_criterion=True)
    principal = client(world.users["enterprise"])
    assert principal.post(IMPORT, {"file": SimpleUploadedFile("a.xlsx", workbook(
        row(name="动火", method="LS", lec_l=None, lec_e=None, lec_c=None, ls_l=2, ls_s=2, override_colour="黄",
            override_reason="节日期间")))}).status_code == 302  # fmt: skip
    response = principal.get(EXPORT)
    content = b"".join(response.streaming_content)
    manager = UserFactory(unit_kind="enterprise", enterprise=world.e2)
    assign(manager, PositionFactory(kind="enterprise_safety_manager", unit_kind="enterprise", enterprise=world.e2))
    assert client(manager).post(IMPORT, {"file": SimpleUploadedFile("e.xlsx", content)}).status_code == 302

    def points(enterprise):
        fields = ["name", "kind", "place", "description", "hazard_factors", "accident_types", "control_level",
                  "responsible_name", "responsible_phone", "is_key_place", "is_major_hazard_source",
                  "meets_major_criterion", "method", "lec_l", "lec_e", "lec_c", "ls_l", "ls_s", "score",
                  "computed_colour", "override_colour", "override_reason", "colour"]  # fmt: skip
        return {p["name"]: p for p in RiskPoint.objects.filter(enterprise=enterprise).values(*fields)}

    def controls(enterprise):
        return sorted(RiskPoint.objects.filter(enterprise=enterprise).values_list(
            "name", "controls__kind", "controls__measure"))  # fmt: skip

    assert points(world.e2) == points(world.e1) and len(points(world.e1)) == 3
    assert controls(world.e2) == controls(world.e1)
    again = principal.post(IMPORT, {"file": SimpleUploadedFile("e.xlsx", content)})
    assert again.status_code == 400
    assert len(again.context["problems"]) == 3
    assert RiskPoint.objects.filter(enterprise=world.e1).count() == 3


def test_the_export_streams_in_chunks(world, django_assert_max_num_queries, monkeypatch):
    """GIVEN 5 points and chunks of 2 THEN the export reads them in keyset chunks (a query for the points and one for
    their controls per chunk), not all at once."""
    from risks import exporting

    for n in range(5):
        make_point(world.e1, name=f"点{n}")
    monkeypatch.setattr(exporting, "CHUNK", 2)
    with django_assert_max_num_queries(3 * 2):
        rows = list(exporting.export_rows(RiskPoint.objects.all()))
    assert [r[0] for r in rows] == [f"点{n}" for n in range(5)]
