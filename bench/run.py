#!/usr/bin/env python
"""Benchmarks on PostgreSQL with generated data (`make bench`).

Writes bench/results.json — a list of {"name", "value", "unit", "target", "ok"} — and prints it as a
table. Figures are ratios to the raw SQL that returns the same rows, so they hold on a noisy machine.

Usage: bench/run.py [--enterprises N] [--hazards N] [--inspections N] [--repeat R] [--fresh]
The database is BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/safety_bench); it is
created if missing and the generated data is kept between runs unless --fresh is given.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/safety_bench"


def ensure_database(url: str) -> None:
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def median_seconds(call, repeat: int) -> float:
    call()  # warm up caches and connections
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def entry(name: str, value: float, unit: str, target: str, ok: bool) -> dict:
    return {"name": name, "value": round(value, 3), "unit": unit, "target": target, "ok": bool(ok)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--inspections", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--fresh", action="store_true", help="drop the generated data and generate it again")
    parser.add_argument("--only", help="comma-separated scenario functions to run after preparing (e.g. dashboards)")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safety_platform.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-key-" + "x" * 40)  # needed without DEBUG
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from bench import scenarios

    if args.only:
        names = [name.strip() for name in args.only.split(",")]
        results = [] if set(names) <= scenarios.NO_DATA else scenarios.prepare(args, entry)
        for name in names:
            results += getattr(scenarios, name)(args, median_seconds, entry)
    else:
        results = scenarios.run_all(args, median_seconds, entry)
    out = ROOT / "bench" / "results.json"
    if args.only and out.exists():  # keep the other scenarios' last figures; replace those measured now
        fresh = {r["name"] for r in results}
        results = [r for r in json.loads(out.read_text()) if r["name"] not in fresh] + results
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print_table(results)
    print(f"\nwritten to {out.relative_to(ROOT)}")
    return 0


def print_table(results: list[dict]) -> None:
    width = max(len(r["name"]) for r in results)
    print(f"\n{'benchmark':<{width}}  {'value':>10}  {'unit':<8}  {'target':<10}  ok")
    for r in results:
        print(
            f"{r['name']:<{width}}  {r['value']:>10}  {r['unit']:<8}  {r['target']:<10}  {'yes' if r['ok'] else 'NO'}"
        )


if __name__ == "__main__":
    sys.exit(main())
