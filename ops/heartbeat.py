"""The heartbeat record: every periodic job notes its last run here, and the health check reads it.

A low layer (it imports only `ops.models`), so the apps' tasks and commands can call `beat` without importing
`ops.tasks` or anything above them.
"""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from .models import Heartbeat


def beat(name: str, token: str = "", data: dict | None = None) -> None:
    """Record one run of a periodic job; idempotent in effect (the latest run wins)."""
    now = timezone.now()
    values = {"last_at": now, "token": token, **({"data": data} if data is not None else {})}
    row = Heartbeat.objects.filter(name=name)
    if not row.update(runs=F("runs") + 1, **values):
        _, created = Heartbeat.objects.get_or_create(name=name, defaults={"runs": 1, **values})
        if not created:  # another worker's first run made the row between the two statements: count this one too
            row.update(runs=F("runs") + 1, **values)
