"""The rectification notice and the acceptance record: numbered once and without gaps, issued only by government
staff within scope and in the right state, and readable as PDF in Chinese (and English)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from audit.models import AuditEvent
from dashboards import documents
from dashboards.models import DocumentCounter, IssuedDocument
from hazards import workflow
from hazards.models import Hazard
from safety_platform.lib.errors import Conflict

from ..hazards.conftest import advance, filing, later
from .conftest import pdf_text

NOTICE, ACCEPTANCE = IssuedDocument.Kind.NOTICE, IssuedDocument.Kind.ACCEPTANCE


def test_a_notice_is_numbered_once_and_printing_again_keeps_the_number(hz):
    first, second = advance(hz, "confirmed"), advance(hz, "rectifying")
    issuer = hz.users["county_dept"]
    a = documents.issue(issuer, first, NOTICE)
    again = documents.issue(hz.users["county_head"], first.pk, NOTICE)
    b = documents.issue(issuer, second, NOTICE)
    year = timezone.localdate().year
    assert (a.pk, a.serial, a.year) == (again.pk, 1, year)
    assert b.serial == 2
    assert a.number == f"〔{year}〕00001"
    assert a.issuing_unit == "海滨区应急管理局" and again.issued_by == issuer  # the first issuer stays
    events = AuditEvent.objects.filter(action="document.issue")
    assert events.count() == 2 and events.filter(object_id=str(a.pk), actor=issuer).exists()


def test_each_kind_counts_on_its_own(hz):
    closed = advance(hz, "closed")
    notice = documents.issue(hz.users["county_dept"], closed, NOTICE)
    record = documents.issue(hz.users["county_dept"], closed, ACCEPTANCE)
    assert notice.serial == 1 and record.serial == 1
    assert set(DocumentCounter.objects.values_list("kind", "last")) == {("notice", 1), ("acceptance", 1)}


def test_a_rolled_back_issue_gives_its_number_back(hz):
    first, second = advance(hz, "confirmed"), advance(hz, "confirmed")
    with pytest.raises(RuntimeError), transaction.atomic():
        documents.issue(hz.users["county_dept"], first, NOTICE)
        raise RuntimeError("printer on fire")
    assert not IssuedDocument.objects.exists()
    with pytest.raises(Conflict):
        documents.issue(hz.users["county_dept"], advance(hz, "reported"), NOTICE)  # a refusal takes no number
    assert documents.issue(hz.users["county_dept"], second, NOTICE).serial == 1
    assert documents.issue(hz.users["county_dept"], first, NOTICE).serial == 2


@pytest.mark.parametrize(
    ("status", "kind", "allowed"),
    [
        ("reported", NOTICE, False),
        ("confirmed", NOTICE, True),
        ("awaiting_acceptance", NOTICE, True),
        ("closed", NOTICE, True),
        ("dismissed", NOTICE, False),
        ("awaiting_acceptance", ACCEPTANCE, False),
        ("closed", ACCEPTANCE, True),
    ],
)
def test_the_state_decides_what_can_be_issued(hz, status, kind, allowed):
    if status == "dismissed":
        hazard = workflow.dismiss(hz.users["county_dept"], advance(hz, "confirmed"), "不属于事故隐患")
    else:
        hazard = advance(hz, status)
    if allowed:
        assert documents.issue(hz.users["county_dept"], hazard, kind).serial == 1
    else:
        with pytest.raises(Conflict):
            documents.issue(hz.users["county_dept"], hazard, kind)


def test_who_may_issue(hz):
    hazard = advance(hz, "closed")
    with pytest.raises(PermissionDenied):
        documents.issue(hz.users["enterprise"], hazard, NOTICE)  # the enterprise receives it, never issues it
    for outside in ("outsider", "dept_head"):  # no unit; a department of another industry
        with pytest.raises(Http404):
            documents.issue(hz.users[outside], hazard, NOTICE)
    assert not IssuedDocument.objects.exists()
    for name in ("city", "district", "inspector", "county_dept"):
        assert documents.issue(hz.users[name], hazard, NOTICE).serial == 1
    # in the name of the hazard's supervising department, whoever prints it first (here the city office)
    assert IssuedDocument.objects.get().issuing_unit == "海滨区应急管理局"


def test_pages_refuse_the_enterprise_and_hide_from_the_outsider(client, hz):
    hazard = advance(hz, "confirmed")
    issue_url = reverse("documents:issue", args=[hazard.pk, NOTICE])
    pdf_url = reverse("documents:hazard-document", args=[hazard.pk, NOTICE])
    client.force_login(hz.users["county_dept"])
    assert client.get(issue_url).status_code == 405  # numbering is a POST, never a prefetch
    assert client.get(pdf_url).status_code == 404  # not issued yet
    for name, status in (("enterprise", 403), ("outsider", 404), ("dept_head", 404)):
        client.force_login(hz.users[name])
        assert client.post(issue_url).status_code == status, name
    client.force_login(hz.users["county_dept"])
    assert client.post(issue_url).url == pdf_url
    for name, status in (("enterprise", 403), ("outsider", 404), ("dept_head", 404)):
        client.force_login(hz.users[name])
        assert client.get(pdf_url).status_code == status, name
    client.force_login(hz.users["county_dept"])
    assert client.get(reverse("documents:hazard-document", args=[hazard.pk, "bogus"])).status_code == 404


def test_conflict_is_told_on_the_detail_page(client, hz):
    hazard = advance(hz, "reported")
    client.force_login(hz.users["county_dept"])
    response = client.post(reverse("documents:issue", args=[hazard.pk, NOTICE]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("hazards:detail", args=[hazard.pk])
    assert not IssuedDocument.objects.exists()


def test_detail_page_offers_the_documents_to_government_staff_only(client, hz):
    hazard = advance(hz, "closed")
    url = reverse("hazards:detail", args=[hazard.pk])
    client.force_login(hz.users["county_dept"])
    page = client.get(url).content.decode()
    assert reverse("documents:issue", args=[hazard.pk, NOTICE]) in page
    assert reverse("documents:issue", args=[hazard.pk, ACCEPTANCE]) in page
    documents.issue(hz.users["county_dept"], hazard, NOTICE)
    page = client.get(url).content.decode()
    assert reverse("documents:hazard-document", args=[hazard.pk, NOTICE]) in page and "00001" in page
    client.force_login(hz.users["enterprise"])
    page = client.get(url).content.decode()
    assert "/documents/" not in page


def test_notice_pdf_in_chinese(client, hz):
    hazard, _ = workflow.file_hazard(
        hz.users["inspector"],
        filing(hz, title="液氨储罐区可燃气体报警器失效", place="液氨储罐区", level="major",
               legal_basis="《工贸企业重大事故隐患判定标准》第四条", description="报警器未与紧急切断装置联锁。"),
    )  # fmt: skip
    workflow.confirm(hz.users["county_dept"], hazard, later(20))
    client.force_login(hz.users["county_dept"])
    response = client.post(reverse("documents:issue", args=[hazard.pk, NOTICE]), follow=True)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, "notice")
    flat = "".join(text.split())
    year = timezone.localdate().year
    for expected in [
        *("隐患整改通知书", hazard.code, "海滨化工有限公司", "液氨储罐区可燃气体报警器失效", "重大事故隐患"),
        *("工贸企业重大事故隐患判定标准", f"整改〔{year}〕00001号", "海滨区应急管理局", "治理方案", "签收"),
    ]:
        assert expected in flat, expected


def test_acceptance_pdf_in_chinese_tells_the_plan_the_evidence_and_who_accepted(client, hz):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ..hazards.conftest import FULL_PLAN, jpeg_bytes

    hazard = advance(hz, "confirmed")
    workflow.submit_plan(hz.users["enterprise"], hazard, {**FULL_PLAN, "deadline": later(15)})
    photo = SimpleUploadedFile("done.jpg", jpeg_bytes(color=(30, 160, 60)), "image/jpeg")
    workflow.submit_rectification(hz.users["manager"], hazard, "已更换全部过期灭火器并张贴检查卡", [photo])
    workflow.accept(hz.users["county_dept"], hazard, "现场验收合格，同意销号")
    documents.issue(hz.users["county_dept"], hazard, NOTICE)
    client.force_login(hz.users["county_dept"])
    response = client.post(reverse("documents:issue", args=[hazard.pk, ACCEPTANCE]), follow=True)
    assert response["Content-Type"] == "application/pdf"
    flat = "".join(pdf_text(response.content, "acceptance").split())
    year = timezone.localdate().year
    for expected in [
        *("隐患整改验收单", hazard.code, f"验收〔{year}〕00001号", f"整改〔{year}〕00001号", "王五", "更换灭火器"),
        *("1200", "临时配备移动灭火器", "已更换全部过期灭火器并张贴检查卡", "manager", "现场验收合格，同意销号"),
        "county_dept",
    ]:
        assert expected in flat, expected


def test_notice_pdf_in_english(client, hz):
    hazard = advance(hz, "confirmed")
    client.force_login(hz.users["county_dept"])
    with override("en"):
        response = client.post(
            reverse("documents:issue", args=[hazard.pk, NOTICE]), follow=True, headers={"accept-language": "en"}
        )
    text = " ".join(pdf_text(response.content, "notice-en").split())
    assert "Hazard rectification notice" in text and hazard.code in text and "Notice No." in text


def masthead(content: bytes, name: str) -> str:
    """The first line of text of the PDF: the unit the document is issued in the name of."""
    return next(line for line in pdf_text(content, name).splitlines() if line.strip()).strip()


@pytest.mark.parametrize("kind", [NOTICE, ACCEPTANCE])
def test_documents_are_headed_by_the_supervising_department_not_the_printer(client, hz, kind):
    """A city inspector (市应急管理局) prints for a hazard 海滨区应急管理局 supervises: the district one heads it."""
    hazard = advance(hz, "closed")
    assert hazard.department == hz.d1_yjj
    client.force_login(hz.users["inspector"])
    response = client.post(reverse("documents:issue", args=[hazard.pk, kind]), follow=True)
    assert response["Content-Type"] == "application/pdf"
    assert masthead(response.content, f"heading-{kind}") == "海滨区应急管理局"
    assert "市应急管理局" not in "".join(pdf_text(response.content, f"heading-{kind}").split()).replace(
        "海滨区应急管理局", ""
    )


def test_a_hazard_nobody_supervises_is_headed_by_the_issuers_unit(client, hz):
    """No supervising department (a gap with no default supervisor): the government that prints it issues it."""
    hazard = advance(hz, "confirmed")
    Hazard.objects.filter(pk=hazard.pk).update(department=None)
    client.force_login(hz.users["district"])
    response = client.post(reverse("documents:issue", args=[hazard.pk, NOTICE]), follow=True)
    assert masthead(response.content, "heading-gap") == "海滨区人民政府"
