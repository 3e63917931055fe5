"""The illegal operations' section of an enterprise's supervision page: its latest records and a link to record
one (registered from `OversightConfig.ready()`)."""

from __future__ import annotations

from . import illegal
from .models import IllegalOperation

SHOWN = 5


def context(user, enterprise) -> dict:
    """The enterprise's latest records in the user's scope (one query for the page, one to count when there are
    more)."""
    rows = list(IllegalOperation.objects.visible_to(user).filter(enterprise=enterprise)[: SHOWN + 1])
    more = len(rows) > SHOWN
    count = IllegalOperation.objects.visible_to(user).filter(enterprise=enterprise).count() if more else len(rows)
    return {
        "enterprise": enterprise,
        "rows": rows[:SHOWN],
        "more": more,
        "count": count,
        "may_record": illegal.may_record(user),
    }
