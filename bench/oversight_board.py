"""The oversight board (issue #19) on the bulk city: each supervision signal's count through its ORM condition
(`organizations.flags.condition`, what the enterprise list filters with) against one hand-written SQL counting the
same enterprises, target <= 2x; the whole board (`oversight.board.build`) against one hand-written grouped SQL over
(region, industry) cells with a `COUNT(*) FILTER (WHERE …)` per signal, target <= 2x; and the board's queries,
target <= 5. The hand-written counts must equal the ORM's (else the run fails).

Needs the bulk enterprises and inspections (`prepare`). Untimed setup, replaced on each run: principal verifications
for most producing bulk enterprises (some old, some "not in post"), certificates for principals and safety managers
(some expired), open watches for half of the enterprises in a watched state. Run alone with
`bench/run.py --only oversight_board`.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

BENCH_PERSON = "bench-oversight"


def _setup() -> None:
    """Verifications, certificates and watches over the bulk enterprises (bulk_create, an earlier run's removed)."""
    from ops.seeding.enterprises import BULK_PREFIX
    from organizations.models import Department, Enterprise, User
    from oversight.choices import WATCHED_STATES
    from oversight.models import Certificate, Verification, Watch
    from oversight.signals import PRODUCING

    person, _ = User.objects.get_or_create(username=BENCH_PERSON, defaults={"full_name": "核查员"})
    Verification.objects.filter(checked_by=person).delete()
    Certificate.objects.filter(recorded_by=person).delete()
    Watch.objects.filter(started_by=person).delete()
    bulk = Enterprise.objects.filter(credit_code__startswith=BULK_PREFIX)
    rng = random.Random(19)
    now, today = timezone.now(), timezone.localdate()
    producing = list(bulk.filter(operating_state__in=PRODUCING).values_list("id", flat=True))
    verifications, certificates = [], []
    for pk in producing:
        r = rng.random()
        if r < 0.8:
            verifications.append(Verification(enterprise_id=pk, person_name="张三", in_post=r > 0.05,
                                              has_experience=True, checked_by=person,
                                              checked_at=now - timedelta(days=rng.randint(1, 500))))  # fmt: skip
        if r < 0.3:  # a second, later check
            verifications.append(Verification(enterprise_id=pk, person_name="张三", in_post=r > 0.1,
                                              has_experience=True, checked_by=person,
                                              checked_at=now - timedelta(days=rng.randint(0, 30))))  # fmt: skip
        for holder in ("principal", "safety_manager"):
            if rng.random() < 0.7:
                certificates.append(Certificate(enterprise_id=pk, holder=holder, person_name="李四", kind="other",
                                                number=f"B{pk}{holder[0]}", recorded_by=person,
                                                expires_on=today + timedelta(days=rng.randint(-200, 900))))  # fmt: skip
    Verification.objects.bulk_create(verifications, batch_size=5000)
    Certificate.objects.bulk_create(certificates, batch_size=5000)
    department = Department.objects.order_by("id").first()
    watched = list(bulk.filter(operating_state__in=WATCHED_STATES).values_list("id", flat=True))
    watches = [
        Watch(enterprise_id=pk, department=department, interval_days=30, started_by=person,
              started_at=now - timedelta(days=40), due_at=now + timedelta(days=rng.randint(-20, 20)))
        for pk in watched if rng.random() < 0.5
    ]  # fmt: skip
    Watch.objects.bulk_create(watches, batch_size=5000)
    print(f"oversight bench: {len(verifications):,} verifications, {len(certificates):,} certificates, "
          f"{len(watches):,} watches over {bulk.count():,} enterprises")  # fmt: skip


def hand_written(reference, now) -> dict[str, tuple[str, list]]:
    """Per signal, a plain SQL condition over `organizations_enterprise e` with its parameters, written by hand."""
    from django.conf import settings

    today = timezone.localdate(now)
    producing = "e.operating_state IN ('operating', 'under_construction', 'oil_gas_storage')"
    watched = (
        "e.operating_state IN ('suspended', 'deregistered', 'closed_mine', 'under_construction', 'oil_gas_storage')"
    )
    high, days = settings.OVERSIGHT_INSPECTION_DAYS_HIGH, settings.OVERSIGHT_INSPECTION_DAYS
    inspected = ("EXISTS (SELECT 1 FROM inspections_inspection i WHERE i.enterprise_id = e.id AND i.status IN "
                 "('submitted', 'closed') AND i.kind NOT IN ('self_check', 'lesson') AND i.date >= %s)")  # fmt: skip
    red = ("(e.is_key_unit OR EXISTS (SELECT 1 FROM risks_riskpoint r WHERE r.enterprise_id = e.id "
           "AND r.colour = 'red' AND r.is_active))")  # fmt: skip
    cert = ("EXISTS (SELECT 1 FROM oversight_certificate c WHERE c.enterprise_id = e.id AND c.holder = %s AND "
            "c.expires_on >= %s)")  # fmt: skip
    cutoff = now - timedelta(days=settings.OVERSIGHT_VERIFICATION_DAYS)
    return {
        "no_department": ("e.industry_id = ANY(%s)", [sorted(reference.unsupervised())]),
        "not_inspected": (
            f"{producing} AND CASE WHEN {red} THEN e.created_at < %s AND NOT {inspected} "
            f"ELSE e.created_at < %s AND NOT {inspected} END",
            [
                now - timedelta(days=high),
                today - timedelta(days=high),
                now - timedelta(days=days),
                today - timedelta(days=days),
            ],
        ),  # fmt: skip
        "principal_unverified": (
            f"{producing} AND NOT COALESCE((SELECT v.in_post AND v.checked_at >= %s FROM oversight_verification v "
            "WHERE v.enterprise_id = e.id ORDER BY v.checked_at DESC LIMIT 1), false)",
            [cutoff],
        ),
        "no_certificate": (
            f"{producing} AND (NOT {cert} OR NOT {cert})",
            ["principal", today, "safety_manager", today],
        ),  # fmt: skip
        "watch_overdue": (
            f"{watched} AND NOT EXISTS (SELECT 1 FROM oversight_watch w WHERE w.enterprise_id = e.id AND "
            "w.ended_at IS NULL AND w.due_at >= %s)",
            [now],
        ),
        "unreachable": (
            "NOT EXISTS (SELECT 1 FROM organizations_positionassignment a JOIN organizations_position p ON "
            "p.id = a.position_id JOIN organizations_user u ON u.id = a.user_id WHERE p.enterprise_id = e.id AND "
            "p.kind IN ('enterprise_principal', 'enterprise_safety_manager') AND u.is_active AND a.started_at <= %s "
            "AND (a.ended_at IS NULL OR a.ended_at > %s))",
            [now, now],
        ),
        "unlicensed": ("e.licence_state = 'unlicensed'", []),
        "subcontracting": ("e.is_subcontracting", []),
        "hosted_operation": ("e.is_hosted_operation", []),
        "borrowed_qualification": ("e.is_borrowed_qualification", []),
    }


def run(args, median, entry) -> list[dict]:
    from organizations import flags
    from organizations.models import Enterprise, Region, User
    from organizations.scope import Reference
    from oversight import board

    _setup()
    reference, now = Reference(), timezone.now()
    sql = hand_written(reference, now)
    repeat = max(args.repeat // 4, 5)
    results = []
    total = Enterprise.objects.count()
    for flag in flags.all_flags():
        condition, params = sql[flag.key]

        def ours(flag=flag):
            return Enterprise.objects.filter(flags.condition(flag.key, reference, now)).count()

        def raw(condition=condition, params=params):
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM organizations_enterprise e WHERE {condition}", params)
                return cursor.fetchone()[0]

        n, expected = ours(), raw()
        assert n == expected, (flag.key, n, expected)
        ours_s, raw_s = median(ours, repeat), median(raw, repeat)
        ratio = ours_s / raw_s
        label = f"oversight signal {flag.key} ({n:,} of {total:,} enterprises)"
        results.append(entry(f"{label}: time / hand-written SQL", ratio, "ratio", "<= 2", ratio <= 2))
        results.append(entry(f"{label}: median ({raw_s * 1000:.1f} ms SQL)", ours_s * 1000, "ms", "info", True))

    # The board against one hand-written grouped SQL over the same cells.
    filters = ", ".join(f"count(*) FILTER (WHERE {sql[f.key][0]})" for f in flags.all_flags())
    params = [p for f in flags.all_flags() for p in sql[f.key][1]]
    grouped = (f"SELECT e.region_id, e.industry_id, count(*), {filters} FROM organizations_enterprise e "
               "GROUP BY e.region_id, e.industry_id")  # fmt: skip

    def raw_board():
        with connection.cursor() as cursor:
            cursor.execute(grouped, params)
            return cursor.fetchall()

    root = Region.objects.get(parent=None)
    city, _ = User.objects.get_or_create(username="bench-city", defaults={"unit_kind": "city_office", "region": root})

    def ours_board():
        city.__dict__.pop("_scope", None)  # as in a fresh request
        return board.build(city, now)

    built = ours_board()
    cells = raw_board()
    for i, f in enumerate(flags.all_flags()):
        assert sum(row[3 + i] for row in cells) == built.signals[i]["count"], f.key
    ours_s, raw_s = median(ours_board, repeat), median(raw_board, repeat)
    city.__dict__.pop("_scope", None)
    from organizations.scope import Scope

    Scope.for_user(city)  # the middleware's first scoped query computes it in a request
    with CaptureQueriesContext(connection) as ctx:
        board.build(city, now)
    ratio = ours_s / raw_s
    label = f"oversight board ({built.total:,} enterprises, {len(cells):,} cells)"
    return results + [
        entry(f"{label}: time / hand-written grouped SQL", ratio, "ratio", "<= 2", ratio <= 2),
        entry(f"{label}: median ({raw_s * 1000:.1f} ms SQL)", ours_s * 1000, "ms", "info", True),
        entry(f"{label}: queries", len(ctx.captured_queries), "queries", "<= 5", len(ctx.captured_queries) <= 5),
    ]
