"""The accident statistics table (by type, industry, region, grade; months, quarters, year), its page, its Excel
workbook and its API, each counted by the figures' rule and within the viewer's scope."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from accidents import statistics
from accidents.models import Accident
from workdays.calendar import SHANGHAI

from .factories import make_accident, make_external

TODAY = datetime(2026, 10, 20, 10, 0, tzinfo=SHANGHAI)


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def year(world):
    """2026: e1 (海滨街道 under 海滨区, 危险化学品) a fire on 31 March 23:30 Shanghai (15:30 UTC) with 2 deaths and a
    large poisoning in July with 3; e2 (新城区, 建筑施工) a fall from height in May; not counted: a near miss, one
    elsewhere, one in 2025, one on 1 January 2027 00:30 Shanghai (31 December 2026 UTC)."""
    w = world
    by = w.users["city"]
    make_accident(w.e1, by, occurred_at=at(3, 31, 23), deaths=2, accident_type="08")
    make_accident(w.e1, by, occurred_at=at(7, 9), deaths=3, accident_type="19", grade="large")
    make_accident(w.e2, by, occurred_at=at(5, 2), accident_type="09")
    make_accident(w.e2, by, occurred_at=at(5, 3), kind="near_miss", accident_type="09")
    make_external(w.city, w.chem, by, occurred_at=at(6, 1))
    make_accident(w.e1, by, occurred_at=at(6, 1, year=2025), deaths=1)
    make_accident(w.e1, by, occurred_at=datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI), deaths=1)
    with time_machine.travel(TODAY, tick=False):
        yield w


def rows(table) -> dict:
    return {row.label: row for row in table.rows}


def test_table_by_each_dimension(year, django_assert_max_num_queries):
    """GIVEN the year's records WHEN the city office's table is made THEN each dimension has the counted rows by
    Shanghai month and quarter with totals, in one grouped query per dimension (and the labels')."""
    w = year
    with django_assert_max_num_queries(10):
        tables = {t.key: t for t in statistics.statistics(w.users["city"], 2026)}
    assert list(rows(tables["type"])) == ["火灾", "高处坠落", "中毒和窒息"]
    fire = next(r for r in tables["type"].rows if r.key == "08")
    assert fire.accidents[2] == 1 and fire.deaths[2] == 2 and fire.quarters[0] == (1, 2) and fire.total == (1, 2)
    assert [r.key for r in tables["type"].rows] == ["08", "09", "19"]  # only types with accidents
    assert tables["type"].total.total == (3, 5)
    assert tables["type"].total.quarters == [(1, 2), (1, 0), (1, 3), (0, 0)]
    industry = rows(tables["industry"])
    assert industry["危险化学品"].total == (2, 5) and industry["建筑施工"].total == (1, 0)
    region = rows(tables["region"])
    assert region["海滨区"].total == (2, 5) and region["新城区"].total == (1, 0)
    assert region["海滨区"].accidents[6] == 1
    grade = {r.key: r for r in tables["grade"].rows}
    assert list(grade) == ["general", "large", "major", "especially_serious"]
    assert grade["general"].total == (2, 2) and grade["large"].total == (1, 3) and grade["major"].total == (0, 0)
    for table in tables.values():
        assert table.total.total == (3, 5)


def test_table_in_scope(year):
    """GIVEN the same records WHEN the district (海滨区) and the housing department ask THEN each sees its own; the
    district's regions are its streets."""
    w = year
    district = {t.key: t for t in statistics.statistics(w.users["district"], 2026)}
    assert district["type"].total.total == (2, 5)
    assert [r.label for r in district["region"].rows] == ["海滨街道", "海滨区（本级）"]
    assert district["region"].rows[0].total == (2, 5)
    dept = {t.key: t for t in statistics.statistics(w.users["dept_head"], 2026)}
    assert dept["industry"].total.total == (1, 0) and [r.label for r in dept["industry"].rows] == ["建筑施工"]


def test_excel_has_a_sheet_per_dimension_in_chinese(client, year):
    """GIVEN the year's records WHEN the city office downloads the Excel THEN four sheets with Chinese headers, the
    rows' months, quarters and year, and the total row."""
    w = year
    client.force_login(w.users["city"])
    response = client.get(reverse("accident_figures:xlsx"), {"year": 2026})
    assert response.status_code == 200 and "accident-statistics-2026.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["按事故类型", "按行业", "按区域", "按事故等级"]
    sheet = book["按行业"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert "2026" in values[0][0]
    assert values[1][1] == "1月" and values[1][25] == "第1季度" and values[1][33] == "全年"
    assert values[2][1:3] == ["起数", "死亡人数"]
    chem = next(row for row in values if row[0] == "危险化学品")
    assert chem[5:7] == [1, 2] and chem[13:15] == [1, 3]  # March, July
    assert chem[25:27] == [1, 2] and chem[29:31] == [1, 3] and chem[33:35] == [2, 5]  # Q1, Q3, the year
    assert values[-1][0] == "合计" and values[-1][33:35] == [3, 5]


def test_page_shows_the_sentence_and_errors(client, year):
    """GIVEN the year's records WHEN the page is opened with a period, a bad period, and by an enterprise THEN the
    sentence on top and the tables; a bad month a 400 with the form error in Chinese; 403 for the enterprise."""
    w = year
    client.force_login(w.users["city"])
    page = client.get(reverse("accident_figures:statistics"), {"period": "since", "month": "2026-07"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "7月以来，全市工矿商贸领域发生生产安全事故1起、死亡3人，去年同期未发生生产安全事故。" in text
    assert "按事故类型" in text and "危险化学品" in text and reverse("accident_figures:xlsx") + "?year=2026" in text
    empty = {"period": "", "from": "", "to": "", "month": "", "name": "", "year": ""}  # the form sent as it is
    assert "1至10月份，全市工矿商贸领域" in client.get(reverse("accident_figures:statistics"), empty).content.decode()
    bad = client.get(reverse("accident_figures:statistics"), {"period": "months", "from": "2026-9", "to": "x"})
    assert bad.status_code == 400 and "例如 2026-07" in bad.content.decode()
    client.force_login(w.users["enterprise"])
    assert client.get(reverse("accident_figures:statistics")).status_code == 403
    assert client.get(reverse("accident_figures:xlsx")).status_code == 403


def test_api_table(client, year):
    """GIVEN the year's records WHEN the table API is asked THEN the four tables as JSON; a bad year a 400."""
    client.force_login(year.users["city"])
    body = client.get("/api/v1/accident-figures/table/", {"year": 2026}).json()
    assert body["year"] == 2026 and [t["key"] for t in body["tables"]] == ["type", "industry", "region", "grade"]
    grade = body["tables"][3]
    assert grade["total"]["total"] == {"accidents": 3, "deaths": 5}
    assert grade["rows"][1]["quarters"][2] == {"accidents": 1, "deaths": 3} and len(grade["rows"][1]["months"]) == 12
    bad = client.get("/api/v1/accident-figures/table/", {"year": "1999"})
    assert bad.status_code == 400 and "year" in bad.json()
    assert Accident.objects.count() == 7
