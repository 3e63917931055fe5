"""The benchmark scenarios; each returns entries for bench/results.json. Later issues add theirs here."""

from __future__ import annotations

import time

from django.core.management import call_command
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from organizations.models import Department, Enterprise, Region, User


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


def bench_user(username: str, **unit) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"full_name": username, **unit})
    return user


def raw_sql_of(queryset) -> tuple[str, tuple]:
    """The SQL the ORM sends for the page, to run bare through the database cursor."""
    return queryset.query.sql_with_params()


def list_scenario(label: str, user: User, url: str, queryset, args, median, entry) -> list[dict]:
    """The API's median time against the raw SQL returning the same rows, and its query count."""
    client = Client()
    client.force_login(user)
    sql, params = raw_sql_of(queryset)

    def api():
        response = client.get(url)
        assert response.status_code == 200 and len(response.json()["results"]) == 50

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            assert len(cursor.fetchall()) == 51

    api_s, sql_s = median(api, args.repeat), median(raw, args.repeat)
    with CaptureQueriesContext(connection) as ctx:
        api()
    ratio = api_s / sql_s
    return [
        entry(f"{label}: time / raw SQL", ratio, "ratio", "<= 3", ratio <= 3),
        entry(f"{label}: median time (raw SQL {sql_s * 1000:.2f} ms)", api_s * 1000, "ms", "info", True),
        entry(f"{label}: queries", len(ctx.captured_queries), "queries", "constant", True),
    ]


def enterprise_lists(args, median, entry) -> list[dict]:
    root = Region.objects.get(parent=None)
    city = bench_user("bench-city", unit_kind="city_office", region=root)
    department = Department.objects.filter(region__parent=root).order_by("code").first()
    county = bench_user("bench-county-dept", unit_kind="department", department=department)
    base = Enterprise.objects.select_related("region", "industry").order_by("-id")
    total = Enterprise.objects.count()
    results = list_scenario(
        f"enterprise list API, city, page 50 of {total:,}",
        city,
        "/api/v1/enterprises/?page_size=50",
        base.visible_to(city)[:51],
        args,
        median,
        entry,
    )
    results += list_scenario(
        f"enterprise list API, {department.name} scope, page 50",
        county,
        "/api/v1/enterprises/?page_size=50",
        base.visible_to(county)[:51],
        args,
        median,
        entry,
    )
    # The fixed cost of any authenticated API request (session, user, middleware, rendering): the floor.
    client = Client()
    client.force_login(city)
    floor = median(lambda: client.get("/api/v1/industries/?page_size=1"), args.repeat)
    results.append(entry("authenticated 1-row API request (fixed cost floor)", floor * 1000, "ms", "info", True))
    return results


def run_all(args, median, entry) -> list[dict]:
    results = prepare(args, entry)
    reset_queries()
    results += enterprise_lists(args, median, entry)
    return results
