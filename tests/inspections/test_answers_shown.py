"""Every kind of answer is shown as given, on the inspection page and in its PDF record (#14 item 9)."""

from __future__ import annotations

import subprocess

from django.urls import reverse

from ..browser.conftest import ARTIFACTS
from ..conftest import need
from .test_inspections import answer, api, start

STOCK = "甲醇 20吨；液氯 5吨"


def submitted(ins) -> int:
    """An inspection with an answer of every kind: pass, a failure with what was found and where, a measured
    value, and a text answer."""
    inspection_id = start(ins).json()["id"]
    answer(ins, inspection_id, "是否明确消防安全责任人", result="pass")
    answer(ins, inspection_id, "疏散通道、安全出口是否被占用、堵塞", result="fail", text="堆放纸箱堵塞安全出口",
           note="二楼东侧安全出口", photo=True)  # fmt: skip
    answer(ins, inspection_id, "疏散通道净宽度", number="0.9")
    assert answer(ins, inspection_id, "现场负责人", text=STOCK).status_code in (200, 201)
    done = api(ins.users["inspector"]).post(f"/api/v1/inspections/{inspection_id}/submit/",
                                            {"representative": "王经理"}, format="json")  # fmt: skip
    assert done.status_code == 200, done.json()
    return inspection_id


def test_the_inspection_page_shows_each_answer_as_given(client, ins):
    inspection_id = submitted(ins)
    client.force_login(ins.users["partner"])
    page = client.get(reverse("inspections:detail", args=[inspection_id])).content.decode()
    rows = {r.split("</span>")[0]: r for r in page.split('<span class="row-title">')[1:]}
    assert STOCK in rows["现场负责人"] and "合格" not in rows["现场负责人"]  # the text, not a bare 合格
    assert "堆放纸箱堵塞安全出口" in rows["疏散通道、安全出口是否被占用、堵塞"]
    assert "二楼东侧安全出口" in rows["疏散通道、安全出口是否被占用、堵塞"]
    assert "不合格" in rows["疏散通道净宽度"] and "0.9 m" in rows["疏散通道净宽度"]
    assert "合格" in rows["是否明确消防安全责任人"]


def test_the_pdf_record_shows_each_answer_as_given(client, ins):
    need("pdftotext")
    inspection_id = submitted(ins)
    client.force_login(ins.users["inspector"])
    response = client.get(reverse("inspections:record-pdf", args=[inspection_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "inspection-record-answers.pdf").write_bytes(response.content)  # for a person to look at
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True)
    text = "".join(text.stdout.decode().split())  # table cells wrap where they like
    shown = [
        "填写内容：甲醇20吨；液氯5吨",
        "已填写",
        "发现的问题：堆放纸箱堵塞安全出口",
        "部位：二楼东侧安全出口",
        "实测值：0.9m",
    ]
    for expected in shown:
        assert expected in text, expected
