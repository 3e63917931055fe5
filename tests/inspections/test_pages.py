"""The phone form without JavaScript: start, one section per screen, review, submit."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hazards.models import Hazard
from inspections.models import Inspection

from ..hazards.conftest import jpeg_bytes


def test_whole_inspection_through_the_pages(client, ins):
    client.force_login(ins.users["inspector"])
    page = client.get(reverse("inspections:start"))
    assert page.status_code == 200 and "消防安全检查表" in page.content.decode()
    started = client.post(reverse("inspections:start"), {"enterprise": ins.e1.id, "version": ins.version.id,
                                                        "members": [ins.users["partner"].id]})  # fmt: skip
    assert started.status_code == 302
    inspection = Inspection.objects.get()
    items = ins.items
    first = client.get(started["Location"]).content.decode()
    assert 'aria-valuenow="1"' in first and 'aria-valuemax="2"' in first
    assert 'capture="environment"' in first
    blocked, duty = items["疏散通道、安全出口是否被占用、堵塞"], items["是否明确消防安全责任人"]
    missing_photo = client.post(started["Location"], {f"i{duty.pk}-result": "pass", f"i{blocked.pk}-result": "fail"})
    assert missing_photo.status_code == 400  # the failed exit needs a photo; the first answer is kept
    assert inspection.answers.count() == 1
    photo = SimpleUploadedFile("exit.jpg", jpeg_bytes(), "image/jpeg")
    saved = client.post(started["Location"], {f"i{blocked.pk}-result": "fail", f"i{blocked.pk}-note": "二楼",
                                              f"i{blocked.pk}-photos": photo})  # fmt: skip
    assert saved.status_code == 302 and saved["Location"].endswith("/fill/2/")
    width = items["疏散通道净宽度"]
    last = client.post(saved["Location"], {f"i{width.pk}-number": "1.5"})
    assert last["Location"].endswith("/review/")
    review = client.get(last["Location"]).content.decode()
    assert "疏散通道、安全出口是否被占用、堵塞" in review and "疏散通道净宽度" not in review  # it passed
    key = review.split('name="submit_key" value="')[1].split('"')[0]
    done = client.post(last["Location"], {"submit_key": key, "representative": "张经理"})
    assert done.status_code == 302 and Hazard.objects.count() == 1
    again = client.post(last["Location"], {"submit_key": key})
    assert again.status_code == 302 and Hazard.objects.count() == 1
    detail = client.get(done["Location"]).content.decode()
    assert Hazard.objects.get().code in detail and "张经理" in detail
    assert client.get(reverse("inspections:today")).status_code == 200


def test_campaign_pages(client, ins):
    from datetime import timedelta

    from django.utils import timezone

    from inspections.models import Campaign

    campaign = Campaign.objects.create(name="国庆专项检查", starts_on=timezone.localdate(),
                                       ends_on=timezone.localdate() + timedelta(days=5), lead_department=ins.yjj,
                                       created_by=ins.users["city"])  # fmt: skip
    campaign.regions.set([ins.d1])
    client.force_login(ins.users["district"])
    assert "国庆专项检查" in client.get(reverse("inspections:campaigns")).content.decode()
    text = client.get(reverse("inspections:campaign", args=[campaign.pk])).content.decode()
    assert ins.e1.name in text and ins.e4.name in text and ins.e2.name not in text
    client.force_login(ins.users["enterprise"])
    assert client.get(reverse("inspections:campaign", args=[campaign.pk])).status_code == 404


def test_inspection_record_pdf_in_chinese(client, ins, tmp_path):
    """The record renders with the CJK font embedded; pdftotext reads the Chinese back."""
    import subprocess

    from ..conftest import need
    from .test_inspections import answer_all, api

    need("pdftotext")
    inspection_id = (
        api(ins.users["inspector"])
        .post(
            "/api/v1/inspections/",
            {"enterprise": ins.e1.id, "version": ins.version.id, "members": [ins.users["partner"].id]},
            format="json",  # fmt: skip
        )
        .json()["id"]
    )
    answer_all(ins, inspection_id)
    api(ins.users["inspector"]).post(f"/api/v1/inspections/{inspection_id}/submit/", {"representative": "王经理"},
                                     format="json")  # fmt: skip
    client.force_login(ins.users["inspector"])
    response = client.get(reverse("inspections:record-pdf", args=[inspection_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    from ..browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "inspection-record.pdf"  # kept out of git, for a person to look at
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("安全生产检查记录", "海滨化工有限公司", "疏散通道净宽度", "GB 35181", "王经理", "不合格"):
        assert expected in text, expected
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and " yes " in fonts  # embedded
    client.force_login(ins.users["dept_head"])
    assert client.get(reverse("inspections:record-pdf", args=[inspection_id])).status_code == 404
