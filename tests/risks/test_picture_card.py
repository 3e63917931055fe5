"""The risk notice card (风险告知卡): an A4 PDF in Chinese with the colour band, the point's factors, accidents,
controls, emergency measures and phones, and a QR code (with its link) that opens the point's check page; only
for a point in the user's scope."""

from __future__ import annotations

import base64
import io

import pytest
import segno
from django.urls import reverse
from pypdf import PdfReader

from dashboards import risk_picture, risk_views

from ..dashboards.conftest import pdf_text
from .factories import make_point

pytestmark = pytest.mark.django_db


@pytest.fixture
def point(world):
    return make_point(world.e1, "red", controls=3, place="一号罐区", emergency_measures="立即切断进料阀，疏散人员。",
                      responsible_phone="13800000001", report_phone="0591-12345678", is_key_place=True)  # fmt: skip


def test_the_card_is_a_chinese_a4_pdf_with_the_qr_to_the_check_page(client, world, point):
    """GIVEN a red point WHEN the enterprise prints its card THEN an A4 portrait PDF in Chinese: 风险告知卡, the red
    band, the point, its factors and accidents in words, its controls, emergency measures, responsible person and
    phones, and the check page's absolute link under the QR and as the QR's link."""
    client.force_login(world.users["enterprise"])
    response = client.get(reverse("risk_picture:card", args=[point.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, "risk-card")
    link = f"http://testserver/risks/points/{point.pk}/check/"
    for words in ("风险告知卡", "重大风险", "储罐区", "一号罐区", "化学性", "火灾", "中毒和窒息", "措施1", "措施3",
                  "立即切断进料阀", "王工", "13800000001", "0591-12345678", "重点部位", link):  # fmt: skip
        assert words in text, words
    reader = PdfReader(io.BytesIO(response.content))
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 portrait in points
    uris = [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", []) if "/A" in a.get_object()]
    assert link in uris
    fonts = {str(f) for f in _fonts(page)}
    assert any("Noto-Sans-CJK-SC" in f for f in fonts), fonts
    assert len(page.images) == 1  # the QR


def _fonts(page):
    resources = page["/Resources"]
    for font in resources["/Font"].values():
        yield font.get_object()["/BaseFont"]


def test_the_qr_encodes_the_check_page(world, point):
    """GIVEN the card's link WHEN its QR is drawn THEN it is segno's code of exactly that link (the PNG put in)."""
    link = f"http://testserver/risks/points/{point.pk}/check/"
    png = risk_views.qr_png(link)
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=10, border=2)
    assert png == "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def test_the_band_is_the_colour_site_css_defines(world):
    assert risk_picture.level_colours() == {"red": "#c62828", "orange": "#ef6c00", "yellow": "#f9a825",
                                            "blue": "#1565c0"}  # fmt: skip


@pytest.mark.parametrize("who,status", [("city", 200), ("county_dept", 200), ("district", 200), ("dept_head", 404),
                                        ("outsider", 404)])  # fmt: skip
def test_only_who_sees_the_point_gets_its_card(client, world, point, who, status):
    client.force_login(world.users[who])
    assert client.get(reverse("risk_picture:card", args=[point.pk])).status_code == status
