"""Beat tasks of the oversight app."""

from __future__ import annotations

from celery import shared_task

from . import board


@shared_task(acks_late=True, ignore_result=True)
def count_signals() -> int:
    """Beat, daily: today's `SignalCount` rows for the board's trend (oversight/board.py `snapshot`; a second run on
    the same day replaces them)."""
    return board.snapshot()
