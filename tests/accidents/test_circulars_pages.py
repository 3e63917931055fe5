"""The warning circulars' pages, PDF and API for a few roles: the issue form prefilled with the draft, the circular's
page with its figures and the acknowledge button, the list, the PDF's text, the API's draft, issue and acknowledge."""

from __future__ import annotations

import io
import shutil

import pytest
from django.urls import reverse
from pypdf import PdfReader
from rest_framework.test import APIClient

from accidents import circulars
from accidents.models import Circular
from notifications.models import Notification

from .circulars_fixtures import *  # noqa: F403  (the fixtures)

TITLE, BODY = "关于外省某化工厂爆炸事故的警示通报", "各有关单位：\n\n一、事故基本情况\n\n某日某企业发生爆炸。"


def issue(s):
    return circulars.issue(s.users["city"], s.lesson, title=TITLE, body=BODY)


def test_the_issue_form_is_prefilled_and_issues(client, setting):
    """GIVEN the city office's staff WHEN they open the issue form and submit it THEN the draft is in it, and the
    circular is issued and its page shown."""
    client.force_login(setting.users["city"])
    url = reverse("circulars:issue", args=[setting.lesson.pk])
    page = client.get(url)
    assert page.status_code == 200 and "关于外省某化工厂爆炸事故的警示通报" in page.content.decode()
    assert "前完成对照检查并在系统中提交" in page.content.decode()
    answer = client.post(url, {"title": TITLE, "body": BODY})
    circular = Circular.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("circulars:detail", args=[circular.pk])
    again = client.get(url)
    assert again.status_code == 302 and again["Location"] == reverse("circulars:detail", args=[circular.pk])


def test_the_issue_form_refuses_an_empty_title_and_others(client, setting):
    """GIVEN an empty title THEN 400 with the form; GIVEN a department head THEN 403."""
    client.force_login(setting.users["city"])
    url = reverse("circulars:issue", args=[setting.lesson.pk])
    assert client.post(url, {"title": "", "body": BODY}).status_code == 400
    assert not Circular.objects.exists()
    client.force_login(setting.users["dept_head"])
    assert client.get(url).status_code == 403


def test_the_circulars_page_shows_figures_and_the_recipients_button(client, setting):
    """GIVEN an issued circular WHEN e2's principal opens it THEN the text, the lesson's link and the acknowledge
    button; pressing it acknowledges their notice and the button goes; the city sees 1 of 3 enterprises."""
    circular = issue(setting)
    url = reverse("circulars:detail", args=[circular.pk])
    client.force_login(setting.users["e2_boss"])
    page = client.get(url).content.decode()
    assert 'id="acknowledge"' in page and f"/lessons/{setting.lesson.pk}/" in page and "某日某企业发生爆炸" in page
    assert client.post(url).status_code == 302
    assert Notification.objects.get(key=circulars.notice_key(circular.pk, setting.users["e2_boss"].pk)).acknowledged_at
    assert 'id="acknowledge"' not in client.get(url).content.decode()
    client.force_login(setting.users["city"])
    page = client.get(url).content.decode()
    assert "1 / 3" in page and "新城矿业有限公司" in page and "新城建设集团" not in page.split('id="pending"')[1]
    assert 'id="acknowledge"' not in page
    listing = client.get(reverse("circulars:list")).content.decode()
    assert circular.number in listing


def test_the_pdf_reads_as_the_circular(client, setting):
    """GIVEN an issued circular WHEN its PDF is fetched THEN an A4 PDF with the issuing unit, the number, the title,
    the body and the self-check deadline with the lesson."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    circular = issue(setting)
    client.force_login(setting.users["city"])
    answer = client.get(reverse("circulars:pdf", args=[circular.pk]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    for part in (circular.issuing_unit, circular.number, "警示通报", "某日某企业发生爆炸", "对照检查截止时间",
                 setting.lesson.title):  # fmt: skip
        assert part in text, part


def test_the_api_drafts_issues_lists_and_acknowledges(setting):
    """GIVEN the API WHEN the city drafts and issues, e1's principal acknowledges THEN 200/201, the figures say so;
    a second issue is 409; the department head's issue is 403; an unknown lesson is 404."""
    api = APIClient()
    api.force_authenticate(setting.users["city"])
    draft = api.get("/api/v1/circulars/draft/", {"lesson": setting.lesson.pk})
    assert draft.status_code == 200 and draft.json()["title"] == TITLE
    made = api.post("/api/v1/circulars/", {"lesson": setting.lesson.pk, "title": TITLE, "body": BODY}, format="json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["recipients"] == 7 and body["number"].endswith("1号")
    assert body["acknowledgements"]["enterprises"]["total"] == 3
    again = api.post("/api/v1/circulars/", {"lesson": setting.lesson.pk, "title": TITLE, "body": BODY}, format="json")
    assert again.status_code == 409
    assert api.post("/api/v1/circulars/", {"lesson": 99999, "title": TITLE, "body": BODY},
                    format="json").status_code == 404  # fmt: skip
    assert api.get("/api/v1/circulars/draft/").status_code == 400
    listed = api.get("/api/v1/circulars/").json()["results"]
    assert [c["id"] for c in listed] == [body["id"]] and listed[0]["acknowledgements"] is None
    other = APIClient()
    other.force_authenticate(setting.users["enterprise"])
    acked = other.post(f"/api/v1/circulars/{body['id']}/acknowledge/")
    assert acked.status_code == 200 and acked.json()["acknowledgements"]["enterprises"]["acknowledged"] == 1
    assert other.post(f"/api/v1/circulars/{body['id']}/acknowledge/").status_code == 409
    head = APIClient()
    head.force_authenticate(setting.users["dept_head"])
    assert head.post(f"/api/v1/circulars/{body['id']}/acknowledge/").status_code == 200
    stranger = APIClient()
    stranger.force_authenticate(setting.users["inspector"])
    assert stranger.post(f"/api/v1/circulars/{body['id']}/acknowledge/").status_code == 403


def test_a_department_head_may_not_issue_the_citys_lesson_by_api(setting):
    """GIVEN a department head WHEN they issue the city's lesson THEN 403, nothing written."""
    api = APIClient()
    api.force_authenticate(setting.users["dept_head"])
    answer = api.post("/api/v1/circulars/", {"lesson": setting.lesson.pk, "title": TITLE, "body": BODY}, format="json")
    assert answer.status_code == 403 and not Circular.objects.exists()


def test_the_lessons_include_offers_the_issue_link_then_shows_the_circular(setting):
    """GIVEN the lesson's page include WHEN the city office looks before issuing THEN the issue link; a district
    leader sees no link; WHEN issued and the district bureau's head acknowledged THEN the number, link, 1 of 7."""
    from django.template.loader import render_to_string
    from django.utils import translation

    def rendered(who: str) -> str:
        context = {"lesson": setting.lesson, **circulars.lesson_context(setting.users[who], setting.lesson)}
        with translation.override("zh-hans"):
            return render_to_string("accidents/_lesson_circular.html", context)

    assert reverse("circulars:issue", args=[setting.lesson.pk]) in rendered("city")
    assert "circular/new" not in rendered("district") and "尚未印发警示通报" in rendered("district")
    circular = issue(setting)
    circulars.acknowledge(setting.users["d1_head"], circular.pk)
    page = rendered("city")
    assert circular.number in page and reverse("circulars:detail", args=[circular.pk]) in page
    assert "7 个单位中已有 1 个签收" in page
