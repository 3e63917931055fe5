from __future__ import annotations

from celery import shared_task

from . import checks


@shared_task(acks_late=True, ignore_result=True)
def daily_checks() -> dict[str, int] | None:
    """Beat: the day's risk check tasks and the missed ones, once a day (risks/checks.py run_once_a_day)."""
    return checks.run_once_a_day()
