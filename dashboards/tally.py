"""The dashboard's main table from the hazard tally (PostgreSQL), equal row for row to grouping the hazards.

Grouping a million hazards for every dashboard costs more than a second; the tally (`HazardTally`, kept by triggers
in the transaction of every change to a hazard) holds the same counts by month and by week, and a dashboard reads a
small part of it. Two things no month or week answers are read from the hazards themselves, by their indexes, in
the same query as the tally (a UNION ALL):

- the days at either end of the period that no whole week covers (fewer than seven each; `created_at` index);
- this month's deadlines up to now, for "overdue now" (the open-deadline index).

Everything else comes from the tally: open by status and level (`o`), overdue in earlier months (`d`), found, on
time and recurrences in the period's whole months (`f`) and whole weeks (`F`), and the trend (`f`, `c`, `F`, `C`).

`rows()` returns the same columns and keys as the direct grouping in `stats._grouped`; a test holds the two equal
for five roles, four moments and eight periods on hazards placed around the months' and weeks' boundaries.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce

from hazards.choices import OPEN_STATUSES
from hazards.filters import ON_TIME
from organizations.scope import ScopeKind
from workdays.calendar import SHANGHAI

from .models import HazardTally

KEY = ("region_id", "level", "status", "department_id", "industry_id")
OPEN = [str(s) for s in OPEN_STATUSES]
ZERO = Value(0, output_field=IntegerField())


def available_on_this_database() -> bool:
    """The tally's triggers are installed by migration on PostgreSQL only."""
    return connection.vendor == "postgresql"


def available(scope) -> bool:
    """Whether `scope`'s dashboard is read from the tally: on PostgreSQL, for all but an enterprise, whose few
    hazards are grouped directly (the tally has no enterprise column)."""
    return available_on_this_database() and scope.kind in (ScopeKind.ALL, ScopeKind.REGION, ScopeKind.DEPARTMENT)


def _call(function: str) -> int | None:
    if not available_on_this_database():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}()")
        return cursor.fetchone()[0]


def compact() -> int | None:
    """Merge the rows appended since the last compaction (beat, every few minutes): the tally's sums do not change,
    its rows shrink to one per key. Returns the merged rows written."""
    return _call("dashboards_tally_compact")


def rebuild() -> int | None:
    """Count the tally again from the hazards (blocking hazard writes meanwhile); returns the rows written."""
    written = _call("dashboards_tally_rebuild")
    if written is not None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE dashboards_hazardtally")
    return written


TRIGGERS = ("dashboards_tally_insert", "dashboards_tally_update", "dashboards_tally_delete")


@contextmanager
def bulk():
    """For bulk loaders (`seed_bulk`): the triggers are off for one transaction, whose lock keeps every other writer
    off the hazard table meanwhile, and the tally is counted again from the hazards before it commits.
    A million rows then cost one grouping instead of a trigger per COPY chunk and a merge of everything appended.
    """
    if not available_on_this_database():
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred foreign-key checks are pending: run them now (Django's are deferred).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name in TRIGGERS:
            cursor.execute(f"ALTER TABLE hazards_hazard DISABLE TRIGGER {name}")
        yield
        cursor.execute("SELECT dashboards_tally_rebuild()")
        for name in TRIGGERS:
            cursor.execute(f"ALTER TABLE hazards_hazard ENABLE TRIGGER {name}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    with connection.cursor() as cursor:
        # Statistics for the planner and a visibility map for the new rows, before the first dashboard reads them.
        cursor.execute("ANALYZE dashboards_hazardtally" if connection.in_atomic_block else
                       "VACUUM ANALYZE dashboards_hazardtally")  # fmt: skip


def differences() -> int | None:
    """How many keys the tally and a fresh grouping of the hazards disagree on: 0, or the triggers are missing."""
    return _call("dashboards_tally_differences")


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, SHANGHAI)


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def whole_months(start: date, end: date) -> tuple[date, date] | None:
    """The whole calendar months inside [start, end) as [first, last) month starts, or None."""
    first = start if start.day == 1 else next_month(start.replace(day=1))
    last = end.replace(day=1)
    return (first, last) if first < last else None


def whole_weeks(start: date, end: date) -> tuple[date, date] | None:
    """The whole weeks (Monday to Sunday) inside [start, end) as [first, last) Mondays, or None."""
    first = start + timedelta(days=-start.weekday() % 7)
    last = end - timedelta(days=end.weekday())
    return (first, last) if first < last else None


def split(start: date, end: date) -> tuple[list[tuple[date, date]], list[tuple[date, date]], list[tuple[date, date]]]:
    """[start, end) as whole months, whole weeks and single days: the tally answers the first two, the hazards
    the days (fewer than seven at either end)."""
    months = whole_months(start, end)
    around = [(start, months[0]), (months[1], end)] if months else [(start, end)]
    weeks, days = [], []
    for first, last in around:
        if first >= last:
            continue
        inside = whole_weeks(first, last)
        if inside:
            weeks.append(inside)
            days += [(first, inside[0]), (inside[1], last)]
        else:
            days.append((first, last))
    return [months] if months else [], weeks, [(a, b) for a, b in days if a < b]


def _sum(condition: Q) -> Coalesce:
    return Coalesce(Sum("n", filter=condition), 0)


def _spans(kind: str, spans) -> Q:
    found = Q()
    for first, last in spans:
        found |= Q(kind=kind, month__gte=first, month__lt=last)
    return found


def rows(board, hazards, windows) -> tuple[list[dict], dict[str, int]]:
    """The main table's rows for `board` (its user, period and now), `hazards` being the user's visible hazards,
    and the trend's counts by bucket (`stats._windows`): two queries."""
    Kind = HazardTally.Kind
    months, weeks, days = split(board.period.start, board.period.end + timedelta(days=1))
    this_month = board.now.astimezone(SHANGHAI).date().replace(day=1)
    filed = Q(kind__in=[Kind.FILED, Kind.FILED_WEEK])
    in_period = _spans(Kind.FILED, months) | _spans(Kind.FILED_WEEK, weeks)
    kept = (
        HazardTally.objects.visible_to(board.user)
        .filter(Q(kind=Kind.OPEN) | Q(kind=Kind.DUE, month__lt=this_month) | in_period)
        .values(*KEY)
        .annotate(
            total=_sum(Q(kind=Kind.OPEN)),
            found=_sum(filed),
            overdue=_sum(Q(kind=Kind.DUE)),
            on_time=_sum(filed & Q(on_time=True)),
            recurrences=_sum(filed & Q(recurrence=True)),
        )
        .order_by()
    )
    edge = Q()
    for first, last in days:
        edge |= Q(created_at__gte=midnight(first), created_at__lt=midnight(last))
    due_now = Q(status__in=OPEN, deadline__gte=midnight(this_month), deadline__lt=board.now)
    read = (
        hazards.filter(edge | due_now)
        .values(*KEY)
        .annotate(
            total=ZERO,
            found=Count("id", filter=edge) if edge else ZERO,
            overdue=Count("id", filter=due_now),
            on_time=Count("id", filter=edge & ON_TIME) if edge else ZERO,
            recurrences=Count("id", filter=edge & Q(recurrence_of__isnull=False)) if edge else ZERO,
        )
        .order_by()
    )
    merged: dict[tuple, dict] = {}
    for row in kept.union(read, all=True):
        key = tuple(row[k] for k in KEY)
        if key in merged:
            for name in ("total", "found", "overdue", "on_time", "recurrences"):
                merged[key][name] += row[name]
        else:
            merged[key] = row
    return list(merged.values()), _trend(board, windows)


def _trend(board, windows) -> dict[str, int]:
    """Found and closed per bucket of the trend: months from the monthly rows, weeks from the weekly ones."""
    Kind = HazardTally.Kind
    buckets = {}
    for key, _label, first, _last in windows:
        kinds = (Kind.FILED_WEEK, Kind.CLOSED_WEEK) if key.startswith("w") else (Kind.FILED, Kind.CLOSED)
        buckets[kinds[0], first] = f"{key}f"
        buckets[kinds[1], first] = f"{key}c"
    wanted = Q()
    for kind, first in buckets:
        wanted |= Q(kind=kind, month=first)
    trend = dict.fromkeys(buckets.values(), 0)
    counts = (
        HazardTally.objects.visible_to(board.user)
        .filter(wanted)
        .values_list("kind", "month")
        .annotate(total=Sum("n"))
        .order_by()
    )
    for kind, month, total in counts:
        trend[buckets[kind, month]] += total
    return trend
