"""Sending one delivery: the Celery task (idempotent, acks_late) and the bookkeeping of its attempts.

Its own module, below the outbox that enqueues it and the tasks module that re-queues it, so that neither imports
the other. The task keeps the name it had in `notifications.tasks`: messages already queued still find it.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Left, Trim
from django.utils import timezone

from . import channels
from .choices import DeliveryState
from .models import Delivery

logger = logging.getLogger("notifications.tasks")


def backoff(attempt: int) -> int:
    """Seconds before the next try: doubling from 10 s, capped at 5 minutes, with jitter."""
    return min(10 * 2 ** max(attempt - 1, 0), 300) + random.randint(0, 5)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None, name="notifications.tasks.deliver")
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
