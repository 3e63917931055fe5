from __future__ import annotations

from celery import shared_task

from .heartbeat import beat


@shared_task(acks_late=True, ignore_result=True)
def heartbeat(token: str = "") -> None:
    """Scheduled by beat every HEARTBEAT_INTERVAL seconds; proves scheduler, broker, worker and database work."""
    beat("scheduler", token)


@shared_task(acks_late=True, ignore_result=True)
def ping(token: str) -> None:
    """A round trip for smoke tests: the caller enqueues a token and waits to see it in the database."""
    beat("ping", token)
