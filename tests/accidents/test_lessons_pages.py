"""The lessons' pages: the draft form from an accident, the lesson's page with its board whose links open lists of
the same count, publish from the page, the task list as an enterprise sees it."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from accidents.models import Lesson, LessonTask

from .lessons_fixtures import *  # noqa: F403  (the fixtures)
from .lessons_fixtures import published


def test_drafting_from_the_form_and_publishing_from_the_page(client, world, posts, accident):
    """GIVEN the city office WHEN it posts the form with items written one per line and publishes THEN a draft with
    its own checklist, then four tasks; a form without items nor checklist is a 400 naming the checklist."""
    client.force_login(world.users["city"])
    url = f"/lessons/new/?accident={accident.pk}"
    assert client.get(url).status_code == 200
    deadline = (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    data = {"title": "吸取火灾教训", "lesson": "对照检查动火作业。", "deadline": deadline,
            "items": "动火作业是否审批 | GB 30871\n可燃物是否清理"}  # fmt: skip
    response = client.post(url, data)
    lesson = Lesson.objects.get()
    assert response.status_code == 302 and lesson.version.template.code == f"lesson-{lesson.pk}"
    assert lesson.version.sections.get().items.count() == 2
    bad = client.post(url, {**data, "items": ""})
    assert bad.status_code == 400 and Lesson.objects.count() == 1
    assert client.post(f"/lessons/{lesson.pk}/publish/").status_code == 302
    assert LessonTask.objects.filter(lesson=lesson).count() == 4


def test_every_count_on_the_page_opens_a_list_of_that_many(client, world, posts, accident):
    """GIVEN a published lesson with e1 done WHEN the city office and the 海滨区 government open its page THEN each
    count's link opens the task list showing the same count; the accident is linked."""
    lesson = published(world.users["city"], accident)
    LessonTask.objects.filter(lesson=lesson, enterprise=world.e1).update(completed_at=timezone.now())
    for name in ("city", "district"):
        client.force_login(world.users[name])
        page = client.get(f"/lessons/{lesson.pk}/").content.decode()
        assert f'href="/accidents/{accident.pk}/"' in page
        links = re.findall(r'<a href="(/lessons/\d+/tasks/\?[^"]+)">(\d+)</a>', page)
        assert len(links) >= 8
        for link, count in links:
            listed = client.get(link.replace("&amp;", "&")).content.decode()
            assert re.search(r'<span id="count">(\d+)</span>', listed).group(1) == count, link


def test_an_enterprise_sees_only_its_own_task_and_no_lesson_page(client, world, posts, accident):
    """GIVEN a published lesson WHEN e1's principal opens its task list THEN one row, e1's; the lesson's page and
    the list of lessons are refused (403)."""
    lesson = published(world.users["city"], accident)
    client.force_login(world.users["enterprise"])
    page = client.get(f"/lessons/{lesson.pk}/tasks/").content.decode()
    assert '<span id="count">1</span>' in page and world.e1.name in page and world.e2.name not in page
    assert client.get(f"/lessons/{lesson.pk}/").status_code == 403
    assert client.get("/lessons/").status_code == 403
