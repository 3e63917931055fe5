"""The benchmark scenarios; each returns entries for bench/results.json. Later issues add theirs here."""

from __future__ import annotations

import time

from django.core.management import call_command
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from organizations.models import Enterprise, Region, User

ENTERPRISE_SQL = """
SELECT e.*, r.id, r.code, r.name, r.level, r.parent_id, r.path, i.id, i.code, i.name, i.parent_id
FROM organizations_enterprise e
JOIN organizations_region r ON r.id = e.region_id
JOIN organizations_industry i ON i.id = e.industry_id
ORDER BY e.id DESC LIMIT %s
"""


def prepare(args, entry) -> list[dict]:
    call_command("migrate", verbosity=0)
    results = []
    bulk = Enterprise.objects.filter(credit_code__startswith="92").count()
    if args.fresh or bulk < args.enterprises:
        start = time.perf_counter()
        call_command("seed_bulk", enterprises=args.enterprises, seed=1, reset=True, verbosity=0)
        seconds = time.perf_counter() - start
        results.append(entry(f"seed_bulk {args.enterprises:,} enterprises", seconds, "s", "< 60", seconds < 60))
    return results


def bench_user() -> User:
    root = Region.objects.get(parent=None)
    user, _ = User.objects.get_or_create(
        username="bench-city", defaults={"unit_kind": "city_office", "region": root, "full_name": "bench"}
    )
    return user


def enterprise_list(args, median, entry) -> list[dict]:
    client = Client()
    client.force_login(bench_user())
    url = "/api/v1/enterprises/?page_size=50"

    def api():
        response = client.get(url)
        assert response.status_code == 200 and len(response.json()["results"]) == 50

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(ENTERPRISE_SQL, [51])
            assert len(cursor.fetchall()) == 51

    api_s, sql_s = median(api, args.repeat), median(raw, args.repeat)
    with CaptureQueriesContext(connection) as ctx:
        api()
    total = Enterprise.objects.count()
    return [
        entry(
            f"enterprise list API, page 50 of {total:,}: time / raw SQL",
            api_s / sql_s,
            "ratio",
            "<= 3",
            api_s / sql_s <= 3,
        ),
        entry("enterprise list API: median time", api_s * 1000, "ms", "info", True),
        entry("enterprise list raw SQL: median time", sql_s * 1000, "ms", "info", True),
        entry("enterprise list API: queries", len(ctx.captured_queries), "queries", "constant", True),
    ]


def run_all(args, median, entry) -> list[dict]:
    results = prepare(args, entry)
    reset_queries()
    results += enterprise_list(args, median, entry)
    return results
