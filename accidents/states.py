"""A comparison self-check task's state, computed from its times and its lesson's deadline (never stored), and the
Q that selects the tasks in a state: the completion board's counts and the lists filtered by state use the same
definitions, so a count and its list are equal."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from .choices import TaskState


def state_q(state: str, now: datetime, deadline: str = "lesson__deadline") -> Q:
    """Tasks in `state` at `now`: done (completed), overdue (not done, the deadline passed), in progress (started,
    not done, not overdue), pending (not started, not overdue). `deadline` is the lookup of the lesson's deadline."""
    done = Q(completed_at__isnull=False)
    late = Q(**{f"{deadline}__lte": now})
    if state == TaskState.DONE:
        return done
    if state == TaskState.OVERDUE:
        return ~done & late
    started = Q(inspection__isnull=False)
    if state == TaskState.IN_PROGRESS:
        return ~done & ~late & started
    if state == TaskState.PENDING:
        return ~done & ~late & ~started
    raise ValueError(state)


def state_of(completed_at: datetime | None, started: bool, deadline: datetime, now: datetime) -> str:
    if completed_at is not None:
        return TaskState.DONE
    if deadline <= now:
        return TaskState.OVERDUE
    return TaskState.IN_PROGRESS if started else TaskState.PENDING
