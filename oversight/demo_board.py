"""The board's trend for the demo city: today's signal counts (`board.snapshot`) and, for the seven weeks before,
plausible earlier counts on each week's last day (a little higher the further back, as the signals are worked off).
Idempotent: a day that already has counts is left alone."""

from __future__ import annotations

from django.utils import timezone

from . import board
from .models import SignalCount


def load_demo_board() -> dict[str, int]:
    today = timezone.localdate()
    written = 0
    if not SignalCount.objects.filter(day=today).exists():
        written += board.snapshot(today)
    rows = list(SignalCount.objects.filter(day=today))
    for weeks_back in range(1, board.TREND_WEEKS):
        day = board.week_ends(today)[-1 - weeks_back]
        if SignalCount.objects.filter(day=day).exists():
            continue
        earlier = [
            SignalCount(
                day=day,
                signal=r.signal,
                region_id=r.region_id,
                region_path=r.region_path,
                department_id=r.department_id,
                count=r.count + (weeks_back * (1 + (r.pk + weeks_back) % 3)) // 2,
            )  # fmt: skip
            for r in rows
        ]
        written += len(SignalCount.objects.bulk_create(earlier))
    return {"signal counts": written}
