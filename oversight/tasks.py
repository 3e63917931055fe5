"""Beat tasks of the oversight app."""

from __future__ import annotations

from celery import shared_task

from . import board, enforcement


@shared_task(acks_late=True, ignore_result=True)
def count_signals() -> int:
    """Beat, daily: today's `SignalCount` rows for the board's trend (oversight/board.py `snapshot`; a second run on
    the same day replaces them)."""
    return board.snapshot()


@shared_task(acks_late=True, ignore_result=True)
def sweep_article_113() -> int:
    """Beat, daily: the Art. 113 closure proposals due because a major hazard opened after the penalties
    (oversight/enforcement.py `sweep_article_113`)."""
    return enforcement.sweep_article_113()
