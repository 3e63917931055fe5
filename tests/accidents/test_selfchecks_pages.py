"""The self-check's pages, the inspections refusing kind lesson, the hazard page's link to the lesson, the queue's
entries and the navigation (accidents/selfcheck_views.py, work/queues.py)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accidents import selfchecks
from accidents.models import LessonTask
from hazards.models import Hazard
from inspections.models import Inspection
from work import queues

from .selfcheck_world import answer_all, sc_world, submit  # noqa: F401

pytestmark = pytest.mark.django_db


def _done(sc):
    inspection = selfchecks.start(sc.principal, sc.task)
    answer_all(sc.principal, inspection, sc.items)
    submit(sc.principal, inspection)
    return Hazard.objects.get()


def test_mine_and_the_task_page_start_and_continue(client, sc):
    """GIVEN e1's task WHEN its principal opens /lessons/mine/, the task, and starts (twice) THEN the task is listed
    to do, the page shows the lesson and the accident with a start button, start goes to the fill form of one
    inspection, and the button then says continue."""
    client.force_login(sc.principal)
    mine = client.get("/lessons/mine/").content.decode()
    assert sc.lesson.title in mine and f"/lessons/tasks/{sc.task.pk}/" in mine
    page = client.get(f"/lessons/tasks/{sc.task.pk}/").content.decode()
    assert "举一反三，对照检查。" in page and "外省某化工厂爆炸事故" in page and "消防安全检查表（测试）" in page
    assert "开始" in page and f"/lessons/tasks/{sc.task.pk}/start/" in page
    response = client.post(f"/lessons/tasks/{sc.task.pk}/start/")
    inspection = Inspection.objects.get(kind="lesson")
    assert response.status_code == 302 and response["Location"] == f"/inspections/{inspection.pk}/fill/1/"
    assert client.post(f"/lessons/tasks/{sc.task.pk}/start/")["Location"] == f"/inspections/{inspection.pk}/fill/1/"
    assert Inspection.objects.count() == 1
    assert "继续" in client.get(f"/lessons/tasks/{sc.task.pk}/").content.decode()
    assert client.get(f"/inspections/{inspection.pk}/fill/1/").status_code == 200


def test_the_task_page_after_submit_lists_the_hazard_and_the_hazard_page_links_the_lesson(client, sc):
    """GIVEN e1's self-check submitted with one failed item WHEN the principal opens the task page, the lesson's
    hazards page and the hazard THEN the hazard is linked from both, and the hazard page says 对照检查：<title> with a
    link to the lesson and its source 事故警示."""
    hazard = _done(sc)
    client.force_login(sc.principal)
    page = client.get(f"/lessons/tasks/{sc.task.pk}/").content.decode()
    assert f"/hazards/{hazard.pk}/" in page and "开始" not in page
    listed = client.get(f"/lessons/{sc.lesson.pk}/hazards/").content.decode()
    assert f"/hazards/{hazard.pk}/" in listed
    detail = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert f"对照检查：{sc.lesson.title}" in detail and f'href="/lessons/{sc.lesson.pk}/"' in detail
    assert "事故警示" in detail


def test_a_starter_outside_the_rules_gets_no_button_and_a_refusal(client, sc):
    """GIVEN the district leader WHEN they open e1's task and post start THEN no button, and a 403; e2's principal
    gets a 404."""
    client.force_login(sc.world.users["district"])
    assert "/start/" not in client.get(f"/lessons/tasks/{sc.task.pk}/").content.decode()
    assert client.post(f"/lessons/tasks/{sc.task.pk}/start/").status_code == 403
    client.force_login(sc.world.users["dept_head"])
    assert client.get(f"/lessons/tasks/{sc.task.pk}/").status_code == 404


def test_a_withdrawn_lesson_refuses_start_with_a_message(client, sc):
    """GIVEN the lesson withdrawn WHEN e1's principal posts start THEN back to the task page with the reason, nothing
    made."""
    sc.lesson.status = "withdrawn"
    sc.lesson.save(update_fields=["status"])
    client.force_login(sc.principal)
    response = client.post(f"/lessons/tasks/{sc.task.pk}/start/", follow=True)
    assert "自查已关闭" in response.content.decode() or "已撤回" in response.content.decode()
    assert not Inspection.objects.exists()


def test_the_inspections_api_and_start_form_refuse_kind_lesson(client, sc):
    """GIVEN e1's principal and an inspector WHEN each asks the inspections API, and the inspector the start form,
    for kind lesson THEN a 400 naming kind, nothing made."""
    for user in (sc.principal, sc.world.users["inspector"]):
        client.force_login(user)
        body = {"kind": "lesson", "enterprise": sc.world.e1.pk, "version": sc.lesson.version_id}
        response = client.post("/api/v1/inspections/", body, content_type="application/json")
        assert response.status_code == 400 and "kind" in response.json()
    page = client.post("/inspections/new/", {"kind": "lesson", "enterprise": sc.world.e1.pk,
                                                "version": sc.lesson.version_id})  # fmt: skip
    assert page.status_code == 400 and "对照检查" in page.content.decode()
    assert not Inspection.objects.exists()


def test_spot_checks_page_samples_records_and_lists_the_hollow(client, sc):
    """GIVEN both tasks done WHEN the city office samples 100 % and records e1 hollow with a note THEN both are chosen,
    e1 is listed hollow with a red tag, and e2 still has its form; a hollow verdict without a note is a 400."""
    LessonTask.objects.update(completed_at=timezone.now())
    client.force_login(sc.world.users["city"])
    url = f"/lessons/{sc.lesson.pk}/spot-checks/"
    assert client.post(url, {"action": "sample", "percent": "100"}).status_code == 302
    assert LessonTask.objects.filter(spot_chosen_at__isnull=False).count() == 2
    bad = client.post(url, {"action": "verdict", "task": sc.task.pk, f"t{sc.task.pk}-hollow": "1",
                            f"t{sc.task.pk}-note": ""})  # fmt: skip
    assert bad.status_code == 400 and "请写明自查漏掉了什么" in bad.content.decode()
    assert client.post(url, {"action": "verdict", "task": sc.task.pk, f"t{sc.task.pk}-hollow": "1",
                             f"t{sc.task.pk}-note": "通道堵塞未查出"}).status_code == 302  # fmt: skip
    page = client.get(url).content.decode()
    assert 'id="hollow-count">1<' in page and "通道堵塞未查出" in page and 'class="tag key"' in page
    assert page.count('name="action" value="verdict"') == 1
    assert client.post(url, {"action": "sample", "percent": "0"}).status_code == 400
    client.force_login(sc.principal)
    assert client.get(url).status_code == 403


def test_the_enterprise_queue_lists_its_self_checks_to_do(sc, django_assert_max_num_queries):
    """GIVEN e1's task open WHEN its principal's queue is built THEN a 对照检查 entry of one linking to the task,
    not urgent; past the deadline it is urgent; done it is gone. The queries stay bounded."""
    with django_assert_max_num_queries(20):
        sections = queues.build(sc.principal)
    entry = next(e for s in sections for e in s.entries if e.key == "ent_lesson_tasks")
    assert (entry.count, entry.url, entry.urgent) == (1, "/lessons/mine/", False)
    assert entry.items[0].url == f"/lessons/tasks/{sc.task.pk}/" and entry.items[0].title == sc.lesson.title
    sc.lesson.deadline = timezone.now() - timezone.timedelta(hours=1)
    sc.lesson.save(update_fields=["deadline"])
    entry = next(e for s in queues.build(sc.principal) for e in s.entries if e.key == "ent_lesson_tasks")
    assert entry.urgent and entry.items[0].late
    LessonTask.objects.filter(pk=sc.task.pk).update(completed_at=timezone.now())
    assert not [e for s in queues.build(sc.principal) for e in s.entries if e.key == "ent_lesson_tasks"]


def test_the_department_queue_lists_the_spot_checks_to_record(sc, django_assert_max_num_queries):
    """GIVEN e1's task done and chosen WHEN d1's emergency department staff's queue is built THEN a spot-check entry
    of one opening the lesson's spot checks; recorded, it is gone. zjj's head sees none (not in scope)."""
    LessonTask.objects.filter(pk=sc.task.pk).update(completed_at=timezone.now(), spot_chosen_at=timezone.now())
    county = sc.world.users["county_dept"]
    with django_assert_max_num_queries(40):
        sections = queues.build(county)
    entry = next(e for s in sections for e in s.entries if e.key == "dept_spot_checks")
    assert entry.count == 1 and entry.items[0].url == f"/lessons/{sc.lesson.pk}/spot-checks/"
    assert not [e for s in queues.build(sc.world.users["dept_head"]) for e in s.entries if e.key == "dept_spot_checks"]
    selfchecks.spot_check(county, sc.task, hollow=False)
    assert not [e for s in queues.build(county) for e in s.entries if e.key == "dept_spot_checks"]


def test_the_queue_query_count_does_not_grow_with_tasks(sc, django_assert_num_queries):
    """GIVEN one open task, then six WHEN the principal's queue is built THEN the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.accidents.factories import make_external, make_lesson, make_task

    queues.build(sc.principal)  # the person's positions and scope, read once and kept on the user
    with CaptureQueriesContext(connection) as one:
        queues.build(sc.principal)
    for n in range(5):
        accident = make_external(sc.world.city, sc.world.chem, sc.world.users["city"], title=f"事故{n}")
        lesson = make_lesson(accident, sc.world.users["city"], sc.world.city, sc.lesson.version, status="published")
        make_task(lesson, sc.world.e1)
    with django_assert_num_queries(len(one.captured_queries)):
        sections = queues.build(sc.principal)
    assert next(e for s in sections for e in s.entries if e.key == "ent_lesson_tasks").count == 6


def test_the_navigation_offers_the_self_checks_to_enterprises(client, sc):
    """GIVEN e1's principal and an inspector WHEN they open the home page THEN only the principal's navigation links
    /lessons/mine/."""
    client.force_login(sc.principal)
    assert 'href="/lessons/mine/"' in client.get("/").content.decode()
    client.force_login(sc.world.users["inspector"])
    assert 'href="/lessons/mine/"' not in client.get("/").content.decode()


def test_a_withdrawn_lessons_task_leaves_the_to_do_list_and_the_queue(client, sc):
    """GIVEN e1's task open WHEN the lesson is withdrawn THEN it is no longer to do on /lessons/mine/ nor in the
    queue; it is listed below as withdrawn."""
    sc.lesson.status = "withdrawn"
    sc.lesson.save(update_fields=["status"])
    assert not [e for s in queues.build(sc.principal) for e in s.entries if e.key == "ent_lesson_tasks"]
    client.force_login(sc.principal)
    page = client.get("/lessons/mine/").content.decode()
    to_do, below = page.split('id="to-do"')[1].split('id="done"')
    assert sc.lesson.title not in to_do and sc.lesson.title in below and "已撤回" in below
