"""Figures of call-and-answer (叫应) over a period: for the warning versions issued in it, per version, per level, per
region and in all: posts told, answered within the limit (and its share), the median answer time in minutes, and the
silent posts (not answered, the limit passed). Four grouped queries and the regions' names, whatever the number
of posts.

The median is PostgreSQL's `percentile_cont(0.5) WITHIN GROUP (ORDER BY …)` over the answered posts' minutes; on
another database it is taken in Python from the answer times (the platform and its tests run on PostgreSQL).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Aggregate, CharField, Count, F, FloatField, Func, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from organizations.models import Region, User
from safety_platform.lib.query import query_dates
from workdays.calendar import SHANGHAI

from .choices import RANK, WarningLevel
from .models import EarlyWarning, WarningRecipient

MAX_DAYS = 366


def figure_period(params) -> tuple[date, date]:
    """`?start=&end=` (YYYY-MM-DD, between 2000 and 2100, at most a year); by default the last 30 days. The same
    reading and rules as the duty four-failures period (`duty_roster.api.failure_period`)."""
    dates = query_dates(params, "start", "end")
    end = dates["end"] or timezone.localdate()
    start = dates["start"] or end - timedelta(days=30)
    if end < start or (end - start).days > MAX_DAYS:
        raise ValidationError({"end": [_("Choose a period of at most a year, ending after it starts.")]})
    return start, end


class SplitPart(Func):
    function = "split_part"
    output_field = CharField()


def group_code(depth: int) -> Coalesce:
    """The code of the row's region at `depth` of the tree (2 = the counties), or of the nearest one above it when
    the row sits higher up: `/990100/990102/990102001/` at depth 2 is `990102`, `/990100/` is `990100`."""
    parts = [
        NullIf(SplitPart(F("region_path"), Value("/"), Value(level + 1)), Value("")) for level in range(depth, 0, -1)
    ]
    return Coalesce(*parts, output_field=CharField())


class Minutes(Func):
    """Minutes from the notice to the answer (NULL while unanswered)."""

    template = "EXTRACT(EPOCH FROM (%(expressions)s)) / 60.0"
    output_field = FloatField()

    def __init__(self):
        super().__init__(F("answered_at") - F("sent_at"))


class Median(Aggregate):
    """PostgreSQL's continuous median; NULLs (unanswered posts) are left out."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass
class Figures:
    start: date
    end: date
    total: dict
    warnings: list[dict]
    levels: list[dict]
    regions: list[dict]


def counts(now: datetime) -> dict:
    return {
        "posts": Count("id"),
        "in_time": Count("id", filter=Q(answered_at__lte=F("answer_due_at"))),
        "answered": Count("id", filter=Q(answered_at__isnull=False)),
        "silent": Count("id", filter=Q(answered_at__isnull=True, answer_due_at__lt=now)),
    }


def finish(row: dict) -> dict:
    row["in_time_pct"] = round(100 * row["in_time"] / row["posts"], 1) if row["posts"] else None
    if row.get("median_minutes") is not None:
        row["median_minutes"] = round(row["median_minutes"], 1)
    return row


def grouped(recipients, now: datetime, *keys: str) -> list[dict]:
    """Counts and the median per `keys` (no keys: in all) in one query on PostgreSQL."""
    if connection.vendor != "postgresql":
        return _grouped_in_python(recipients, now, keys)  # pragma: no cover
    figures = {**counts(now), "median_minutes": Median(Minutes())}
    if not keys:
        return [finish(recipients.aggregate(**figures))]
    return [finish(dict(r)) for r in recipients.values(*keys).annotate(**figures).order_by(*keys)]


def _grouped_in_python(recipients, now: datetime, keys: tuple[str, ...]) -> list[dict]:  # pragma: no cover
    medians: dict[tuple, list[float]] = {}
    for r in recipients.filter(answered_at__isnull=False).values(*keys, "answered_at", "sent_at"):
        medians.setdefault(tuple(r[k] for k in keys), []).append((r["answered_at"] - r["sent_at"]).total_seconds() / 60)
    if not keys:
        row = recipients.aggregate(**counts(now))
        row["median_minutes"] = statistics.median(medians[()]) if medians.get(()) else None
        return [finish(row)]
    rows = []
    for r in recipients.values(*keys).annotate(**counts(now)).order_by(*keys):
        minutes = medians.get(tuple(r[k] for k in keys))
        rows.append(finish({**r, "median_minutes": statistics.median(minutes) if minutes else None}))
    return rows


def build(user: User, start: date, end: date, now: datetime | None = None) -> Figures:
    """The figures of the versions issued from `start` to `end` (local days, inclusive), in the user's scope."""
    now = now or timezone.now()
    begin = datetime.combine(start, time.min, tzinfo=SHANGHAI)
    finish_at = datetime.combine(end + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    warnings = EarlyWarning.objects.visible_to(user).filter(issued_at__gte=begin, issued_at__lt=finish_at)
    recipients = WarningRecipient.objects.visible_to(user).filter(warning__in=warnings)
    per_warning = grouped(recipients, now, "warning", "warning__title", "warning__version", "warning__level",
                          "warning__kind", "warning__issued_at")  # fmt: skip
    per_warning.sort(key=lambda r: (r["warning__issued_at"], r["warning"]), reverse=True)
    levels = grouped(recipients, now, "warning__level")
    levels.sort(key=lambda r: RANK.get(r["warning__level"], 0), reverse=True)
    for r in levels:
        r["level"] = r.pop("warning__level")
        r["level_label"] = str(WarningLevel(r["level"]).label)
    regions = grouped(recipients.annotate(group=group_code(2)), now, "group")
    names = dict(Region.objects.filter(code__in=[r["group"] for r in regions]).values_list("code", "name"))
    for r in regions:
        r["code"] = r.pop("group")
        r["name"] = names.get(r["code"], r["code"])
    total = grouped(recipients, now)[0]
    return Figures(start, end, total, [_warning_row(r) for r in per_warning], levels, regions)


def _warning_row(r: dict) -> dict:
    return {
        "warning": r["warning"],
        "title": r["warning__title"],
        "version": r["warning__version"],
        "level": r["warning__level"],
        "level_label": str(WarningLevel(r["warning__level"]).label),
        "issued_at": r["warning__issued_at"],
        **{k: r[k] for k in ("posts", "in_time", "answered", "silent", "in_time_pct", "median_minutes")},
    }
