"""The watches' pages and API: the list (overdue first, a watcher's own first, filters), a watch's page, the visit
form (submitted once by its key), start and resumption forms, the enterprise page's section; /api/v1/watches/ and
/api/v1/resumption-checks/; the registry's refusal of suspended -> operating, in Chinese."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from organizations.choices import OperatingState
from organizations.models import Enterprise
from oversight import watches
from oversight.models import ResumptionCheck, Watch, WatchVisit

from .factories import make_watch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def jpeg(name="site.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 30, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def api(user, language="zh-hans"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def suspend(*enterprises):
    Enterprise.objects.filter(pk__in=[e.pk for e in enterprises]).update(operating_state=OperatingState.SUSPENDED)


def test_the_list_puts_my_watches_then_the_overdue_first(world, client, django_assert_max_num_queries):
    suspend(world.e2, world.e3)
    inspector, head = world.users["inspector"], world.users["dept_head"]
    city = world.users["city"]
    late = make_watch(world.e2, world.zjj, head, due_at=timezone.now() - timedelta(days=2))
    mine = make_watch(world.e3, world.yjj, city, watchers=[city, inspector])
    client.force_login(city)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("watches:list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index(mine.enterprise.name) < html.index(late.enterprise.name)  # my watch first
    assert html.count(mine.enterprise.name) == 1
    overdue = client.get(reverse("watches:list"), {"overdue": "1"}).content.decode()
    assert late.enterprise.name in overdue and mine.enterprise.name not in overdue
    by_department = client.get(reverse("watches:list"), {"department": world.yjj.pk}).content.decode()
    assert mine.enterprise.name in by_department and late.enterprise.name not in by_department
    client.force_login(inspector)  # yjj sees its mine, not zjj's building company
    assert late.enterprise.name not in client.get(reverse("watches:list")).content.decode()


def test_an_enterprise_user_is_refused(world, client):
    client.force_login(world.users["enterprise"])
    assert client.get(reverse("watches:list")).status_code == 403


def test_the_visit_form_records_once(world, client):
    suspend(world.e3)
    inspector = world.users["inspector"]
    watch = make_watch(world.e3, world.yjj, inspector)
    client.force_login(inspector)
    form = client.get(reverse("watches:visit", args=[watch.pk])).content.decode()
    assert 'capture="environment"' in form and 'accept="image/*"' in form and 'name="key"' in form
    key = str(uuid.uuid4())
    for _ in range(2):
        data = {"observations": ["workers_present"], "note": "有人", "photos": [jpeg()], "key": key}
        answer = client.post(reverse("watches:visit", args=[watch.pk]), data)
        assert answer.status_code == 302
    assert WatchVisit.objects.count() == 1
    detail = client.get(reverse("watches:detail", args=[watch.pk])).content.decode()
    assert "/thumbnail/" in detail and "有人" in detail
    photo = WatchVisit.objects.get().photos.get()
    assert client.get(reverse("watches:thumbnail", args=[photo.pk])).status_code == 200
    client.force_login(world.users["county_dept"])
    assert client.get(reverse("watches:thumbnail", args=[photo.pk])).status_code == 404


def test_a_non_image_is_refused_in_chinese(world, client):
    suspend(world.e3)
    inspector = world.users["inspector"]
    watch = make_watch(world.e3, world.yjj, inspector)
    client.force_login(inspector)
    fake = SimpleUploadedFile("x.jpg", b"plain text", content_type="image/jpeg")
    page = client.post(reverse("watches:visit", args=[watch.pk]),
                       {"observations": ["no_activity"], "photos": [fake], "key": str(uuid.uuid4())})  # fmt: skip
    assert page.status_code == 400
    assert "x.jpg" in page.content.decode()
    fake = SimpleUploadedFile("x.jpg", b"plain text", content_type="image/jpeg")
    answer = api(inspector).post(f"/api/v1/watches/{watch.pk}/visits/",
                                 {"observations": ["no_activity"], "photos": [fake]}, format="multipart")  # fmt: skip
    assert answer.status_code == 400
    message = answer.json()["photos"][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert not WatchVisit.objects.exists()


def test_start_and_resume_pages(world, client):
    suspend(world.e3)
    inspector = world.users["inspector"]
    client.force_login(inspector)
    section = client.get(reverse("oversight:enterprise", args=[world.e3.pk])).content.decode()
    assert reverse("watches:start", args=[world.e3.pk]) in section
    assert reverse("watches:resume", args=[world.e3.pk]) in section
    answer = client.post(reverse("watches:start", args=[world.e3.pk]),
                         {"department": world.yjj.pk, "watchers": [inspector.pk], "interval_days": 7})  # fmt: skip
    watch = Watch.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("watches:detail", args=[watch.pk])
    again = client.get(reverse("watches:start", args=[world.e3.pk]))
    assert again.status_code == 302  # watched already: to the watch
    answer = client.post(reverse("watches:resume", args=[world.e3.pk]), {"passed": "1", "findings": "验收合格"})
    assert answer.status_code == 302
    world.e3.refresh_from_db()
    assert world.e3.operating_state == OperatingState.OPERATING
    refused = client.get(reverse("watches:resume", args=[world.e3.pk]), follow=True)
    assert "复产" in refused.content.decode() or "resumption" in refused.content.decode()
    assert refused.redirect_chain[-1][0] == reverse("oversight:enterprise", args=[world.e3.pk])


def test_the_api(world):
    suspend(world.e3)
    inspector = world.users["inspector"]
    client = api(inspector)
    created = client.post("/api/v1/watches/", {"enterprise": world.e3.pk, "watchers": [inspector.pk],
                                               "interval_days": 5}, format="json")  # fmt: skip
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert sorted(created.json()["actions"]) == ["change", "end", "visit"]
    twice = client.post("/api/v1/watches/", {"enterprise": world.e3.pk, "watchers": [inspector.pk]}, format="json")
    assert twice.status_code == 409
    key = str(uuid.uuid4())
    first = client.post(f"/api/v1/watches/{pk}/visits/", {"observations": ["no_activity"], "photos": [jpeg()],
                                                          "key": key}, format="multipart")  # fmt: skip
    assert first.status_code == 201, first.json()
    again = client.post(f"/api/v1/watches/{pk}/visits/", {"observations": ["no_activity"], "key": key},
                        format="multipart")  # fmt: skip
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert len(first.json()["photos"]) == 1
    unknown = client.post(f"/api/v1/watches/{pk}/visits/", {"observations": ["dancing"]}, format="multipart")
    assert unknown.status_code == 400 and "observations" in unknown.json()
    changed = client.patch(f"/api/v1/watches/{pk}/", {"interval_days": 10}, format="json")
    assert changed.status_code == 200 and changed.json()["interval_days"] == 10
    assert client.get("/api/v1/watches/").json()["results"][0]["id"] == pk
    checked = client.post("/api/v1/resumption-checks/", {"enterprise": world.e3.pk, "passed": False,
                                                         "findings": "未整改"}, format="json")  # fmt: skip
    assert checked.status_code == 201
    assert len(client.get("/api/v1/resumption-checks/").json()["results"]) == 1
    ended = client.post(f"/api/v1/watches/{pk}/end/", {"reason": "关闭"}, format="json")
    assert ended.status_code == 200 and ended.json()["ended_at"]
    assert api(world.users["county_dept"]).get(f"/api/v1/watches/{pk}/").status_code == 404
    assert ResumptionCheck.objects.count() == 1
    assert watches.can(inspector, Watch.objects.get()) == set()


def test_the_registry_refuses_suspended_to_operating_in_chinese(world, client):
    suspend(world.e1)
    district = world.users["district"]
    answer = api(district).patch(f"/api/v1/enterprises/{world.e1.pk}/", {"operating_state": "operating"},
                                 format="json")  # fmt: skip
    assert answer.status_code == 400
    assert "复产复工验收" in answer.json()["operating_state"][0]
    client.force_login(district)
    page = client.get(reverse("organizations:enterprise-edit", args=[world.e1.pk]))
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["operating_state"] = "operating"
    refused = client.post(reverse("organizations:enterprise-edit", args=[world.e1.pk]), data)
    assert refused.status_code == 400
    assert "停产企业须经复产复工验收后方可恢复生产" in refused.content.decode()
    world.e1.refresh_from_db()
    assert world.e1.operating_state == OperatingState.SUSPENDED


def test_the_detail_and_the_section_cost_the_same_whatever_the_visits(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    suspend(world.e3)
    inspector = world.users["inspector"]
    watch = make_watch(world.e3, world.yjj, inspector)
    client.force_login(inspector)

    def cost(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    detail, section = reverse("watches:detail", args=[watch.pk]), reverse("oversight:enterprise", args=[world.e3.pk])
    watches.visit(inspector, watch.pk, ["no_activity"], photos=[jpeg()])
    one = cost(detail), cost(section)
    for _ in range(4):
        watches.visit(inspector, watch.pk, ["no_activity"], photos=[jpeg(), jpeg()])
    assert (cost(detail), cost(section)) == one
    assert one[0] <= 15


def test_a_visit_that_found_activity_offers_an_illegal_operation_record(world, client):
    """The watch's page links a visit that found activity to the illegal-operation form, filled in from the visit
    (source watch, the visit, the enterprise); a visit that found none has no such link."""
    Enterprise.objects.filter(pk=world.e1.pk).update(operating_state=OperatingState.SUSPENDED)
    watch = make_watch(world.e1, world.d1_yjj, world.users["county_dept"])
    quiet = WatchVisit.objects.create(watch=watch, enterprise=world.e1, visitor=world.users["county_dept"],
                                      observations=["no_activity"])  # fmt: skip
    busy = WatchVisit.objects.create(watch=watch, enterprise=world.e1, visitor=world.users["county_dept"],
                                     observations=["workers_present"], activity_found=True)  # fmt: skip
    client.force_login(world.users["city"])
    page = client.get(reverse("watches:detail", args=[watch.pk])).content.decode()
    link = f"{reverse('illegal:new')}?source=watch&amp;visit={busy.pk}&amp;enterprise={world.e1.pk}"
    assert link in page and f"visit={quiet.pk}&" not in page
    form = client.get(link.replace("&amp;", "&")).context["form"]
    assert form.initial.get("visit") in (busy.pk, str(busy.pk)) and form.initial.get("source") == "watch"
