#!/usr/bin/env python
"""The same figures at two sizes of the city (issue #22: 10,000,000 hazards against 1,000,000).

    bench/scale.py SMALL.json LARGE.json

SMALL and LARGE are `bench/results.json` files written by `bench/run.py --only hazard_lists,dashboards,
campaign_coverage,ledger_exports,escalation_sweep`, one on each database (BENCH_DATABASE_URL). For every figure of
SCALED below that both hold, it adds "at scale: NAME, large / small" (target <= 1.5) to bench/results.json, beside
the large run's own figures renamed "at scale: NAME", and prints them. A time is compared as a time, a ratio as a
ratio: both are given, and the note in docs/benchmarks.md says which one answers which question.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "at scale: "
TARGET = 1.5
# The figures the issue names: the list (first, filtered, deep page), the dashboard, campaign coverage, the
# ledger export's first byte, the escalation sweep's time per item.
SCALED = (
    "hazard list API, first page: median",
    "hazard list API, three filters (status, level, district): median",
    "hazard list API, deep page (middle id): median",
    "hazard list API, first page: (median - floor) / raw SQL",
    "hazard list API, three filters (status, level, district): (median - floor) / raw SQL",
    "hazard list API, deep page (middle id): (median - floor) / raw SQL",
    "hazard list page (HTML), first page: median",
    "dashboard (city office): median",
    "dashboard (department): median",
    "dashboard (territorial leader): median",
    "dashboard (city office): time / grouped SQL",
    "campaign coverage: median",
    "campaign coverage: time / the grouped SQL",
    "csv export: time to first byte",
    "xlsx export: time to first byte",
    "escalation sweep, 100,000 due: items per second",
)
# Figures where more is better: compared as their inverse (items per second -> time per item).
INVERSE = {"escalation sweep, 100,000 due: items per second"}


def by_name(path: str) -> dict[str, dict]:
    rows = {}
    for row in json.loads(Path(path).read_text()):
        name = row["name"]
        for wanted in SCALED:  # some names carry a count ("median (391.0 ms grouped SQL)", "(1,000,000 rows)")
            head, tail = wanted.split(": ", 1)
            own_tail = name.split(": ", 1)[-1]
            if name.startswith(head) and (own_tail == tail or own_tail.startswith(tail + " (")):
                rows[wanted] = row
    return rows


def main() -> int:
    small, large = by_name(sys.argv[1]), by_name(sys.argv[2])
    entries = []
    for name in SCALED:
        if name not in small or name not in large:
            print(f"missing in one run: {name}")
            continue
        a, b = small[name]["value"], large[name]["value"]
        ratio = (a / b if name in INVERSE else b / a) if a and b else float("inf")
        entries.append({**large[name], "name": PREFIX + name})
        entries.append(
            {
                "name": f"{PREFIX}{name}, " + ("small / large (time per item)" if name in INVERSE else "large / small"),
                "value": round(ratio, 3),
                "unit": "ratio",
                "target": f"<= {TARGET:g}",
                "ok": ratio <= TARGET,
            }
        )
    out = ROOT / "bench" / "results.json"
    kept = [r for r in json.loads(out.read_text()) if not r["name"].startswith(PREFIX)] if out.exists() else []
    out.write_text(json.dumps(kept + entries, ensure_ascii=False, indent=2) + "\n")
    width = max(len(e["name"]) for e in entries) if entries else 10
    for e in entries:
        print(f"{e['name']:<{width}}  {e['value']:>10}  {e['unit']:<8}  {e['target']:<8}  {'yes' if e['ok'] else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
