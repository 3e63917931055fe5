"""Celery tasks: the sweep (beat, every minute), deliveries (idempotent, acks_late) and the self-check."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Left, Trim
from django.utils import timezone

from ops.heartbeat import beat

from . import channels, escalation
from .choices import DeliveryState
from .models import Delivery

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def sweep() -> dict:
    """Recompute what is due from the database and write it; safe to run twice at once (rows are locked)."""
    result = escalation.sweep()
    beat("escalation_sweep", data={"steps": result.steps, "notifications": result.notifications})
    return {"steps": result.steps, "notifications": result.notifications, "passed_up": result.passed_up}


def backoff(attempt: int) -> int:
    """Seconds before the next try: doubling from 10 s, capped at 5 minutes, with jitter."""
    return min(10 * 2 ** max(attempt - 1, 0), 300) + random.randint(0, 5)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def deliver(self, delivery_id: int) -> str:
    """Claim the delivery with a conditional update (only one worker wins), send it, record the outcome.

    1. The claim counts the attempt before anything is sent, and claims only below `DELIVERY_MAX_ATTEMPTS`:
       a worker killed mid-send, or any error at all, can never take a delivery past the limit.
    2. A transient error puts it back to `pending` and retries with backoff; a permanent one (and any error
       nobody named: retrying would meet it again) marks it `failed` at once, with the reason.
    A delivery already sent, or claimed by someone else, is left alone: running this twice sends once.
    """
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(
            pk=delivery_id, state=DeliveryState.PENDING, attempts__lt=settings.DELIVERY_MAX_ATTEMPTS
        )
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .update(state=DeliveryState.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        pending = Delivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING)
        return "failed" if give_up(pending, "no attempt left") else "skipped"
    delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    try:
        channels.send(delivery)
    except channels.TransientError as exc:
        if delivery.attempts >= settings.DELIVERY_MAX_ATTEMPTS:
            _finish(delivery_id, DeliveryState.FAILED, str(exc))
            return "failed"
        countdown = backoff(delivery.attempts)
        # Not before the backoff is over: neither a copy of the message nor the self-check may cut it short.
        _finish(delivery_id, DeliveryState.PENDING, str(exc), not_before=now + timedelta(seconds=countdown))
        raise self.retry(countdown=countdown, exc=exc) from exc
    except channels.PermanentError as exc:
        logger.warning("delivery %s failed for good: %s", delivery_id, exc)
        _finish(delivery_id, DeliveryState.FAILED, str(exc))
        return "failed"
    except Exception as exc:  # a defect, not the network: never leave the row in 'sending' to be sent again
        logger.exception("delivery %s failed with an unexpected error", delivery_id)
        _finish(delivery_id, DeliveryState.FAILED, f"{type(exc).__name__}: {exc}")
        return "failed"
    _finish(delivery_id, DeliveryState.SENT, "")
    return "sent"


def _finish(delivery_id: int, state: str, error: str, **more) -> None:
    values = {"state": state, "last_error": error[:500], **more}
    if state == DeliveryState.SENT:
        values["sent_at"] = timezone.now()
    Delivery.objects.filter(pk=delivery_id, state=DeliveryState.SENDING).update(**values)


def give_up(deliveries, why: str) -> int:
    """Mark failed those of `deliveries` that have used all their attempts: `why` leads `last_error`, followed by
    the error of the attempt before, if any."""
    limit = settings.DELIVERY_MAX_ATTEMPTS
    reason = Value(f"{why} (the limit is {limit} attempts). ")
    return deliveries.filter(attempts__gte=limit).update(
        state=DeliveryState.FAILED, last_error=Trim(Left(Concat(reason, F("last_error")), 500))
    )


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
    escalation.enqueue(ids)
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
