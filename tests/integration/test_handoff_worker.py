"""The hand-off notices of a hazard's whole loop delivered by a real Celery worker to a local gateway, once each."""

from __future__ import annotations

import pytest

from hazards import workflow
from notifications.models import Delivery, Notification, NotificationPreference

from ..conftest import need
from ..hazards.conftest import FULL_PLAN, filing, hz, later  # noqa: F401 (the hazard world)
from ..notifications.receiver import Receiver
from ..processes import celery, child_env, running, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SECRET = "handoff-secret"


def test_every_hand_off_reaches_the_gateway_once_and_a_muted_kind_never(hz, settings, tmp_path):  # noqa: F811
    """GIVEN a worker and the gateway WHEN a hazard goes filed → confirmed → plan → rectified → rejected →
    rectified → closed THEN every hand-off notice's gateway message arrives exactly once, signed, naming its
    recipient and linking the hazard; the enterprise muted rejections, so that one is in its inbox only."""
    need("postgresql", "redis")
    users = hz.users
    NotificationPreference.objects.create(user=users["manager"], muted_kinds=["hz_rejected"])
    with Receiver(SECRET) as receiver:
        settings.NOTIFY_WEBHOOK_URL, settings.NOTIFY_WEBHOOK_SECRET = receiver.url, SECRET
        env = child_env(tmp_path, NOTIFY_WEBHOOK_URL=receiver.url, NOTIFY_WEBHOOK_SECRET=SECRET)
        with running("worker", celery("worker", "-l", "info", "-c", "1"), env, tmp_path):
            hazard, _ = workflow.file_hazard(users["inspector"], filing(hz))
            workflow.confirm(users["county_dept"], hazard, later(20))
            workflow.submit_plan(users["enterprise"], hazard, {**FULL_PLAN, "deadline": later(15)})
            workflow.submit_rectification(users["enterprise"], hazard, "已更换")
            workflow.reject(users["county_dept"], hazard, "型号不符")
            workflow.submit_rectification(users["enterprise"], hazard, "已再次更换")
            workflow.accept(users["county_dept"], hazard)
            webhooks = Delivery.objects.filter(channel="webhook", notification__hazard=hazard)
            expected = {str(pk) for pk in webhooks.values_list("pk", flat=True)}
            wait_for(lambda: set(receiver.received) >= expected, 90, "the worker to send every hand-off")
            wait_for(lambda: not webhooks.exclude(state="sent").exists(), 30, "the worker to record them sent")
    notices = Notification.objects.filter(hazard=hazard)
    by_kind = {}
    for notice in notices.select_related("recipient"):
        by_kind.setdefault(notice.kind, set()).add(notice.recipient.username)
    assert by_kind == {
        "hz_filed": {"county_dept", "county_head"},
        "hz_confirmed": {"enterprise"},
        "hz_plan": {"county_dept", "county_head"},
        "hz_rectified": {"county_dept", "county_head"},  # twice over: once per submission, by different keys
        "hz_rejected": {"enterprise", "manager"},
        "hz_closed": {"inspector"},
    }
    assert notices.filter(kind="hz_rectified").count() == 4
    assert receiver.bad_signatures == 0 and set(receiver.received.values()) == {1}
    assert len(receiver.received) == notices.count() - 1  # all but the muted one
    muted = notices.get(kind="hz_rejected", recipient=users["manager"])
    assert not muted.deliveries.exists()
    for body in receiver.bodies:
        assert body["link"].endswith(f"/hazards/{hazard.pk}/") and hazard.code in body["title"]
        assert not body["must_answer"]
    titles = {(b["recipient"]["username"], b["title"].split("】")[0] + "】") for b in receiver.bodies}
    assert {("inspector", "【已销号】"), ("enterprise", "【整改被驳回】"), ("enterprise", "【待整改】")} <= titles
    assert ("manager", "【整改被驳回】") not in titles
