"""Roll calls (查岗): called by the city office, answered with one tap, silence passed up, a report per post."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from notifications import sweeps
from notifications.models import Notification
from organizations.choices import PositionKind, UnitKind

from ..factories import PositionFactory, UserFactory, assign


@pytest.fixture
def posts(world):
    """Duty posts of the two districts, each held by one officer; the 海滨区 post reports to its leader."""
    leader = world.users["district"].assignments.get().position
    d1_post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d1,
                              title="海滨区值班室", superior=leader)  # fmt: skip
    d2_post = PositionFactory(kind=PositionKind.DUTY_OFFICER, unit_kind=UnitKind.GOVERNMENT, region=world.d2,
                              title="新城区值班室")  # fmt: skip
    world.users["duty1"] = UserFactory(username="duty1", unit_kind=UnitKind.GOVERNMENT, region=world.d1)
    world.users["duty2"] = UserFactory(username="duty2", unit_kind=UnitKind.GOVERNMENT, region=world.d2)
    assign(world.users["duty1"], d1_post)
    assign(world.users["duty2"], d2_post)
    return d1_post, d2_post


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_roll_call_answered_late_and_silent(world, posts):
    d1_post, d2_post = posts
    body = {"positions": [d1_post.id, d2_post.id], "message": "国庆值班查岗", "answer_minutes": 5}
    assert api(world.users["district"]).post("/api/v1/roll-calls/", body, format="json").status_code == 403
    assert (
        api(world.users["city"]).post("/api/v1/roll-calls/", {**body, "positions": []}, format="json").status_code
        == 400
    )
    called = api(world.users["city"]).post("/api/v1/roll-calls/", body, format="json")
    assert called.status_code == 201, called.json()
    roll_id = called.json()["id"]
    notice = Notification.objects.get(recipient=world.users["duty1"])
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        assert api(world.users["duty1"]).post(f"/api/v1/notifications/{notice.pk}/acknowledge/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        sweeps.run()
    rows = {r["title"]: r for r in api(world.users["city"]).get(f"/api/v1/roll-calls/{roll_id}/report/").json()}
    assert rows["海滨区值班室"]["answered_by"] == "duty1" and 110 <= rows["海滨区值班室"]["seconds"] <= 130
    assert rows["海滨区值班室"]["late"] is False and rows["海滨区值班室"]["passed_up"] is False
    assert rows["新城区值班室"]["answered_at"] is None and rows["新城区值班室"]["late"] is True
    assert rows["新城区值班室"]["passed_up"] is True  # silence escalates (no superior set: recorded, nobody told)
    assert AuditEvent.objects.filter(action="rollcall.call", actor=world.users["city"]).exists()


def test_silence_goes_to_the_posts_superior(world, posts):
    d1_post, _ = posts
    api(world.users["city"]).post("/api/v1/roll-calls/", {"positions": [d1_post.id], "message": "查岗"}, format="json")
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        sweeps.run()
    assert Notification.objects.filter(recipient=world.users["district"], must_answer=True).exists()


def test_console_and_report_pages(client, world, posts):
    client.force_login(world.users["city"])
    page = client.get("/duty/roll-calls/").content.decode()
    assert "海滨区值班室" in page and "新城区值班室" in page
    called = client.post("/duty/roll-calls/", {"positions": [posts[0].id], "message": "查岗"})
    assert called.status_code == 302
    assert "海滨区值班室" in client.get(called["Location"]).content.decode()
    client.force_login(world.users["district"])
    assert client.get("/duty/roll-calls/").status_code == 403
