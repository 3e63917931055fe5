"""The lessons' API: create with items, a bad item as a 400 on items, PATCH a draft, publish, the completion board
equal to the task lists, an enterprise's own task, look-back, withdraw."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accidents.models import LessonTask

from .lessons_fixtures import *  # noqa: F403  (the fixtures)
from .lessons_fixtures import api


def _deadline(days: int = 5) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


def test_the_lesson_through_the_api(world, posts, accident):
    """GIVEN the city office WHEN it creates a lesson with items, changes its title, publishes it, reads the board and
    the lists, looks back and withdraws THEN each answers as documented, counts equal lists, and an enterprise
    reads only its own task."""
    client = api(world.users["city"])
    wrong = {
        "accident": accident.pk,
        "title": "t",
        "lesson": "l",
        "deadline": _deadline(),
        "items": [{"text": "x" * 501}],
    }
    bad = client.post("/api/v1/lessons/", wrong, format="json")
    assert bad.status_code == 400 and "items" in bad.json()
    made = client.post("/api/v1/lessons/", {"accident": accident.pk, "title": "吸取教训", "lesson": "对照检查。",
                                            "deadline": _deadline(), "items": [{"text": "动火作业是否审批",
                                                                                "legal_basis": "GB 30871"}]},
                       format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    assert made.json()["actions"] == ["edit", "publish"]
    changed = client.patch(f"/api/v1/lessons/{pk}/", {"title": "吸取火灾教训"}, format="json")
    assert changed.status_code == 200 and changed.json()["title"] == "吸取火灾教训"
    published = client.post(f"/api/v1/lessons/{pk}/publish/")
    assert published.status_code == 200 and published.json()["tasks_total"] == 4
    assert client.patch(f"/api/v1/lessons/{pk}/", {"title": "x"}, format="json").status_code == 409
    LessonTask.objects.filter(lesson_id=pk, enterprise=world.e1).update(completed_at=timezone.now(), hazards_found=1)
    for by in ("department", "region"):
        board = client.get(f"/api/v1/lessons/{pk}/completion/?by={by}")
        assert board.status_code == 200
        for row in board.json():
            for state in ("done", "in_progress", "pending", "overdue"):
                key = "department" if by == "department" else "region"
                value = row["id"] if row["id"] is not None else "none"
                own = "&own=true" if row["own"] else ""
                listed = client.get(f"/api/v1/lessons/{pk}/tasks/?state={state}&{key}={value}{own}&page_size=100")
                assert len(listed.json()["results"]) == row["counts"][state], (by, row, state)
    assert client.get(f"/api/v1/lessons/{pk}/completion/?by=colour").status_code == 400
    mine = api(world.users["enterprise"]).get(f"/api/v1/lessons/{pk}/tasks/").json()["results"]
    assert [t["enterprise"] for t in mine] == [world.e1.pk] and mine[0]["state"] == "done"
    again = client.post(f"/api/v1/lessons/{pk}/look-back/", {"deadline": _deadline(3)}, format="json")
    assert again.status_code == 201 and again.json()["tasks_total"] == 1 and again.json()["look_back_of"] == pk
    assert client.post(f"/api/v1/lessons/{pk}/withdraw/", {"reason": "重复"}, format="json").status_code == 200
    assert client.post(f"/api/v1/lessons/{pk}/withdraw/").status_code == 409


def test_who_may_create_through_the_api(world, posts, accident):
    """GIVEN an enterprise's principal WHEN it creates a lesson THEN 403; an accident out of sight is a 400."""
    data = {"accident": accident.pk, "title": "t", "lesson": "l", "deadline": _deadline(), "version": None}
    assert api(world.users["enterprise"]).post("/api/v1/lessons/", data, format="json").status_code == 403
    missing = api(world.users["city"]).post("/api/v1/lessons/", {**data, "accident": 999999}, format="json")
    assert missing.status_code == 400 and "accident" in missing.json()
