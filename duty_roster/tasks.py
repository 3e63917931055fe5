from __future__ import annotations

from celery import shared_task

from .rota import alert_missed_check_ins


@shared_task(acks_late=True, ignore_result=True)
def missed_check_ins() -> int:
    """Beat, every minute: alert shifts whose leader on duty has not checked in (each once; rows are locked)."""
    return alert_missed_check_ins()
