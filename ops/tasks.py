from __future__ import annotations

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from .models import Heartbeat


def beat(name: str, token: str = "", data: dict | None = None) -> None:
    """Record one run of a periodic job; idempotent in effect (the latest run wins)."""
    now = timezone.now()
    values = {"last_at": now, "token": token, **({"data": data} if data is not None else {})}
    updated = Heartbeat.objects.filter(name=name).update(runs=F("runs") + 1, **values)
    if not updated:
        Heartbeat.objects.get_or_create(name=name, defaults={"runs": 1, **values})


@shared_task(acks_late=True, ignore_result=True)
def heartbeat(token: str = "") -> None:
    """Scheduled by beat every HEARTBEAT_INTERVAL seconds; proves scheduler, broker, worker and database work."""
    beat("scheduler", token)


@shared_task(acks_late=True, ignore_result=True)
def ping(token: str) -> None:
    """A round trip for smoke tests: the caller enqueues a token and waits to see it in the database."""
    beat("ping", token)
