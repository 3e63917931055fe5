"""The quarterly hazard statistics table against hand-made data: counts per region and industry, totals equal to
the sum of the rows, and nothing outside the user's scope."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from dashboards.quarterly import Quarter

from ..browser.conftest import ARTIFACTS
from .conftest import make


def download(client, user, year=2026, quarter=2):
    client.force_login(user)
    response = client.get(reverse("documents:quarterly"), {"year": year, "quarter": quarter})
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"quarterly-{user.username}.xlsx").write_bytes(response.content)  # for a person to open
    return openpyxl.load_workbook(io.BytesIO(response.content))


def rows(sheet) -> dict[str, list]:
    """Label -> [general found, rectified, open, rate, major ×4, all ×4], down to and including the totals."""
    found = {}
    for r in range(5, sheet.max_row + 1):
        label = sheet.cell(r, 2).value
        if label:
            found[label] = [sheet.cell(r, c).value for c in range(3, 15)]
        if label == "合计":
            break
    return found


def counts(row: list) -> tuple:
    """(general found, rectified, open, major found, rectified, open)."""
    return tuple(row[0:3] + row[4:7])


def assert_totals_are_the_sum(table: dict[str, list]) -> None:
    body = [v for k, v in table.items() if k != "合计"]
    for column in (0, 1, 2, 4, 5, 6, 8, 9, 10):
        assert table["合计"][column] == sum(v[column] for v in body), column
    for v in table.values():
        assert v[8] == v[0] + v[4] and v[9] == v[1] + v[5] and v[10] == v[8] - v[9]


def test_quarter_dates():
    assert Quarter.previous(date(2026, 5, 20)) == Quarter(2026, 1)
    assert Quarter.previous(date(2026, 1, 3)) == Quarter(2025, 4)
    assert Quarter(2026, 1).due == date(2026, 4, 15)
    assert Quarter(2026, 4).due == date(2027, 1, 15)
    assert (Quarter(2026, 2).first_day, Quarter(2026, 2).last_day) == (date(2026, 4, 1), date(2026, 6, 30))
    assert Quarter.parse("2026", "5") is None and Quarter.parse("x", "1") is None
    assert Quarter.parse("2026", "3") == Quarter(2026, 3)


def test_city_table_by_region_and_industry(client, q2):
    book = download(client, q2.users["city"])
    by_region, by_industry = book.worksheets
    assert by_region.title == "按地区" and by_industry.title == "按行业"
    assert by_region["A1"].value == "2026年第2季度隐患排查治理统计表（按地区）"
    assert "2026年7月15日前" in by_region["A2"].value and "滨海市安全生产委员会办公室" in by_region["A2"].value
    assert {"A1:N1", "A3:A4", "B3:B4", "C3:F3", "G3:J3", "K3:N3"} <= {str(m) for m in by_region.merged_cells.ranges}
    assert [by_region.cell(3, c).value for c in (3, 7, 11)] == ["一般事故隐患", "重大事故隐患", "合计"]
    assert [by_region.cell(4, c).value for c in range(3, 7)] == ["排查数", "已整改", "未整改", "整改率"]
    regions = rows(by_region)
    assert list(regions) == ["海滨区", "新城区", "合计"]  # no own-level row: nothing was filed at the city
    assert counts(regions["海滨区"]) == (2, 1, 1, 1, 1, 0)
    assert counts(regions["新城区"]) == (3, 1, 2, 1, 0, 1)
    assert counts(regions["合计"]) == (5, 2, 3, 2, 1, 1)
    assert regions["合计"][3] == pytest.approx(2 / 5) and regions["合计"][11] == pytest.approx(3 / 7)
    assert_totals_are_the_sum(regions)
    industries = rows(by_industry)
    assert counts(industries["S01 危险化学品"]) == (2, 1, 1, 1, 1, 0)
    assert counts(industries["S02 非煤矿山"]) == (1, 1, 0, 0, 0, 0)
    assert counts(industries["B01 建筑施工"]) == (2, 0, 2, 1, 0, 1)
    assert industries["B01 建筑施工"][3] == 0 and industries["S02 非煤矿山"][7] == "—"  # no major: no rate
    assert_totals_are_the_sum(industries)
    assert industries["合计"] == regions["合计"]


def test_department_table_holds_nothing_outside_its_scope(client, q2):
    """The city construction bureau sees construction only: 新城区's two at e2 and the major one."""
    by_region, by_industry = download(client, q2.users["dept_head"]).worksheets
    regions, industries = rows(by_region), rows(by_industry)
    assert counts(regions["海滨区"]) == (0, 0, 0, 0, 0, 0)
    assert counts(regions["新城区"]) == (2, 0, 2, 1, 0, 1)
    assert list(industries) == ["B01 建筑施工", "合计"]
    assert industries["合计"] == regions["合计"]
    assert_totals_are_the_sum(regions)
    assert "市住房和城乡建设局" in by_region["A2"].value


def test_district_rows_are_its_townships(client, q2):
    by_region, by_industry = download(client, q2.users["district"]).worksheets
    regions = rows(by_region)
    assert list(regions) == ["海滨街道", "合计"]
    assert counts(regions["海滨街道"]) == (2, 1, 1, 1, 1, 0)
    assert list(rows(by_industry)) == ["S01 危险化学品", "合计"]  # e4's dismissed hazard is not counted
    assert "海滨区人民政府" in by_region["A2"].value


def test_a_hazard_filed_at_the_root_has_an_own_level_row(client, world):
    from ..factories import EnterpriseFactory

    at_city = EnterpriseFactory(name="市直企业", region=world.city, industry=world.chem)
    make(world, at_city, found=(5, 1))
    regions = rows(download(client, world.users["city"]).worksheets[0])
    assert list(regions) == ["海滨区", "新城区", "滨海市本级", "合计"]
    assert counts(regions["滨海市本级"]) == (1, 0, 1, 0, 0, 0)


def test_who_may_download(client, world):
    for name, status in (("enterprise", 403), ("outsider", 403)):
        client.force_login(world.users[name])
        assert client.get(reverse("documents:quarterly")).status_code == status, name
    client.force_login(world.users["county_dept"])
    assert client.get(reverse("documents:quarterly")).status_code == 200  # no quarter asked: the last one
    refused = client.get(reverse("documents:quarterly"), {"year": "x", "quarter": "5"})  # a bad one: a clear error
    assert refused.status_code == 400 and "2000" in refused.content.decode()
    assert client.get(reverse("documents:reports"), {"year": "2026", "quarter": "9"}).status_code == 400


def test_a_hazard_assigned_from_outside_the_subtree_is_named_by_its_region(client, world):
    """The city office hands a 新城区 hazard to 海滨区's bureau: the bureau's table counts it under its township."""
    from hazards.models import Hazard

    hazard = make(world, world.e3, found=(5, 1))
    Hazard.objects.filter(pk=hazard.pk).update(department=world.d1_yjj)
    regions = rows(download(client, world.users["county_dept"]).worksheets[0])
    assert list(regions) == ["海滨街道", "新城街道", "合计"]
    assert counts(regions["新城街道"]) == (1, 0, 1, 0, 0, 0)
