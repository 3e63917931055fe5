"""Run in a fresh process by the export benchmark: stream N ledger rows as xlsx or csv and print the time to the
first byte, rows per second and the process's peak memory (ru_maxrss), as JSON."""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(fmt: str, rows: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safety_platform.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-key-" + "x" * 40)  # needed without DEBUG
    import django

    django.setup()
    from django.utils import translation

    from dashboards import exports
    from hazards.models import Hazard
    from organizations.choices import UnitKind
    from organizations.models import User

    user, _ = User.objects.get_or_create(username="bench-city", defaults={"unit_kind": UnitKind.CITY_OFFICE})
    translation.activate("zh-hans")
    queryset = Hazard.objects.visible_to(user)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    first = first_row = None
    size = 0

    def timed(rows):
        nonlocal first_row
        for row in rows:
            if first_row is None:
                first_row = time.perf_counter() - start
            yield row

    for chunk in exports.STREAMS[fmt](timed(exports.ledger_rows(queryset, limit=rows))):
        if first is None and chunk:
            first = time.perf_counter() - start
        size += len(chunk)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {"ttfb": first, "first_row": first_row, "seconds": seconds, "rows": rows, "bytes": size}
    print(json.dumps({**figures, "peak_kb": peak, "baseline_kb": baseline}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
