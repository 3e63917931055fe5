"""The handlers' pages: the queue and a report's page per role (404 out of scope, the enterprise sees nothing), each
action through its form (403, 409, 400 next to the field, PRG), the informant's panel for handlers only with its
audit record, the photos through scope, registration by staff, the export without the informant, query counts."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from PIL import Image

from audit.models import AuditEvent
from hazards.models import HazardCategory
from tipoffs.identity import VIEW
from tipoffs.models import Report

from .factories import PHONE, make_report, submit_report

pytestmark = pytest.mark.django_db

SEES = {"city", "district", "county_dept", "inspector"}
HANDLES = {"city", "county_dept"}


@pytest.mark.parametrize("who", ["city", "district", "dept_head", "county_dept", "inspector", "enterprise", "outsider"])
def test_scope_of_each_role(world, client, who):
    report = make_report(world)
    client.force_login(world.users[who])
    page = client.get(reverse("tipoffs:detail", args=[report.pk]))
    assert page.status_code == (200 if who in SEES else 404)
    listed = client.get(reverse("tipoffs:list"))
    assert listed.status_code == 200
    assert (report.code in listed.content.decode()) == (who in SEES)
    if who in SEES:
        body = page.content.decode()
        assert PHONE not in body and "王五" not in body
        assert (reverse("tipoffs:informant", args=[report.pk]) in body) == (who in HANDLES)
        assert ("action-accept" in body) == (who in HANDLES)


def test_accept_through_the_page(world, client):
    report = submit_report(world).report
    client.force_login(world.users["county_dept"])
    url = reverse("tipoffs:act", args=[report.pk, "accept"])
    answer = client.post(url, {"accept-note": "派员核查"})
    assert answer.status_code == 302 and answer["Location"] == reverse("tipoffs:detail", args=[report.pk])
    report.refresh_from_db()
    assert report.state == "accepted" and report.due_at
    again = client.post(url, {"accept-note": ""}, follow=True)  # 409: said on the page
    assert again.status_code == 200 and again.redirect_chain[-1][0] == reverse("tipoffs:detail", args=[report.pk])
    assert [m.level_tag for m in again.context["messages"]][-1] == "error"
    client.force_login(world.users["district"])
    assert client.post(reverse("tipoffs:act", args=[report.pk, "extend"]), {"extend-reason": "x"}).status_code == 403
    assert client.post(reverse("tipoffs:act", args=[report.pk, "nonsense"])).status_code == 404


def test_the_writers_errors_next_to_the_fields(world, client):
    report = submit_report(world).report
    client.force_login(world.users["city"])
    answer = client.post(reverse("tipoffs:act", args=[report.pk, "decline"]), {"decline-reason": " "})
    assert answer.status_code == 400
    assert answer.context["actions"][[a["name"] for a in answer.context["actions"]].index("decline")]["open"]
    transfer = client.post(
        reverse("tipoffs:act", args=[report.pk, "transfer"]),
        {"transfer-reason": "属建筑施工", "transfer-department": world.zjj.pk, "transfer-region": world.d2.pk},
    )
    assert transfer.status_code == 400
    form = next(a["form"] for a in transfer.context["actions"] if a["name"] == "transfer")
    assert form.errors["department"]
    Report.objects.get(pk=report.pk, state="received", department=world.d1_yjj)


def test_a_whole_case_through_the_pages(world, client):
    report = submit_report(world).report
    category = HazardCategory.objects.first()
    client.force_login(world.users["county_dept"])

    def act(name, **data):
        fields = {f"{name}-{k}": v for k, v in data.items()}
        answer = client.post(reverse("tipoffs:act", args=[report.pk, name]), fields)
        assert answer.status_code == 302, answer.context and [a["form"].errors for a in answer.context["actions"]]

    act("accept")
    act("extend", reason="需委托检测")
    act("hazard", title="消防通道堵塞", description="仓库消防通道被堵", category=category.pk, level="general")
    act("illegal", kind="unlicensed", description="无证储存")
    act("verify", outcome="substantiated", finding="属实")
    act("answer", answer="经核查属实，已责令整改。")
    report.refresh_from_db()
    assert report.state == "closed" and report.hazard_id and report.illegal_operation_id
    page = client.get(reverse("tipoffs:detail", args=[report.pk])).content.decode()
    assert reverse("hazards:detail", args=[report.hazard_id]) in page
    assert reverse("illegal:detail", args=[report.illegal_operation_id]) in page
    assert "需委托检测" in page and "经核查属实" in page


def test_decline_merge_spam(world, client):
    first = submit_report(world).report
    repeat = submit_report(world, phone="13900005678").report
    assert repeat.repeat_of_id == first.pk
    client.force_login(world.users["city"])
    page = client.get(reverse("tipoffs:detail", args=[first.pk])).content.decode()
    assert repeat.code in page and "action-merge" not in page  # the first repeats nothing
    assert "action-merge" in client.get(reverse("tipoffs:detail", args=[repeat.pk])).content.decode()
    client.post(reverse("tipoffs:act", args=[repeat.pk, "merge"]), {"merge-note": ""})
    client.post(reverse("tipoffs:act", args=[first.pk, "spam"]), {"spam-reason": "广告"})
    assert set(Report.objects.values_list("state", flat=True)) == {"merged", "spam"}


def test_the_informant_panel_for_handlers_only_and_audited(world, client):
    report = make_report(world)
    url = reverse("tipoffs:informant", args=[report.pk])
    for who, code in (("district", 403), ("inspector", 403), ("dept_head", 404), ("enterprise", 404)):
        client.force_login(world.users[who])
        assert client.post(url).status_code == code
        assert client.get(url).status_code == 405
    assert not AuditEvent.objects.filter(action=VIEW).exists()
    client.force_login(world.users["county_dept"])
    shown = client.post(url)
    assert shown.status_code == 200
    body = shown.content.decode()
    assert PHONE in body and "王五" in body and "county_dept" in body
    views = AuditEvent.objects.filter(action=VIEW, actor=world.users["county_dept"], object_id=str(report.pk))
    assert views.count() == 1
    assert PHONE not in client.get(reverse("tipoffs:detail", args=[report.pk])).content.decode()


def _jpeg() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(data, "JPEG")
    data.seek(0)
    data.name = "p.jpg"
    return data


def test_registration_by_staff_and_the_photo_through_scope(world, client):
    client.force_login(world.users["enterprise"])
    assert client.get(reverse("tipoffs:new")).status_code == 403
    client.force_login(world.users["district"])
    assert client.get(reverse("tipoffs:new")).status_code == 200
    bad = client.post(reverse("tipoffs:new"), {"channel": "web", "kind": "hazard"})
    assert bad.status_code == 400 and bad.context["form"].errors["description"]
    done = client.post(reverse("tipoffs:new"), {
        "channel": "phone", "kind": "hazard", "description": "夜间违规动火", "region": world.t1.pk,
        "address": "海滨路30号", "enterprise_name": world.e1.name, "name": "赵六", "phone": "13800001111",
        "photos": _jpeg(),
    })  # fmt: skip
    assert done.status_code == 200 and "no-cache" in done["Cache-Control"]
    report = Report.objects.get(address="海滨路30号")
    assert report.channel == "phone" and report.registered_by == world.users["district"]
    assert report.code in done.content.decode() and done.context["receipt"].secret in done.content.decode()
    photo = report.photos.get()
    assert client.get(reverse("tipoffs:photo", args=[photo.pk]), {"thumb": "1"})["Content-Type"] == "image/jpeg"
    client.force_login(world.users["enterprise"])
    assert client.get(reverse("tipoffs:photo", args=[photo.pk])).status_code == 404


def test_the_export_follows_the_filters_and_carries_no_identity(world, client):
    make_report(world)
    accepted = make_report(world, state="accepted")
    client.force_login(world.users["city"])
    answer = client.get(reverse("tipoffs:export"), {"state": "accepted"})
    assert answer.status_code == 200
    book = zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content)))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert accepted.code in sheet and sheet.count("JB-") == 1
    assert PHONE not in sheet and "王五" not in sheet
    assert client.get(reverse("tipoffs:export"), {"state": "nonsense"}).status_code == 400


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_page_queries_are_bounded(world, client, django_assert_max_num_queries, count):
    for i in range(count):
        make_report(world, state="accepted" if i % 2 else "received", department=None if i % 3 else world.d1_yjj)
    client.force_login(world.users["city"])
    client.get(reverse("tipoffs:list"))
    with django_assert_max_num_queries(14):
        page = client.get(reverse("tipoffs:list"), {"handler": "", "state": ["received", "accepted"]})
    assert page.status_code == 200 and len(page.context["page"].items) == count
