"""The check pages and API: the check page as the QR code opens it (the staff record, others see it read-only, an
outsider gets 404), its refusals by field, the lists and their filters, missed and overdue per enterprise for the
supervising department, and the API's list, retrieve and record (JSON and multipart), with query counts pinned."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hazards.models import Hazard
from risks import check_views
from risks.models import CheckTask, PointHazard

from ..factories import PositionFactory, UserFactory, assign
from ..hazards.conftest import jpeg_bytes
from .factories import make_point
from .test_checks_workflow import open_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def point(world):
    return make_point(world.e1, "orange", controls=2, control_level="post")


def login(client, user):
    client.force_login(user)
    return client


def old_token(task, seconds=600):
    """The page's signed start time, as if it had been opened `seconds` ago."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            timezone,
            "now",
            lambda: timezone.datetime.now(tz=timezone.get_current_timezone()) - timedelta(seconds=seconds),
        )
        return check_views.start_token(task)


def test_the_qr_link_opens_the_check_and_the_manager_records_a_control_not_in_place(client, world, point):
    """GIVEN today's task WHEN the principal opens the point's check page and submits control 1 in place and
    control 2 not in place with a photo THEN the check is done, a hazard filed and linked, and the page shows it."""
    task = open_task(point)
    login(client, world.users["enterprise"])
    url = reverse("risk_checks:check", args=[point.pk])
    page = client.get(url)
    assert page.status_code == 200 and "提交排查" in page.content.decode()
    c1, c2 = point.controls.order_by("position")
    response = client.post(
        url,
        {
            "started": old_token(task),
            f"c{c1.pk}-in_place": "1",
            f"c{c2.pk}-in_place": "0",
            f"c{c2.pk}-note": "损坏",
            f"c{c2.pk}-photos": SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.is_hollow) == ("done", False)
    hazard = Hazard.objects.get()
    assert PointHazard.objects.filter(point=point, hazard=hazard).exists()
    shown = client.get(response["Location"]).content.decode()
    assert hazard.code in shown and "未落实" in shown


def test_a_control_not_in_place_without_a_photo_is_refused_on_the_page(client, world, point):
    """GIVEN today's task WHEN control 2 is marked not in place without a photo THEN 400 saying so, answers kept,
    nothing recorded."""
    task = open_task(point)
    login(client, world.users["enterprise"])
    c1, c2 = point.controls.order_by("position")
    response = client.post(
        reverse("risk_checks:check", args=[point.pk]),
        {"started": old_token(task), f"c{c1.pk}-in_place": "1", f"c{c2.pk}-in_place": "0"},
    )
    assert response.status_code == 400
    assert "请上传照片" in response.content.decode()
    assert CheckTask.objects.get(pk=task.pk).status == "open"


def test_the_department_sees_the_check_read_only_and_an_outsider_gets_404(client, world, point):
    """GIVEN e1's task THEN the supervising department's inspector sees the page without the form (a post is 403);
    the other district's department gets 404."""
    task = open_task(point)
    url = reverse("risk_checks:check", args=[point.pk])
    login(client, world.users["inspector"])
    page = client.get(url)
    assert page.status_code == 200 and "提交排查" not in page.content.decode()
    assert client.post(url, {"started": old_token(task)}).status_code == 403
    login(client, world.users["outsider"])
    assert client.get(url).status_code == 404


def test_an_open_check_past_its_due_day_says_overdue_on_its_page_and_in_the_list(client, world, point):
    """GIVEN an open task due yesterday and one due today WHEN the principal opens the check page of yesterday's and
    the list THEN the page and yesterday's row say 逾期 beside 待排查; today's row does not."""
    late = open_task(point, timezone.localdate() - timedelta(days=1))
    on_time = open_task(make_point(world.e1, "blue", control_level="post"))
    assert late.is_overdue and not on_time.is_overdue
    login(client, world.users["enterprise"])
    page = client.get(reverse("risk_checks:check", args=[point.pk]) + f"?task={late.pk}").content.decode()
    assert '<span class="tag warn">逾期</span>' in page
    rows = client.get(reverse("risk_checks:list")).content.decode().split("<li")
    assert '<span class="tag warn">逾期</span>' in next(r for r in rows if f"task={late.pk}" in r)
    assert "逾期" not in next(r for r in rows if f"task={on_time.pk}" in r)


def test_no_open_task_is_said(client, world, point):
    """GIVEN no task for the point THEN the page says no check is due and offers to file a hazard."""
    login(client, world.users["enterprise"])
    page = client.get(reverse("risk_checks:check", args=[point.pk])).content.decode()
    assert "目前没有待完成的排查" in page


def test_lists_filter_and_count_per_enterprise(client, world, point):
    """GIVEN an open task of today, one overdue, one missed and one done hollow THEN the list filters each status
    and hollow; the overdue page counts e1's one missed and one overdue for the department; queries do not grow
    with the rows."""
    today = timezone.localdate()
    open_task(point)
    open_task(point, today - timedelta(days=1))
    missed = open_task(point, today - timedelta(days=5))
    hollow = open_task(point, today - timedelta(days=7))
    CheckTask.objects.filter(pk=missed.pk).update(status="missed")
    CheckTask.objects.filter(pk=hollow.pk).update(status="done", is_hollow=True)
    login(client, world.users["inspector"])
    url = reverse("risk_checks:list")
    for query, count in (
        ({"status": "open"}, 2),
        ({"status": "overdue"}, 1),
        ({"status": "missed"}, 1),
        ({"hollow": "1"}, 1),
        ({"enterprise": world.e1.pk}, 4),
        ({"enterprise": world.e2.pk}, 0),
    ):
        assert len(client.get(url, query).context["page"].items) == count, query
    assert client.get(url, {"status": "maybe"}).status_code == 400
    rows = client.get(reverse("risk_checks:overdue")).context["rows"]
    assert [(r["enterprise_id"], r["missed"], r["overdue"]) for r in rows] == [(world.e1.pk, 1, 1)]
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(5):
        open_task(point, today - timedelta(days=20 + n))
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


def test_the_enterprise_sees_its_checks_due(client, world, point):
    """GIVEN e1's open task and e2's THEN e1's principal sees only e1's on the due list."""
    open_task(point)
    open_task(make_point(world.e2, "blue", control_level="post"))
    login(client, world.users["enterprise"])
    tasks = client.get(reverse("risk_checks:today")).context["tasks"]
    assert [t.point_id for t in tasks] == [point.pk]


def test_the_api_lists_retrieves_and_records(client, world, point):
    """GIVEN today's task THEN the API lists and retrieves it; a record with a control not in place and no photo is
    400 naming photos; with the photo (multipart) it is done and the hazard's code is in the answer; again by
    an inspector 403, another of the staff 409 (done); the outsider gets 404."""
    task = open_task(point)
    login(client, world.users["enterprise"])
    assert [t["id"] for t in client.get("/api/v1/risks/checks/").json()["results"]] == [task.pk]
    assert client.get(f"/api/v1/risks/checks/{task.pk}/").json()["status"] == "open"
    c1, c2 = point.controls.order_by("position")
    answers = [{"control": c1.pk, "in_place": True}, {"control": c2.pk, "in_place": False, "note": "坏"}]
    started = (timezone.now() - timedelta(minutes=3)).isoformat()
    record = f"/api/v1/risks/checks/{task.pk}/record/"
    refused = client.post(record, {"started_at": started, "answers": answers}, content_type="application/json")
    assert refused.status_code == 400 and "photos" in refused.json()
    done = client.post(
        record,
        {
            "started_at": started,
            "answers": json.dumps(answers),
            f"photo_{c2.pk}": SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg"),
        },
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "done" and [r["hazard_code"] is not None for r in body["results"]] == [False, True]
    login(client, world.users["inspector"])
    assert (
        client.post(record, {"started_at": started, "answers": answers}, content_type="application/json").status_code
        == 403
    )
    manager = UserFactory(unit_kind="enterprise", enterprise=world.e1)
    assign(manager, PositionFactory(kind="enterprise_safety_manager", unit_kind="enterprise", enterprise=world.e1))
    login(client, manager)
    assert (
        client.post(record, {"started_at": started, "answers": answers}, content_type="application/json").status_code
        == 409
    )
    login(client, world.users["outsider"])
    assert client.get(f"/api/v1/risks/checks/{task.pk}/").status_code == 404
