"""Celery tasks: the sweep (beat, every minute) and the self-check; deliveries are `notifications.delivery`.

The sweep runs what the domains registered (`notifications.sweeps`: the hazards' escalation steps), then passes up
unanswered must-answer notices, in that order, under the task name the beat schedule has always used.
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ops.heartbeat import beat

from . import outbox, sweeps
from .choices import DeliveryState
from .delivery import give_up
from .models import Delivery


@shared_task(acks_late=True, ignore_result=True)
def sweep() -> dict:
    """Recompute what is due from the database and write it; safe to run twice at once (rows are locked)."""
    result = sweeps.run()
    beat("escalation_sweep", data={"steps": result.steps, "notifications": result.notifications})
    return {"steps": result.steps, "notifications": result.notifications, "passed_up": result.passed_up}


@shared_task(acks_late=True, ignore_result=True)
def self_check() -> int:
    """Anything due and not sent for longer than two sweep intervals is queued again, and counted.

    That covers a worker killed mid-send (stuck in 'sending') and a broker that lost its messages (left
    'pending'). Deliveries claim by conditional update, so a spare message sends nothing twice.
    """
    return requeue_stale()


def requeue_stale(now=None) -> int:
    """Queue again what is due and has not been sent for two sweep intervals; return how many.

    1. A delivery left 'sending' that long lost its worker: back to 'pending' and queued again, or failed if
       that was its last attempt.
    2. A 'pending' one that long either lost its message (a broker restarted empty, quiet hours over) or is
       waiting behind a backlog, and the broker cannot say which. While the deliveries' queue holds at least as
       many messages as there are such deliveries, none is known lost, and a copy would only wait behind the
       same backlog: copies made at every check are what turned a slow drain into an ever longer queue. So they
       are queued again only when the queue is shorter than their number.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=2 * settings.ESCALATION_SWEEP_INTERVAL)
    stuck = Delivery.objects.filter(state=DeliveryState.SENDING, claimed_at__lt=stale)
    give_up(stuck, "the last attempt was interrupted (a worker stopped)")
    stuck_ids = list(stuck.values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=stuck_ids, state=DeliveryState.SENDING).update(state=DeliveryState.PENDING)
    give_up(Delivery.objects.filter(state=DeliveryState.PENDING), "no attempt left")
    waiting = Delivery.objects.filter(state=DeliveryState.PENDING, created_at__lt=stale).filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now)
    )
    waiting = set(waiting.filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)).values_list("pk", flat=True))
    queued = queued_messages() if waiting else 0
    ids = sorted((waiting if queued < len(waiting) else set()) | set(stuck_ids))
    outbox.enqueue(ids)
    from ops.models import Heartbeat

    previous = Heartbeat.objects.filter(name="self_check").values_list("data", flat=True).first() or {}
    total = previous.get("requeued_total", 0) + len(ids)
    beat(
        "self_check",
        data={"requeued_last": len(ids), "requeued_total": total, "waiting": len(waiting), "queued": queued},
    )
    return len(ids)


def queued_messages() -> int:
    """How many messages wait in the deliveries' queue; 0 when tasks run eagerly or the broker cannot say (then
    the self-check queues copies: a copy sends nothing twice, a loss would send nothing)."""
    from safety_platform.celery import app

    if app.conf.task_always_eager:
        return 0
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1)
            with connection.channel() as channel:
                return channel.queue_declare(queue=app.conf.task_default_queue, passive=True).message_count
    except Exception:  # no such queue yet (it is empty), or no broker: both mean "queue them"
        return 0
