"""The dashboard tally (PostgreSQL): kept exact by its triggers through every kind of change, merged without changing
a sum, never making one writer wait for another, and giving the same dashboard as grouping the hazards."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict
from datetime import date, datetime, timedelta

import psycopg2
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Sum

from dashboards import tally
from dashboards.models import HazardTally
from dashboards.stats import Dashboard, Period, _grouped, _windows, build
from hazards import workflow
from hazards.models import Hazard
from organizations.scope import Scope
from workdays.calendar import SHANGHAI

from ..conftest import need
from ..hazards.conftest import advance, filing, later
from .conftest import put

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql():
    need("postgresql")


def exact() -> bool:
    return tally.differences() == 0


KEYS = ("kind", "month", "region_id", "region_path", "department_id", "industry_id", "level", "status", "recurrence",
        "on_time")  # fmt: skip


def rows_per_key() -> int:
    found = HazardTally.objects.values(*KEYS).annotate(rows=Count("id")).order_by("-rows").first()
    return found["rows"] if found else 0


def sums_by_kind() -> dict:
    return {kind: HazardTally.objects.filter(kind=kind).aggregate(n=Sum("n"))["n"] or 0 for kind in "odfFcC"}


# Exact through every change --------------------------------------------------------------------------------------


def test_the_workflow_keeps_the_tally_exact_at_every_step(hz):
    users = hz.users
    assert exact()
    hazard, _ = workflow.file_hazard(users["inspector"], filing(hz, level="major"))
    assert exact() and HazardTally.objects.filter(kind="o").aggregate(n=Sum("n"))["n"] == 1
    steps = [
        lambda h: workflow.confirm(users["county_dept"], h, later(20)),
        lambda h: workflow.extend_deadline(users["county_head"], h, later(40), "材料未到"),
        lambda h: workflow.reassign(users["city"], h, hz.yjj, "改由市局督办"),
    ]
    for step in steps:
        step(hazard)
        assert exact()
    closed = advance(hz, "closed")
    assert exact()
    workflow.reopen(users["county_dept"], closed, "回头看发现复发", later(10))
    assert exact()
    other = advance(hz, "confirmed")
    workflow.dismiss(users["county_dept"], other, "不构成隐患")
    assert exact()
    Hazard.objects.filter(pk=hazard.pk).delete()
    assert exact()
    # The appended rows merge without changing a sum.
    before = sums_by_kind()
    assert rows_per_key() > 1
    tally.compact()
    assert rows_per_key() == 1 and exact()
    assert sums_by_kind() == before
    assert not HazardTally.objects.filter(n=0).exists()


def test_bulk_statements_and_raw_updates_are_counted(hz):
    """Many rows in one statement (a bulk insert, an update of a whole queryset, a raw delete) are counted too."""
    e1, e2 = hz.e1, hz.e2
    made = [put(hz, e1 if i % 2 else e2, "rectifying", datetime(2026, 1 + i % 12, 1 + i % 27, 9, tzinfo=SHANGHAI),
                deadline=datetime(2026, 2 + i % 10, 3, tzinfo=SHANGHAI)) for i in range(30)]  # fmt: skip
    assert exact()
    Hazard.objects.filter(pk__in=[h.pk for h in made[:20]]).update(
        status="closed", closed_at=datetime(2026, 5, 31, 23, 59, tzinfo=SHANGHAI)
    )
    assert exact()
    Hazard.objects.filter(pk__in=[h.pk for h in made[10:]])._raw_delete(connection.alias)
    assert exact()
    call_command("tally", "--compact", "--check")


def test_a_bulk_load_counts_the_tally_once_at_the_end(hz):
    """`tally.bulk()` (seed_bulk): COPY and a raw delete with the triggers off, then one count from the hazards."""
    from ops.seeding.copy import bulk_insert

    template = put(hz, hz.e1, "confirmed", datetime(2026, 3, 1, tzinfo=SHANGHAI),
                   deadline=datetime(2026, 4, 1, tzinfo=SHANGHAI))  # fmt: skip
    row = {f.attname: getattr(template, f.attname) for f in Hazard._meta.concrete_fields if not f.primary_key}
    before = HazardTally.objects.count()
    with tally.bulk():
        bulk_insert(Hazard, [{**row, "code": f"YB-{i:09d}", "status": "closed" if i % 3 else "rectifying",
                              "closed_at": row["created_at"] if i % 3 else None} for i in range(500)])  # fmt: skip
        assert HazardTally.objects.count() == before  # nothing counted meanwhile
    assert exact() and rows_per_key() == 1
    assert HazardTally.objects.filter(kind="f").aggregate(n=Sum("n"))["n"] == 501
    with tally.bulk():
        Hazard.objects.filter(code__startswith="YB-")._raw_delete(connection.alias)
    assert exact() and HazardTally.objects.filter(kind="f").aggregate(n=Sum("n"))["n"] == 1
    Hazard.objects.filter(pk=template.pk).update(status="rectifying")  # the triggers are on again
    assert HazardTally.objects.filter(merged=False).exists() and exact()


def test_rebuild_and_check(hz, capsys):
    put(hz, hz.e1, "confirmed", datetime(2026, 3, 1, tzinfo=SHANGHAI), deadline=datetime(2026, 4, 1, tzinfo=SHANGHAI))
    HazardTally.objects.filter(kind="o").update(n=5)  # a tally someone broke by hand
    with pytest.raises(CommandError, match="differ"):
        call_command("tally", "--check")
    call_command("tally", "--rebuild", "--check")
    assert "equals the hazards" in capsys.readouterr().out
    assert exact() and rows_per_key() == 1


# Boundaries: the tally's months and weeks against the hazards' own times ----------------------------------------------


def random_ledger(world, count: int = 240, seed: int = 7) -> None:
    """Hazards at times chosen on and around the tally's boundaries (midnight in Shanghai at the start of months and
    weeks, a minute either side), in every status, some without a deadline, some recurrences."""
    rng = random.Random(seed)
    enterprises = [world.e1, world.e2, world.e3]
    starts = [date(2025, m, 1) for m in range(1, 13)] + [date(2026, m, 1) for m in range(1, 8)]
    starts += [date(2026, 1, 5) + timedelta(weeks=w) for w in range(30)]  # Mondays

    def moment() -> datetime:
        day = rng.choice(starts) + timedelta(days=rng.choice([0, 0, -1, 1, 3]))
        at = datetime.combine(day, datetime.min.time(), SHANGHAI)
        return at + timedelta(minutes=rng.choice([0, 1, -1, 600]))

    first = None
    for _ in range(count):
        created = moment()
        status = rng.choice(["reported", "confirmed", "rectifying", "awaiting_acceptance", "closed", "dismissed"])
        deadline = None if rng.random() < 0.2 else created + timedelta(days=rng.choice([0, 3, 31, 90]), minutes=30)
        closed = created + timedelta(days=rng.choice([0, 1, 20, 45])) if status == "closed" else None
        recurrence_of = first if first and rng.random() < 0.1 else None
        hazard = put(world, rng.choice(enterprises), status, created, deadline=deadline, closed=closed,
                     level=rng.choice(["general", "general", "major"]), recurrence_of=recurrence_of)  # fmt: skip
        first = first or hazard


MOMENTS = [
    datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI),
    datetime(2026, 6, 1, 0, 0, tzinfo=SHANGHAI),  # the first second of a month
    datetime(2026, 3, 31, 23, 59, tzinfo=SHANGHAI),
    datetime(2026, 1, 4, 12, 0, tzinfo=SHANGHAI),  # a Sunday: the week's last day
]
PERIODS = [
    Period(date(2026, 1, 1), date(2026, 6, 15), "year"),
    Period(date(2026, 4, 1), date(2026, 6, 15), "quarter"),
    Period(date(2026, 6, 1), date(2026, 6, 15), "month"),
    Period(date(2025, 7, 1), date(2026, 6, 15), "last12"),
    Period(date(2025, 3, 17), date(2026, 2, 3)),  # odd days at both ends: weeks and days around the months
    Period(date(2026, 2, 2), date(2026, 2, 22)),  # whole weeks, no whole month
    Period(date(2026, 2, 4), date(2026, 2, 6)),  # three days
    Period(date(2025, 12, 29), date(2026, 1, 31)),  # across the year
]


def normalised(rows) -> dict:
    """Rows summed by key, with the open count taken where the dashboard takes it (open statuses) and no zeros."""
    found: dict = {}
    for row in rows:
        key = tuple(row[k] for k in tally.KEY)
        sums = found.setdefault(key, dict.fromkeys(("found", "overdue", "on_time", "recurrences", "open"), 0))
        for name in ("found", "overdue", "on_time", "recurrences"):
            sums[name] += row[name]
        sums["open"] += row["total"] if row["status"] in tally.OPEN else 0
    return {key: sums for key, sums in found.items() if any(sums.values())}


@pytest.mark.parametrize("who", ["city", "district", "dept_head", "county_dept", "inspector"])
def test_the_tally_gives_the_hazards_grouped_for_every_period_and_moment(world, who):
    random_ledger(world)
    tally.compact()
    HazardTally.objects.create(
        kind="o",
        region=world.d1,
        region_path=world.d1.path,
        industry=world.e1.industry,
        level="general",
        status="reported",
        n=0,
    )  # fmt: skip  - a merged-away key
    user = world.users[who]
    scope = Scope.for_user(user)
    assert tally.available(scope)
    hazards = Hazard.objects.visible_to(user)
    checked = 0
    for now in MOMENTS:
        for period in PERIODS:
            board = Dashboard(user=user, period=period, now=now, scope=scope, role=scope.kind)
            windows = _windows(board)
            rows, trend = tally.rows(board, hazards, windows)
            grouped = _grouped(board, hazards, windows)
            assert normalised(rows) == normalised(grouped), (now, period)
            assert trend == {name: sum(r[name] for r in grouped) for name in trend}, (now, period)
            checked += sum(sum(v.values()) for v in normalised(rows).values())
    assert checked > 1000  # the data set reaches into every figure


def test_the_whole_dashboard_is_the_same_either_way(world, monkeypatch):
    random_ledger(world, count=120, seed=11)
    with time_machine.travel(MOMENTS[0], tick=False):
        for who in ("city", "district", "dept_head"):
            user = world.users[who]
            from_tally = build(user, PERIODS[4])
            monkeypatch.setattr(tally, "available", lambda scope: False)
            user.__dict__.pop("_scope", None)
            from_hazards = build(user, PERIODS[4])
            monkeypatch.undo()
            assert asdict(from_tally.totals) == asdict(from_hazards.totals)
            assert from_tally.matrix == from_hazards.matrix
            assert from_tally.weeks == from_hazards.weeks and from_tally.months == from_hazards.months
            assert [[(r["label"], asdict(r["figures"])) for r in b.rows] for b in from_tally.breakdowns] == [
                [(r["label"], asdict(r["figures"])) for r in b.rows] for b in from_hazards.breakdowns
            ]
            assert from_tally.totals.found > 5 and from_tally.totals.overdue_now > 5


def test_week_and_month_splits():
    assert tally.split(date(2026, 1, 1), date(2026, 6, 16)) == (
        [(date(2026, 1, 1), date(2026, 6, 1))],
        [(date(2026, 6, 1), date(2026, 6, 15))],
        [(date(2026, 6, 15), date(2026, 6, 16))],
    )
    months, weeks, days = tally.split(date(2026, 2, 4), date(2026, 2, 7))
    assert (months, weeks, days) == ([], [], [(date(2026, 2, 4), date(2026, 2, 7))])
    months, weeks, days = tally.split(date(2025, 3, 17), date(2026, 2, 4))
    assert months == [(date(2025, 4, 1), date(2026, 2, 1))]
    assert weeks == [(date(2025, 3, 17), date(2025, 3, 31))]  # 2026-02-01..03 holds no whole week
    assert days == [(date(2025, 3, 31), date(2025, 4, 1)), (date(2026, 2, 1), date(2026, 2, 4))]


# Concurrency: writers append, nobody waits ------------------------------------------------------------------------


def _connect():
    db = settings.DATABASES["default"]
    return psycopg2.connect(dbname=connection.settings_dict["NAME"], user=db["USER"], host=db["HOST"],
                            port=db["PORT"] or 5432, password=db["PASSWORD"])  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_the_same_cell_do_not_wait_for_each_other(world):
    """Two open transactions change two hazards of the same tally key; the second finishes while the first is still
    open (a lock wait would hit the 2 s lock timeout), a compaction meanwhile leaves their rows alone, and after both
    commit the tally is exact."""
    at = datetime(2026, 5, 5, 9, tzinfo=SHANGHAI)
    a = put(world, world.e1, "rectifying", at, deadline=at + timedelta(days=30))
    b = put(world, world.e1, "rectifying", at, deadline=at + timedelta(days=30))
    first, second = _connect(), _connect()
    try:
        with first.cursor() as cursor:
            cursor.execute("UPDATE hazards_hazard SET status = 'awaiting_acceptance' WHERE id = %s", [a.pk])
        with second.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
            cursor.execute("UPDATE hazards_hazard SET status = 'awaiting_acceptance' WHERE id = %s", [b.pk])
        second.commit()
        compacted = threading.Thread(target=lambda: (tally.compact(), connection.close()))
        compacted.start()
        compacted.join(10)
        assert not compacted.is_alive()
        first.commit()
    finally:
        first.close()
        second.close()
    assert exact()
    tally.compact()
    assert exact() and rows_per_key() == 1


def test_the_beat_task_merges_and_the_operations_page_shows_it(world, client):
    from dashboards.tasks import compact_tally
    from ops.models import Heartbeat

    at = datetime(2026, 5, 5, 9, tzinfo=SHANGHAI)
    hazard = put(world, world.e1, "rectifying", at, deadline=at + timedelta(days=30))
    Hazard.objects.filter(pk=hazard.pk).update(status="awaiting_acceptance")
    appended = HazardTally.objects.filter(merged=False).count()
    assert appended >= 8
    client.force_login(world.users["city"])
    page = client.get("/operations/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"{HazardTally.objects.count()} 行，其中 {appended} 行待合并" in page
    assert compact_tally() > 0
    assert Heartbeat.objects.get(name="tally_compact").data["merged"] > 0
    assert not HazardTally.objects.filter(merged=False).exists() and exact()
    page = client.get("/operations/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "其中 0 行待合并" in page and "看板计数合并" in page


def test_a_merge_touches_only_the_keys_appended_to_unless_most_of_the_tally_is_new(world):
    """After a bulk change the merge is one pass over the whole tally; after a few changes it rewrites only the
    keys that were appended to (its return value is the merged rows it wrote)."""
    at = datetime(2026, 1, 5, 9, tzinfo=SHANGHAI)
    made = [put(world, world.e1 if i % 2 else world.e2, "rectifying", at + timedelta(days=7 * i),
                deadline=at + timedelta(days=7 * i + 40)) for i in range(100)]  # fmt: skip
    keys = HazardTally.objects.values(*KEYS).distinct().count()
    assert tally.compact() == keys  # everything was new: one pass, every key written once
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dashboards_hazardtally")
    Hazard.objects.filter(pk=made[0].pk).update(status="awaiting_acceptance")
    appended = HazardTally.objects.filter(merged=False).count()
    assert appended == 8  # -1 and +1 for the open, due, filed-by-month and filed-by-week rows
    written = tally.compact()
    assert 0 < written <= appended and exact() and rows_per_key() == 1
    assert HazardTally.objects.count() < keys + appended
