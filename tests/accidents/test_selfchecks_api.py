"""/api/v1/lesson-tasks/: the tasks in scope with their filters, start, sample and spot-check
(accidents/selfcheck_api.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accidents.models import LessonTask
from inspections.models import Inspection

from .selfcheck_world import sc_world  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/lesson-tasks/"


def ids(response) -> list[int]:
    return sorted(row["id"] for row in response.json()["results"])


def test_the_list_in_scope_with_its_filters(client, sc, django_assert_max_num_queries):
    """GIVEN tasks for e1 (open) and e2 (done) WHEN the city office, e1's principal and zjj's head list them, with
    filters THEN each sees its scope; state, department, region and lesson filter."""
    e2_task = LessonTask.objects.get(enterprise=sc.world.e2)
    LessonTask.objects.filter(pk=e2_task.pk).update(completed_at=timezone.now())
    client.force_login(sc.world.users["city"])
    with django_assert_max_num_queries(12):
        assert ids(client.get(URL)) == sorted([sc.task.pk, e2_task.pk])
    assert ids(client.get(URL, {"state": "done"})) == [e2_task.pk]
    assert ids(client.get(URL, {"state": "pending"})) == [sc.task.pk]
    assert ids(client.get(URL, {"department": sc.world.d1_yjj.pk})) == [sc.task.pk]
    assert ids(client.get(URL, {"region": sc.world.d2.pk})) == [e2_task.pk]
    assert ids(client.get(URL, {"lesson": sc.lesson.pk + 1000})) == []
    assert client.get(URL, {"state": "nonsense"}).status_code == 400
    row = client.get(f"{URL}{sc.task.pk}/").json()
    assert (row["state"], row["lesson_title"], row["actions"]) == ("pending", sc.lesson.title, [])
    client.force_login(sc.principal)
    assert ids(client.get(URL)) == [sc.task.pk]
    assert client.get(f"{URL}{sc.task.pk}/").json()["actions"] == ["start"]
    client.force_login(sc.world.users["dept_head"])
    assert ids(client.get(URL)) == [e2_task.pk]


def test_start_by_the_api_once(client, sc):
    """GIVEN e1's task WHEN its principal posts start twice THEN the same inspection and its fill form; the district
    leader gets a 403, e2's task a 404, and a withdrawn lesson a 409."""
    client.force_login(sc.principal)
    first = client.post(f"{URL}{sc.task.pk}/start/")
    again = client.post(f"{URL}{sc.task.pk}/start/")
    assert first.status_code == 200 and first.json() == again.json()
    inspection = Inspection.objects.get()
    assert first.json() == {"inspection": inspection.pk, "fill": f"/inspections/{inspection.pk}/fill/1/"}
    other = LessonTask.objects.get(enterprise=sc.world.e2)
    assert client.post(f"{URL}{other.pk}/start/").status_code == 404
    client.force_login(sc.world.users["district"])
    assert client.post(f"{URL}{sc.task.pk}/start/").status_code == 403
    sc.lesson.status = "withdrawn"
    sc.lesson.save(update_fields=["status"])
    client.force_login(sc.principal)
    response = client.post(f"{URL}{sc.task.pk}/start/")
    assert response.status_code == 409 and "已撤回" in str(response.json())


def test_sample_and_spot_check_by_the_api(client, sc):
    """GIVEN both tasks done WHEN the city office samples 100 % THEN 2 chosen (201); a hollow spot check without a
    note is a 400, with one it is recorded, again a 409; a bad percent or a lesson out of range is a 400."""
    LessonTask.objects.update(completed_at=timezone.now() - timedelta(hours=1))
    client.force_login(sc.world.users["city"])
    response = client.post(f"{URL}sample/", {"lesson": sc.lesson.pk, "percent": 100}, content_type="application/json")
    assert response.status_code == 201 and response.json() == {"lesson": sc.lesson.pk, "chosen": 2}
    assert client.post(f"{URL}sample/", {"lesson": sc.lesson.pk, "percent": 0},
                       content_type="application/json").status_code == 400  # fmt: skip
    assert client.post(f"{URL}sample/", {"lesson": sc.lesson.pk + 1000},
                       content_type="application/json").status_code == 404  # fmt: skip
    url = f"{URL}{sc.task.pk}/spot-check/"
    bad = client.post(url, {"hollow": True}, content_type="application/json")
    assert bad.status_code == 400 and "note" in bad.json()
    done = client.post(url, {"hollow": True, "note": "漏查"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["hollow"] is True and done.json()["spot_note"] == "漏查"
    assert client.post(url, {"hollow": False}, content_type="application/json").status_code == 409
    client.force_login(sc.principal)
    assert client.post(f"{URL}sample/", {"lesson": sc.lesson.pk}, content_type="application/json").status_code == 403
