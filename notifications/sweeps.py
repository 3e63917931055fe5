"""The periodic sweep (`notifications.tasks.sweep`, every minute): first what the domains registered, then the pass-up.

A domain with deadlines of its own (the hazards' escalation steps) registers a sweeper from its
`AppConfig.ready()`: `register(fn)`, where `fn(now, batch_size, dry_run, result)` writes what is due through an
`Outbox` and counts it in the shared `SweepResult`. Sweepers run in the order they were registered, each in its
own bounded, locked batches; unanswered must-answer notices (theirs included) are passed up after them all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from .answers import pass_up
from .outbox import SweepResult

Sweeper = Callable[[datetime, int, bool, SweepResult], None]

_sweepers: list[Sweeper] = []


def register(sweeper: Sweeper) -> None:
    """Called from a domain app's `AppConfig.ready()`; registering the same function twice changes nothing."""
    if sweeper not in _sweepers:
        _sweepers.append(sweeper)


def run(now: datetime | None = None, batch_size: int | None = None, dry_run: bool = False) -> SweepResult:
    """Send every due step and pass up every unanswered must-answer notice, in bounded batches."""
    now = now or timezone.now()
    batch_size = batch_size or settings.ESCALATION_BATCH_SIZE
    result = SweepResult()
    for sweeper in _sweepers:
        sweeper(now, batch_size, dry_run, result)
    pass_up(now, batch_size, result, dry_run)
    return result
