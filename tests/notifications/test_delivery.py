"""Channels: the signed webhook against a local server, e-mail in Chinese, retries, quiet hours, self-check."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import time_machine
from celery.exceptions import Retry
from django.core import mail
from django.utils import timezone

from hazards import workflow
from notifications import outbox, sweeps
from notifications.channels import TransientError
from notifications.delivery import deliver
from notifications.models import Delivery, Notification, NotificationPreference
from notifications.tasks import requeue_stale
from safety_platform.celery import app

from ..conftest import need
from ..hazards.conftest import filing
from .conftest import SHANGHAI
from .receiver import Receiver
from .test_escalation import confirmed, forget_handoffs

SECRET = "test-secret"


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def gateway(settings, esc):
    for name in ("enterprise", "county_head"):
        esc.users[name].email = f"{name}@example.gov.cn"
        esc.users[name].save()
    with Receiver(SECRET) as receiver:
        settings.NOTIFY_WEBHOOK_URL = receiver.url
        settings.NOTIFY_WEBHOOK_SECRET = SECRET
        yield receiver


def due_notices(esc, must_answer_step: bool = True):
    deadline = timezone.now() + timedelta(days=2)
    hazard = confirmed(esc, deadline)
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        sweeps.run()
    return hazard


def test_webhook_is_signed_sent_once_and_email_is_chinese(esc, gateway):
    hazard = due_notices(esc)
    deliveries = Delivery.objects.filter(notification__hazard=hazard)
    assert {d.channel for d in deliveries} == {"email", "webhook"}
    for delivery in deliveries:
        assert deliver.run(delivery.pk) == "sent"
        assert deliver.run(delivery.pk) == "skipped"  # a second message for it sends nothing
    webhooks = deliveries.filter(channel="webhook")
    assert gateway.received == {str(d.pk): 1 for d in webhooks}
    assert gateway.bad_signatures == 0
    body = next(b for b in gateway.bodies if b["must_answer"])
    assert hazard.code in body["title"] and body["answer_due_at"] and body["recipient"]["username"]
    subjects = [m.subject for m in mail.outbox]
    assert len(mail.outbox) == deliveries.filter(channel="email").count()
    answer = next(m for m in mail.outbox if "整改期限已到" in m.subject)
    assert "/notifications/" in answer.body and hazard.code in answer.body, subjects


def test_transient_errors_retry_with_backoff_then_send(esc, gateway):
    """A 5xx is retried after a backoff that a copy of the message cannot cut short; then it is sent once."""
    gateway.script = [503, 500]
    due_notices(esc)
    delivery = Delivery.objects.filter(channel="webhook").first()
    when = timezone.now()
    for _ in range(2):
        with time_machine.travel(when, tick=False):
            with pytest.raises((Retry, TransientError)):  # called directly, Celery re-raises instead of queueing
                deliver.run(delivery.pk)
            assert deliver.run(delivery.pk) == "skipped"
        delivery.refresh_from_db()
        assert delivery.state == "pending" and "HTTP 5" in delivery.last_error
        assert delivery.not_before >= delivery.claimed_at + timedelta(seconds=10)
        when = delivery.not_before
    with time_machine.travel(when, tick=False):
        assert deliver.run(delivery.pk) == "sent"
    delivery.refresh_from_db()
    assert delivery.attempts == 3 and delivery.state == "sent" and gateway.received == {str(delivery.pk): 1}


def test_permanent_errors_do_not_retry(esc, gateway):
    gateway.script = [400]
    due_notices(esc)
    delivery = Delivery.objects.filter(channel="webhook").first()
    assert deliver.run(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.state == "failed" and delivery.attempts == 1


def test_retries_are_capped(esc, gateway, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    gateway.script = [503, 503, 503]
    due_notices(esc)
    delivery = Delivery.objects.filter(channel="webhook").first()
    with pytest.raises((Retry, TransientError)):
        deliver.run(delivery.pk)
    with time_machine.travel(Delivery.objects.get(pk=delivery.pk).not_before, tick=False):
        assert deliver.run(delivery.pk) == "failed"


def test_unreachable_gateway_is_transient(esc, settings):
    settings.NOTIFY_WEBHOOK_URL = "http://127.0.0.1:9/nothing-listens-here"
    due_notices(esc)
    delivery = Delivery.objects.get(channel="webhook", notification__recipient=esc.users["county_head"])
    with pytest.raises((Retry, TransientError)):
        deliver.run(delivery.pk)


def test_quiet_hours_defer_reminders_but_not_must_answer(esc, gateway):
    NotificationPreference.objects.create(user=esc.users["enterprise"], quiet_from=time(22), quiet_until=time(7))
    deadline = datetime.combine(timezone.localdate() + timedelta(days=10), time(23, 30), tzinfo=SHANGHAI)
    hazard = confirmed(esc, deadline)
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        sweeps.run()
    must = Delivery.objects.get(
        channel="webhook",
        notification__hazard=hazard,
        notification__recipient=esc.users["enterprise"],
        notification__must_answer=True,
    )
    assert must.notification.must_answer and must.not_before is None
    reminder = Notification.objects.create(
        key="test:reminder", recipient=esc.users["enterprise"], title="提醒", body="b", created_at=deadline
    )
    later = outbox.plan_deliveries([reminder], deadline)
    assert later and all(
        d.not_before == datetime.combine(deadline.date() + timedelta(days=1), time(7), tzinfo=SHANGHAI) for d in later
    )


def test_self_check_requeues_stuck_and_lost_deliveries(esc, gateway, eager):
    due_notices(esc)
    stuck, lost = Delivery.objects.filter(channel="webhook")[:2]
    long_ago = timezone.now() - timedelta(minutes=10)
    Delivery.objects.filter(pk=stuck.pk).update(state="sending", claimed_at=long_ago, created_at=long_ago)
    Delivery.objects.filter(pk=lost.pk).update(created_at=long_ago)  # its message was never delivered
    fresh = Delivery.objects.exclude(pk__in=[stuck.pk, lost.pk]).first()
    assert requeue_stale() == 2
    assert Delivery.objects.get(pk=stuck.pk).state == "sent" and Delivery.objects.get(pk=lost.pk).state == "sent"
    assert Delivery.objects.get(pk=fresh.pk).state == "pending"  # too young to be called lost
    from ops.models import Heartbeat

    assert Heartbeat.objects.get(name="self_check").data["requeued_total"] == 2


def test_people_choose_their_channels(esc, gateway, client):
    client.force_login(esc.users["county_head"])
    url = "/notifications/settings/"
    assert client.post(url, {"email": "on", "quiet_from": "22:00"}).status_code == 400  # one end only
    assert client.post(url, {"email": "on"}).status_code == 302  # webhook unticked
    hazard = due_notices(esc)
    channels = set(
        Delivery.objects.filter(
            notification__hazard=hazard, notification__recipient=esc.users["county_head"]
        ).values_list("channel", flat=True)
    )
    assert channels == {"email"}
    assert client.get("/notifications/").status_code == 200


TITLE_LENGTH = Notification._meta.get_field("title").max_length
HEADER_BREAKING = "灭火器\r\n过期\x0bBcc: victim@example.com\x1f\u2028" + "长" * 150


def test_header_breaking_text_in_a_hazard_never_stops_delivery(esc, gateway):
    """GIVEN a hazard whose title and place hold CR, LF, other control characters and 150 more characters
    WHEN its due notices are delivered THEN every e-mail and webhook is sent, each subject one capped line."""
    hazard = confirmed_with(esc, title=HEADER_BREAKING, place="一号\n仓库")
    deliveries = Delivery.objects.filter(notification__hazard=hazard)
    assert deliveries.filter(channel="email").exists()
    assert [deliver.run(d.pk) for d in deliveries] == ["sent"] * deliveries.count()
    assert not deliveries.exclude(state="sent").exists()
    for message in mail.outbox:
        assert hazard.code in message.subject and len(message.subject) <= TITLE_LENGTH
        assert not any(c in message.subject for c in "\r\n\x0b\x1f\u2028"), repr(message.subject)
        assert message.bcc == [] and "Bcc" not in message.message()
    assert len(mail.outbox) == deliveries.filter(channel="email").count()
    assert all("\n" not in n.title for n in Notification.objects.filter(hazard=hazard))


def test_every_notice_title_is_one_capped_line(esc):
    """Titles from every source (escalation steps, passed-up notices, notify()) are single-line and capped."""
    hazard = confirmed_with(esc, title=HEADER_BREAKING)
    users = [(esc.users["county_head"], None)]
    outbox.notify(users, "test:title", "回执\r\n" + "很长" * 200, "b")
    for title in Notification.objects.values_list("title", flat=True):
        assert title == " ".join(title.split()) and len(title) <= TITLE_LENGTH, repr(title)
    assert Notification.objects.filter(hazard=hazard).exists()


def test_an_unsendable_address_fails_at_once_with_the_reason(esc, gateway):
    """GIVEN a recipient whose stored e-mail address carries a newline (header injection) WHEN the e-mail is
    delivered THEN it is marked failed at once, after one attempt, with the reason; nothing is retried."""
    due_notices(esc)
    email = Delivery.objects.filter(channel="email", notification__recipient=esc.users["county_head"]).first()
    type(esc.users["county_head"]).objects.filter(pk=esc.users["county_head"].pk).update(
        email="county_head@example.gov.cn\nBcc: victim@example.com"
    )
    assert deliver.run(email.pk) == "failed"
    email.refresh_from_db()
    assert email.state == "failed" and email.attempts == 1
    assert "newline" in email.last_error.lower() or "invalid" in email.last_error.lower(), email.last_error
    assert deliver.run(email.pk) == "skipped"
    assert mail.outbox == []


def test_the_attempt_limit_holds_when_a_worker_dies_on_the_last_attempt(esc, gateway, eager, settings):
    """GIVEN a delivery left in 'sending' by a killed worker on its last allowed attempt, and a pending one with
    no attempt left (the limit was lowered) WHEN the self-check runs, or the task THEN both are marked failed
    with the reason and neither is sent again."""
    due_notices(esc)
    last, other = Delivery.objects.filter(channel="webhook")[:2]
    long_ago = timezone.now() - timedelta(minutes=10)
    limit = settings.DELIVERY_MAX_ATTEMPTS
    Delivery.objects.filter(pk=last.pk).update(
        state="sending", claimed_at=long_ago, created_at=long_ago, attempts=limit
    )
    Delivery.objects.filter(pk=other.pk).update(attempts=limit)
    assert deliver.run(other.pk) == "failed"
    requeue_stale()
    for delivery in (last, other):
        delivery.refresh_from_db()
        assert delivery.state == "failed" and delivery.attempts == limit, (delivery.state, delivery.attempts)
    assert "interrupted" in last.last_error and "no attempt left" in other.last_error
    assert gateway.received == {}


def test_an_unexpected_error_fails_the_delivery_with_its_reason(esc, gateway, settings):
    """GIVEN a misconfiguration nobody classified (no webhook secret at all) WHEN a delivery is sent THEN it is
    marked failed with the error's name after one attempt, never left 'sending' for the self-check to retry."""
    due_notices(esc)
    settings.NOTIFY_WEBHOOK_SECRET = None
    delivery = Delivery.objects.filter(channel="webhook").first()
    assert deliver.run(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.state == "failed" and delivery.attempts == 1 and "AttributeError" in delivery.last_error


def confirmed_with(esc, **filing_values):
    """A hazard filed with these values, confirmed, and swept at its deadline."""
    deadline = timezone.now() + timedelta(days=2)
    hazard, _ = workflow.file_hazard(esc.users["inspector"], filing(esc, **filing_values))
    hazard = workflow.confirm(esc.users["county_dept"], hazard, deadline)
    forget_handoffs(hazard)
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        sweeps.run()
    return hazard


@pytest.fixture
def broker(settings):
    """The real Redis broker (tasks are not eager here), its deliveries' queue emptied before and after."""
    need("redis")
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(app.conf.task_default_queue)
    yield client
    client.delete(app.conf.task_default_queue)


def test_self_check_makes_no_copies_while_the_queue_holds_them(esc, gateway, broker):
    """GIVEN deliveries pending for longer than two intervals WHEN the self-check runs three times THEN it queues
    them once (their messages were lost), not again while those messages still wait in the queue; and once the
    broker has lost them again (restarted empty) it queues them again."""
    queue = app.conf.task_default_queue
    due_notices(esc)
    pending = Delivery.objects.filter(state="pending")
    pending.update(created_at=timezone.now() - timedelta(minutes=10))
    count = pending.count()
    assert count >= 4
    assert [requeue_stale(), requeue_stale(), requeue_stale()] == [count, 0, 0]
    assert broker.llen(queue) == count
    broker.delete(queue)  # the broker lost them
    assert requeue_stale() == count and broker.llen(queue) == count
